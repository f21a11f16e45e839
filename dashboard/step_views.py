"""The step-by-step page's sections: forward, backward, one weight's chain rule, update.

Each draws the numbers of one `mlp.reference.Step` (see `dashboard.stepwise`) into the
current container. Tables round for display; the page's download has full precision.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, stepwise
from mlp import TrainConfig, reference

SHOWN = "%.4g"  # how the tables round
GRADIENT_SHOWN = "%.6g"  # gradients and their finite differences: 6 significant digits
LARGE = 1e6  # numbers from here on are drawn with an exponent (see `table`)
BACKPROP = [  # the backward pass, one st.latex line each (narrow screens wrap nothing)
    r"\delta_L = \frac{\partial L}{\partial \hat y} \odot f'(z_L)",
    r"\delta_{l-1} = (\delta_l W_l^\top) \odot f'(z_{l-1})",
    r"\frac{\partial L}{\partial W_l} = a_{l-1}^\top \delta_l, \qquad "
    r"\frac{\partial L}{\partial b_l} = \sum_\text{rows} \delta_l",
]
RULES = {  # each optimizer's update, one st.latex line each (narrow screens wrap nothing)
    "sgd": [r"W \leftarrow W - \eta\,\frac{\partial L}{\partial W}"],
    "momentum": [
        r"v \leftarrow 0.9\,v + \frac{\partial L}{\partial W}",
        r"W \leftarrow W - \eta\,v",
    ],
    "adam": [
        r"m \leftarrow \beta_1 m + (1-\beta_1)\,g, \quad v \leftarrow \beta_2 v + (1-\beta_2)\,g^2",
        r"W \leftarrow W - \eta\,\hat m / (\sqrt{\hat v} + \epsilon)",
    ],
}


def table(frame: pd.DataFrame, max_rows=6, digits=SHOWN, formats=None, placeholder="NaN", **more):
    """A table as tall as its rows up to max_rows (then it scrolls), its numbers rounded to
    `digits` or to their column's format in `formats`. Streamlit writes large numbers out in
    full (1234000000000000, cut off in a narrow column) and marks those past 2^53 as errors:
    a column holding one of LARGE or more (a diverging network's) is drawn as text in
    Python's format (1.234e+15). A diverged network's NaN reads "NaN" (Streamlit's default
    is "None"), or `placeholder`. `more`: st.dataframe's other options."""
    shown, config = frame.copy(), {}
    for column in frame.columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values):  # a number format on text flags every cell
            continue
        number_format = (formats or {}).get(column, digits)
        if (np.abs(values[np.isfinite(values)]) >= LARGE).any():
            shown[column] = [number_format % value for value in values]
        else:
            config[column] = st.column_config.NumberColumn(format=number_format)
    st.dataframe(
        shown,
        column_config=config,
        height=height(len(frame), max_rows),
        placeholder=placeholder,
        **more,
    )


def height(rows: int, max_rows: int) -> int:
    """Pixels for a header and up to max_rows rows of st.dataframe."""
    return 38 + 35 * min(rows, max_rows) + 2


def forward(step: reference.Step, params: reference.Params, config: TrainConfig, rows) -> None:
    """Per layer: the equation, [W_l; b_l], z_l and a_l for the batch's points."""
    last = len(params)
    for l, (W, b) in enumerate(params, start=1):
        f = config.output_activation if l == last else config.activation
        st.latex(rf"z_{l} = a_{{{l - 1}}} W_{l} + b_{l}, \qquad a_{l} = \mathrm{{{f}}}(z_{l})")
        left, middle, right = st.columns(3)
        with left:
            st.caption(f"W{l} (rows: inputs; last row: b{l})")
            table(stepwise.layer_frame(W, b, l, last, config.features))
        with middle:
            st.caption(f"z{l}, one row per point")
            table(stepwise.points_frame(step.zs[l - 1], rows, l, last))
        with right:
            st.caption(f"a{l} = {f}(z{l})")
            table(stepwise.points_frame(step.activations[l], rows, l, last))


def output(step: reference.Step, X: np.ndarray, y: np.ndarray, rows) -> None:
    """ŷ beside each point's label, and the batch's loss."""
    left, right = st.columns([2, 1])
    frame = pd.DataFrame(
        {"x1": X[:, 0], "x2": X[:, 1], "ŷ": step.activations[-1][:, 0], "label y": y[:, 0]},
        index=pd.Index(rows, name="point"),
    )
    with left:
        st.caption("Output ŷ beside the label")
        table(frame)
    right.metric("Loss (mean over the batch)", f"{step.loss:.6g}")


