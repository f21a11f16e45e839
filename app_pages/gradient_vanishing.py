"""Gradient vanishing: how the gradient shrinks on its way back to the input layers."""

import streamlit as st

from dashboard import charts, data, state, study
from dashboard.state import LEARNING_RATES, Setting, choice, integer, nearest
from mlp import TrainConfig
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
    Setting("gv_depth", "depth", 6, integer(2, 10)),
    Setting("gv_width", "width", 8, integer(1, 64)),
    Setting("gv_activations", "acts", "sigmoid,tanh,relu", study.value_names(list(ACTIVATIONS))),
    Setting("gv_init", "init", "normal", choice(INITS)),
    Setting("gv_lr", "lr", 0.5, nearest(LEARNING_RATES)),
    Setting("gv_epochs", "epochs", 2000, integer(10, 100_000)),
    Setting("gv_seeds", "seeds", 3, integer(1, 10)),
]
LAB_NETWORK = {
    "gv_depth": 2,
    "gv_width": 20,
    "gv_activations": "sigmoid",
    "gv_init": "normal",
    "gv_lr": 1.0,
}

notes = state.init(PAGE, SETTINGS)
with st.sidebar:
    data.widgets(PAGE)
    st.slider("Hidden layers", 2, 10, key="gv_depth")
    st.slider("Units per hidden layer", 1, 64, key="gv_width")
    st.text_input(
        "Activations to compare, comma-separated",
        key="gv_activations",
        help=f"from: {', '.join(ACTIVATIONS)}",
    )
    st.selectbox("Weight init", INITS, key="gv_init")
    st.select_slider("Learning rate", LEARNING_RATES, format_func=lambda v: f"{v:g}", key="gv_lr")
    st.number_input("Epochs", 10, 100_000, step=500, key="gv_epochs")
    st.slider("Seeds", 1, 10, key="gv_seeds")
    st.button(
        "The lab's network (2 × 20 sigmoid)", on_click=study.apply_preset, args=(LAB_NETWORK,)
    )
state.write_url(SETTINGS)

st.title("Gradient vanishing")
st.markdown(
    "Backprop multiplies the error by W_lᵀ and by f′(z) once per layer on its way to the "
    "input. σ′ is at most 0.25, so with sigmoid the gradient of the first layer is often "
    "orders of magnitude smaller than the last layer's, and the first layers barely move. "
    "Below: ‖∂L/∂W_l‖ per layer over training, and the ratio first ÷ last at the start and "
    "end of training, for each activation. The initialisation changes the picture: try xavier "
    "and he."
)
state.show_notes(notes)
s = st.session_state
loaded = data.load(PAGE)
if loaded is None:
    st.stop()
X, y, _ = loaded
names = study.parse_names(s.gv_activations, list(ACTIVATIONS))
base = TrainConfig(
    hidden=(s.gv_width,) * s.gv_depth, lr=s.gv_lr, epochs=s.gv_epochs, init=s.gv_init, snapshots=2
)
arms = [study.arm(name, base.replace(activation=name), s.gv_seeds) for name in names]
if not study.ready_to_run(arms, len(X)):
    st.stop()
results = study.run_arms(X, y, arms, "Training every activation and seed…")
table = study.summary_table(results, SETTING)

ratios = study.gradient_ratios(results)
table["first ÷ last, start"] = ratios[ratios["when"] == "start"]["ratio"].to_numpy()
table["first ÷ last, end"] = ratios[ratios["when"] == "end"]["ratio"].to_numpy()
study.report_beside_ours(REPORT, study.describe_all(results) + study.describe_ratios(ratios))

columns = st.columns(min(len(results), 3))
for i, (name, result) in enumerate(results.items()):
    title = f"{name}: ‖∂L/∂W‖ per layer (median seed)"
    columns[i % len(columns)].altair_chart(
        charts.grad_norm_chart(result.median_grads, title), width="stretch"
    )
left, right = st.columns(2)
left.altair_chart(charts.ratio_chart(ratios), width="stretch")
right.altair_chart(
    charts.band_chart(study.curves_frame(results, SETTING), "loss", SETTING, "Loss per activation"),
    width="stretch",
)
study.show_table(table)
study.download_table(table, "gradient_vanishing_study")
