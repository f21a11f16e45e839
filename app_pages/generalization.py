"""Generalization: held-out points, overfitting, and what L2 regularization does to it."""

import streamlit as st

from dashboard import data, findings, frames, parsing, state, studies, study_charts, views
from dashboard.state import Setting, config_choice, learning_rate

PAGE = "gen"
RATES, WIDTHS = (0, 10), (1, 512)
SETTINGS = [
    *data.settings(PAGE, dataset="moons", n=200, noise=0.2),
    data.test_setting(PAGE, default=0.5),
    Setting("gen_width", "width", "Units per hidden layer (L2 sweep)", 32, "slider", low=1,
            high=128),
    Setting("gen_rates", "rates", "L2 rates, comma-separated", "0, 0.001, 0.01, 0.1, 1", "text",
            check=parsing.value_list(*RATES)),
    Setting("gen_widths", "widths", "Widths without regularization, comma-separated",
            "2, 8, 32, 128", "text", check=parsing.value_list(*WIDTHS, whole=True)),
    config_choice("gen_activation", "act", "Hidden activation", "activation", default="tanh"),
    config_choice("gen_optimizer", "opt", "Optimizer", "optimizer", default="adam"),
    learning_rate("gen_lr", 0.01),
    *studies.training_settings(PAGE, epochs=1000, per="setting", seeds=3),
]  # fmt: skip
INTRO = (
    "Every other page scores a network on the points it trained on: how well it *memorizes*. "
    "Here part of a noisy data set (the test fraction; half by default) is held out, drawn "
    "hollow on the Train page, and scored as the network trains. A network large enough to "
    "fit the noise does ever better on its training points and worse on new ones; an L2 "
    "penalty (l2/2 · Σ W²) keeps the weights small and the boundary smooth — up to a point, "
    "after which it flattens the network entirely. Two hidden layers, several seeds per "
    "setting."
)

state.page_start(PAGE, "Generalization", INTRO, SETTINGS)
s = st.session_state
X, y, _ = data.load_or_stop(PAGE)
X, y, X_test, y_test = data.held_out(PAGE, X, y)
if len(X_test) == 0:
    st.info("Set a test fraction above 0: this page compares training with held-out points.")
    st.stop()
rates = views.listed_values(s.gen_rates, "L2 rates", *RATES)
widths = views.listed_values(s.gen_widths, "Widths", *WIDTHS, whole=True)
base = studies.base_config(SETTINGS)
st.caption(f"{len(X)} training points, {len(X_test)} held-out test points.")

st.header("L2 regularization")
penalized = [
    studies.arm(f"{rate:g}", base.replace(hidden=(s.gen_width,) * 2, l2=rate), s.gen_seeds,
                **{"L2 rate": rate})
    for rate in rates
]  # fmt: skip
if studies.ready_to_run(penalized, X, y, (X_test, y_test)):
    results = studies.run_arms(X, y, penalized, "Training every L2 rate…", (X_test, y_test))
    table = frames.summary_table(results, "L2 rate")
    st.markdown(
        "\n".join(f"- {line}" for line in findings.describe_generalization(table, "L2 rate"))
    )
    curves = frames.curves_frame(results, "L2 rate")
    left, right = st.columns(2)
    band = study_charts.band_chart(curves, "loss", "L2 rate", "Loss per L2 rate")
    left.altair_chart(band, width="stretch")
    bars = study_charts.split_bars(table, "L2 rate", "Final accuracy per L2 rate")
    right.altair_chart(bars, width="stretch")
    views.show_table(table)

st.header("Width, without regularization")
wide = [
    studies.arm(str(w), base.replace(hidden=(w, w)), s.gen_seeds, **{"hidden units": w})
    for w in widths
]
if studies.ready_to_run(wide, X, y, (X_test, y_test)):
    results = studies.run_arms(X, y, wide, "Training every width…", (X_test, y_test))
    table = frames.summary_table(results, "hidden units")
    lines = findings.describe_generalization(table, "hidden units")
    st.markdown("\n".join(f"- {line}" for line in lines))
    left, right = st.columns(2)
    bars = study_charts.split_bars(table, "hidden units", "Final accuracy per width")
    left.altair_chart(bars, width="stretch")
    curves = frames.curves_frame(results, "hidden units")
    band = study_charts.band_chart(curves, "accuracy", "hidden units", "Accuracy per width")
    right.altair_chart(band, width="stretch")
    views.show_table(table)
    views.download_table(table, "generalization_study")
