"""Altair chart builders: each takes a tidy DataFrame (see frames.py) and returns a chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

from dashboard.raster import PROBABILITY_AT, PROBABILITY_STOPS

LABEL_COLORS = alt.Scale(domain=[0, 1], range=["#1f77b4", "#d62728"])
SIGN_COLORS = alt.Scale(domain=["positive", "negative"], range=["#d62728", "#1f77b4"])
HEIGHT = 300
RESULT_SHAPES = alt.Shape(
    "result:N",
    title="result",
    scale=alt.Scale(domain=["correct", "wrong"], range=["circle", "cross"]),
)
# the result legend: the shapes, grey whatever the colour, without the points' outline
RESULT_LEGEND = alt.Legend(symbolFillColor="#777", symbolStrokeWidth=0)
LABEL_TOOLTIP = [
    alt.Tooltip("x1:Q"),
    alt.Tooltip("x2:Q"),
    alt.Tooltip("set:N"),
    alt.Tooltip("label:N"),
]
POINT_TOOLTIP = [
    *LABEL_TOOLTIP,
    alt.Tooltip("predicted:N"),
    alt.Tooltip("probability:Q", format=".3f"),
]
# held-out points are drawn hollow: only their outline shows
HOLLOW_TEST = alt.FillOpacityValue(
    **alt.condition("datum.set == 'test'", alt.value(0.1), alt.value(0.9))
)
SET_COLORS = {"training": "#1f77b4", "test": "#ff7f0e"}


def sets_scale(tested: bool) -> alt.Scale:
    """Colours of the training (and, when there are any, the test) points' curves."""
    shown = list(SET_COLORS) if tested else ["training"]
    return alt.Scale(domain=shown, range=[SET_COLORS[name] for name in shown])


def _axes(points: pd.DataFrame):
    x = alt.X("x1:Q", title="x1", scale=alt.Scale(zero=False, nice=False))
    y = alt.Y("x2:Q", title="x2", scale=alt.Scale(zero=False, nice=False))
    return x, y


def points_chart(points: pd.DataFrame, color: str, title: str) -> alt.Chart:
    """The lab's scatter: points coloured by `color` ("label": frames.labelled_points, or
    "predicted": frames.points_frame), test points hollow. In the prediction view,
    misclassified points are crosses with a black ring.
    """
    x, y = _axes(points)
    blue, red = LABEL_COLORS.range  # the outline is all a hollow test point shows
    outline = alt.StrokeValue(
        **alt.condition(f"datum.{color} == 1", alt.value(red), alt.value(blue))
    )
    base = alt.Chart(points, title=title, height=HEIGHT).encode(
        x=x,
        y=y,
        # the outline is a per-point condition, which a legend symbol would take from its
        # default (blue): the legend shows the fill alone
        color=alt.Color(
            f"{color}:N", title=color, scale=LABEL_COLORS, legend=alt.Legend(symbolStrokeWidth=0)
        ),
        fillOpacity=HOLLOW_TEST,
        tooltip=LABEL_TOOLTIP if color == "label" else POINT_TOOLTIP,
    )
    if color == "label":
        return base.mark_point(size=70, filled=True, strokeWidth=1.5).encode(stroke=outline)
    return base.mark_point(size=90, filled=True, strokeWidth=1.5).encode(
        shape=RESULT_SHAPES.legend(RESULT_LEGEND),
        stroke=alt.StrokeValue(
            **alt.when("datum.result == 'wrong'")
            .then(alt.value("black"))
            .when(f"datum.{color} == 1")
            .then(alt.value(red))
            .otherwise(alt.value(blue))
        ),
    )


def picture_layer(base: alt.Chart) -> alt.Chart:
    """ŷ over the plane: each grid_frame row's picture stretched over its extent."""
    return base.mark_image(opacity=0.6, aspect=False).encode(
        x=alt.X("x1:Q", title="x1", scale=alt.Scale(zero=False, nice=False)),
        x2=alt.X2("x1_end:Q"),
        y=alt.Y("x2:Q", title="x2", scale=alt.Scale(zero=False, nice=False)),
        y2=alt.Y2("x2_end:Q"),
        url=alt.Url("image:N"),
    )


