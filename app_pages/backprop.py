"""Backprop, step by step: every number of one update of a small network, and its proof."""

import json

import numpy as np
import streamlit as st

from dashboard import data, state, step_views, stepwise
from dashboard.state import Setting, config_choice, learning_rate
from mlp import TrainConfig, reference
from mlp.losses import REDUCTION_LABELS
from mlp.network import init_params

PAGE = "bp"
SOURCES = {"small": "a small network (set below)", "train": "the Train page's network"}
BATCHES = {"all": "the whole data set", "point": "one point"}
MAX_PARAMS = 2_000  # finite differences of every parameter stay well under a second
MAX_POINTS = 2_000
trained = st.session_state.get("train_network")  # set by the Train page
CHANGEABLE = ("loss", "reduction", "optimizer", "lr")  # apply to the Train page's network too


def small(state) -> bool:
    return state["bp_source"] == "small" or trained is None


SETTINGS = [
    Setting("bp_source", "net", "Network", "small", "radio", list(SOURCES), labels=SOURCES,
            section="Network"),
    *state.only_when([
        Setting("bp_layers", "layers", "Hidden layers", 2, "slider", low=1, high=3),
        Setting("bp_units", "units", "Units per hidden layer", 3, "slider", low=1, high=6),
        config_choice("bp_activation", "act", "Hidden activation", "activation"),
        config_choice("bp_output", "out", "Output activation", "output_activation"),
        config_choice("bp_init", "init", "Weight init", "init"),
        Setting("bp_seed", "seed", "Seed (initial weights)", 0, "number", low=0,
                high=2**32 - 1, step=1, field="seed"),
        *data.settings(PAGE, section="Data"),
    ], small),
    config_choice("bp_loss", "loss", "Loss", "loss", section="This step"),
    config_choice("bp_reduction", "grad", "Gradient convention", "reduction", kind="radio",
                  labels=REDUCTION_LABELS),
    config_choice("bp_optimizer", "opt", "Optimizer", "optimizer"),
    learning_rate("bp_lr"),
    Setting("bp_batch", "batch", "Batch", "all", "radio", list(BATCHES), labels=BATCHES),
    Setting("bp_point", "point", "Which point", 0, "number", low=0, high=MAX_POINTS - 1, step=1,
            shown=lambda state: state["bp_batch"] == "point"),
    # the chain rule's weight: drawn by the page, whose choices depend on the network
    Setting("bp_w_layer", "w_layer", "Weight of layer", 1, "select", low=1, high=4,
            in_sidebar=False),
    Setting("bp_w_from", "w_from", "From", 1, "select", low=1, high=512, in_sidebar=False),
    Setting("bp_w_to", "w_to", "To", 1, "select", low=1, high=512, in_sidebar=False),
]  # fmt: skip

INTRO = (
    "One update of a network, with every number: the forward pass keeps each layer's "
    "pre-activation z and activation a; the backward pass sends the error δ from the output "
    "back, layer by layer; each gradient sits beside its finite-difference estimate — the "
    "proof that backprop computed it right. Every number comes from `mlp/reference.py`, the "
    "readable engine the fast one is tested against."
)
state.page_start(PAGE, "Backprop, step by step", INTRO, SETTINGS)
s = st.session_state

if s.bp_source == "train" and trained is None:
    st.info("Train a network on the Train page first; until then this page uses a small one.")
if not small(s):
    X, y = trained.X, trained.y
    base = trained.config
    start, origin = trained.params, f"the Train page's network at epoch {trained.epoch:,}"
else:
    X, y, _ = data.load_or_stop(PAGE)
    base = TrainConfig(
        hidden=(s.bp_units,) * s.bp_layers,
        **{k: v for k, v in state.config_values(SETTINGS).items() if k not in CHANGEABLE},
    )
    start = init_params(base.sizes(), s.bp_init, np.random.default_rng(s.bp_seed))
    origin = f"initial weights of seed {s.bp_seed}"
try:
    config = base.replace(
        **{k: v for k, v in state.config_values(SETTINGS).items() if k in CHANGEABLE}
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

point = s.bp_point if s.bp_point < len(X) else 0
if s.bp_batch == "point" and point != s.bp_point:
    st.info(f"Point {s.bp_point} does not exist here (0–{len(X) - 1}); showing point 0.")
rows = np.arange(len(X)) if s.bp_batch == "all" else np.array([point])
Xb, yb = X[rows], y[rows]
step = reference.backprop(params, Xb, yb, config)
numeric = stepwise.finite_differences(params, Xb, yb, config)
smallest = stepwise.resolution(step, config, len(Xb))
sizes = config.sizes()
st.caption(
    f"Network {' → '.join(map(str, sizes))} ({config.activation}, output "
    f"{config.output_activation}), {origin}, after {len(walk.losses) - 1} step(s) taken "
    f"here; batch: {len(rows)} point(s)."
)

st.header("Forward")
step_views.forward(step, params, config, rows)
step_views.output(step, Xb, yb, rows)

st.header("Backward")
checks = step_views.backward(step, numeric, rows, config.features, smallest)
verdict = stepwise.verdict(checks, smallest, stepwise.near_kinks(step, config, rows))
say = {"success": st.success, "info": st.info, "warning": st.warning, "error": st.error}
say[verdict.level](verdict.text)

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
step_views.diagram(step, config.features)
st.download_button(
    "Every number of this step, full precision (.json)",
    json.dumps(stepwise.step_numbers(config, rows, step, numeric, params)),
    "step.json",
    on_click="ignore",
)
