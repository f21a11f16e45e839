"""Backprop, step by step: every number of one update of a small network, and its proof."""

import json

import numpy as np
import streamlit as st

from dashboard import data, state, step_views, stepwise
from dashboard.state import LEARNING_RATES, Setting, choice, integer, nearest
from mlp import TrainConfig, reference
from mlp.activations import ACTIVATIONS
from mlp.losses import LOSSES, REDUCTION_LABELS
from mlp.network import INITS, init_params
from mlp.optimizers import OPTIMIZERS

PAGE = "bp"
SOURCES = {"small": "a small network (set below)", "train": "the Train page's network"}
BATCHES = {"all": "the whole data set", "point": "one point"}
MAX_PARAMS = 2_000  # finite differences of every parameter stay well under a second
MAX_POINTS = 2_000
SETTINGS = [
    Setting("bp_source", "net", "small", choice(list(SOURCES))),
    *data.settings(PAGE),
    Setting("bp_layers", "layers", 2, integer(1, 3)),
    Setting("bp_units", "units", 3, integer(1, 6)),
    Setting("bp_activation", "act", "sigmoid", choice(list(ACTIVATIONS))),
    Setting("bp_output", "out", "sigmoid", choice(list(ACTIVATIONS))),
    Setting("bp_loss", "loss", "mse", choice(list(LOSSES))),
    Setting("bp_reduction", "grad", "mean", choice(list(REDUCTION_LABELS))),
    Setting("bp_optimizer", "opt", "sgd", choice(list(OPTIMIZERS))),
    Setting("bp_lr", "lr", 1.0, nearest(LEARNING_RATES)),
    Setting("bp_init", "init", "normal", choice(INITS)),
    Setting("bp_seed", "seed", 0, integer(0, 2**32 - 1)),
    Setting("bp_batch", "batch", "all", choice(list(BATCHES))),
    Setting("bp_point", "point", 0, integer(0, MAX_POINTS - 1)),
    Setting("bp_w_layer", "w_layer", 1, integer(1, 4)),
    Setting("bp_w_from", "w_from", 1, integer(1, 512)),
    Setting("bp_w_to", "w_to", 1, integer(1, 512)),
]
trained = st.session_state.get("train_network")  # set by the Train page

notes = state.init(PAGE, SETTINGS)
s = st.session_state
with st.sidebar:
    st.header("Network")
    st.radio("Network", list(SOURCES), format_func=SOURCES.get, key="bp_source")
    if s.bp_source == "small" or trained is None:
        st.slider("Hidden layers", 1, 3, key="bp_layers")
        st.slider("Units per hidden layer", 1, 6, key="bp_units")
        st.selectbox("Hidden activation", list(ACTIVATIONS), key="bp_activation")
        st.selectbox("Output activation", list(ACTIVATIONS), key="bp_output")
        st.selectbox("Weight init", INITS, key="bp_init")
        st.number_input("Seed (initial weights)", 0, 2**32 - 1, step=1, key="bp_seed")
        st.header("Data")
        data.widgets(PAGE)
    st.header("This step")
    st.selectbox("Loss", list(LOSSES), key="bp_loss")
    st.radio(
        "Gradient convention",
        list(REDUCTION_LABELS),
        format_func=REDUCTION_LABELS.get,
        key="bp_reduction",
    )
    st.selectbox("Optimizer", list(OPTIMIZERS), key="bp_optimizer")
    st.select_slider("Learning rate", LEARNING_RATES, format_func=lambda v: f"{v:g}", key="bp_lr")
    st.radio("Batch", list(BATCHES), format_func=BATCHES.get, key="bp_batch", horizontal=True)
state.write_url(SETTINGS)

st.title("Backprop, step by step")
st.markdown(
    "One update of a network, with every number: the forward pass keeps each layer's "
    "pre-activation z and activation a; the backward pass sends the error δ from the output "
    "back, layer by layer; each gradient sits beside its finite-difference estimate — the "
    "proof that backprop computed it right. Every number comes from `mlp/reference.py`, the "
    "readable engine the fast one is tested against."
)
state.show_notes(notes)

if s.bp_source == "train" and trained is None:
    st.info("Train a network on the Train page first; until then this page uses a small one.")
if s.bp_source == "train" and trained is not None:
    X, y = trained.X, trained.y
    base = trained.config
    start, origin = trained.params, f"the Train page's network at epoch {trained.epoch:,}"
