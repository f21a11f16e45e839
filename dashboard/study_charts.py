"""Altair chart builders of the study pages: bands across seeds, bars per arm, heatmaps,
small multiples. Each takes a tidy DataFrame (see frames.py) and returns a chart."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from dashboard.charts import HEIGHT, outlined_points, picture_layer
from dashboard.frames import COST, SOLVED_AT

PANEL_SIZE = 130  # two small multiples and their axes fit a phone's 390 px
# the x axis of bars per arm: slanted labels, every one shown, take less height than the
# upright ones, whose length pushed a chart's title or labels out of its box
SLANTED = alt.Axis(labelAngle=-40, labelOverlap=False)
# how the bars of arms where every seed diverged or stalled differ from the others
STATUS = alt.Scale(
    domain=["trained", "stalled", "diverged"], range=["#4c78a8", "#9e9e9e", "#e45756"]
)


def boundary_facets(
    grids: pd.DataFrame, points: pd.DataFrame, facet: str, columns: int = 3
) -> alt.FacetChart:
    """Small multiples of decision boundaries, one per value of `facet`, as one chart.

    `grids` and `points` are grid_frame and points_frame rows with a `facet` column. No
    legend (the page says crosses are wrong): beside two panels it would not fit a phone.
    """
    data = pd.concat([grids.assign(kind="grid"), points.assign(kind="point")], ignore_index=True)
    picture = picture_layer(alt.Chart().transform_filter("datum.kind == 'grid'"))
    dots = outlined_points(alt.Chart().transform_filter("datum.kind == 'point'"), 60, legend=False)
    layered = alt.layer(picture, dots, data=data).properties(height=PANEL_SIZE, width=PANEL_SIZE)
    order = list(dict.fromkeys(grids[facet]))  # as given, not alphabetical
    facets = layered.facet(facet=alt.Facet(f"{facet}:N", title=None, sort=order), columns=columns)
    return facets


def band_chart(curves: pd.DataFrame, metric: str, setting: str, title: str) -> alt.LayerChart:
    """Mean across seeds as a line, min–max across seeds as a band; log axes for the loss.
    The subtitle says so, and that test curves, where there are any, are dashed: one line
    under a short title, which then fits a narrow chart (and the legend its height).

    The loss axis stops at 10× the typical starting loss: a run that blows up leaves the
    chart at the top instead of squashing every other curve into a line.
    """
    data = curves[curves["metric"] == metric]
    last = int(data["epoch"].max()) if len(data) else 1
    x = alt.X(
        "epoch:Q",
        title="epochs completed (log scale)",
        scale=alt.Scale(type="log", domain=[1, max(last, 2)], nice=False),
    )
    if metric == "loss":
        data = data[(data["low"] > 0) & (data["mean"] > 0)]
        start = data.loc[data["epoch"] == 1, "mean"]
        top = 10 * float(start.median()) if len(start) else None
        y_scale = alt.Scale(type="log", domainMax=top) if top else alt.Scale(type="log")
        y_title = "loss (log scale)"  # short: longer than the plot, it pushes the title out
    else:
        y_scale, y_title = alt.Scale(domain=[0, 1]), "accuracy"
    color = alt.Color(
        f"{setting}:N",
        title=setting,
        sort=None,
        scale=alt.Scale(scheme="category10"),
        legend=alt.Legend(symbolType="stroke", symbolStrokeWidth=2.5),  # the lines' colours
    )
    band = (
        alt.Chart()
        .mark_area(fillOpacity=0.18, clip=True)
        .encode(x=x, y=alt.Y("low:Q", scale=y_scale), y2=alt.Y2("high:Q"), color=color)
    )
    dash, subtitle = {}, "line: mean over seeds, band: min–max"
    if "set" in data and (data["set"] == "test").any():
        sets = alt.Scale(domain=["training", "test"], range=[[1, 0], [5, 3]])
        dash = {"strokeDash": alt.StrokeDash("set:N", title="points", scale=sets, legend=None)}
        subtitle += "; dashed: test"
    line = (
        alt.Chart()
        .mark_line(clip=True)
        .encode(
            x=x,
            y=alt.Y("mean:Q", title=y_title, scale=y_scale),
            color=color,
            **dash,
            tooltip=[
                alt.Tooltip(f"{setting}:N"),
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("mean:Q", format=".4g"),
                alt.Tooltip("low:Q", title="min", format=".4g"),
                alt.Tooltip("high:Q", title="max", format=".4g"),
                alt.Tooltip("runs:Q", title="seeds still running"),
            ],
        )
    )
    return alt.layer(band, line, data=data).properties(
        title=alt.Title(title, subtitle=subtitle), height=HEIGHT
    )


def accuracy_bars(
    table: pd.DataFrame, setting: str, title: str = "Final accuracy across seeds"
) -> alt.LayerChart:
    """Final accuracy, mean ± std across seeds (whiskers within 0–100%), one bar per arm.

    Arms whose every seed diverged or stalled are coloured apart and labelled, with the
    epoch of the first divergence: their accuracy is that of a run that went nowhere.
    """
    note = np.where(
        table["status"] == "diverged",
        "diverged at " + table["diverged at"].map(lambda e: f"{e:,.0f}" if e == e else ""),
        np.where(table["status"] == "stalled", "stalled", ""),
    )
    data = table.assign(
        low=(table["accuracy mean"] - table["accuracy std"]).clip(0, 1),
        high=(table["accuracy mean"] + table["accuracy std"]).clip(0, 1),
        note=note,
    )
    x = alt.X(f"{setting}:N", title=setting, sort=None, axis=SLANTED)
    y = alt.Y(
        "accuracy mean:Q",
        title="final accuracy (mean ± std)",
        # room above 100% for a note, which above the chart would push the title out
        scale=alt.Scale(domain=[0, 1.15], nice=False),
        axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
    )
    tooltip = [
        alt.Tooltip(f"{setting}:N"),
        alt.Tooltip("accuracy mean:Q", format=".1%"),
        alt.Tooltip("accuracy std:Q", format=".1%"),
        alt.Tooltip("solved:Q"),
        alt.Tooltip("diverged:Q"),
        alt.Tooltip("stalled:Q"),
    ]
    bars = (
        alt.Chart()
        .mark_bar(opacity=0.85)
        .encode(x=x, y=y, color=alt.Color("status:N", scale=STATUS, title="every seed"),
                tooltip=tooltip)
    )  # fmt: skip
    whiskers = (
        alt.Chart().mark_rule(strokeWidth=2).encode(x=x, y=alt.Y("low:Q"), y2=alt.Y2("high:Q"))
    )
    notes = alt.Chart().mark_text(dy=-10, fontSize=11).encode(x=x, y=y, text=alt.Text("note:N"))
    # 40 px taller than the other charts: its slanted labels take that from the bars, and in
    # less room Vega-Lite's fit pushed the title out of the chart's top
    return alt.layer(bars, whiskers, notes, data=data).properties(title=title, height=HEIGHT + 40)


def split_bars(table: pd.DataFrame, setting: str, title: str) -> alt.LayerChart:
    """Final training and test accuracy side by side per arm, mean ± std across seeds."""
    columns = {"training": "accuracy", "test": "test accuracy"}
    data = pd.concat(
        [
            pd.DataFrame(
                {
                    setting: table[setting].astype(str),
                    "points": kind,
                    "mean": table[f"{column} mean"],
                    "low": (table[f"{column} mean"] - table[f"{column} std"]).clip(0, 1),
                    "high": (table[f"{column} mean"] + table[f"{column} std"]).clip(0, 1),
                }
            )
            for kind, column in columns.items()
        ],
        ignore_index=True,
    )
    x = alt.X(f"{setting}:N", title=setting, sort=None)
    offset = alt.XOffset("points:N", sort=list(columns))
    y = alt.Y("mean:Q", title="final accuracy (mean ± std)", scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%"))  # fmt: skip
    sets = alt.Scale(domain=list(columns), range=["#4c78a8", "#f58518"])
    bars = alt.Chart().mark_bar().encode(
        x=x, xOffset=offset, y=y, color=alt.Color("points:N", scale=sets, title="points"),
        tooltip=[alt.Tooltip(f"{setting}:N"), alt.Tooltip("points:N"),
                 alt.Tooltip("mean:Q", format=".1%")],
    )  # fmt: skip
    whiskers = (
        alt.Chart()
        .mark_rule(strokeWidth=2)
        .encode(x=x, xOffset=offset, y=alt.Y("low:Q"), y2=alt.Y2("high:Q"))
    )
    return alt.layer(bars, whiskers, data=data).properties(title=title, height=HEIGHT)


def speed_bars(table: pd.DataFrame, setting: str, epochs: int) -> alt.LayerChart:
    """Epochs to 100% training accuracy per arm, the median over the seeds that got there,
    each bar labelled with how many did ("0 of 5" at the top where none did in `epochs`)."""
    data = table.assign(
        note=table["solved"].astype(str) + " of " + table["seeds"].astype(str),
        note_at=table[SOLVED_AT].fillna(epochs),
    )
    # the arms' order; sort=None would put the arms with a bar first
    x = alt.X(f"{setting}:N", title=setting, sort=list(table[setting]), axis=SLANTED)
    y = alt.Y(
        f"{SOLVED_AT}:Q",
        title="epochs (median)",  # a title longer than the axis pushes the chart's out
        scale=alt.Scale(domain=[0, epochs * 1.15], nice=False),  # room for the notes
        axis=alt.Axis(format=",.0f"),
    )
    tooltip = [
        alt.Tooltip(f"{setting}:N"),
        alt.Tooltip(f"{SOLVED_AT}:Q", format=",.0f"),
        alt.Tooltip("solved:Q"),
        alt.Tooltip("seeds:Q"),
    ]
    bars = (
        alt.Chart().mark_bar(opacity=0.85, color=STATUS.range[0]).encode(x=x, y=y, tooltip=tooltip)
    )
    notes = (
        alt.Chart()
        .mark_text(dy=-8, fontSize=11)
        .encode(x=x, y=alt.Y("note_at:Q"), text=alt.Text("note:N"))
    )
    title = alt.Title(
        "Epochs to 100% training accuracy",
        subtitle=f"label: how many seeds got there within {epochs:,} epochs",
    )
    return alt.layer(bars, notes, data=data).properties(title=title, height=HEIGHT + 40)


def cost_chart(table: pd.DataFrame, setting: str) -> alt.Chart:
    """CPU seconds per run against a numeric setting, log–log, the axis spanning the
    settings. CPU time, not wall time: runs that shared the cores with others (visitors, a
    browser) would look dearer than they are."""
    span = [float(table[setting].min()), float(table[setting].max())]
    return (
        alt.Chart(table, title="Cost: CPU seconds per run", height=HEIGHT)
        .mark_line(point=True)
        .encode(
            x=alt.X(
                f"{setting}:Q", title=setting, scale=alt.Scale(type="log", domain=span, nice=False)
            ),
            y=alt.Y(
                f"{COST}:Q",
                title=f"{COST} (log scale)",
                scale=alt.Scale(type="log"),
            ),
            tooltip=[
                alt.Tooltip(f"{setting}:Q"),
                alt.Tooltip(f"{COST}:Q", format=".3f"),
            ],
        )
    )


def heatmap(
    data: pd.DataFrame, x: str, y: str, value: str, title: str, percent: bool = True
) -> alt.LayerChart:
    """A value over two settings, with the numbers written in the cells."""
    base = alt.Chart(data).encode(
        x=alt.X(f"{x}:O", title=x, sort=None, axis=alt.Axis(labelAngle=0)),  # short numbers
        y=alt.Y(f"{y}:O", title=y, sort="descending"),
    )
    fmt = ".0%" if percent else ".3g"
    cells = base.mark_rect().encode(
        color=alt.Color(
            f"{value}:Q",
            title=value,
            scale=alt.Scale(scheme="viridis", domain=[0, 1] if percent else alt.Undefined),
        ),
        tooltip=[
            alt.Tooltip(f"{x}:O"),
            alt.Tooltip(f"{y}:O"),
            alt.Tooltip(f"{value}:Q", format=fmt),
        ],
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text(f"{value}:Q", format=fmt),
        color=alt.ColorValue(
            **alt.condition(f"datum['{value}'] > 0.6", alt.value("black"), alt.value("white"))
        ),
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
            x=alt.X("activation:N", title="activation", sort=None, axis=SLANTED),
            xOffset=alt.XOffset("when:N", sort=["start", "end"]),
            y=alt.Y("ratio:Q", title="first ÷ last (log scale)", scale=alt.Scale(type="log")),
            color=alt.Color("when:N", title="training", sort=["start", "end"]),
            tooltip=[
                alt.Tooltip("activation:N"),
                alt.Tooltip("when:N"),
                alt.Tooltip("ratio:Q", format=".3g"),
                alt.Tooltip("seeds:Q", title="seeds with both gradients"),
            ],
        )
    )
    parity = (
        alt.Chart(pd.DataFrame({"ratio": [1.0]}))
        .mark_rule(strokeDash=[4, 4])
        .encode(y=alt.Y("ratio:Q"))
    )
    return alt.layer(parity, dots).properties(
        title="First layer's gradient ÷ last layer's", height=HEIGHT
    )


def saturation_chart(saturation: pd.DataFrame, title: str) -> alt.Chart:
    """Share of saturated (σ′, tanh′ < 0.01) or dead (ReLU) units per hidden layer."""
    return (
        alt.Chart(saturation, title=title, height=HEIGHT)
        .mark_bar()
        .encode(
            x=alt.X("activation:N", title="activation", sort=None, axis=SLANTED),
            xOffset=alt.XOffset("layer:N"),
            y=alt.Y(
                "share:Q",
                title="share of units",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color("layer:N", title="hidden layer"),
            tooltip=[
                alt.Tooltip("dataset:N"),
                alt.Tooltip("activation:N"),
                alt.Tooltip("layer:N"),
                alt.Tooltip("share:Q", format=".0%"),
                alt.Tooltip("what:N"),
            ],
        )
    )
