"""Learning-rate study: the step size decides whether gradient descent converges at all."""

import streamlit as st

from dashboard import charts, data, state, study
from dashboard.state import Setting
from mlp import TrainConfig

PAGE = "lr"
SETTING = "learning rate"
REPORT = """On XOR with the 2-20-20-1 sigmoid network and 100,000 epochs:
- **lr 100** and **lr 10**: loss stuck at **0.5238** (= 11/21) from the first log line on,
  10 of 21 points right (47.6%).
- **lr 0.001**: loss falling slowly to **0.0174**, all 21 points right.

Its reading: too large a rate overshoots and never converges; too small a rate is slow."""
SETTINGS = [
    *data.settings(PAGE),
    Setting("lr_rates", "rates", "100, 10, 1, 0.1, 0.01, 0.001", study.value_list(1e-6, 1000)),
    *study.training_settings(PAGE, epochs=5000),
]
REPORTS_SETTING = {
    "lr_dataset": "xor",
    "lr_rates": "100, 10, 0.001",
    "lr_epochs": 100_000,
    "lr_reduction": "sum",
    "lr_init": "normal",
    "lr_seeds": 5,
}

notes = state.init(PAGE, SETTINGS)
with st.sidebar:
    data.widgets(PAGE)
    st.text_input("Learning rates, comma-separated", key="lr_rates")
    study.training_controls(PAGE, per="rate")
    st.button("The report's setting", on_click=study.apply_preset, args=(REPORTS_SETTING,))
state.write_url(SETTINGS)

st.title("Learning-rate study")
st.markdown(
    "How large a step should gradient descent take? Too small and it crawls; too large and it "
    "overshoots, saturates the sigmoids or blows up. Each rate is trained from several seeds "
    "(2-20-20-1 sigmoid network, MSE, full batch), so one lucky or unlucky run cannot decide "
    "the answer. Under the *sum* convention every step is n/2 times larger (×10.5 on XOR) — "
    "that, not the rate alone, is what the report's numbers depend on."
)
state.show_notes(notes)
s = st.session_state
loaded = data.load(PAGE)
try:
    rates = study.parse_values(s.lr_rates, 1e-6, 1000)
except ValueError as reason:
    st.error(f"Learning rates: {reason}.")
    st.stop()
if loaded is None:
    st.stop()
X, y, _ = loaded
base = TrainConfig(epochs=s.lr_epochs, init=s.lr_init, reduction=s.lr_reduction, snapshots=2)
arms = [study.arm(f"{rate:g}", base.replace(lr=rate), s.lr_seeds) for rate in rates]
if not study.ready_to_run(arms, len(X)):
    st.stop()
results = study.run_arms(X, y, arms, "Training every rate and seed…")
table = study.summary_table(results, SETTING)
study.report_beside_ours(REPORT, study.describe_all(results))

study.show_bands(results, SETTING, per="rate")
left, right = st.columns([1, 2])
left.altair_chart(charts.accuracy_bars(table, SETTING), width="stretch")
with right:
    study.show_table(table)
    study.download_table(table, "learning_rate_study")
