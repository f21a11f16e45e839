"""The data-set settings every page shares: which set, its size, noise and seed, or a CSV."""

from __future__ import annotations

import io

import numpy as np
import streamlit as st

from dashboard import runs
from dashboard.state import Setting
from mlp import datasets

LABELS = {
    "xor": "XOR (the lab's 21 points)",
    "linear": "Linear (the lab's random points)",
    "circle": "Circle",
    "spiral": "Spiral",
    "moons": "Moons",
    "gaussians": "Two Gaussians",
    "csv": "Upload a CSV…",
}
SIZED = ("linear", "circle", "spiral", "moons", "gaussians")  # take n and a data seed
NOISY = ("circle", "spiral", "moons", "gaussians")  # take noise too


def settings(
    prefix: str,
    allow_csv: bool = False,
    section: str | None = None,
    dataset: str = "xor",
    n: int = 100,
    noise: float = 0.05,
) -> list[Setting]:
    """The data set (by default `dataset`, n points, `noise`), then each of its options
    where it applies."""
    names = [name for name in LABELS if allow_csv or name != "csv"]
    dataset_key = f"{prefix}_dataset"

    def has(names):
        return lambda state: state[dataset_key] in names

    return [
        Setting(dataset_key, "data", "Data set", dataset, "select", names, labels=LABELS,
                section=section),
        Setting(f"{prefix}_upload", None, "CSV with columns x1, x2, label (0/1)", None, "upload",
                shown=has(("csv",)), help="Uploaded data stays in your session, not in the link."),
        Setting(f"{prefix}_n", "n", "Points", n, "slider", low=10, high=2000, step=10,
                shown=has(SIZED)),
        Setting(f"{prefix}_noise", "noise", "Noise", noise, "slider", low=0.0, high=0.5, step=0.01,
                shown=has(NOISY)),
        Setting(f"{prefix}_data_seed", "data_seed", "Data seed", 0, "number", low=0,
                high=1_000_000, step=1, shown=has(SIZED)),
    ]  # fmt: skip


TEST_FRACTIONS = ["auto", 0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
AUTO_TEST = "auto (0 for the lab's sets and uploads, 0.5 for the generated ones)"


def test_setting(prefix: str, default="auto") -> Setting:
    """What share of the points is held out as a test set (stratified, see mlp.datasets.split)."""
    return Setting(f"{prefix}_test", "test", "Test fraction (held-out points)", default,
                   "select", TEST_FRACTIONS, labels={"auto": AUTO_TEST})  # fmt: skip


def held_out(prefix: str, X: np.ndarray, y: np.ndarray):
    """(X_train, y_train, X_test, y_test) for the page's test fraction; the split is drawn
    from the data seed, so a link reproduces it."""
    state = st.session_state
    fraction = state[f"{prefix}_test"]
    if fraction == "auto":
        fraction = 0.5 if state[f"{prefix}_dataset"] in NOISY else 0.0
    return datasets.split(X, y, fraction, seed=state.get(f"{prefix}_data_seed", 0))


def load_or_stop(prefix: str) -> tuple[np.ndarray, np.ndarray, tuple]:
    """`load`, or the page stops (after `load` said why)."""
    loaded = load(prefix)
    if loaded is None:
        st.stop()
    return loaded


def load(prefix: str) -> tuple[np.ndarray, np.ndarray, tuple] | None:
    """(X, y, a key naming the data) for the current settings, or None after showing why not."""
    state = st.session_state
    name = state[f"{prefix}_dataset"]
    if name == "csv":
        upload = state.get(f"{prefix}_upload")
        if upload is None:
            st.info(
                "Upload a CSV file with a header line `x1,x2,label` to train on your own points."
            )
            return None
        try:
            X, y = datasets.from_csv(io.BytesIO(upload.getvalue()))
        except ValueError as reason:
            st.error(f"Cannot use **{upload.name}**: {reason}")
            return None
        return X, y, ("csv", upload.file_id)
    options = {}
    if name in SIZED:
        options = {"n": state[f"{prefix}_n"], "seed": state[f"{prefix}_data_seed"]}
    if name in NOISY:
        options["noise"] = state[f"{prefix}_noise"]
    X, y = runs.load_dataset(name, **options)
    return X, y, (name, tuple(sorted(options.items())))