def probability_legend() -> alt.Chart:
    """The pictures' colour legend (as pale as they are), from points of size 0."""
    ends = alt.InlineData(values=[{"probability": 0.0}, {"probability": 1.0}])
    scale = alt.Scale(
        domain=PROBABILITY_AT.tolist(), range=list(PROBABILITY_STOPS), interpolate="rgb"
    )
    return (
        alt.Chart(ends)
        .mark_point(opacity=0.6, size=0)
        .encode(
            color=alt.Color(
                "probability:Q",
                title="P(label 1)",
                scale=scale,
                legend=alt.Legend(gradientLength=120, values=[0, 0.5, 1]),
            )
        )
    )


def outlined_points(base: alt.Chart, size: int, legend: bool = True) -> alt.Chart:
    """Points filled by label (test points hollow), outlined in black to stand out on the
    boundary's picture; misclassified ones are crosses."""
    return base.mark_point(size=size, filled=True, stroke="black", strokeWidth=1).encode(
        x=alt.X("x1:Q"),
        y=alt.Y("x2:Q"),
        fill=alt.Fill("label:N", scale=LABEL_COLORS, legend=None),
        fillOpacity=HOLLOW_TEST,
        shape=RESULT_SHAPES.legend(RESULT_LEGEND if legend else None),  # copies
        tooltip=POINT_TOOLTIP,
    )


def boundary_chart(
    grid: pd.DataFrame, points: pd.DataFrame, title: str = "Decision boundary"
) -> alt.LayerChart:
    """ŷ over the input plane as a picture, the points on top, misclassified as crosses."""
    picture, dots = picture_layer(alt.Chart(grid)), outlined_points(alt.Chart(points), 80)
    layered = alt.layer(picture, probability_legend(), dots)
    return layered.resolve_scale(color="independent").properties(title=title, height=HEIGHT)


def message_chart(text: str, title: str) -> alt.Chart:
    """A chart-sized note where there is nothing to plot, centred in the chart and broken
    into lines after each ':' so it fits a narrow column."""
    note = pd.DataFrame({"text": [text.replace(": ", ":\n")], "x": [0.5], "y": [0.5]})
    centre = alt.Scale(domain=[0, 1])
    return (
        alt.Chart(note, title=title, height=HEIGHT)
        .mark_text(fontSize=13, color="#666", lineBreak="\n", lineHeight=18)
        .encode(
            x=alt.X("x:Q", axis=None, scale=centre),
            y=alt.Y("y:Q", axis=None, scale=centre),
            text=alt.Text("text:N"),
        )
    )


def loss_chart(history: pd.DataFrame, tested: bool = False) -> alt.Chart:
    """Loss per epoch on a log axis (a loss of exactly 0 has no place on it), training and
    test points in their own colours."""
    return (
        alt.Chart(history, title="Loss (log scale)", height=HEIGHT)
        .transform_filter("datum.loss > 0")
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", title="epoch"),
            y=alt.Y("loss:Q", title="mean loss", scale=alt.Scale(type="log")),
            color=alt.Color("set:N", title="points", scale=sets_scale(tested)),
            tooltip=[
                alt.Tooltip("set:N"),
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("loss:Q", format=".3e"),
            ],
        )
    )


def accuracy_chart(history: pd.DataFrame, tested: bool = False) -> alt.Chart:
    """Accuracy per epoch, training and test points in their own colours."""
    return (
        alt.Chart(history, title="Accuracy", height=HEIGHT)
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", title="epoch"),
            y=alt.Y(
                "accuracy:Q",
                title="accuracy",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color("set:N", title="points", scale=sets_scale(tested)),
            tooltip=[
                alt.Tooltip("set:N"),
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("accuracy:Q", format=".1%"),
            ],
        )
    )


def grad_norm_chart(
    grads: pd.DataFrame, title: str = "Gradient flow: ‖∂L/∂W‖ per layer"
) -> alt.Chart:
    """One line per layer, log axis, or a note when no gradient is positive."""
    if not (grads["norm"] > 0).any():
        return message_chart("Every gradient is exactly 0: no unit passes any (dead ReLUs?)", title)
    return grad_norm_lines(grads, title)


