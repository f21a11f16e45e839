"""How much of this machine other programs take: the queue's forecasts count it.

The queue learns its pace from jobs that finished (work.WorkQueue.pace), which lags: when
a crowd of visitors arrives, other programs on the same machine (browsers, another app)
can take cores before any job has finished under them. So a sampler reads, every second,
the machine's busy CPU time (/proc/stat) less this server's and its workers' own
(/proc/PID/stat): other programs' cores, the most of the last few seconds. Linux shares the
cores among everything runnable, so with `cores` workers busy and others using `o` cores,
a job runs at least (cores + o) / cores times slower. Where /proc is missing, nothing is
counted.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from pathlib import Path

SAMPLE_SECONDS = 1.0
RECENT = 3  # samples: the busiest of the last three seconds counts (a crowd arrives fast)
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def busy_seconds() -> float:
    """CPU time the whole machine spent busy (user, nice, system, irq, softirq, steal)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


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


def own_seconds(pid: int) -> float:
    """CPU time of a process and its child processes (the workers), alive ones only."""
    return sum(cpu_seconds(each) for each in family(pid))


class OtherPrograms:
    """Cores that programs other than this server and its workers are using (`cores_used`),
    sampled by a daemon thread."""

    def __init__(self, pid: int | None = None):
        self.pid = pid or os.getpid()
        self.recent: deque[float] = deque([0.0], maxlen=RECENT)
        try:
            self._last = (time.perf_counter(), busy_seconds(), own_seconds(self.pid))
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

    def sample(self) -> None:
        now, busy, own = time.perf_counter(), busy_seconds(), own_seconds(self.pid)
        then, busy_then, own_then = self._last
        # a worker that exited takes its CPU time out of `own`: never count that as others'
        others = max(0.0, (busy - busy_then) - max(0.0, own - own_then)) / (now - then)
        self.recent.append(others)
        self._last = (now, busy, own)

    @property
    def cores_used(self) -> float:
        return max(self.recent)
