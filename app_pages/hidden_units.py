"""Hidden-units study: how wide must the hidden layers be, and what does width cost?"""

import streamlit as st

from dashboard import data, findings, frames, parsing, state, studies, study_charts, views
from dashboard.state import Setting, learning_rate

PAGE = "hu"
SETTING = "hidden units"
REPORT = """On XOR with two sigmoid hidden layers and 100,000 epochs:
- **500 units**: loss **0.2381**, 16 of 21 right (**76%**), 414 s.
- **20 units**: loss **0.0002**, 21 of 21 right, 8 s.
- **1 unit**: loss **0.2494**, 11 of 21 right (52%).

Its reading: too few units cannot fit XOR; too many cost much more time and need not help."""
WIDTHS, RATES = (1, 512), (1e-6, 1000)
SETTINGS = [
    *data.settings(PAGE),
    Setting("hu_widths", "widths", "Units per hidden layer, comma-separated",
            "1, 2, 4, 8, 20, 100, 500", "text", check=parsing.value_list(*WIDTHS, whole=True)),
    learning_rate("hu_lr"),
    # 4 seeds: width 500's runs train alone, one per core; a fifth would cost one core a
    # third run while the other idles. 1,000 epochs: the widths rank as they do at 1,500
    # (which adds 4–10 points to widths 1–8, nothing to the rest) and width 500 costs less
    *studies.training_settings(PAGE, epochs=1000, per="width", seeds=4),
    Setting("hu_grid", "grid", "Also sweep learning rates (heatmap)", False, "toggle"),
    Setting("hu_grid_rates", "grid_rates", "Rates for the heatmap", "10, 1, 0.1, 0.01", "text",
            check=parsing.value_list(*RATES), shown=lambda state: state["hu_grid"]),
]  # fmt: skip
REPORTS_SETTING = {
    "hu_dataset": "xor",
    "hu_widths": "500, 20, 1",
    "hu_lr": 0.1,
    "hu_epochs": 10_000,
    "hu_reduction": "sum",
    "hu_init": "normal",
    "hu_seeds": 3,
}

INTRO = (
    "How many units does each of the two hidden layers need? One unit per layer cannot "
    "bend the boundary around XOR; a few suffice; hundreds make every epoch far dearer "
    "(width 500: 1.5–2.5 ms per epoch here, the cost chart says what each width took) "
    "and, with N(0, 1) weights, saturate the sigmoids so that some seeds get stuck. Each "
    "width is trained from several seeds."
)

state.page_start(
    PAGE, "Hidden-units study", INTRO, SETTINGS, {"The report's setting": REPORTS_SETTING}
)
s = st.session_state
X, y, _ = data.load_or_stop(PAGE)
widths = views.listed_values(s.hu_widths, "Units per hidden layer", *WIDTHS, whole=True)
base = studies.base_config(SETTINGS)
arms = [
    studies.arm(str(w), base.replace(hidden=(w, w)), s.hu_seeds, **{SETTING: w}) for w in widths
]
if not studies.ready_to_run(arms, X, y):
    st.stop()
results = studies.run_arms(X, y, arms, "Training every width and seed…")
table = frames.summary_table(results, SETTING)
views.report_beside_ours(REPORT, findings.describe_all(results))

views.show_bands(results, SETTING, per="width")
left, right = st.columns(2)
left.altair_chart(study_charts.accuracy_bars(table, SETTING), width="stretch")
costs = table.assign(**{SETTING: widths})
right.altair_chart(study_charts.cost_chart(costs, SETTING), width="stretch")
views.show_table(table)
views.download_table(table, "hidden_units_study")

if s.hu_grid:
    st.subheader("Learning rate × width")
    results_file = st.file_uploader(
        "Or show a results file from `python -m mlp sweep` (CSV) instead of training the grid",
        type=["csv"],
        key="hu_results",
        max_upload_size=10,
    )
    if results_file is not None:
        try:
            grid = frames.sweep_results(results_file.getvalue())
        except ValueError as reason:
            st.error(f"Cannot use **{results_file.name}**: {reason}")
            st.stop()
        title = f"Final accuracy, mean over the runs of {results_file.name}"
        chart = study_charts.heatmap(grid, SETTING, "learning rate", "accuracy mean", title)
        st.altair_chart(chart, width="stretch")
        st.stop()
    rates = views.listed_values(s.hu_grid_rates, "Rates for the heatmap", *RATES)
    grid_arms = [
        studies.arm(f"{rate:g} | {w}", base.replace(lr=rate, hidden=(w, w)), s.hu_seeds,
                    **{"learning rate": rate, SETTING: w})
        for rate in rates
        for w in widths
    ]  # fmt: skip
    if studies.ready_to_run(grid_arms, X, y):
        results = studies.run_arms(X, y, grid_arms, "Training the grid…")
        grid = frames.summary_table(results, "arm")
        title = "Final accuracy, mean over seeds"
        chart = study_charts.heatmap(grid, SETTING, "learning rate", "accuracy mean", title)
        st.altair_chart(chart, width="stretch")
