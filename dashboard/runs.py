"""Cached runs, and a progress bar that works with the cache.

The cached functions make no `st.*` call (a cache hit would fail to replay one). They
run in a worker thread and report progress into a plain `Progress` object; the page's
own thread polls it and draws the bar. If the page is interrupted (the user changed a
setting or pressed Stop), the worker is told to stop and nothing half-done is cached.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

import mlp
from mlp import RunRecord, TrainConfig

POLL_SECONDS = 0.1
BAR_AFTER_SECONDS = 0.3  # quick runs finish without a flashing bar


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


@st.cache_data(max_entries=48, show_spinner=False)
def train_run(X: np.ndarray, y: np.ndarray, config: TrainConfig, _progress: Progress) -> RunRecord:
    return mlp.train(X, y, config, lambda epoch, loss: _progress.update(epoch, config.epochs))


@st.cache_data(max_entries=24, show_spinner=False)
def sweep_runs(
    X: np.ndarray, y: np.ndarray, configs: tuple[TrainConfig, ...], _progress: Progress
) -> list[RunRecord]:
    return mlp.sweep(X, y, configs, _progress.update)


def with_progress(run: Callable, *args, label: str):
    """run(*args, progress) in a worker thread, with a progress bar here while it runs."""
    progress, outcome = Progress(), {}

    def work():
        try:
            outcome["value"] = run(*args, progress)
        except BaseException as exc:  # handed back to the page thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, daemon=True)
    add_script_run_ctx(worker, get_script_run_ctx())
    started, bar = time.perf_counter(), None
    worker.start()
    try:
        while worker.is_alive():
            worker.join(POLL_SECONDS)
            if worker.is_alive() and time.perf_counter() - started > BAR_AFTER_SECONDS:
                bar = bar or st.progress(0.0, text=label)
                bar.progress(progress.fraction, text=f"{label} {progress.fraction:.0%}")
    finally:
        progress.cancelled = True  # if the page was interrupted, the worker stops too
        if bar is not None:
            bar.empty()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
