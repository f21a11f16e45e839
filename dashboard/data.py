"""The data-set controls every page shares: which set, its size, noise and seed, or a CSV."""

from __future__ import annotations

import io

import numpy as np
import streamlit as st

from dashboard import runs
from dashboard.state import Setting, choice, integer, number
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
MAX_UPLOAD_MB = 10


def settings(prefix: str, allow_csv: bool = False) -> list[Setting]:
    names = [name for name in LABELS if allow_csv or name != "csv"]
    return [
        Setting(f"{prefix}_dataset", "data", "xor", choice(names)),
        Setting(f"{prefix}_n", "n", 100, integer(10, 2000)),
        Setting(f"{prefix}_noise", "noise", 0.05, number(0.0, 0.5)),
        Setting(f"{prefix}_data_seed", "data_seed", 0, integer(0, 1_000_000)),
    ]


def widgets(prefix: str, allow_csv: bool = False) -> None:
    """The controls, in the current container; each is shown only where it applies."""
    names = [name for name in LABELS if allow_csv or name != "csv"]
    name = st.selectbox("Data set", names, format_func=LABELS.get, key=f"{prefix}_dataset")
    if name == "csv":
        st.file_uploader(
            "CSV with columns x1, x2, label (0/1)",
            type=["csv", "txt"],
            key=f"{prefix}_upload",
            max_upload_size=MAX_UPLOAD_MB,
            help="Uploaded data stays in your session and is not part of the link.",
        )
        return
    if name != "xor":
        st.slider("Points", 10, 2000, step=10, key=f"{prefix}_n")
    if name not in ("xor", "linear"):
        st.slider("Noise", 0.0, 0.5, step=0.01, key=f"{prefix}_noise")
    if name != "xor":
        st.number_input("Data seed", 0, 1_000_000, step=1, key=f"{prefix}_data_seed")


def load(prefix: str) -> tuple[np.ndarray, np.ndarray, tuple] | None:
    """(X, y, a key naming the data) for the current controls, or None after showing why not."""
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
    if name != "xor":
        options = {"n": state[f"{prefix}_n"], "seed": state[f"{prefix}_data_seed"]}
    if name not in ("xor", "linear"):
        options["noise"] = state[f"{prefix}_noise"]
    X, y = runs.load_dataset(name, **options)
    return X, y, (name, tuple(sorted(options.items())))
