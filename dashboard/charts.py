"""Altair chart builders: each takes a tidy DataFrame (see frames.py) and returns a chart."""

from __future__ import annotations

import altair as alt
import pandas as pd

LABEL_COLORS = alt.Scale(domain=[0, 1], range=["#1f77b4", "#d62728"])
PROBABILITY_COLORS = alt.Scale(scheme="redblue", domain=[0, 1], reverse=True)
SIGN_COLORS = alt.Scale(domain=["positive", "negative"], range=["#d62728", "#1f77b4"])
HEIGHT = 300
RESULT_SHAPES = alt.Shape(
    "result:N",
    title="result",
    scale=alt.Scale(domain=["correct", "wrong"], range=["circle", "cross"]),
)
POINT_TOOLTIP = [
    "x1:Q",
    "x2:Q",
    "label:N",
    "predicted:N",
    alt.Tooltip("probability:Q", format=".3f"),
]


def _axes(points: pd.DataFrame):
    x = alt.X("x1:Q", title="x1", scale=alt.Scale(zero=False, nice=False))
    y = alt.Y("x2:Q", title="x2", scale=alt.Scale(zero=False, nice=False))
    return x, y


def points_chart(points: pd.DataFrame, color: str, title: str) -> alt.Chart:
    """The lab's scatter: points coloured by `color` ("label" or "predicted").

    In the prediction view, misclassified points are drawn as crosses with a black ring.
    """
    x, y = _axes(points)
    base = alt.Chart(points, title=title, height=HEIGHT).encode(
        x=x,
        y=y,
        color=alt.Color(f"{color}:N", title=color, scale=LABEL_COLORS),
        tooltip=POINT_TOOLTIP,
    )
    if color == "label":
        return base.mark_circle(size=70, opacity=0.9)
    return base.mark_point(size=90, filled=True, opacity=0.9).encode(
        shape=RESULT_SHAPES,
        stroke=alt.condition("datum.result == 'wrong'", alt.value("black"), alt.value(None)),
    )


def _heatmap(base: alt.Chart) -> alt.Chart:
    """ŷ over grid cells (x1..x1_end, x2..x2_end) as coloured rectangles."""
    return base.mark_rect(opacity=0.6).encode(
        x=alt.X("x1:Q", title="x1", scale=alt.Scale(zero=False, nice=False)),
        x2="x1_end:Q",
        y=alt.Y("x2:Q", title="x2", scale=alt.Scale(zero=False, nice=False)),
        y2="x2_end:Q",
        color=alt.Color(
            "probability:Q",
            title="P(label 1)",
            scale=PROBABILITY_COLORS,
            legend=alt.Legend(gradientLength=120),
        ),
        tooltip=[alt.Tooltip("probability:Q", format=".3f")],
    )


def _outlined_points(base: alt.Chart, size: int) -> alt.Chart:
    """Points filled by label, outlined in black to stand out on the heatmap."""
    return base.mark_point(
        size=size, filled=True, opacity=0.95, stroke="black", strokeWidth=1
    ).encode(
        x="x1:Q",
        y="x2:Q",
        fill=alt.Fill("label:N", scale=LABEL_COLORS, legend=None),
        shape=RESULT_SHAPES,
        tooltip=POINT_TOOLTIP,
    )


def boundary_chart(
    grid: pd.DataFrame, points: pd.DataFrame, title: str = "Decision boundary"
) -> alt.LayerChart:
    """ŷ over the input plane as a heatmap, the points on top, misclassified as crosses."""
    layered = alt.layer(_heatmap(alt.Chart(grid)), _outlined_points(alt.Chart(points), 80))
    return layered.resolve_scale(color="independent").properties(title=title, height=HEIGHT)


def boundary_facets(
    grids: pd.DataFrame, points: pd.DataFrame, facet: str, columns: int = 3
) -> alt.FacetChart:
    """Small multiples of decision boundaries, one per value of `facet`, as one chart.

    `grids` and `points` are grid_frame and points_frame rows with a `facet` column.
    """
    data = pd.concat([grids.assign(kind="grid"), points.assign(kind="point")], ignore_index=True)
    heat = _heatmap(alt.Chart().transform_filter("datum.kind == 'grid'"))
    dots = _outlined_points(alt.Chart().transform_filter("datum.kind == 'point'"), 60)
    layered = alt.layer(heat, dots, data=data).properties(height=180, width=200)
    order = list(dict.fromkeys(grids[facet]))  # as given, not alphabetical
    return layered.facet(facet=alt.Facet(f"{facet}:N", title=None, sort=order), columns=columns)


