"""Train: one network on one data set — change a knob, see what training did and why."""

import io
import json

import streamlit as st

from dashboard import charts, data, frames, live, runs, state, stepwise, views
from dashboard.state import LEARNING_RATES, Setting, choice, integer, nearest
from mlp import TrainConfig
from mlp.activations import ACTIVATIONS
from mlp.cost import estimate_seconds, record_megabytes
from mlp.losses import LOSSES, REDUCTION_LABELS
from mlp.network import INITS
from mlp.optimizers import OPTIMIZERS
from mlp.report import lab_log

BATCH_SIZES = ["full", 1, 2, 4, 8, 16, 32, 64, 128]
# cheaper runs train as soon as a knob changes; the whole record is cached
BUDGET = runs.Budget(auto_seconds=2.0, max_megabytes=40.0)

MODES = {"run": "Run to the end", "live": "Live: play, pause, step"}
SETTINGS = [
    Setting("train_mode", "mode", "run", choice(list(MODES))),
    *data.settings("train", allow_csv=True),
    Setting("train_layers", "layers", 2, integer(1, 6)),
    Setting("train_units", "units", 20, integer(1, 512)),
    Setting("train_activation", "act", "sigmoid", choice(list(ACTIVATIONS))),
    Setting("train_output", "out", "sigmoid", choice(list(ACTIVATIONS))),
    Setting("train_init", "init", "normal", choice(INITS)),
    Setting("train_loss", "loss", "mse", choice(list(LOSSES))),
    Setting("train_reduction", "grad", "mean", choice(list(REDUCTION_LABELS))),
    Setting("train_optimizer", "opt", "sgd", choice(list(OPTIMIZERS))),
    Setting("train_lr", "lr", 1.0, nearest(LEARNING_RATES)),
    Setting("train_epochs", "epochs", 10_000, integer(1, 1_000_000)),
    Setting("train_batch", "batch", "full", choice(BATCH_SIZES)),
    Setting("train_seed", "seed", 0, integer(0, 2**32 - 1)),
    Setting("train_speed", "speed", 100, choice(list(live.SPEEDS))),
    Setting("train_step_epochs", "step", 1, integer(1, 1000)),
]

notes = state.init("train", SETTINGS)
with st.sidebar:
    st.header("Data")
    data.widgets("train", allow_csv=True)
    st.header("Network")
    st.slider("Hidden layers", 1, 6, key="train_layers")
    st.slider("Units per hidden layer", 1, 512, key="train_units")
    st.selectbox("Hidden activation", list(ACTIVATIONS), key="train_activation")
    st.selectbox("Output activation", list(ACTIVATIONS), key="train_output")
    st.selectbox("Weight init", INITS, key="train_init")
    st.header("Training")
    st.select_slider(
        "Learning rate", LEARNING_RATES, format_func=lambda v: f"{v:g}", key="train_lr"
    )
    st.number_input("Epochs", 1, 1_000_000, step=1000, key="train_epochs")
    st.number_input("Seed", 0, 2**32 - 1, step=1, key="train_seed")
    with st.expander("More: loss, gradient, optimizer, batch"):
        st.selectbox("Loss", list(LOSSES), key="train_loss")
        st.radio(
            "Gradient convention",
            list(REDUCTION_LABELS),
            format_func=REDUCTION_LABELS.get,
            key="train_reduction",
        )
        st.selectbox("Optimizer", list(OPTIMIZERS), key="train_optimizer")
        st.selectbox("Batch size", BATCH_SIZES, key="train_batch")
state.write_url(SETTINGS)

st.title("Train a network")
st.radio("Mode", list(MODES), format_func=MODES.get, key="train_mode", horizontal=True)
state.show_notes(notes)
loaded = data.load("train")
if loaded is None:
    st.stop()
X, y, data_key = loaded
s = st.session_state
try:
    config = TrainConfig(
        hidden=(s.train_units,) * s.train_layers,
        activation=s.train_activation,
        output_activation=s.train_output,
        loss=s.train_loss,
        reduction=s.train_reduction,
        optimizer=s.train_optimizer,
        lr=s.train_lr,
        epochs=s.train_epochs,
        batch_size=None if s.train_batch == "full" else min(s.train_batch, len(X)),
        init=s.train_init,
        seed=s.train_seed,
    )
except ValueError as reason:
    st.error(f"These settings cannot train: {reason}.")
    st.stop()

if s.train_mode == "live":
    run = live.live_run((data_key, config.replace(lr=1.0, optimizer="sgd")), X, y, config)
    live.controls(run)
    st.caption(
        "A new learning rate or optimizer applies from the next epoch, on the same weights; "
        "any other knob starts again from epoch 0 (the seed's initial weights)."
    )
    live.show(run, X, y)
    st.stop()

seconds = estimate_seconds(config, len(X))
knobs = "Lower the epochs, the units per layer or the number of layers."
megabytes = record_megabytes(config, len(X))
if not runs.gate((data_key, config), seconds, megabytes, "training", knobs, BUDGET):
    st.stop()
record = runs.with_progress(runs.train_run, X, y, config, label="Training…", key=(data_key, config))

views.metrics(record)
views.divergence_warning(record)
views.prediction_figures(record.network, X, y)

history = frames.history_frame(record)
left, middle, right = st.columns(3)
left.altair_chart(charts.loss_chart(history), width="stretch")
middle.altair_chart(charts.accuracy_chart(history), width="stretch")
right.altair_chart(charts.grad_norm_chart(frames.grad_norm_frame(record)), width="stretch")

st.subheader("Replay")
epochs = [int(e) for e in record.snapshot_epochs]
if s.get("train_replay") not in epochs:
    s.train_replay = epochs[-1]
epoch = st.select_slider("Epoch (weights after that many updates)", epochs, key="train_replay")
network = record.network_at(epoch)
s.train_network = stepwise.TrainedNetwork(
    config, [(W.copy(), b.copy()) for W, b in network.params], epoch, X, y
)
points = frames.points_frame(X, y, network.forward(X))
left, middle, right = st.columns(3)
left.altair_chart(views.prediction_chart(points, f" at epoch {epoch:,}"), width="stretch")
middle.altair_chart(
    views.boundary(network, X, points, f"Decision boundary at epoch {epoch:,}"), width="stretch"
)
network_view = charts.network_chart(*frames.network_frames(network), f"Weights at epoch {epoch:,}")
right.altair_chart(network_view, width="stretch")

with st.expander("Console log (the lab's output)"):
    st.code(lab_log(record), language=None)


def record_bytes() -> bytes:
    buffer = io.BytesIO()
    record.save(buffer)
    return buffer.getvalue()


columns = st.columns(3)
columns[0].download_button("Run record (.npz)", record_bytes, "run.npz", on_click="ignore")
columns[1].download_button(
    "History (.csv)",
    lambda: frames.history_table(record).to_csv(index=False),
    "history.csv",
    on_click="ignore",
)
columns[2].download_button(
    "Config (.json)", json.dumps(config.to_dict(), indent=2), "config.json", on_click="ignore"
)
