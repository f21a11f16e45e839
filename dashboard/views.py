"""Views shared by the pages: a run's headline numbers and its prediction figures."""

from __future__ import annotations

import copy
from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd
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


# Vega-Lite specs of redrawn charts, without their data: built by Altair once per process
_TEMPLATES: dict[tuple, dict] = {}


def redraw(container, build: Callable[..., alt.TopLevelMixin], *frames: pd.DataFrame, **options):
    """container.vega_lite_chart of build(*frames, **options), for a chart drawn again and
    again with new frames of the same columns (the live view).

    Altair takes ~5–35 ms to build and validate a chart; here it does so once, and later
    calls only put the new frames in. `build` must draw the frames as given (filters as
    Vega-Lite transforms, not pandas), so each one can be swapped by name.
    """
    key = (build.__module__, build.__qualname__, tuple(sorted(options.items())))
    if key not in _TEMPLATES:
        chart = build(*frames, **options)
        _name_frames(chart, frames)
        spec = chart.to_dict()
        spec.get("config", {}).pop("view", None)  # Altair's default size: Streamlit sizes it
        _TEMPLATES[key] = spec
    spec = copy.deepcopy(_TEMPLATES[key])
    spec["datasets"] = {f"frame{i}": frame for i, frame in enumerate(frames)}
    return container.vega_lite_chart(spec=spec, width="stretch")


def _name_frames(chart, frames) -> None:
    """Replace, in place, each DataFrame the chart (and its layers) holds by a reference
    to its position in `frames`: frame0, frame1, …"""
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        position = next((i for i, f in enumerate(frames) if f is data), None)
        if position is None:
            raise ValueError("the chart draws a frame it was not given; filter in Vega-Lite")
        chart.data = alt.NamedData(name=f"frame{position}")
    for part in ("layer", "hconcat", "vconcat"):
        for child in getattr(chart, part, None) or []:
            _name_frames(child, frames)
    if isinstance(getattr(chart, "spec", None), alt.TopLevelMixin | alt.SchemaBase):
        _name_frames(chart.spec, frames)
