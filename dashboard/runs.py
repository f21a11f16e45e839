"""Cached runs, and a progress bar that works with the cache.

The cached functions make no `st.*` call (a cache hit would fail to replay one). They
run in a worker thread and report progress into a plain `Progress` object; the page's
own thread polls it and draws the bar. If the page is interrupted (the user changed a
setting or pressed Stop), the worker is told to stop and nothing half-done is cached.
"""

from __future__ import annotations

import contextlib
import ctypes
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

import mlp
from mlp import RunRecord, TrainConfig

POLL_SECONDS = 0.1
BAR_AFTER_SECONDS = 0.3  # quick runs finish without a flashing bar
MAX_SECONDS = 60.0  # one click may not hold the server longer: dearer work is refused
CACHE_SECONDS = 30 * 60  # cached runs expire: the server keeps little for long
CONFIRMED, STOPPED = "_confirmed_runs", "_stopped_runs"


class Cancelled(Exception):
    """Raised inside a worker whose page went away; keeps the partial run out of the cache."""


class Progress:
    """Where a worker writes how far it got; the page thread reads it."""

    def __init__(self):
        self.fraction = 0.0
        self.cancelled = False

    def update(self, done: float, total: float) -> bool:
        if self.cancelled:
            raise Cancelled
        self.fraction = min(1.0, done / total) if total else 1.0
        return True


@st.cache_data(max_entries=32, show_spinner=False)
def load_dataset(name: str, **options) -> tuple[np.ndarray, np.ndarray]:
    return mlp.datasets.load(name, **options)


@st.cache_data(max_entries=8, ttl=CACHE_SECONDS, show_spinner=False)
def train_run(
    X: np.ndarray,
    y: np.ndarray,
    config: TrainConfig,
    X_test: np.ndarray,
    y_test: np.ndarray,
    _progress: Progress,
) -> RunRecord:
    def report(epoch, loss):
        return _progress.update(epoch, config.epochs)

    return mlp.train(X, y, config, report, test=(X_test, y_test))


@dataclass(frozen=True)
class Budget:
    """What one click may cost: it runs at once up to auto_seconds, asks first up to
    MAX_SECONDS, and may hold at most max_megabytes of run records in memory."""

    auto_seconds: float
    max_megabytes: float


def gate(key, seconds: float, megabytes: float, what: str, knobs: str, budget: Budget) -> bool:
    """Decide from the estimated cost whether `what` runs now.

    Refused above MAX_SECONDS or the budget's megabytes of records (saying which knobs to
    turn); above its auto_seconds, or after the user pressed Stop, it waits for a button.
    `key` names the work (its configs).
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
        message = f"This {what} takes about {seconds:.0f} s, so it waits for you."
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


def with_progress(run: Callable, *args, label: str, key):
    """run(*args, progress) in a worker thread, with a progress bar and a Stop button here
    while it runs. Stop reruns the page, which ends the worker; `gate` then waits."""
    progress, outcome = Progress(), {}

    def work():
        try:
            outcome["value"] = run(*args, progress)
        except BaseException as exc:  # handed back to the page thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    add_script_run_ctx(worker, get_script_run_ctx())
    started, bar, slot = time.perf_counter(), None, st.empty()
    worker.start()
    try:
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            if worker.is_alive() and time.perf_counter() - started > BAR_AFTER_SECONDS:
                if bar is None:
                    bar = st.progress(0.0, text=label)
                    slot.button("Stop this run", key=f"stop_{label}", on_click=_stop, args=(key,))
                bar.progress(progress.fraction, text=f"{label} {progress.fraction:.0%}")
    finally:
        progress.cancelled = True  # if the page was interrupted, the worker stops too
        slot.empty()
        if bar is not None:
            bar.empty()
        release_memory()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
