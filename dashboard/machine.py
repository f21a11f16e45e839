"""How crowded this machine is with other programs: the queue's forecasts count it.

The queue learns its pace from jobs that finished (work.WorkQueue.pace), which lags: when
a crowd of visitors arrives, other programs on the same machine (browsers, another app)
can take cores before any job has finished under them. Linux shares the cores among all
runnable threads, so a sampler counts, ten times a second, the machine's runnable threads
(/proc/stat procs_running) other than the work queue's workers and itself: with `o` of
them on `cores` cores, a worker gets about cores / (cores + o) of a core. The count is
averaged over each second, and the busiest of the last few seconds counts (a crowd
arrives fast). Where /proc is missing, nothing is counted.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from pathlib import Path

SAMPLES_PER_SECOND = 10
RECENT = 3  # seconds: the busiest of them counts


def runnable_threads() -> int:
    """Threads of the whole machine running or ready to run, this sampler included."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("procs_running"):
            return int(line.split()[1])
    raise ValueError("no procs_running in /proc/stat")


def running_children(pid: int) -> int:
    """How many of the process's child processes (the queue's workers) are running now."""
    count = 0
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        try:
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:  # exited since
            continue
        count += state == "R"
    return count


class OtherPrograms:
    """Runnable threads besides the queue's workers (`threads`), sampled by a daemon
    thread."""

    def __init__(self, pid: int | None = None):
        self.pid = pid or os.getpid()
        self.recent: deque[float] = deque([0.0], maxlen=RECENT)
        try:
            runnable_threads(), running_children(self.pid)
        except (OSError, ValueError):
            return  # no /proc: count nothing
        threading.Thread(target=self._sample_forever, daemon=True).start()

    def _sample_forever(self) -> None:
        while True:
            try:
                self.recent.append(self.sample_second())
            except (OSError, ValueError):
                return

    def sample_second(self) -> float:
        """Other runnable threads, averaged over one second."""
        counts = []
        for _ in range(SAMPLES_PER_SECOND):
            time.sleep(1 / SAMPLES_PER_SECOND)
            own = 1 + running_children(self.pid)  # this sampler and the busy workers
            counts.append(max(0, runnable_threads() - own))
        return sum(counts) / len(counts)

    @property
    def threads(self) -> float:
        return max(self.recent)
