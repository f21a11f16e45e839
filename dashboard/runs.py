"""Runs through the server's work queue (dashboard.work), with a progress bar, the queue
position while waiting, Stop, and a gate on the estimated cost.

The work itself makes no `st.*` call: it runs in a queue worker and reports into a plain
`work.Progress`; the page's own thread polls its jobs and draws. If the page is
interrupted (a setting changed, Stop, the tab closed), it leaves its jobs, and a job that
nobody waits for any more is cancelled; nothing half-done is kept.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import mlp
from dashboard import work
from mlp import RunRecord, TrainConfig

POLL_SECONDS = 0.4  # each redraw costs the server and every watching browser
BAR_AFTER_SECONDS = 0.3  # quick runs finish without a flashing bar
MAX_SECONDS = 60.0  # one click may not hold the server longer: dearer work is refused
CONFIRMED, STOPPED = "_confirmed_runs", "_stopped_runs"
PAGE_RUN, REQUEST = "_page_run", "_queue_request"  # (page run, its queue request number)
ANNOUNCED = "_announced"  # (request, seconds announced, when)


def load_dataset(name: str, **options) -> tuple[np.ndarray, np.ndarray]:
    """A named data set, generated once and kept in the queue's cache (every session's, in
    its byte budget); read-only, as every session shares the arrays."""
    queue, key = work.shared(), ("dataset", name, tuple(sorted(options.items())))
    data = queue.recall(key)
    if data is None:
        data = mlp.datasets.load(name, **options)
        for array in data:
            array.setflags(write=False)
        queue.remember(key, data)
    return data


def fingerprint(*arrays: np.ndarray | None) -> str:
    """A short digest of the data a run sees: part of its key in the shared queue."""
    digest = hashlib.blake2b(digest_size=16)
    for array in arrays:
        if array is not None:
            digest.update(f"{array.shape}{array.dtype}".encode())
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def train_run(
    X: np.ndarray, y: np.ndarray, config: TrainConfig, test, progress: work.Progress
) -> RunRecord:
    def report(epoch, loss):
        return progress.update(epoch, config.epochs)

    return mlp.train(X, y, config, report, test=test)


@dataclass(frozen=True)
class Budget:
    """What one click may cost: it runs at once up to auto_seconds, asks first up to
    MAX_SECONDS, and may hold at most max_megabytes of run records in memory."""

    auto_seconds: float
    max_megabytes: float


def announce(jobs: Sequence[tuple[Hashable, float]]) -> str:
    """The wait for jobs (key, estimate in seconds on one idle core), the queue and this
    server's pace included (work.WorkQueue.forecast): "about 8 s", or "about 20 s with 3
    runs in this shared server's queue". The page run's place in the queue is held."""
    queue = work.shared()
    request = request_of_this_run(queue, jobs)
    present, seconds = queue.forecast(jobs, request)
    st.session_state[ANNOUNCED] = (request, seconds, time.perf_counter())
    work.LOG.info(
        "request %d: announced %.1f s (crowd %.2f, CPU pace %.2f, usual stretch %.2f)",
        request, seconds, queue.crowd(), queue.cpu_pace, queue.usual_stretch,
    )  # fmt: skip
    if seconds == 0:
        return "no time: its runs are kept from an earlier visit"
    said = f"about {seconds:.1f} s" if seconds < 10 else f"about {seconds:.0f} s"
    if seconds < 0.05:  # it would read "about 0.0 s"
        said = "well under a second"
    if not present:
        return said
    return f"{said} with {present} run{'s' * (present > 1)} in this shared server's queue"


def gate(key, seconds: float, megabytes: float, what: str, knobs: str, budget: Budget,
         jobs: Sequence[tuple[Hashable, float]]) -> bool:  # fmt: skip
    """Decide from the estimated cost (`seconds` of CPU) whether `what` runs now.

    Refused above MAX_SECONDS or the budget's megabytes of records (saying which knobs to
    turn); above its auto_seconds, or after the user pressed Stop, it waits for a button
    (announcing its `jobs`, (key, estimate), as `announce` does). `key` names the work.
    """
    if seconds > MAX_SECONDS or megabytes > budget.max_megabytes:
        limit = f"{MAX_SECONDS:.0f} s and {budget.max_megabytes:.0f} MB"
        cost = f"{seconds:,.0f} s and {megabytes:,.0f} MB of records"
        st.error(
            f"This {what} would take about {cost}; one click may use at most {limit} here. {knobs}"
        )
        return False
    state = st.session_state
    confirmed, stopped = state.setdefault(CONFIRMED, set()), state.setdefault(STOPPED, set())
    if key in stopped:
        message = f"Stopped. Press the button to run this {what} again."
    elif seconds > budget.auto_seconds and key not in confirmed:
        takes = announce(jobs)
        message = f"This {what} takes {takes}, so it waits for you."
    else:
        return True
    notice = st.empty()
    with notice.container():
        st.info(message)
        if not st.button(f"Run the {what}", type="primary"):
            return False
    notice.empty()  # the question is answered: the results take its place
    confirmed.add(key)
    stopped.discard(key)
    return True


def release_memory() -> None:
    """Hand the heap memory a finished run freed back to the system.

    glibc keeps freed memory for reuse (per thread, and its threshold for returning
    large blocks rises after each): without this, one big run would raise the server's
    footprint for good. Does nothing where glibc is not the allocator.
    """
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _stop(key) -> None:
    st.session_state.setdefault(STOPPED, set()).add(key)


@dataclass(frozen=True)
class Request:
    """One job to ask the queue for: its key (the work and its data), the work (called with
    a work.Progress) and its estimated seconds. The queue caches its result."""

    key: Hashable
    work: Callable[[work.Progress], object]
    seconds: float


def request_of_this_run(queue: work.WorkQueue, jobs: Sequence[tuple[Hashable, float]] = ()) -> int:
    """The queue request of this page run: what it announces and every job it submits are
    one request, numbered when first needed (dashboard.schedule: requests keep their
    place in the order they arrived). A page run announcing the very jobs its session's
    request still holds (the rerun after "Run the study") keeps that place."""
    run = st.session_state.get(PAGE_RUN, 0)
    held = st.session_state.get(REQUEST)
    same_work = held is not None and jobs and queue.holds(held[1]) == {k for k, _ in jobs}
    if held is None or (held[0] != run and not same_work):
        held = (run, queue.new_request())
    st.session_state[REQUEST] = (run, held[1])
    return held[1]


def new_page_run() -> None:
    """Called at the top of every page run: its queue request will be a new one."""
    st.session_state[PAGE_RUN] = st.session_state.get(PAGE_RUN, 0) + 1


def session_id() -> str:
    context = get_script_run_ctx()
    return context.session_id if context is not None else "no session"


def start_jobs(requests: Sequence[Request]) -> list[work.Job]:
    """Queue the requests (as this page run's request) and return their jobs. A page may
    call it first, so that they train while it does something else (import what draws
    their results, draw what needs no result); `run_jobs` then waits for them. What it
    draws in between goes in a `holding(jobs)` block: a page run is interrupted only where
    it draws, and the jobs must then be left."""
    queue, me = work.shared(), session_id()
    request = request_of_this_run(queue)
    return [queue.submit(r.key, r.work, me, r.seconds, request) for r in requests]


@contextlib.contextmanager
def holding(jobs: Sequence[work.Job]):
    """Leave the jobs (a job nobody else waits for is cancelled) if the page run is
    interrupted in this block, and let the interruption go on."""
    try:
        yield
    except BaseException:
        queue, me = work.shared(), session_id()
        for job in jobs:
            queue.leave(job, me)
        raise


def run_jobs(requests: Sequence[Request], label: str, key, knobs: str,
             on_progress: Callable[[list], None] | None = None) -> list:  # fmt: skip
    """Queue the requests and wait for all of them here: the queue position while they wait,
    a progress bar once they run, a note when another visitor shares them, and Stop.
    on_progress(results so far, None where unfinished) is called as jobs finish.
    Returns their results in order; a job stopped for its CPU use stops the page."""
    queue, me = work.shared(), session_id()
    request = request_of_this_run(queue)
    jobs = start_jobs(requests)  # the same jobs if the page started them already
    with holding(jobs):
        status, bar_slot, stop_slot = st.empty(), st.empty(), st.empty()
    started, stoppable, finished, said, shown = time.perf_counter(), False, -1, None, -1
    try:
        while True:
            for i, job in enumerate(jobs):
                if job.state == "cancelled":  # another session's Stop raced our asking
                    r = requests[i]
                    jobs[i] = queue.submit(r.key, r.work, me, r.seconds, request)
            done = sum(job.over for job in jobs)
            if on_progress is not None and done != finished:
                finished = done
                on_progress([job.result if job.state == "done" else None for job in jobs])
            if done == len(jobs):
                log_against_announcement(request)
                break
            news = describe(queue, jobs)
            if news != said:  # draw only what changed: every redraw costs server and browsers
                said = news
                show_status(status, news)
            if not stoppable and time.perf_counter() - started > BAR_AFTER_SECONDS:
                stoppable = True  # quick runs finish without a flashing bar and button
                stop_slot.button("Stop this run", key=f"stop_{label}", on_click=_stop, args=(key,))
            percent = done_percent(jobs)
            if stoppable and percent != shown and any(j.state != "waiting" for j in jobs):
                shown = percent  # the bar starts when the work does, not while it waits
                bar_slot.progress(percent / 100, text=f"{label} {percent}%")
            queue.wait(POLL_SECONDS)
    finally:
        for job in jobs:
            queue.leave(job, me)  # a job nobody else waits for is cancelled
        for slot in (status, bar_slot, stop_slot):
            slot.empty()
        release_memory()
    for job in jobs:
        if isinstance(job.error, work.OverBudget):
            st.error(
                f"Stopped after {job.progress.cpu_seconds:.0f} s of CPU, more than twice its "
                f"estimate ({job.estimate:.1f} s) or the {work.MAX_CPU_SECONDS:.0f} s any run "
                f"may use on this shared server. {knobs}"
            )
            st.stop()
        if job.error is not None:
            raise job.error
    return [job.result for job in jobs]


def log_against_announcement(request: int) -> None:
    """Log how long the request's jobs took since the page announced them (bench_load
    compares the two from the server log, where no browser delays either)."""
    announced = st.session_state.get(ANNOUNCED)
    if announced is not None and announced[0] == request:
        _, seconds, at = announced
        taken = time.perf_counter() - at
        work.LOG.info(
            "request %d: done %.1f s after it was announced (%.1f s)", request, taken, seconds
        )


def show_status(slot, news: str) -> None:
    """The waiting notice as an info box, the shared-run note as a caption, or nothing."""
    if news.startswith("Waiting"):
        slot.info(news)
    elif news:
        slot.caption(news)
    else:
        slot.empty()


def done_percent(jobs: list[work.Job]) -> int:
    """How far the jobs got together, each weighted by its estimate."""
    total = sum(j.estimate for j in jobs)
    return round(100 * sum(j.estimate * j.progress.fraction for j in jobs) / max(total, 1e-9))


def describe(queue: work.WorkQueue, jobs: list[work.Job]) -> str:
    """Why the page waits: its place in the queue, or that the run is shared ("" if neither)."""
    waiting = [job for job in jobs if job.state == "waiting"]
    if waiting and not any(job.state == "running" for job in jobs):
        ahead, seconds = queue.ahead(waiting[0])
        runs = "run" if ahead == 1 else "runs"
        return (
            f"Waiting: {ahead} {runs} ahead of yours on this shared server "
            f"(about {seconds:.0f} s). It starts by itself."
        )
    if any(len(job.watchers) > 1 for job in jobs if not job.over):
        return "Another visitor asked for the same run: it is computed once, for both."
    return ""
