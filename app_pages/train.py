"""Train: one network on one data set — change a knob, see what training did and why."""

from functools import partial

import streamlit as st

# dashboard.live, .views and .stepwise import pandas and Altair (~0.6 s on a fresh server):
# the page imports them where it needs them, after its run is queued, so a worker trains
# meanwhile
from dashboard import data, runs, state
from dashboard.state import Setting, config_choice, learning_rate
from mlp import TrainConfig
from mlp.config import MAX_EPOCHS
from mlp.estimate import estimate_seconds, record_megabytes
from mlp.features import NAMES as FEATURE_NAMES
from mlp.features import RAW
from mlp.features import check as check_features
from mlp.losses import REDUCTION_LABELS

BATCH_SIZES = ["full", 1, 2, 4, 8, 16, 32, 64, 128]
PENALTIES = {"none": None, "L1": "l1", "L2": "l2"}  # the choice → the TrainConfig field it sets
PENALTY_RATES = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]  # Playground's 1-3-10 steps
# cheaper runs train as soon as a knob changes; the whole record is cached
BUDGET = runs.Budget(auto_seconds=2.0, max_megabytes=40.0)
MODES = {"run": "Run to the end", "live": "Live: play, pause, step"}
LIVE_SPEEDS = {1: "1", 10: "10", 100: "100", 1000: "1,000", 0: "as fast as allowed"}  # epochs/s
MODE = Setting("train_mode", "mode", "Mode", "run", "radio", list(MODES), labels=MODES,
               in_sidebar=False)  # fmt: skip
# live mode's own, drawn beside its buttons
SPEED = Setting("train_speed", "speed", "Speed (epochs per second)", 100, "select_slider",
                list(LIVE_SPEEDS), labels=LIVE_SPEEDS, in_sidebar=False)  # fmt: skip
STEP = Setting("train_step_epochs", "step", "epochs per step", 1, "number", low=1, high=1000,
               step=1, in_sidebar=False)  # fmt: skip
SETTINGS = [
    MODE,
    *data.settings("train", allow_csv=True, section="Data"),
    data.test_setting("train"),
    Setting("train_layers", "layers", "Hidden layers", 2, "slider", low=1, high=6,
            section="Network"),
    Setting("train_units", "units", "Units per hidden layer", 20, "slider", low=1, high=512),
    config_choice("train_activation", "act", "Hidden activation", "activation"),
    config_choice("train_output", "out", "Output activation", "output_activation"),
    config_choice("train_init", "init", "Weight init", "init"),
    learning_rate("train_lr", section="Training"),
    Setting("train_epochs", "epochs", "Epochs", 10_000, "number", low=1, high=MAX_EPOCHS,
            step=1000, field="epochs"),
    Setting("train_seed", "seed", "Seed", 0, "number", low=0, high=2**32 - 1, step=1,
            field="seed"),
    config_choice("train_loss", "loss", "Loss", "loss"),
    config_choice("train_reduction", "grad", "Gradient convention", "reduction", kind="radio",
                  labels=REDUCTION_LABELS),
    config_choice("train_optimizer", "opt", "Optimizer", "optimizer"),
    Setting("train_batch", "batch", "Batch size", "full", "select", BATCH_SIZES),
    Setting("train_features", "features", "Input features", list(RAW), "pills", FEATURE_NAMES,
            check=lambda text: list(check_features(text.split(","))), section="Generalization"),
    Setting("train_reg", "reg", "Regularization", "none", "radio", list(PENALTIES)),
    Setting("train_reg_rate", "reg_rate", "Regularization rate", 0.01, "select_slider",
            PENALTY_RATES, shown=lambda state: state["train_reg"] != "none"),
    SPEED,
    STEP,
]  # fmt: skip

state.page_start("train", "Train a network", "", SETTINGS)
MODE.draw()
X, y, data_key = data.load_or_stop("train")
X, y, X_test, y_test = data.held_out("train", X, y)
data_key = (data_key, len(X_test))  # the data trained on: the set and its split
s = st.session_state
penalty = {PENALTIES[s.train_reg]: s.train_reg_rate} if s.train_reg != "none" else {}
try:
    config = TrainConfig(
        hidden=(s.train_units,) * s.train_layers,
        batch_size=None if s.train_batch == "full" else min(s.train_batch, len(X)),
        features=s.train_features,
        **penalty,
        **state.config_values(SETTINGS),
    )
except ValueError as reason:
    st.error(f"These settings cannot train: {reason}.")
    st.stop()

if s.train_mode == "live":
    from dashboard import live

    live.page(data_key, X, y, config, (X_test, y_test), SPEED, STEP)
    st.stop()

key = (data_key, config)
seconds = estimate_seconds(config, len(X))
knobs = "Lower the epochs, the units per layer or the number of layers."
megabytes = record_megabytes(config, len(X))
request = runs.Request(
    (runs.fingerprint(X, y, X_test, y_test), config),
    partial(runs.train_run, X, y, config, (X_test, y_test)),
    seconds,
)
if not runs.gate(key, seconds, megabytes, "training", knobs, BUDGET, [(request.key, seconds)]):
    st.stop()
jobs = runs.start_jobs([request])
from dashboard import stepwise, views  # noqa: E402 (see the imports above)

with runs.holding(jobs):
    places = views.run_places(X, y, X_test, y_test)  # the data, while the run trains
with places.progress:
    [record] = runs.run_jobs([request], "Training…", key, knobs)
network, epoch = views.finished_run(places, record, key, X, y, X_test, y_test)
s.train_network = stepwise.TrainedNetwork(
    config, [(W.copy(), b.copy()) for W, b in network.params], epoch, X, y
)
