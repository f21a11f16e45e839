"""Worker processes for the work queue: the server's cores without its GIL.

Threads would share one interpreter lock with each other and with every page being
drawn: two small networks in two threads train no faster than one after the other
(bench: `python -m benchmarks.bench_load`). So each job runs in a process of a pool
(forked from the server: nothing is imported twice), one BLAS thread each. A pool forked
before the server imported a job's code is replaced by a fresh fork, which inherits it
(`ProcessRunner`). A job owns a lane of three shared arrays while it runs: the worker
writes its progress and CPU time there and reads the cancel flag; the server's thread that
waits for the job mirrors them into the job's `Progress`, so the pages read it as they
would a thread's.

A forked worker first closes the server's sockets it inherited (`_close_inherited_sockets`).
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import sys
import threading
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from dashboard.work import Job, Progress

MIRROR_SECONDS = 0.1


class Lanes:
    """Shared memory, one slot per lane: progress fraction, CPU seconds, cancel flag."""

    def __init__(self, count: int, context):
        self.fraction = context.Array("d", count, lock=False)
        self.cpu_seconds = context.Array("d", count, lock=False)
        self.cancelled = context.Array("b", count, lock=False)


_lanes: Lanes | None = None  # in a worker process: the lanes it inherited


def _start_worker(lanes: Lanes) -> None:
    global _lanes
    from threadpoolctl import threadpool_limits

    _close_inherited_sockets()
    _lanes = lanes
    threadpool_limits(1)  # one BLAS thread: the other lanes need the other cores


def _close_inherited_sockets() -> None:
    """Close the copies of the server's sockets (its browsers' connections, its listening
    socket) this forked worker inherited; the pool talks to it through pipes.

    A socket closes only when its last copy does: while a worker held one, a keep-alive
    connection the server had closed stayed open, the browser sent its next request on it
    (the script a page's table or button needs), and nobody ever answered: the page kept
    a grey placeholder for good."""
    try:
        descriptors = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        return  # no /proc: nothing to find them with
    for fd in descriptors:
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            continue  # the listing's own descriptor, closed by now


class LaneProgress(Progress):
    """A job's Progress inside a worker: reports through its lane."""

    def __init__(self, lane: int, cpu_allowance: float):
        super().__init__(cpu_allowance)
        self.lane = lane

    def update(self, done: float, total: float) -> bool:
        self.cancelled = bool(_lanes.cancelled[self.lane])
        try:
            return super().update(done, total)
        finally:
            _lanes.fraction[self.lane] = self.fraction
            _lanes.cpu_seconds[self.lane] = self.cpu_seconds


def _run_in_lane(work, lane: int, cpu_allowance: float):
    progress = LaneProgress(lane, cpu_allowance)
    progress.start()
    return work(progress)


class ProcessRunner:
    """Runs jobs in a pool of `slots` forked processes; at most `slots` jobs at once (the
    queue sees to it), each in a lane of its own.

    The workers fork when the pool is made, in the thread that makes it, and inherit the
    modules the server has imported by then. A fresh server's first page makes it and
    queues its run before it imports pandas and Altair (they import while a worker
    trains), so a later job may need code the workers lack: the pool is forked anew for it
    rather than each worker importing it again (about a second each)."""

    def __init__(self, slots: int):
        self._context = multiprocessing.get_context("fork")
        self._lanes = Lanes(slots, self._context)
        self._free = list(range(slots))
        self._lock = threading.Lock()
        self._slots = slots
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(
            self._slots, self._context, initializer=_start_worker, initargs=(self._lanes,)
        )
        # the modules the workers inherit whole: one that another thread is still
        # importing would be half there in a worker (and its import lock held for good)
        self._forked_with = frozenset(
            name
            for name, module in list(sys.modules.items())
            if not getattr(getattr(module, "__spec__", None), "_initializing", False)
        )
        pool.submit(os.getpid)  # with "fork", the first job forks every worker, now
        return pool

    def _pool_for(self, job: Job) -> ProcessPoolExecutor:
        """The pool to run `job` in (called under the lock): a fresh fork if the workers
        lack the job's module; the old pool ends once its running jobs do."""
        module = getattr(getattr(job.work, "func", job.work), "__module__", None)
        if module not in self._forked_with and module in sys.modules:
            self._pool.shutdown(wait=False)
            self._pool = self._new_pool()
        return self._pool

    def __call__(self, job: Job) -> object:
        with self._lock:
            lane = self._free.pop()
            pool = self._pool_for(job)
        lanes = self._lanes
        lanes.fraction[lane], lanes.cpu_seconds[lane], lanes.cancelled[lane] = 0.0, 0.0, 0
        try:
            future = pool.submit(_run_in_lane, job.work, lane, job.progress.cpu_allowance)
            while not wait([future], timeout=MIRROR_SECONDS).done:  # returns as soon as done
                lanes.cancelled[lane] = job.progress.cancelled
                mirror(job.progress, lanes, lane)
            mirror(job.progress, lanes, lane)
            return future.result()  # re-raises Cancelled, OverBudget or the job's own error
        except BrokenProcessPool:  # a worker died (out of memory?): start a fresh pool
            with self._lock:
                if self._pool is pool:
                    self._pool = self._new_pool()
            raise
        finally:
            with self._lock:
                self._free.append(lane)


def mirror(progress: Progress, lanes: Lanes, lane: int) -> None:
    progress.fraction = lanes.fraction[lane]
    progress.cpu_seconds = lanes.cpu_seconds[lane]
