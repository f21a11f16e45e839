"""Learning-rate study: the step size decides whether gradient descent converges at all."""

import streamlit as st

from dashboard import data, findings, frames, parsing, state, studies, study_charts, views
from dashboard.state import Setting

PAGE = "lr"
SETTING = "learning rate"
REPORT = """On XOR with the 2-20-20-1 sigmoid network and 100,000 epochs:
- **lr 100** and **lr 10**: loss stuck at **0.5238** (= 11/21) from the first log line on,
  10 of 21 points right (47.6%).
- **lr 0.001**: loss falling slowly to **0.0174**, all 21 points right.

Its reading: too large a rate overshoots and never converges; too small a rate is slow."""
RATES = (1e-6, 1000)
SETTINGS = [
    *data.settings(PAGE),
    Setting("lr_rates", "rates", "Learning rates, comma-separated", "100, 10, 1, 0.1, 0.01, 0.001",
            "text", check=parsing.value_list(*RATES)),
    *studies.training_settings(PAGE, epochs=5000, per="rate"),
]  # fmt: skip
REPORTS_SETTING = {
    "lr_dataset": "xor",
    "lr_rates": "100, 10, 0.001",
    "lr_epochs": 100_000,
    "lr_reduction": "sum",
    "lr_init": "normal",
    "lr_seeds": 5,
}

INTRO = (
    "How large a step should gradient descent take? Too small and it crawls; too large and it "
    "overshoots, saturates the sigmoids or blows up. Each rate is trained from several seeds "
    "(2-20-20-1 sigmoid network, MSE, full batch), so one lucky or unlucky run cannot decide "
    "the answer. Under the *sum* convention every step is n/2 times larger (×10.5 on XOR) — "
    "that, not the rate alone, is what the report's numbers depend on."
)

state.page_start(
    PAGE, "Learning-rate study", INTRO, SETTINGS, {"The report's setting": REPORTS_SETTING}
)
s = st.session_state
X, y, _ = data.load_or_stop(PAGE)
rates = views.listed_values(s.lr_rates, "Learning rates", *RATES)
base = studies.base_config(SETTINGS)
arms = [
    studies.arm(f"{rate:g}", base.replace(lr=rate), s.lr_seeds, **{SETTING: rate}) for rate in rates
]
if not studies.ready_to_run(arms, X, y):
    st.stop()
results = studies.run_arms(X, y, arms, "Training every rate and seed…")
table = frames.summary_table(results, SETTING)
views.report_beside_ours(REPORT, findings.describe_all(results))

views.show_bands(results, SETTING, per="rate")
left, right = st.columns(2)
left.altair_chart(study_charts.accuracy_bars(table, SETTING), width="stretch")
right.altair_chart(study_charts.speed_bars(table, SETTING, base.epochs), width="stretch")
views.show_table(table)
views.download_table(table, "learning_rate_study")
