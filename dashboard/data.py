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


def settings(prefix: str, allow_csv: bool = False, section: str | None = None) -> list[Setting]:
    """The data set, then each of its options where it applies."""
    names = [name for name in LABELS if allow_csv or name != "csv"]
    dataset = f"{prefix}_dataset"

    def has(names):
        return lambda state: state[dataset] in names

    return [
        Setting(dataset, "data", "Data set", "xor", "select", names, labels=LABELS,
                section=section),
        Setting(f"{prefix}_upload", None, "CSV with columns x1, x2, label (0/1)", None, "upload",
                shown=has(("csv",)), help="Uploaded data stays in your session, not in the link."),
        Setting(f"{prefix}_n", "n", "Points", 100, "slider", low=10, high=2000, step=10,
                shown=has(SIZED)),
        Setting(f"{prefix}_noise", "noise", "Noise", 0.05, "slider", low=0.0, high=0.5, step=0.01,
                shown=has(NOISY)),
        Setting(f"{prefix}_data_seed", "data_seed", "Data seed", 0, "number", low=0,
                high=1_000_000, step=1, shown=has(SIZED)),
    ]  # fmt: skip


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