def grad_norm_lines(grads: pd.DataFrame, title: str) -> alt.Chart:
    """One line per layer, log axis: vanishing gradients show as lines far below the rest."""
    return (
        alt.Chart(grads, title=title, height=HEIGHT)
        .transform_filter("datum.norm > 0")
        .mark_line()
        .encode(
            x=alt.X("epoch:Q", title="epoch"),
            y=alt.Y("norm:Q", title="gradient norm (log scale)", scale=alt.Scale(type="log")),
            color=alt.Color(
                "layer:N",
                title=["layer", "(W1: input)"],
                sort=None,
                scale=alt.Scale(scheme="category10"),
            ),
            tooltip=[
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("layer:N"),
                alt.Tooltip("norm:Q", format=".3e"),
            ],
        )
    )


def _edge_lines(edges: pd.DataFrame, legend: str, size: str, tooltip: list) -> alt.Chart:
    """Connections as lines between units: colour = sign, width = `size` (|w| or |g|)."""
    return (
        alt.Chart(edges)
        .mark_rule(opacity=0.6)
        .encode(
            x=alt.X("x:Q", axis=None),
            y=alt.Y("y:Q", axis=None),
            x2=alt.X2("x2:Q"),
            y2=alt.Y2("y2:Q"),
            color=alt.Color("sign:N", title=legend, scale=SIGN_COLORS),
            strokeWidth=alt.StrokeWidth("magnitude:Q", title=size, scale=alt.Scale(range=[0.3, 5])),
            tooltip=tooltip,
        )
    )


def network_chart(
    nodes: pd.DataFrame, edges: pd.DataFrame, title: str = "Network"
) -> alt.LayerChart:
    """Units as circles, weights as lines: colour = sign, width = |w|."""
    lines = _edge_lines(
        edges, "weight sign", "|w|", [alt.Tooltip("layer:N"), alt.Tooltip("weight:Q", format=".3f")]
    )
    units = (
        alt.Chart(nodes)
        .mark_circle(size=120, color="#444", opacity=1)
        .encode(
            x=alt.X("x:Q"),
            y=alt.Y("y:Q"),
            tooltip=[
                alt.Tooltip("layer:Q"),
                alt.Tooltip("unit:Q"),
                alt.Tooltip("width:Q", title="units in layer"),
            ],
        )
    )
    return alt.layer(lines, units).properties(title=title, height=HEIGHT)


def gradient_diagram(nodes: pd.DataFrame, edges: pd.DataFrame, title: str) -> alt.LayerChart:
    """Units coloured by δ (mean over the batch; inputs grey), connections by ∂L/∂W."""
    lines = _edge_lines(
        edges,
        "∂L/∂W sign",
        "|∂L/∂W|",
        [alt.Tooltip("weight:N"), alt.Tooltip("gradient:Q", format=".4g")],
    )
    units, inputs = nodes[nodes["delta"].notna()], nodes[nodes["delta"].isna()]
    limit = float(units["delta"].abs().max()) or 1.0
    circles = alt.Chart().mark_circle(size=260, stroke="#444", strokeWidth=1, opacity=1)
    coloured = circles.encode(
        x=alt.X("x:Q"),
        y=alt.Y("y:Q"),
        color=alt.Color(
            "delta:Q",
            title="δ (mean)",
            scale=alt.Scale(scheme="redblue", reverse=True, domain=[-limit, limit]),
            legend=alt.Legend(orient="left", gradientLength=120, format=".2g"),
        ),
        tooltip=[alt.Tooltip("unit:N"), alt.Tooltip("delta:Q", title="δ (mean)", format=".4g")],
    ).properties(data=units)
    grey = circles.encode(
        x=alt.X("x:Q"),
        y=alt.Y("y:Q"),
        color=alt.ColorValue("#bbb"),
        tooltip=[alt.Tooltip("unit:N")],
    )
    layered = alt.layer(lines, coloured, grey.properties(data=inputs))
    return layered.resolve_scale(color="independent").properties(title=title, height=HEIGHT)


def steps_chart(steps: pd.DataFrame) -> alt.Chart:
    """The loss on every point after each step taken on this page."""
    return (
        alt.Chart(steps, title="Loss on all points, step by step", height=220)
        .mark_line(point=True)
        .encode(
            x=alt.X("step:Q", title="steps taken", axis=alt.Axis(tickMinStep=1)),
            y=alt.Y("loss:Q", title="mean loss", scale=alt.Scale(zero=False)),
            tooltip=[alt.Tooltip("step:Q"), alt.Tooltip("loss:Q", format=".6g")],
        )
    )