def message_chart(text: str, title: str) -> alt.Chart:
    """A chart-sized note where there is nothing to plot."""
    return (
        alt.Chart(pd.DataFrame({"text": [text]}), title=title, height=HEIGHT)
        .mark_text(fontSize=13, color="#666")
        .encode(text="text:N")
    )


def loss_chart(history: pd.DataFrame) -> alt.Chart:
    """Loss per epoch on a log axis (a loss of exactly 0 has no place on it)."""
    return (
        alt.Chart(history, title="Loss (log scale)", height=HEIGHT)
        .transform_filter("datum.loss > 0")
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
            tooltip=["epoch:Q", "layer:N", alt.Tooltip("norm:Q", format=".3e")],
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
            x2="x2:Q",
            y2="y2:Q",
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
        edges, "weight sign", "|w|", ["layer:N", alt.Tooltip("weight:Q", format=".3f")]
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


def gradient_diagram(nodes: pd.DataFrame, edges: pd.DataFrame, title: str) -> alt.LayerChart:
    """Units coloured by δ (mean over the batch; inputs grey), connections by ∂L/∂W."""
    lines = _edge_lines(
        edges, "∂L/∂W sign", "|∂L/∂W|", ["weight:N", alt.Tooltip("gradient:Q", format=".4g")]
    )
    units, inputs = nodes[nodes["delta"].notna()], nodes[nodes["delta"].isna()]
    limit = float(units["delta"].abs().max()) or 1.0
    circles = alt.Chart().mark_circle(size=260, stroke="#444", strokeWidth=1, opacity=1)
    coloured = circles.encode(
        x="x:Q",
        y="y:Q",
        color=alt.Color(
            "delta:Q",
            title="δ (mean)",
            scale=alt.Scale(scheme="redblue", reverse=True, domain=[-limit, limit]),
            legend=alt.Legend(orient="left", gradientLength=120, format=".2g"),
        ),
        tooltip=["unit:N", alt.Tooltip("delta:Q", title="δ (mean)", format=".4g")],
    ).properties(data=units)
    grey = circles.encode(x="x:Q", y="y:Q", color=alt.value("#bbb"), tooltip=["unit:N"])
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
            tooltip=["step:Q", alt.Tooltip("loss:Q", format=".6g")],
        )
    )


def _panels(layers: list[alt.Chart], data: pd.DataFrame, title: str, facet: str | None):
    """The layers over `data` as one chart, or one panel per value of `facet` (one
    chart for several data sets: each chart costs the page a serialisation)."""
    chart = alt.layer(*layers, data=data)
    if facet is None:
        return chart.properties(title=title, height=HEIGHT)
    column = alt.Column(f"{facet}:N", title=None, sort=None)
    return chart.properties(height=HEIGHT, width=420).facet(column=column).properties(title=title)


def band_chart(
    curves: pd.DataFrame, metric: str, setting: str, title: str, facet: str | None = None
):
    """Mean across seeds as a line, min–max across seeds as a band; log axes for the loss.

    The loss axis stops at 10× the typical starting loss: a run that blows up leaves the
    chart at the top instead of squashing every other curve into a line.
    """
    data = curves[curves["metric"] == metric]
    x = alt.X("epoch:Q", title="epochs completed (log scale)", scale=alt.Scale(type="log"))
    if metric == "loss":
        data = data[(data["low"] > 0) & (data["mean"] > 0)]
        start = data.loc[data["epoch"] == 1, "mean"]
        top = 10 * float(start.median()) if len(start) else None
        y_scale = alt.Scale(type="log", domainMax=top) if top else alt.Scale(type="log")
        y_title = "mean loss over seeds (log scale)"
    else:
        y_scale, y_title = alt.Scale(domain=[0, 1]), "accuracy, mean over seeds"
    color = alt.Color(
        f"{setting}:N", title=setting, sort=None, scale=alt.Scale(scheme="category10")
    )
    band = (
        alt.Chart()
        .mark_area(opacity=0.18, clip=True)
        .encode(x=x, y=alt.Y("low:Q", scale=y_scale), y2="high:Q", color=color)
    )
    line = (
        alt.Chart()
        .mark_line(clip=True)
        .encode(
            x=x,
            y=alt.Y("mean:Q", title=y_title, scale=y_scale),
            color=color,
            tooltip=[
                f"{setting}:N",
                "epoch:Q",
                alt.Tooltip("mean:Q", format=".4g"),
                alt.Tooltip("low:Q", title="min", format=".4g"),
                alt.Tooltip("high:Q", title="max", format=".4g"),
                alt.Tooltip("runs:Q", title="seeds still running"),
            ],
        )
    )
    return _panels([band, line], data, title, facet)


