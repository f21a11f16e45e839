"""Hidden-units study: how wide must the hidden layers be, and what does width cost?"""

import pandas as pd
import streamlit as st

from dashboard import charts, data, state, study
from dashboard.state import LEARNING_RATES, Setting, choice, nearest
from mlp import TrainConfig

PAGE = "hu"
SETTING = "hidden units"
REPORT = """On XOR with two sigmoid hidden layers and 100,000 epochs:
- **500 units**: loss **0.2381**, 16 of 21 right (**76%**), 414 s.
- **20 units**: loss **0.0002**, 21 of 21 right, 8 s.
- **1 unit**: loss **0.2494**, 11 of 21 right (52%).

Its reading: too few units cannot fit XOR; too many cost much more time and need not help."""
SETTINGS = [
    *data.settings(PAGE),
    Setting(
        "hu_widths", "widths", "1, 2, 4, 8, 20, 100, 500", study.value_list(1, 512, whole=True)
    ),
    Setting("hu_lr", "lr", 1.0, nearest(LEARNING_RATES)),
    *study.training_settings(PAGE, epochs=1500),
    Setting("hu_grid", "grid", False, choice([False, True])),
    Setting("hu_grid_rates", "grid_rates", "10, 1, 0.1, 0.01", study.value_list(1e-6, 1000)),
]
REPORTS_SETTING = {
    "hu_dataset": "xor",
    "hu_widths": "500, 20, 1",
    "hu_lr": 0.1,
    "hu_epochs": 10_000,
    "hu_reduction": "sum",
    "hu_init": "normal",
    "hu_seeds": 3,
}

notes = state.init(PAGE, SETTINGS)
with st.sidebar:
    data.widgets(PAGE)
    st.text_input("Units per hidden layer, comma-separated", key="hu_widths")
    st.select_slider("Learning rate", LEARNING_RATES, format_func=lambda v: f"{v:g}", key="hu_lr")
    study.training_controls(PAGE, per="width")
    st.toggle("Also sweep learning rates (heatmap)", key="hu_grid")
    if st.session_state.hu_grid:
        st.text_input("Rates for the heatmap", key="hu_grid_rates")
    st.button("The report's setting", on_click=study.apply_preset, args=(REPORTS_SETTING,))
state.write_url(SETTINGS)

st.title("Hidden-units study")
st.markdown(
    "How many units does each of the two hidden layers need? One unit per layer cannot "
    "bend the boundary around XOR; a few suffice; hundreds make every epoch far dearer "
    "(width 500 costs about 1 ms per epoch) and, with N(0, 1) weights, saturate the "
    "sigmoids so that some seeds get stuck. Each width is trained from several seeds."
)
state.show_notes(notes)
s = st.session_state
loaded = data.load(PAGE)
try:
    widths = study.parse_values(s.hu_widths, 1, 512, whole=True)
except ValueError as reason:
    st.error(f"Units per hidden layer: {reason}.")
    st.stop()
if loaded is None:
    st.stop()
X, y, _ = loaded
base = TrainConfig(
    lr=s.hu_lr, epochs=s.hu_epochs, init=s.hu_init, reduction=s.hu_reduction, snapshots=2
)
arms = [study.arm(str(w), base.replace(hidden=(w, w)), s.hu_seeds) for w in widths]
if not study.ready_to_run(arms, len(X)):
    st.stop()
results = study.run_arms(X, y, arms, "Training every width and seed…")
table = study.summary_table(results, SETTING)
study.report_beside_ours(REPORT, study.describe_all(results))

study.show_bands(results, SETTING, per="width")
left, middle = st.columns(2)
left.altair_chart(charts.accuracy_bars(table, SETTING), width="stretch")
costs = table.assign(**{SETTING: pd.to_numeric(table[SETTING])})
middle.altair_chart(charts.cost_chart(costs, SETTING), width="stretch")
study.show_table(table)
study.download_table(table, "hidden_units_study")

if s.hu_grid:
    st.subheader("Learning rate × width")
    try:
        rates = study.parse_values(s.hu_grid_rates, 1e-6, 1000)
    except ValueError as reason:
        st.error(f"Rates for the heatmap: {reason}.")
        st.stop()
    grid_arms = [
        study.arm(f"{rate:g} | {w}", base.replace(lr=rate, hidden=(w, w)), s.hu_seeds)
        for rate in rates
        for w in widths
    ]
    if study.ready_to_run(grid_arms, len(X)):
        grid = study.summary_table(study.run_arms(X, y, grid_arms, "Training the grid…"), "arm")
        grid[["learning rate", SETTING]] = grid["arm"].str.split(" | ", expand=True, regex=False)
        st.altair_chart(
            charts.heatmap(
                grid, SETTING, "learning rate", "accuracy mean", "Final accuracy, mean over seeds"
            ),
            width="stretch",
        )
