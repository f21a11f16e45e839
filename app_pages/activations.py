"""Activations study: sigmoid, tanh, ReLU, leaky ReLU and none, on the lab's two data sets."""

import pandas as pd
import streamlit as st

from dashboard import findings, frames, runs, state, studies, study_charts, views
from dashboard.state import Setting

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
SETS = {"linear,xor": "linear and xor", "linear": "linear", "xor": "xor"}
SETTINGS = [
    Setting("act_datasets", "sets", "Data sets", "linear,xor", "select", list(SETS), labels=SETS),
    Setting("act_output", "out", "Output activation", "sigmoid", "radio", list(OUTPUTS),
            labels=OUTPUTS),
    *[
        Setting(f"act_lr_{name}", f"lr_{name}", label, lr, "number",
                low=1e-7, high=100.0, section="Learning rate per activation")
        for name, (_, lr, label) in ARMS.items()
    ],
    *studies.training_settings(PAGE, epochs=1500, per="activation"),
]  # fmt: skip
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


INTRO = (
    "What does the nonlinearity buy? Without one the network is a linear map: it cannot "
    "separate XOR, and at the usual learning rate its outputs grow without bound. Sigmoid "
    "and tanh saturate (σ′ ≤ 0.25 shrinks every gradient); ReLU units can die. Each "
    "activation has its own learning rate (the report's defaults) and several seeds; "
    "with ReLU on the output too (the report's setting) a dead output unit stops everything."
)

state.page_start(
    PAGE, "Activations study", INTRO, SETTINGS, {"The report's setting": REPORTS_SETTING}
)
s = st.session_state
base = studies.base_config(SETTINGS)
arms = [
    studies.arm(
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
first, *more = sets.values()
if not studies.ready_to_run(arms, *first, more_data=more):
    st.stop()

results = {
    name: studies.run_arms(X, y, arms, f"Training on {DATASETS[name]}…")
    for name, (X, y) in sets.items()
}
views.report_beside_ours(
    REPORT,
    [
        f"{DATASETS[name]} — {sentence}"
        for name in sets
        for sentence in findings.describe_all(results[name])
    ],
)

# one column per data set: side by side on a wide screen, one under the other on a phone
tables, columns = [], st.columns(len(sets))
for column, (name, (X, y)) in zip(columns, sets.items(), strict=True):
    dataset, result_of = DATASETS[name], results[name]
    table = frames.summary_table(result_of, SETTING)
    tables.append(table.assign(dataset=dataset)[["dataset", *table.columns]])
    curves = frames.curves_frame(result_of, SETTING)
    band = study_charts.band_chart(curves, "loss", SETTING, f"{dataset}: loss")
    column.altair_chart(band, width="stretch")
    bars = study_charts.accuracy_bars(table, SETTING, f"{dataset}: final accuracy")
    column.altair_chart(bars, width="stretch")
    grids = [r.median_grid.assign(panel=label) for label, r in result_of.items()]
    points = [
        frames.points_frame(X, y, r.median_predictions).assign(panel=label)
        for label, r in result_of.items()
    ]
    column.markdown(f"**{dataset}: the median seed's boundary** (crosses: wrong)")
    column.altair_chart(
        study_charts.boundary_facets(pd.concat(grids), pd.concat(points), "panel", columns=2)
    )
    saturation = pd.DataFrame(
        [row for label, r in result_of.items() for row in frames.saturation_rows(r, dataset, label)]
    )
    title = f"{dataset}: saturated or dead units"
    column.altair_chart(study_charts.saturation_chart(saturation, title), width="stretch")
st.markdown(
    "*Saturated or dead* (median seed): hidden units whose slope f′, averaged over the points, "
    "is at most 0.01 pass almost no gradient back — saturated sigmoid or tanh units, dead ReLU "
    "units."
)
table = pd.concat(tables, ignore_index=True)
views.show_table(table)
views.download_table(table, "activations_study")