else:
    loaded = data.load(PAGE)
    if loaded is None:
        st.stop()
    X, y, _ = loaded
    base = TrainConfig(
        hidden=(s.bp_units,) * s.bp_layers,
        activation=s.bp_activation,
        output_activation=s.bp_output,
        init=s.bp_init,
        seed=s.bp_seed,
    )
    start = init_params(base.sizes(X.shape[1]), s.bp_init, np.random.default_rng(s.bp_seed))
    origin = f"initial weights of seed {s.bp_seed}"
try:
    config = base.replace(
        loss=s.bp_loss, reduction=s.bp_reduction, optimizer=s.bp_optimizer, lr=s.bp_lr
    )
except ValueError as reason:
    st.error(f"These settings cannot train: {reason}.")
    st.stop()
n_params = sum(W.size + b.size for W, b in start)
if n_params > MAX_PARAMS or len(X) > MAX_POINTS:
    st.error(
        f"This network has {n_params:,} parameters on {len(X):,} points: too many numbers to "
        f"show. Use at most {MAX_PARAMS:,} parameters (fewer units or layers on the Train page)."
    )
    st.stop()


# the steps taken here; a new network, data or loss starts again (lr and optimizer do not)
walk_key = (origin, config.replace(lr=1.0, optimizer="sgd"), X.tobytes(), y.tobytes())
walk = s.get("bp_walk")
if walk is None or walk.key != walk_key or walk.optimizer.name != config.optimizer:
    walk = s.bp_walk = stepwise.Walk.start(walk_key, start, X, y, config)
walk.optimizer.lr = config.lr
params = walk.params

if s.bp_point >= len(X):
    st.info(f"Point {s.bp_point} does not exist here (0–{len(X) - 1}); showing point 0.")
    s.bp_point = 0
if s.bp_batch == "point":
    st.sidebar.number_input("Which point", 0, len(X) - 1, step=1, key="bp_point")
rows = np.arange(len(X)) if s.bp_batch == "all" else np.array([s.bp_point])
Xb, yb = X[rows], y[rows]
step = reference.backprop(params, Xb, yb, config)
numeric = stepwise.finite_differences(params, Xb, yb, config)
sizes = config.sizes(X.shape[1])
st.caption(
    f"Network {' → '.join(map(str, sizes))} ({config.activation}, output "
    f"{config.output_activation}), {origin}, after {len(walk.losses) - 1} step(s) taken "
    f"here; batch: {len(rows)} point(s)."
)

st.header("Forward")
step_views.forward(step, params, config, rows)
step_views.output(step, Xb, yb, rows)

st.header("Backward")
worst = step_views.backward(step, numeric, rows)
st.success(f"Largest relative difference between backprop and finite differences: {worst:.1e}.")

st.header("One weight's chain rule")
last = len(params)
s.bp_w_layer = min(s.bp_w_layer, last)
s.bp_w_from = min(s.bp_w_from, sizes[s.bp_w_layer - 1])
s.bp_w_to = min(s.bp_w_to, sizes[s.bp_w_layer])
pick = st.columns(3)
pick[0].selectbox("Weight of layer", range(1, last + 1), key="bp_w_layer")
source = "input x" if s.bp_w_layer == 1 else f"unit of h{s.bp_w_layer - 1}"
target = "ŷ" if s.bp_w_layer == last else f"unit of h{s.bp_w_layer}"
pick[1].selectbox(f"From {source}", range(1, sizes[s.bp_w_layer - 1] + 1), key="bp_w_from")
pick[2].selectbox(f"To {target}", range(1, sizes[s.bp_w_layer] + 1), key="bp_w_to")
weight = (s.bp_w_layer, s.bp_w_from - 1, s.bp_w_to - 1)
step_views.chain_rule(step, params, config, sizes, rows, weight)

st.header("The update")
after = stepwise.updated(params, step.grads, walk.optimizer)
loss_after = reference.backprop(after, Xb, yb, config).loss
step_views.update(step, params, after, loss_after, config, len(walk.losses) - 1)
buttons = st.columns([1, 1, 4])
buttons[0].button(
    "Take this step", type="primary", on_click=walk.take, args=(step.grads, X, y, config)
)
buttons[1].button("Reset", on_click=s.pop, args=("bp_walk",), help="Back to the first weights")
step_views.descent(walk.losses)

st.header("The network")
step_views.diagram(step)
st.download_button(
    "Every number of this step, full precision (.json)",
    json.dumps(stepwise.step_numbers(config, rows, step, numeric, params)),
    "step.json",
    on_click="ignore",
)