def backward(step: reference.Step, numeric: reference.Params, rows, features, smallest: float):
    """Per layer from the output back: δ_l, and each gradient beside its finite difference
    ("—" where neither reaches `smallest`, the differences' resolution). Returns the
    checks of every layer's parameters, one frame."""
    last = len(step.grads)
    for line in BACKPROP:
        st.latex(line)
    checks = []
    for l in range(last, 0, -1):
        st.subheader(f"Layer {l}")
        left, right = st.columns([1, 2])
        with left:
            st.caption(f"δ{l} = ∂L/∂z{l}")
            table(stepwise.points_frame(step.deltas[l - 1], rows, l, last))
        with right:
            st.caption(f"∂L/∂W{l} and ∂L/∂b{l}: backprop beside central finite differences")
            check = stepwise.gradient_check(step.grads, numeric, l, features, smallest)
            checks.append(check)
            formats = {"relative difference": "%.1e"}  # "—": not compared (the note below)
            table(check, digits=GRADIENT_SHOWN, formats=formats, hide_index=True, placeholder="—")
    return pd.concat(checks, ignore_index=True)


def chain_rule(step, params, config: TrainConfig, sizes, rows, weight: tuple[int, int, int]):
    """One weight's gradient as a sum over points and, for one point, over paths."""
    l, i, j = weight
    last = len(params)
    contributions = step.activations[l - 1][:, i] * step.deltas[l - 1][:, j]
    point = int(np.argmax(np.abs(contributions)))  # the point that matters most
    source = stepwise.unit_name(l - 1, i, last, config.features)
    target = stepwise.unit_name(l, j, last)
    st.markdown(
        f"∂L/∂w for the weight **{source} → {target}** of W{l} is a sum over the batch's points "
        f"of (a of {source}) · (δ of {target}); that δ is a sum over every path from "
        f"{target} to the output of the slopes f′(z) and weights it passes, times "
        f"δ_L = ∂L/∂ŷ · f′(z_L). Below: point {rows[point]}, the one contributing most."
    )
    count = stepwise.path_count(sizes, l)
    if count > stepwise.MAX_PATHS:
        st.info(f"{count:,} paths lead from this weight to the output: too many to list.")
        return
    paths = stepwise.chain_paths(step, params, config, l, i, j, point)
    st.caption("Each path's factors: " + " × ".join(name for name, _ in paths[0].factors))
    table(stepwise.paths_frame(paths), max_rows=10)
    cols = st.columns(3)
    cols[0].metric(
        f"Sum over the paths (point {rows[point]})", _shown(sum(p.product for p in paths))
    )
    cols[1].metric(f"a · δ at point {rows[point]}", _shown(contributions[point]))
    cols[2].metric("∂L/∂w, summed over the points", _shown(step.grads[l - 1][0][i, j]))


def _shown(value: float) -> str:
    return f"{value + 0.0:.6g}"  # + 0.0: no "-0"


def update(step, params, after, loss_after: float, config: TrainConfig, taken: int) -> None:
    """The rule, the loss before and after, and one layer's weights before and after."""
    for line in RULES[config.optimizer]:
        st.latex(line)
    st.caption(f"learning rate η = {config.lr:g}")
    cols = st.columns(3)
    cols[0].metric("Loss before this step", f"{step.loss:.6g}")
    change = f"{loss_after - step.loss:+.3g}"
    cols[1].metric("Loss after it", f"{loss_after:.6g}", change, delta_color="inverse")
    cols[2].metric("Steps taken", taken)
    last = len(params)
    l = st.selectbox("Show the update of layer", range(1, last + 1), index=last - 1)
    (W, b), (gW, gb), (W2, b2) = params[l - 1], step.grads[l - 1], after[l - 1]
    names = [
        f"{stepwise.unit_name(l - 1, i, last, config.features)} → {stepwise.unit_name(l, j, last)}"
        for i, j in np.ndindex(W.shape)
    ] + [f"bias → {stepwise.unit_name(l, j, last)}" for j in range(len(b))]
    frame = pd.DataFrame(
        {
            "before": np.concatenate([W.ravel(), b]),
            "∂L/∂w": np.concatenate([gW.ravel(), gb]),
            "after": np.concatenate([W2.ravel(), b2]),
        },
        index=pd.Index(names, name=f"W{l}, b{l}"),
    )
    table(frame)


def descent(losses: list[float]) -> None:
    if len(losses) > 1:
        steps = pd.DataFrame({"step": range(len(losses)), "loss": losses})
        st.altair_chart(charts.steps_chart(steps), width="stretch")


def diagram(step: reference.Step, features) -> None:
    nodes, edges = stepwise.diagram_frames(step, step.grads, features)
    title = "Units coloured by δ (mean over the batch), connections by ∂L/∂W"
    st.altair_chart(charts.gradient_diagram(nodes, edges, title), width="stretch")
