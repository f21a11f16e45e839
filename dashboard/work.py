"""The server's work queue: every training run of every session goes through it.

As many jobs run at once as the process has usable CPUs (mlp.sweep.usable_cpus: affinity
and cgroup quota), each in a worker process with one BLAS thread (dashboard.workers); the
rest wait their turn. Which job starts next, and what the pages are told about it, follow
one rule (dashboard.schedule): requests in the order they arrived, each started request
keeping at least one core. Identical work (same key) is one job, watched by every session
that asked for it; a job nobody watches any more is dropped (waiting) or cancelled
(running). A job that burns more than its CPU allowance is stopped. Finished results stay
in a cache with a budget in bytes, least recently used out first. No `st.*` call in here
but `shared`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import streamlit as st
from streamlit.logger import get_logger

from dashboard.cache import ByteBudgetCache, pickled_size
from dashboard.machine import OtherPrograms
from dashboard.schedule import Slot, pick, simulate
from mlp.sweep import usable_cpus

MAX_CPU_SECONDS = 60.0  # no job may use more, whatever its estimate
CPU_FLOOR_SECONDS = 2.0  # below this, an estimate is too small to judge a run by
CACHE_MEGABYTES = 120.0  # finished results kept across sessions
# what recent jobs took (`_clock`): those estimated at PACE_MIN_SECONDS or more that also
# ran half that long count, each with PACE_WEIGHT (a study arm that diverges at once ends in
# a few ms: its wall per CPU second is noise, and it did not do the work estimated); the
# estimates err high on an idle machine (mlp.estimate), so the CPU pace may go below 1; a
# single-threaded job's wall time is never below its CPU time
PACE_MIN_SECONDS, PACE_WEIGHT = 0.5, 0.3
CPU_PACE_RANGE, STRETCH_RANGE = (0.5, 4.0), (1.0, 8.0)
RESERVE_SECONDS = 15.0  # an announced run not submitted by then gives up its place
CROWD_SECONDS = 30.0  # how long a forecast expects the machine's present crowd to stay
LOG = get_logger(__name__)  # the server log: a line per job started and ended (bench_load)


class Cancelled(Exception):
    """Raised inside a job nobody waits for any more; nothing partial is kept."""


class OverBudget(Exception):
    """Raised inside a job that used more CPU than it was allowed; nothing partial is kept."""


class Progress:
    """Where a job reports how far it got; it also stops the job when told to or when the
    job's CPU time exceeds its allowance (measured on the job's own thread)."""

    def __init__(self, cpu_allowance: float = MAX_CPU_SECONDS):
        self.fraction = 0.0
        self.cancelled = False
        self.cpu_allowance = cpu_allowance
        self.cpu_seconds = 0.0
        self._cpu_start: float | None = None

    def start(self) -> None:
        self._cpu_start = time.thread_time()

    def update(self, done: float, total: float) -> bool:
        if self.cancelled:
            raise Cancelled
        if self._cpu_start is not None:
            self.cpu_seconds = time.thread_time() - self._cpu_start
            if self.cpu_seconds > self.cpu_allowance:
                raise OverBudget(f"{self.cpu_seconds:.0f} s of CPU")
        self.fraction = min(1.0, done / total) if total else 1.0
        return True


def cpu_allowance(estimate_seconds: float) -> float:
    """Twice the estimate (at least CPU_FLOOR_SECONDS), and never above MAX_CPU_SECONDS."""
    return min(MAX_CPU_SECONDS, max(CPU_FLOOR_SECONDS, 2 * estimate_seconds))


@dataclass(eq=False)
class Job:
    """One piece of work: who asked, how far it got, and how it ended."""

    key: Hashable
    work: Callable[[Progress], object]
    estimate: float  # seconds on an idle core
    request: int  # the request it belongs to (dashboard.schedule), numbered by arrival
    watchers: set[str]
    progress: Progress
    state: str = "waiting"  # waiting, running, done, failed, cancelled
    result: object = None
    error: BaseException | None = None
    started: float | None = None
    finished: float | None = None

    @property
    def over(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    def seconds_left(self) -> float:
        return self.estimate * (1 - self.progress.fraction)


def in_thread(job: Job) -> object:
    job.progress.start()
    return job.work(job.progress)


class WorkQueue:
    """The queue, its workers' bookkeeping and the finished-results cache."""

    def __init__(self, slots: int, cache_megabytes: float = CACHE_MEGABYTES,
                 runner: Callable[[Job], object] | None = None):  # fmt: skip
        """runner(job) computes a job's result (default: in the queue's own thread)."""
        self.slots = slots
        self._runner = runner or in_thread
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)  # notified when a job ends
        self._waiting: list[Job] = []
        self._running: list[Job] = []
        self._active: dict[Hashable, Job] = {}  # waiting or running, by key
        self._requests = 0  # requests numbered so far
        # announced requests' jobs not submitted yet: request → ({key: estimate}, expiry)
        self._reserved: dict[int, tuple[dict[Hashable, float], float]] = {}
        self._cache = ByteBudgetCache(cache_megabytes)
        self.started_jobs = 0  # all-time count: the load test checks identical work ran once
        self.cpu_pace = 1.0  # recent jobs' CPU seconds per estimated second (`_clock`)
        self.usual_stretch = 1.0  # recent jobs' wall seconds per CPU second (`_clock`)
        self.others: OtherPrograms | None = None  # the machine's crowd (`crowd`)

    def new_request(self) -> int:
        """A number for the jobs one page run submits together (see dashboard.schedule)."""
        with self._lock:
            self._requests += 1
            return self._requests

    def submit(self, key: Hashable, work: Callable[[Progress], object], session: str,
               estimate: float, request: int | None = None) -> Job:  # fmt: skip
        """The job for `key`: finished (from the cache), already queued or running (now also
        watched by `session`), or new in the queue as part of `request` (default: a request
        of its own); its result is cached."""
        if request is None:
            request = self.new_request()
        with self._lock:
            if key in self._cache:
                job = Job(key, work, estimate, request, set(), Progress(), state="done")
                job.result, job.progress.fraction = self._cache.get(key), 1.0
                return job
            job = self._active.get(key)
            if job is None or job.progress.cancelled:  # a cancelled one is on its way out
                self._take_reserved(request, key)
                progress = Progress(cpu_allowance(estimate))
                job = Job(key, work, estimate, request, set(), progress)
                self._active[key] = job
                self._waiting.append(job)
            job.watchers.add(session)
            self._start_due()
            return job

    def leave(self, job: Job, session: str) -> None:
        """`session` no longer waits for `job`: drop or cancel it if nobody else does."""
        with self._lock:
            job.watchers.discard(session)
            if job.watchers or job.over:
                return
            if job in self._waiting:
                self._waiting.remove(job)
                self._finish(job, "cancelled")
            else:
                job.progress.cancelled = True  # the worker stops at its next report

    def ahead(self, job: Job) -> tuple[int, float]:
        """For a waiting `job`: the jobs that start before it (running ones included), and
        the seconds until it is likely to start (both 0 once it has)."""
        with self._lock:
            if job not in self._waiting:
                return 0, 0.0
            _, queued = self._queued()
            starts = simulate(self._slots(self._running), queued, self.slots)
            mine = starts[self._waiting.index(job)]
            return len(self._running) + mine.rank, self.wall_seconds(mine.start)

    def forecast(self, jobs: Sequence[tuple[Hashable, float]],
                 request: int | None = None) -> tuple[int, float]:  # fmt: skip
        """For jobs (key, estimate): the jobs now in the queue, and the wall seconds until
        ours would be done (dashboard.schedule, `wall_seconds`). A job already queued or held
        for another request is shared, not added; a cached one costs nothing. Given its
        `request` number, the place is held: other forecasts count these jobs until they
        are submitted (or for RESERVE_SECONDS)."""
        with self._lock:
            if request is None:
                request = self._requests + 1
            else:
                expiry = time.perf_counter() + RESERVE_SECONDS
                self._reserved[request] = (dict(jobs), expiry)
            keys, queued = self._queued(but=request)
            place = {key: i for i, key in reversed(list(enumerate(keys)))}  # first of each
            left = {j.key: j.seconds_left() for j in self._running}
            known = place.keys() | left.keys() | self._cache.keys()
            new = [Slot(request, seconds) for key, seconds in jobs if key not in known]
            starts = simulate(self._slots(self._running), queued + new, self.slots)
            ends = [s.end for s in starts[len(queued) :]]
            ends += [left[key] for key, _ in jobs if key in left]
            ends += [starts[place[key]].end for key, _ in jobs if key in place]
            present = len(self._running) + len(self._waiting)
            return present, self.wall_seconds(max(ends, default=0.0))

    def holds(self, request: int) -> set[Hashable]:
        """The keys of the jobs `request` announced and has not submitted yet (held)."""
        with self._lock:
            self._drop_expired()
            return set(self._reserved.get(request, ({}, 0.0))[0])

    def _queued(self, but: int | None = None) -> tuple[list[Hashable], list[Slot]]:
        """The waiting jobs, then the held places of other requests (jobs not queued yet),
        as their keys and their slots. Lock held."""
        self._drop_expired()
        keys, slots = [j.key for j in self._waiting], self._slots(self._waiting)
        seen = set(keys) | {j.key for j in self._running}
        for request, (held, _) in self._reserved.items():
            for key, seconds in held.items():
                if request != but and key not in seen:
                    seen.add(key)
                    keys.append(key)
                    slots.append(Slot(request, seconds))
        return keys, slots

    def _drop_expired(self) -> None:
        """Forget held places whose page never submitted its jobs in time. Lock held."""
        now = time.perf_counter()
        for request in [r for r, (_, expiry) in self._reserved.items() if expiry < now]:
            del self._reserved[request]

    def _take_reserved(self, request: int, key: Hashable) -> None:
        """A job of `request` is submitted: it no longer needs a held place. Lock held."""
        if request in self._reserved:
            held, _ = self._reserved[request]
            held.pop(key, None)
            if not held:
                del self._reserved[request]

    def wall_seconds(self, estimated: float) -> float:
        """Wall seconds for `estimated` seconds of queued work (on idle cores): the CPU
        seconds recent jobs took per estimated second (`cpu_pace`), stretched by the crowd of
        now for the next CROWD_SECONDS at most (a crowd of visitors passes), by the usual
        stretch of recent jobs after that."""
        cpu, crowd = estimated * self.cpu_pace, self.crowd()
        if cpu * crowd <= CROWD_SECONDS:
            return cpu * crowd
        return CROWD_SECONDS + (cpu - CROWD_SECONDS / crowd) * self.usual_stretch

    def crowd(self) -> float:
        """How much other programs slow this server's work now: its measured stretch while
        it is busy, else the share of the cores the others take (dashboard.machine)."""
        if self.others is None:
            return 1.0
        stretch = self.others.stretch
        return stretch if stretch is not None else 1.0 + self.others.cores_used / self.slots

    @staticmethod
    def _slots(jobs: list[Job]) -> list[Slot]:
        return [Slot(j.request, j.seconds_left()) for j in jobs]

    def _start_due(self) -> None:
        """Fill free slots by the queue's rule (dashboard.schedule.pick). Called with the
        lock held."""
        while self._waiting and len(self._running) < self.slots:
            busy = {j.request for j in self._running}
            job = self._waiting.pop(pick(self._slots(self._waiting), busy))
            self._running.append(job)
            job.state, job.started = "running", time.perf_counter()
            self.started_jobs += 1
            LOG.info(
                "job %d started: %d running, %d waiting",
                self.started_jobs,
                len(self._running),
                len(self._waiting),
            )
            threading.Thread(target=self._run, args=(job,), daemon=True).start()

    def _run(self, job: Job) -> None:
        size = 0
        try:
            result, state = self._runner(job), "done"
            size = pickled_size(result)  # not locked
        except Cancelled:
            result, state = None, "cancelled"
        except BaseException as exc:  # OverBudget or a bug: the page that waits shows it
            result, state, job.error = None, "failed", exc
        with self._lock:
            self._running.remove(job)
            job.result, job.finished = result, time.perf_counter()
            if state == "done":
                job.progress.fraction = 1.0
                self._cache.put(job.key, result, size)
                self._clock(job)
            self._finish(job, state)  # last: whoever sees the job over sees all of it
            LOG.info(
                "job %s: %s after %.1f s (%.1f s of CPU, estimated %.1f s; CPU pace %.2f, "
                "usual stretch %.2f)", id(job), state, job.finished - job.started,
                job.progress.cpu_seconds, job.estimate, self.cpu_pace, self.usual_stretch,
            )  # fmt: skip
            self._start_due()

    def _clock(self, job: Job) -> None:
        """Fold a finished job's CPU seconds per estimated second into `cpu_pace`, and its
        wall seconds per CPU second into `usual_stretch` (moving averages, within their
        ranges): the estimates' error on this machine, and how busy it usually is."""
        cpu = job.progress.cpu_seconds
        if job.estimate >= PACE_MIN_SECONDS and cpu >= PACE_MIN_SECONDS / 2:
            self.cpu_pace = _moving_average(self.cpu_pace, cpu / job.estimate, CPU_PACE_RANGE)
            stretch = (job.finished - job.started) / cpu
            self.usual_stretch = _moving_average(self.usual_stretch, stretch, STRETCH_RANGE)

    def _finish(self, job: Job, state: str) -> None:
        job.state, job.finished = state, job.finished or time.perf_counter()
        if self._active.get(job.key) is job:
            del self._active[job.key]
        self._changed.notify_all()

    def wait(self, seconds: float) -> None:
        """Sleep up to `seconds`, waking early when any job ends: pages show results at once."""
        with self._changed:
            self._changed.wait(seconds)

    def recall(self, key: Hashable) -> object | None:
        """A result kept under `key` (see `remember`), or None."""
        with self._lock:
            return self._cache.get(key)

    def remember(self, key: Hashable, result: object) -> None:
        """Keep a result the page computed itself (a digest of jobs' results) in the cache."""
        size = pickled_size(result)
        with self._lock:
            self._cache.put(key, result, size)

    @property
    def cached_bytes(self) -> int:
        return self._cache.bytes

    def clear(self) -> None:
        """Forget every finished result (tests start from an empty cache)."""
        with self._lock:
            self._cache.clear()


def _moving_average(average: float, new: float, bounds: tuple[float, float]) -> float:
    low, high = bounds
    return min(high, max(low, (1 - PACE_WEIGHT) * average + PACE_WEIGHT * new))


@st.cache_resource
def shared() -> WorkQueue:
    """The one queue of this server process; its jobs run in worker processes
    (dashboard.workers). What the server computes itself also gets one BLAS thread: BLAS's
    own threads would fight the workers for the same cores."""
    from threadpoolctl import threadpool_limits

    from dashboard.workers import ProcessRunner

    threadpool_limits(1)
    slots = usable_cpus()
    queue = WorkQueue(slots, runner=ProcessRunner(slots))
    queue.others = OtherPrograms(slots)
    return queue
