"""How much of this machine other programs take: the queue's forecasts count it.

The queue learns how long jobs take from those that finished (work.WorkQueue), which lags:
when a crowd of visitors arrives, other programs on the same machine (browsers, another app)
can take cores before any job has finished under them. So a sampler reads, four times a
second:
- while the server or its workers are busy, how long their threads waited, runnable, for
  a core against how long they ran (/proc/PID/task/*/schedstat): a job's wall time is its
  CPU time times (run + wait) / run, whatever the others' number or priority (`stretch`);
- the busy CPU time of the CPUs this process may run on (/proc/stat) less the time those
  threads ran: other programs' cores, the most of the last few seconds. While the
  server idles this is all there is to go on: Linux shares the cores among everything
  runnable at one priority, so with `cores` workers busy and others using `o` cores, a
  job runs at least (cores + o) / cores times slower (`cores_used`). In a container with
  a CPU quota on a larger host, /proc/stat counts the host's cores: there the others slow
  us only by what they leave us fewer than our quota of idle cores.
Where /proc is missing, nothing is counted.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from pathlib import Path

SAMPLE_SECONDS = 0.25
RECENT = 12  # samples: the last three seconds count (a crowd arrives fast)
MIN_RUN_SECONDS = 0.1  # CPU time of ours in those seconds, to measure our stretch
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def busy_seconds(cpus: set[int], stat: str | None = None) -> float:
    """CPU time the CPUs `cpus` spent busy (user, nice, system, irq, softirq, steal), from
    the per-CPU lines of /proc/stat (or `stat`, its text)."""
    ticks = 0
    for line in (stat or Path("/proc/stat").read_text()).splitlines()[1:]:
        name, *fields = line.split()
        if not name.startswith("cpu"):
            break  # the per-CPU lines come first
        if int(name[3:]) in cpus:
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
            ticks += user + nice + system + irq + softirq + steal
    return ticks / TICKS


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0 once it has exited)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def family(pid: int) -> list[int]:
    """A process and its child processes (the server and its workers)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return [pid, *map(int, children)]


def run_and_wait_seconds(pid: int) -> dict[int, tuple[float, float]]:
    """For each thread of a process: the seconds it has run on a core, and waited runnable
    for one (none once the process has exited)."""
    times = {}
    for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            ran, waited, _slices = map(int, task.read_text().split())
        except (OSError, ValueError):
            continue  # the thread has exited
        times[int(task.parent.name)] = (ran / 1e9, waited / 1e9)  # nanoseconds
    return times


def own_seconds(pid: int) -> float:
    """CPU time of a process and its child processes (the workers), alive ones only."""
    return sum(cpu_seconds(each) for each in family(pid))


class OtherPrograms:
    """What other programs take from this server and its workers, sampled by a daemon
    thread: their cores (`cores_used`) and, while we are busy, our measured slowdown
    (`stretch`)."""

    def __init__(self, usable: int, pid: int | None = None):
        """`usable`: the CPUs this process may keep busy (mlp.sweep.usable_cpus)."""
        self.pid = pid or os.getpid()
        self.cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()
        # cores the others may take before any of our `usable` ones: a quota's surplus
        self.spare = max(0, len(self.cpus) - usable)
        # (seconds, others' CPU seconds in them) and (our run, our wait), per sample
        self.recent: deque[tuple[float, float]] = deque([(SAMPLE_SECONDS, 0.0)], maxlen=RECENT)
        self.own_recent: deque[tuple[float, float]] = deque(maxlen=RECENT)
        try:
            self._last = (time.perf_counter(), busy_seconds(self.cpus), self._own_time())
        except (OSError, ValueError):
            return  # no /proc: count nothing
        threading.Thread(target=self._sample_forever, daemon=True).start()

    def _sample_forever(self) -> None:
        while True:
            time.sleep(SAMPLE_SECONDS)
            try:
                self.sample()
            except (OSError, ValueError):
                return

    def _own_time(self) -> dict[int, tuple[float, float]]:
        """(run, wait) of every thread of the server and its workers, by thread id."""
        return {tid: t for pid in family(self.pid) for tid, t in run_and_wait_seconds(pid).items()}

    def sample(self) -> None:
        now, busy, own = time.perf_counter(), busy_seconds(self.cpus), self._own_time()
        then, busy_then, before = self._last
        # per thread, as threads come and go (a page run's thread ends with it)
        ran = sum(run - before.get(tid, (0.0, 0.0))[0] for tid, (run, _) in own.items())
        waited = sum(wait - before.get(tid, (0.0, 0.0))[1] for tid, (_, wait) in own.items())
        self.recent.append((now - then, max(0.0, (busy - busy_then) - ran)))
        self.own_recent.append((ran, waited))
        self._last = (now, busy, own)

    @property
    def cores_used(self) -> float:
        """Other programs' cores in the busiest second of the last few (a quarter second
        alone is too short: /proc/stat counts in hundredths), beyond the spare ones."""
        samples = list(self.recent)
        width = round(1 / SAMPLE_SECONDS)
        seconds = [samples[i : i + width] for i in range(max(1, len(samples) - width + 1))]
        busiest = max(sum(c for _, c in s) / sum(t for t, _ in s) for s in seconds)
        return max(0.0, busiest - self.spare)

    @property
    def stretch(self) -> float | None:
        """Wall time per CPU second of the server's and its workers' threads over the last
        few seconds, or None if they ran too little then to tell."""
        ran = sum(run for run, _ in self.own_recent)
        waited = sum(wait for _, wait in self.own_recent)
        return (ran + waited) / ran if ran >= MIN_RUN_SECONDS else None