def accuracy_bars(table: pd.DataFrame, setting: str, facet: str | None = None):
    """Final accuracy, mean ± std across seeds, one bar per setting."""
    data = table.assign(
        low=(table["accuracy mean"] - table["accuracy std"]).clip(0, 1),
        high=(table["accuracy mean"] + table["accuracy std"]).clip(0, 1),
    )
    x = alt.X(f"{setting}:N", title=setting, sort=None)
    bars = (
        alt.Chart()
        .mark_bar(opacity=0.8)
        .encode(
            x=x,
            y=alt.Y(
                "accuracy mean:Q",
                title="final accuracy (mean ± std)",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            tooltip=[
                f"{setting}:N",
                alt.Tooltip("accuracy mean:Q", format=".1%"),
                alt.Tooltip("accuracy std:Q", format=".1%"),
                "solved:Q",
                "diverged:Q",
                "stalled:Q",
            ],
        )
    )
    whiskers = alt.Chart().mark_rule(strokeWidth=2).encode(x=x, y="low:Q", y2="high:Q")
    return _panels([bars, whiskers], data, "Final accuracy across seeds", facet)


def cost_chart(table: pd.DataFrame, setting: str) -> alt.Chart:
    """Seconds per run against a numeric setting, log–log."""
    return (
        alt.Chart(table, title="Cost: seconds per run", height=HEIGHT)
        .mark_line(point=True)
        .encode(
            x=alt.X(f"{setting}:Q", title=setting, scale=alt.Scale(type="log")),
            y=alt.Y(
                "seconds per run:Q",
                title="seconds per run (log scale)",
                scale=alt.Scale(type="log"),
            ),
            tooltip=[f"{setting}:Q", alt.Tooltip("seconds per run:Q", format=".3f")],
        )
    )


def heatmap(
    data: pd.DataFrame, x: str, y: str, value: str, title: str, percent: bool = True
) -> alt.LayerChart:
    """A value over two settings, with the numbers written in the cells."""
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:O", title=x, sort=None), y=alt.Y(f"{y}:O", title=y, sort="descending")
    )
    fmt = ".0%" if percent else ".3g"
    cells = base.mark_rect().encode(
        color=alt.Color(
            f"{value}:Q",
            title=value,
            scale=alt.Scale(scheme="viridis", domain=[0, 1] if percent else alt.Undefined),
        ),
        tooltip=[f"{x}:O", f"{y}:O", alt.Tooltip(f"{value}:Q", format=fmt)],
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text(f"{value}:Q", format=fmt),
        color=alt.condition(f"datum['{value}'] > 0.5", alt.value("black"), alt.value("white")),
    )
    return alt.layer(cells, text).properties(title=title, height=HEIGHT)


def ratio_chart(ratios: pd.DataFrame) -> alt.LayerChart:
    """‖∂L/∂W_first‖ / ‖∂L/∂W_last‖ per activation, at the start and end of training.

    Dots on a log axis, with the line at 1 (no vanishing): far below it, the first layer
    hardly learns.
    """
    dots = (
        alt.Chart(ratios[ratios["ratio"] > 0])
        .mark_point(filled=True, size=160)
        .encode(
            x=alt.X("activation:N", title="activation", sort=None),
            xOffset=alt.XOffset("when:N", sort=["start", "end"]),
            y=alt.Y("ratio:Q", title="first ÷ last (log scale)", scale=alt.Scale(type="log")),
            color=alt.Color("when:N", title="training", sort=["start", "end"]),
            tooltip=["activation:N", "when:N", alt.Tooltip("ratio:Q", format=".3g")],
        )
    )
    parity = (
        alt.Chart(pd.DataFrame({"ratio": [1.0]})).mark_rule(strokeDash=[4, 4]).encode(y="ratio:Q")
    )
    return alt.layer(parity, dots).properties(
        title="First layer's gradient ÷ last layer's", height=HEIGHT
    )


def saturation_chart(saturation: pd.DataFrame) -> alt.Chart:
    """Share of saturated (σ′, tanh′ < 0.01) or dead (ReLU) units per hidden layer."""
    return (
        alt.Chart(saturation, title="Saturated or dead hidden units (median seed)", height=HEIGHT)
        .mark_bar()
        .encode(
            x=alt.X("activation:N", title="activation", sort=None),
            xOffset=alt.XOffset("layer:N"),
            y=alt.Y(
                "share:Q",
                title="share of units",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color("layer:N", title="hidden layer"),
            tooltip=[
                "dataset:N",
                "activation:N",
                "layer:N",
                alt.Tooltip("share:Q", format=".0%"),
                "what:N",
            ],
        )
        .facet(column=alt.Column("dataset:N", title=None))
    )
