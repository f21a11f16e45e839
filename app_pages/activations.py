"""Activations study: sigmoid, tanh, ReLU, leaky ReLU and none, on the lab's two data sets."""

import pandas as pd
import streamlit as st

from dashboard import charts, frames, runs, state, study
from dashboard.state import Setting, choice, number
from mlp import TrainConfig

PAGE = "act"
SETTING = "activation"
# arm → (activation, default learning rate, label); "none" twice: the lab's two findings
ARMS = {
    "sigmoid": ("sigmoid", 1.0, "sigmoid"),
    "tanh": ("tanh", 0.01, "tanh"),
    "relu": ("relu", 0.0015, "ReLU"),
    "leaky_relu": ("leaky_relu", 0.01, "leaky ReLU"),
    "none": ("identity", 1.0, "none"),
    "none_small": ("identity", 0.001, "none, small lr"),
}
DATASETS = {"linear": "Linear", "xor": "XOR"}
OUTPUTS = {"sigmoid": "sigmoid output", "same": "same as hidden (the report's)"}
REPORT = """Run once each, 100,000 epochs (linear | XOR):
- **none** at the usual lr: loss overflowed to **NaN**; at lr 1e-7 it trained (loss 807 → 559)
  but could not fit XOR.
- **tanh**, lr 0.01: **100% | 100%** (XOR after a plateau at 0.476 until epoch ~75,000).
- **ReLU**, lr 0.0015: stuck from epoch 0 at loss **0.51** (49%) | **0.476** (52%).
- **leaky ReLU**, lr 0.01: **93% | 100%**."""
SETTINGS = [
    Setting("act_datasets", "sets", "linear,xor", choice(["linear,xor", "linear", "xor"])),
    *[
        Setting(f"act_lr_{name}", f"lr_{name}", lr, number(1e-7, 100))
        for name, (_, lr, _) in ARMS.items()
    ],
    Setting("act_output", "out", "sigmoid", choice(list(OUTPUTS))),
    *study.training_settings(PAGE, epochs=1500),
]
REPORTS_SETTING = {
    "act_output": "same",
    "act_reduction": "sum",
    "act_epochs": 20_000,
    "act_seeds": 3,
    "act_init": "normal",
    **{f"act_lr_{name}": lr for name, (_, lr, _) in ARMS.items()},
    "act_lr_none_small": 1e-7,
}


def output_for(activation: str) -> str:
    """The report's "without activation" has none on the output either; the others follow
    the output control."""
    if activation == "identity" or st.session_state.act_output == "same":
        return activation
    return "sigmoid"


notes = state.init(PAGE, SETTINGS)
with st.sidebar:
    st.selectbox(
        "Data sets",
        ["linear,xor", "linear", "xor"],
        format_func=lambda v: v.replace(",", " and "),
        key="act_datasets",
    )
    st.radio("Output activation", list(OUTPUTS), format_func=OUTPUTS.get, key="act_output")
    st.markdown("**Learning rate per activation**")
    for name, (_, _, label) in ARMS.items():
        st.number_input(label, 1e-7, 100.0, format="%g", key=f"act_lr_{name}")
    study.training_controls(PAGE, per="activation")
    st.button("The report's setting", on_click=study.apply_preset, args=(REPORTS_SETTING,))
state.write_url(SETTINGS)

st.title("Activations study")
st.markdown(
    "What does the nonlinearity buy? Without one the network is a linear map: it cannot "
    "separate XOR, and at the usual learning rate its outputs grow without bound. Sigmoid "
    "and tanh saturate (σ′ ≤ 0.25 shrinks every gradient); ReLU units can die. Each "
    "activation has its own learning rate (the report's defaults) and several seeds; "
    "with ReLU on the output too (the report's setting) a dead output unit stops everything."
)
state.show_notes(notes)
s = st.session_state
base = TrainConfig(epochs=s.act_epochs, init=s.act_init, reduction=s.act_reduction, snapshots=2)
arms = [
    study.arm(
        label,
        base.replace(
            activation=activation,
            output_activation=output_for(activation),
            lr=s[f"act_lr_{name}"],
        ),
        s.act_seeds,
    )
    for name, (activation, _, label) in ARMS.items()
]
names = s.act_datasets.split(",")
sets = {
    name: runs.load_dataset(name, **({"seed": 0} if name == "linear" else {})) for name in names
}
if not study.ready_to_run(arms, max(len(X) for X, _ in sets.values()), n_datasets=len(sets)):
    st.stop()

results = {
    name: study.run_arms(X, y, arms, f"Training on {DATASETS[name]}…")
    for name, (X, y) in sets.items()
}
study.report_beside_ours(
    REPORT,
    [
        f"{DATASETS[name]} — {sentence}"
        for name in sets
        for sentence in study.describe_all(results[name])
    ],
)

# both data sets share each chart (one panel each): fewer charts, a faster page
tables, curves, grids, points, diagnostics = [], [], [], [], []
for name, (X, y) in sets.items():
    dataset = DATASETS[name]
    tables.append(study.summary_table(results[name], SETTING).assign(dataset=dataset))
    curves.append(study.curves_frame(results[name], SETTING).assign(dataset=dataset))
    for label, result in results[name].items():
        panel = f"{dataset}: {label}"
        grids.append(result.median_grid.assign(panel=panel))
        points.append(frames.points_frame(X, y, result.median_predictions).assign(panel=panel))
        diagnostics += study.saturation_rows(result, dataset, label)
table = pd.concat(tables, ignore_index=True)
curves = pd.concat(curves, ignore_index=True)
title = "Loss per activation: mean and min–max over seeds"
st.altair_chart(charts.band_chart(curves, "loss", SETTING, title, facet="dataset"))
st.altair_chart(charts.accuracy_bars(table, SETTING, facet="dataset"))
st.markdown("**Decision boundary of the median seed** (crosses: misclassified)")
st.altair_chart(charts.boundary_facets(pd.concat(grids), pd.concat(points), "panel", columns=4))

st.header("Saturation")
st.markdown(
    "Hidden units whose slope f′, averaged over the points, is at most 0.01 pass almost no "
    "gradient back: saturated sigmoid or tanh units, dead ReLU units."
)
st.altair_chart(charts.saturation_chart(pd.DataFrame(diagnostics)))
study.show_table(table)
study.download_table(table, "activations_study")
