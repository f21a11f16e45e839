"""Altair chart builders: each takes a tidy DataFrame (see frames.py) and returns a chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

LABEL_COLORS = alt.Scale(domain=[0, 1], range=["#1f77b4", "#d62728"])
PROBABILITY_COLORS = alt.Scale(scheme="redblue", domain=[0, 1], reverse=True)
SIGN_COLORS = alt.Scale(domain=["positive", "negative"], range=["#d62728", "#1f77b4"])
HEIGHT = 300


def _axes(points: pd.DataFrame):
    x = alt.X("x1:Q", title="x1", scale=alt.Scale(zero=False, nice=False))
    y = alt.Y("x2:Q", title="x2", scale=alt.Scale(zero=False, nice=False))
    return x, y


def points_chart(points: pd.DataFrame, color: str, title: str) -> alt.Chart:
    """The lab's scatter: points coloured by `color` ("label" or "predicted").

    In the prediction view, misclassified points are drawn as crosses with a black ring.
    """
    x, y = _axes(points)
    tooltip = ["x1:Q", "x2:Q", "label:N", "predicted:N", alt.Tooltip("probability:Q", format=".3f")]
    base = alt.Chart(points, title=title, height=HEIGHT).encode(
        x=x, y=y, color=alt.Color(f"{color}:N", title=color, scale=LABEL_COLORS), tooltip=tooltip
    )
    if color == "label":
        return base.mark_circle(size=70, opacity=0.9)
    return base.mark_point(size=90, filled=True, opacity=0.9).encode(
        shape=alt.Shape(
            "result:N",
            title="result",
            scale=alt.Scale(domain=["correct", "wrong"], range=["circle", "cross"]),
        ),
        stroke=alt.condition("datum.result == 'wrong'", alt.value("black"), alt.value(None)),
    )


def boundary_chart(
    grid: pd.DataFrame, points: pd.DataFrame, title: str = "Decision boundary"
) -> alt.LayerChart:
    """ŷ over the input plane as a heatmap, the points on top, misclassified as crosses."""
    heat = (
        alt.Chart(grid)
        .mark_rect(opacity=0.6)
        .encode(
            x=alt.X("x1:Q", title="x1", scale=alt.Scale(zero=False, nice=False)),
            x2="x1_end:Q",
            y=alt.Y("x2:Q", title="x2", scale=alt.Scale(zero=False, nice=False)),
            y2="x2_end:Q",
            color=alt.Color("probability:Q", title="P(label 1)", scale=PROBABILITY_COLORS),
            tooltip=[alt.Tooltip("probability:Q", format=".3f")],
        )
    )
    dots = points_chart(points, "label", title).encode(
        color=alt.Color("label:N", scale=LABEL_COLORS, legend=None),
        shape=alt.Shape(
            "result:N",
            title="result",
            scale=alt.Scale(domain=["correct", "wrong"], range=["circle", "cross"]),
        ),
        stroke=alt.value("black"),
        strokeWidth=alt.value(1.0),
    )
    return (
        alt.layer(heat, dots)
        .resolve_scale(color="independent")
        .properties(title=title, height=HEIGHT)
    )


def loss_chart(history: pd.DataFrame) -> alt.Chart:
    """Loss per epoch on a log axis."""
    return (
        alt.Chart(history[history["loss"] > 0], title="Loss (log scale)", height=HEIGHT)
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", title="epoch"),
            y=alt.Y("loss:Q", title="mean loss", scale=alt.Scale(type="log")),
            tooltip=["epoch:Q", alt.Tooltip("loss:Q", format=".3e")],
        )
    )


def accuracy_chart(history: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(history, title="Training accuracy", height=HEIGHT)
        .mark_line(color="#2ca02c")
        .encode(
            x=alt.X("epoch:Q", title="epoch"),
            y=alt.Y(
                "accuracy:Q",
                title="accuracy",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            tooltip=["epoch:Q", alt.Tooltip("accuracy:Q", format=".1%")],
        )
    )


def grad_norm_chart(
    grads: pd.DataFrame, title: str = "Gradient flow: ‖∂L/∂W‖ per layer"
) -> alt.Chart:
    """One line per layer, log axis: vanishing gradients show as lines far below the rest."""
    return (
        alt.Chart(grads[grads["norm"] > 0], title=title, height=HEIGHT)
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", title="epoch"),
            y=alt.Y("norm:Q", title="gradient norm (log scale)", scale=alt.Scale(type="log")),
            color=alt.Color(
                "layer:N", title="layer", sort=None, scale=alt.Scale(scheme="category10")
            ),
            tooltip=["epoch:Q", "layer:N", alt.Tooltip("norm:Q", format=".3e")],
        )
    )


def network_chart(
    nodes: pd.DataFrame, edges: pd.DataFrame, title: str = "Network"
) -> alt.LayerChart:
    """Units as circles, weights as lines: colour = sign, width = |w|."""
    lines = (
        alt.Chart(edges)
        .mark_rule(opacity=0.6)
        .encode(
            x=alt.X("x:Q", axis=None),
            y=alt.Y("y:Q", axis=None),
            x2="x2:Q",
            y2="y2:Q",
            color=alt.Color("sign:N", title="weight sign", scale=SIGN_COLORS),
            strokeWidth=alt.StrokeWidth(
                "magnitude:Q", title="|w|", scale=alt.Scale(range=[0.3, 5])
            ),
            tooltip=["layer:N", alt.Tooltip("weight:Q", format=".3f")],
        )
    )
    units = (
        alt.Chart(nodes)
        .mark_circle(size=120, color="#444", opacity=1)
        .encode(
            x="x:Q",
            y="y:Q",
            tooltip=["layer:Q", "unit:Q", alt.Tooltip("width:Q", title="units in layer")],
        )
    )
    return alt.layer(lines, units).properties(title=title, height=HEIGHT)
