"""Live training on the Train page: play, pause, step and reset the session's own Trainer.

The trainer lives in the session (never in a shared cache). While playing, a fragment
reruns every TICK_SECONDS: it trains for at most SLICE_SECONDS (so one live session takes
at most about a third of a core) and redraws. It pauses itself after the config's
epochs, on divergence, and after IDLE_SECONDS without interaction; when the tab goes
away the browser stops asking for reruns, so training stops with it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

from dashboard import charts, frames, views
from dashboard.state import Setting
from mlp import TrainConfig, Trainer

TICK_SECONDS = 0.2  # the live view redraws this often while playing
SLICE_SECONDS = 0.06  # at most this much training per redraw
IDLE_SECONDS = 600  # a session nobody touched this long pauses
FIRST_PIECE = 8  # epochs trained before the per-epoch time is known


@dataclass
class LiveRun:
    """A session's live training: its trainer and the play state around it."""

    key: tuple  # the data and every setting that needs a fresh network
    trainer: Trainer
    playing: bool = False
    owed: float = 0.0  # epochs owed at a slow speed, carried from tick to tick
    last_tick: float = field(default_factory=time.perf_counter)
    last_touch: float = field(default_factory=time.perf_counter)
    epochs_per_second: float = 0.0  # measured over the last tick
    paused_because: str = ""
    presses: int = 0  # button actions taken; a button acts only on the state it was drawn on

    def press(self, drawn_at: int, action: Callable[[], None]) -> None:
        """Take a button's action once. Streamlit 1.67 can dispatch one click twice when a
        fragment tick arrives during the click's callbacks (seen: Pause, then Play again)."""
        if drawn_at == self.presses:
            self.presses += 1
            action()

    def toggle(self) -> None:
        self.playing, self.paused_because = not self.playing, ""
        self.last_tick = time.perf_counter()

    def step(self, epochs: int) -> None:
        self.playing = False
        self.trainer.run(epochs)

    def advance(self, speed: int) -> None:
        """Train what the speed (epochs per second; 0: as fast as allowed) owes since the
        last tick, within SLICE_SECONDS."""
        now = time.perf_counter()
        elapsed, self.last_tick = now - self.last_tick, now
        want = np.inf
        if speed:
            self.owed = min(self.owed + speed * elapsed, speed * 2 * TICK_SECONDS)
            want = int(self.owed)
        deadline, ran, piece = now + SLICE_SECONDS, 0, FIRST_PIECE
        while ran < want and not self.trainer.done and time.perf_counter() < deadline:
            began = time.perf_counter()
            count = self.trainer.run(int(min(piece, want - ran)))
            ran += count
            per_epoch = (time.perf_counter() - began) / max(count, 1)
            piece = max(1, int((deadline - time.perf_counter()) / max(per_epoch, 1e-7)))
        self.owed = max(0.0, self.owed - ran) if speed else 0.0
        self.epochs_per_second = ran / max(elapsed, 1e-9)
        self.pause_if_due()

    def pause_if_due(self) -> None:
        trainer = self.trainer
        if trainer.diverged:
            self.paused_because = (
                f"Diverged at epoch {trainer.epoch:,}: the loss or a gradient became infinite "
                f"or NaN. Reset, then try {views.divergence_advice(trainer.config)}."
            )
        elif trainer.done:
            self.paused_because = f"Reached the last epoch ({trainer.config.epochs:,})."
        elif time.perf_counter() - self.last_touch > IDLE_SECONDS:
            self.paused_because = f"Paused after {IDLE_SECONDS // 60} minutes without a touch."
        if self.paused_because:
            self.playing = False


def live_run(key: tuple, X: np.ndarray, y: np.ndarray, config: TrainConfig, test) -> LiveRun:
    """The session's live run for these settings: a new one (epoch 0) when the data or the
    network changed; the learning rate and optimizer carry over into the running one."""
    state = st.session_state
    run = state.get("train_live")
    if run is None or run.key != key:
        run = state.train_live = LiveRun(key, Trainer(X, y, config, test))
    elif (run.trainer.config.lr, run.trainer.config.optimizer) != (config.lr, config.optimizer):
        run.trainer.adjust(lr=config.lr, optimizer=config.optimizer)
    run.last_touch = time.perf_counter()
    return run


