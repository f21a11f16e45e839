"""Gradient vanishing: how the gradient shrinks on its way back to the input layers."""

import streamlit as st

from dashboard import charts, data, findings, frames, parsing, state, studies, study_charts, views
from dashboard.state import Setting, learning_rate
from mlp.activations import ACTIVATIONS

PAGE = "gv"
SETTING = "activation"
INITS = ["normal", "xavier", "he"]
REPORT = """The report explains, without measurements, that with sigmoid the gradient shrinks
from layer to layer on its way back, so the layers near the input learn much more slowly
than those near the output, and that this gets worse with depth. Its remedies: another
activation, fewer layers, an adaptive learning rate."""
SETTINGS = [
    *data.settings(PAGE),
    Setting("gv_depth", "depth", "Hidden layers", 6, "slider", low=2, high=10),
    Setting("gv_width", "width", "Units per hidden layer", 8, "slider", low=1, high=64),
    Setting("gv_activations", "acts", "Activations to compare, comma-separated",
            "sigmoid,tanh,relu", "text", check=parsing.value_names(list(ACTIVATIONS)),
            help=f"from: {', '.join(ACTIVATIONS)}"),
    Setting("gv_init", "init", "Weight init", "normal", "select", INITS, field="init"),
    learning_rate("gv_lr", 0.5),
    Setting("gv_epochs", "epochs", "Epochs", 2000, "number", low=10, high=100_000, step=500,
            field="epochs"),
    Setting("gv_seeds", "seeds", "Seeds", 3, "slider", low=1, high=10),
]  # fmt: skip
RATIO = "first ÷ last, {}"  # the table's ratios, the page's point: right after the activation
RATIO_COLUMNS = {
    RATIO.format(when): (
        f"ratio, {when}",
        f"‖∂L/∂W_first‖ ÷ ‖∂L/∂W_last‖ at the {when} of training, geometric mean over the seeds",
        "%.3g",
    )
    for when in ("start", "end")
}
LAB_NETWORK = {
    "gv_depth": 2,
    "gv_width": 20,
    "gv_activations": "sigmoid",
    "gv_init": "normal",
    "gv_lr": 1.0,
}

INTRO = (
    "Backprop multiplies the error by W_lᵀ and by f′(z) once per layer on its way to the "
    "input. σ′ is at most 0.25, so with sigmoid the gradient of the first layer is often "
    "orders of magnitude smaller than the last layer's, and the first layers barely move. "
    "Below: ‖∂L/∂W_l‖ per layer over training, and the ratio first ÷ last at the start and "
    "end of training, for each activation. The initialisation changes the picture: try xavier "
    "and he."
)

state.page_start(
    PAGE, "Gradient vanishing", INTRO, SETTINGS, {"The lab's network (2 × 20 sigmoid)": LAB_NETWORK}
)
s = st.session_state
X, y, _ = data.load_or_stop(PAGE)
names, unknown = parsing.parse_names(s.gv_activations, list(ACTIVATIONS))
if unknown:
    st.warning(f"Left out {', '.join(unknown)}: not one of {', '.join(ACTIVATIONS)}.")
base = studies.base_config(SETTINGS).replace(hidden=(s.gv_width,) * s.gv_depth)
arms = [studies.arm(name, base.replace(activation=name), s.gv_seeds) for name in names]
if not studies.ready_to_run(arms, X, y):
    st.stop()
results = studies.run_arms(X, y, arms, "Training every activation and seed…")
ratios = frames.gradient_ratios(results)
wide = ratios.pivot(index="activation", columns="when", values="ratio")[["start", "end"]]
summary = frames.summary_table(results, SETTING)
# the arms in the page's order (pivot sorts them), each with its ratios, then its summary
table = summary[[SETTING]].merge(wide.rename(columns=RATIO.format), on=SETTING)
table = table.merge(summary, on=SETTING)
views.report_beside_ours(REPORT, findings.describe_all(results) + findings.describe_ratios(ratios))

st.markdown("**‖∂L/∂W_l‖ per layer over training** (the median seed of each activation)")
columns = st.columns(min(len(results), 3))
for i, (name, result) in enumerate(results.items()):
    chart = charts.grad_norm_chart(result.median_grads, name)
    columns[i % len(columns)].altair_chart(chart, width="stretch")
left, right = st.columns(2)
left.altair_chart(study_charts.ratio_chart(ratios), width="stretch")
curves = frames.curves_frame(results, SETTING)
loss = study_charts.band_chart(curves, "loss", SETTING, "Loss per activation")
right.altair_chart(loss, width="stretch")
views.show_table(table, RATIO_COLUMNS)
views.download_table(table, "gradient_vanishing_study")
