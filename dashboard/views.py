"""Views shared by the pages: a run's headline numbers and its prediction figures."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import charts, frames
from mlp import MLP, RunRecord


def divergence_warning(record: RunRecord) -> None:
    if record.diverged:
        st.warning(
            f"**Training diverged at epoch {record.stopped_epoch:,}**: the loss or a gradient "
            "became infinite or NaN, so training stopped there. The charts show the epochs "
            "before it. Try a learning rate 10× smaller, or a bounded activation (sigmoid, "
            "tanh) instead of none/ReLU.",
            icon=":material/warning:",
        )


def metrics(record: RunRecord) -> None:
    first = record.first_perfect_epoch
    columns = st.columns(5)
    columns[0].metric("Final loss", f"{record.final_loss:.3g}")
    columns[1].metric("Training accuracy", f"{record.final_accuracy:.1%}")
    columns[2].metric("100% accuracy at epoch", "never" if first is None else f"{first:,}")
    columns[3].metric("Epochs run", f"{record.epochs_run:,}")
    columns[4].metric("Wall time", f"{record.seconds:.2f} s")


def prediction_figures(network: MLP, X: np.ndarray, y: np.ndarray) -> None:
    """The lab's figure (ground truth | prediction) and the decision boundary, side by side."""
    points = frames.points_frame(X, y, network.forward(X))
    left, middle, right = st.columns(3)
    left.altair_chart(charts.points_chart(points, "label", "Ground truth"), width="stretch")
    middle.altair_chart(prediction_chart(points), width="stretch")
    right.altair_chart(boundary(network, X, points), width="stretch")


def prediction_chart(points, suffix: str = "") -> charts.alt.Chart:
    wrong = int((points["result"] == "wrong").sum())
    return charts.points_chart(points, "predicted", f"Predict result{suffix} ({wrong} wrong)")


def boundary(
    network: MLP, X: np.ndarray, points, title: str = "Decision boundary"
) -> charts.alt.LayerChart:
    """The network's decision boundary over the points."""
    return charts.boundary_chart(frames.grid_frame(network, X), points, title)