def reset() -> None:
    st.session_state.pop("train_live", None)


def controls(run: LiveRun, speed_setting: Setting, step_setting: Setting) -> None:
    """Play/Pause, Step (k epochs), Reset and the speed, in one row."""
    play, step, count, again, speed = st.columns([1, 1, 1, 1, 2], vertical_alignment="bottom")
    label = "Pause" if run.playing else "Play"
    once = {"on_click": run.press, "disabled": run.trainer.done}
    play.button(label, type="primary", args=(run.presses, run.toggle), **once)
    step.button(
        "Step",
        args=(run.presses, lambda: run.step(st.session_state.train_step_epochs)),
        **once,
        help="Train this many epochs, then pause",
    )
    with count:
        step_setting.draw()
    again.button("Reset", on_click=reset, help="Back to epoch 0: the seed's initial weights")
    with speed:
        speed_setting.draw()


def page(data_key: tuple, X: np.ndarray, y: np.ndarray, config: TrainConfig, test,
         speed: Setting, step: Setting) -> None:  # fmt: skip
    """The Train page in live mode: the controls (with the page's `speed` and `step`
    settings), a word on what resets, the live view."""
    run = live_run((data_key, config.replace(lr=1.0, optimizer="sgd")), X, y, config, test)
    controls(run, speed, step)
    st.caption(
        "A new learning rate or optimizer applies from the next epoch, on the same weights; "
        "any other knob starts again from epoch 0 (the seed's initial weights)."
    )
    show(run, X, y, test)


def show(run: LiveRun, X: np.ndarray, y: np.ndarray, test) -> None:
    """The live view; while playing, a fragment advances the trainer and redraws it."""

    @st.fragment(run_every=TICK_SECONDS if run.playing else None)
    def live_view() -> None:
        was_playing = run.playing
        if run.playing:
            run.advance(st.session_state.train_speed)
        if was_playing and not run.playing:
            st.rerun()  # the whole page: the button says Play again, the ticking stops
        draw(run, X, y, test)

    live_view()


def draw(run: LiveRun, X: np.ndarray, y: np.ndarray, test) -> None:
    """Epoch, loss and accuracy (training and test); the boundary with the points (test
    points hollow); the curves; the weights."""
    record = run.trainer.record()
    network = record.network
    points = frames.split_points(network, X, y, *test)
    correct = points["result"] == "correct"
    tested = (points["set"] == "test").any()
    columns = st.columns(5 if tested else 4)
    columns[0].metric("Epoch", f"{run.trainer.epoch:,}")
    columns[1].metric("Loss", f"{network.loss(X, y, record.config.loss):.4g}")
    columns[2].metric("Training accuracy", f"{correct[points['set'] == 'training'].mean():.1%}")
    if tested:
        columns[3].metric("Test accuracy", f"{correct[points['set'] == 'test'].mean():.1%}")
    trainer = run.trainer
    stopped = "diverged" if trainer.diverged else "finished" if trainer.done else "paused"
    state = f"{run.epochs_per_second:,.0f} epochs/s" if run.playing else stopped
    columns[-1].metric("Playing" if run.playing else "Status", state)
    if run.paused_because:
        st.info(run.paused_because)
    left, middle, right = st.columns(3)
    views.boundary(left, network, points, "Decision boundary now")
    grads = frames.grad_norm_frame(record)
    if record.epochs_run and (grads["norm"] > 0).any():
        history = frames.history_frame(record)
        views.redraw(middle, charts.loss_chart, history, tested=bool(len(record.test_epochs)))
        views.redraw(right, charts.grad_norm_lines, grads, title="Gradient flow: ‖∂L/∂W‖")
    else:
        waiting = "Press Play or Step" if record.epochs_run == 0 else "No gradient left"
        middle.altair_chart(charts.message_chart(waiting, "Loss"), width="stretch")
        right.altair_chart(charts.message_chart(waiting, "Gradient flow"), width="stretch")
    title = views.network_title("Weights now", network)
    views.redraw(st, charts.network_chart, *frames.network_frames(network), title=title)
