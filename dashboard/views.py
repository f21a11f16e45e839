"""Views shared by the pages: a run's headline numbers and its prediction figures."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import altair as alt
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import charts, frames, study_charts
from dashboard.parsing import parse_values
from mlp import MLP, RunRecord, TrainConfig
from mlp.activations import get_activation
from mlp.console_log import lab_log


@dataclass(frozen=True)
class RunPlaces:
    """Where the Train page shows a run, top to bottom, laid out while it trains: its
    progress, its numbers and epoch slider, and the figure row (ground truth | prediction |
    boundary)."""

    progress: DeltaGenerator
    numbers: DeltaGenerator
    figures: list[DeltaGenerator]


def run_places(X, y, X_test, y_test) -> RunPlaces:
    """The places of a run, with the ground truth drawn at once: the data need no network,
    so they show while the run trains."""
    progress, numbers, figures = st.container(), st.container(), st.columns(3)
    truth = frames.ground_truth(X, y, X_test, y_test)
    redraw(figures[0], charts.points_chart, truth, color="label", title="Ground truth")
    return RunPlaces(progress, numbers, figures)


def finished_run(places: RunPlaces, record: RunRecord, run: Hashable, X, y, X_test, y_test
                 ) -> tuple[MLP, int]:  # fmt: skip
    """A finished run (`run` names it: its data and config) in its places: its numbers;
    the prediction and the decision boundary at the epoch the slider picks (a new run's
    last); the curves; that epoch's weights; the lab's log and downloads. Returns the
    network at that epoch, and the epoch."""
    with places.numbers:
        metrics(record)
        divergence_warning(record)
        epoch = epoch_slider(record, run)
    network = record.network_at(epoch)
    points = frames.split_points(network, X, y, X_test, y_test)
    prediction(places.figures[1], points, epoch)
    boundary(places.figures[2], network, points, f"Decision boundary at epoch {epoch:,}")
    history = frames.history_frame(record)
    left, middle, right = st.columns(3)
    tested = len(record.test_epochs) > 0
    redraw(left, charts.loss_chart, history, tested=tested)
    redraw(middle, charts.accuracy_chart, history, tested=tested)
    grad_norms(right, frames.grad_norm_frame(record), "Gradient flow: ‖∂L/∂W‖ per layer")
    weights(network, epoch)
    log = st.expander("Console log (the lab's output)", key="train_log", on_change="rerun")
    if log.open:  # drawn once opened: a browser spends ~0.4 s of CPU loading a code view
        log.code(lab_log(record), language=None)
    downloads(record)
    return network, epoch


def epoch_slider(record: RunRecord, run: Hashable) -> int:
    """The snapshot epoch the figures show: a new run shows its last, until the visitor
    replays another (kept while the same run is shown again, e.g. the log opened)."""
    state, epochs = st.session_state, [int(e) for e in record.snapshot_epochs]
    if state.get("train_replay_run") != run or state.get("train_replay") not in epochs:
        state.train_replay_run = run
        state.train_replay = epochs[-1]
    return st.select_slider(
        "Epoch shown (the weights after that many updates): drag to replay the training",
        epochs,
        key="train_replay",
    )


def weights(network: MLP, epoch: int) -> None:
    """The network's weights at `epoch`, and a way into one update of that very network."""
    chart, note = st.columns([2, 1], vertical_alignment="center")
    title = network_title(f"Weights at epoch {epoch:,}", network)
    redraw(chart, charts.network_chart, *frames.network_frames(network), title=title)
    note.caption(
        "One line per weight: its colour is the sign, its width the size. Drag the epoch "
        "slider above to watch them change, or step through one update of this network, "
        "every number shown:"
    )
    note.page_link(
        "app_pages/backprop.py",
        label="Backprop, step by step",
        icon=":material/calculate:",
        query_params={"net": "train"},
    )


def network_title(text: str, network: MLP) -> alt.Title | str:
    """A network drawing's title, with what the drawing leaves out as its subtitle."""
    left_out = frames.units_left_out(network.sizes)
    return alt.Title(text, subtitle=left_out) if left_out else text


def downloads(record: RunRecord) -> None:
    """The run record (.npz), its history (.csv) and its config (.json)."""

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
    config = json.dumps(record.config.to_dict(), indent=2)
    columns[2].download_button("Config (.json)", config, "config.json", on_click="ignore")


def listed_values(text: str, what: str, low: float, high: float, whole: bool = False) -> list:
    """The values of a comma-separated setting; otherwise an error naming it, and the page stops."""
    try:
        return parse_values(text, low, high, whole)
    except ValueError as reason:
        st.error(f"{what}: {reason}.")
        st.stop()


UNBOUNDED = ("identity", "relu", "leaky_relu")  # f grows with z


def divergence_warning(record: RunRecord) -> None:
    if record.diverged:
        st.warning(
            f"**Training diverged at epoch {record.stopped_epoch:,}**: the loss or a gradient "
            "became infinite or NaN, so training stopped there. The charts show the epochs "
            f"before it. Try {divergence_advice(record.config)}.",
            icon=":material/warning:",
        )


def divergence_advice(config: TrainConfig) -> str:
    """What to try after a divergence: a smaller rate, and bounded activations in place of
    this network's unbounded ones."""
    advice = ["a learning rate 10× smaller"]
    hidden, output = config.activation, config.output_activation
    if hidden in UNBOUNDED:
        instead = get_activation(hidden).label
        advice.append(f"a bounded hidden activation (sigmoid, tanh) instead of {instead}")
    if output in UNBOUNDED:
        advice.append(f"a sigmoid output instead of {get_activation(output).label}")
    return ", or ".join(advice)


def metrics(record: RunRecord) -> None:
    """Final loss, training and test accuracy side by side, when 100% came, epochs, time."""
    first = record.first_perfect_epoch
    tested = len(record.test_accuracy) > 0
    columns = st.columns(6 if tested else 5)
    columns[0].metric("Final loss", f"{record.final_loss:.3g}")
    columns[1].metric("Training accuracy", f"{record.final_accuracy:.1%}")
    if tested:
        columns[2].metric("Test accuracy", f"{record.test_accuracy[-1]:.1%}")
    rest = columns[-3:]
    rest[0].metric("100% accuracy at epoch", "never" if first is None else f"{first:,}")
    rest[1].metric("Epochs run", f"{record.epochs_run:,}")
    rest[2].metric("Wall time", f"{record.seconds:.2f} s")


def grad_norms(container, grads: pd.DataFrame, title: str) -> None:
    """One line per layer's ‖∂L/∂W‖, or a note where no gradient is positive."""
    if (grads["norm"] > 0).any():
        redraw(container, charts.grad_norm_lines, grads, title=title)
    else:
        container.altair_chart(charts.grad_norm_chart(grads, title), width="stretch")


def prediction(container, points: pd.DataFrame, epoch: int) -> None:
    """The prediction scatter at `epoch`, its subtitle counting the wrong training (and
    test) points: a line each, so that the title fits a third of the page."""
    wrong = points["result"] == "wrong"
    test = points["set"] == "test"
    training = f"{int((wrong & ~test).sum())} of {int((~test).sum())}"
    if test.any():
        held_out = f"{int((wrong & test).sum())} of {int(test.sum())}"
        counts = [f"training points: {training} wrong", f"test points (hollow): {held_out} wrong"]
    else:
        counts = [f"{training} points wrong"]
    title = alt.Title(f"Predict result at epoch {epoch:,}", subtitle=counts)
    redraw(container, charts.points_chart, points, color="predicted", title=title)


def boundary(container, network: MLP, points: pd.DataFrame, title: str) -> None:
    """The network's decision boundary over the points (training and test)."""
    grid = frames.grid_frame(network, points[["x1", "x2"]].to_numpy())
    redraw(container, charts.boundary_chart, grid, points, title=title)


# Vega-Lite specs of redrawn charts, without their data: built by Altair once per process
_TEMPLATES: dict[tuple, dict] = {}


def redraw(container, build: Callable[..., alt.TopLevelMixin], *frames: pd.DataFrame, **options):
    """container.vega_lite_chart of build(*frames, **options), for a chart drawn again and
    again with new frames of the same columns (every rerun of the Train page, the live view).

    Altair takes ~5–35 ms to build and validate a chart; here it does so once per process,
    and later calls only put the new frames (and the title, if given) in. `build` must draw
    the frames as given (filters as Vega-Lite transforms, not pandas), so each one can be
    swapped by name.
    """
    title = options.get("title")
    key = (build.__module__, build.__qualname__)
    key += tuple(sorted((k, v) for k, v in options.items() if k != "title"))
    if key not in _TEMPLATES:
        chart = build(*frames, **options)
        _name_frames(chart, frames)
        spec = chart.to_dict()
        spec.get("config", {}).pop("view", None)  # Altair's default size: Streamlit sizes it
        _TEMPLATES[key] = spec
    spec = copy.deepcopy(_TEMPLATES[key])
    spec["datasets"] = {f"frame{i}": frame for i, frame in enumerate(frames)}
    if title is not None:
        spec["title"] = title.to_dict() if isinstance(title, alt.Title) else title
    return container.vega_lite_chart(spec=spec, width="stretch")


def _name_frames(chart, frames) -> None:
    """Replace, in place, each DataFrame the chart (and its layers) holds by a reference
    to its position in `frames`: frame0, frame1, …"""
    data = getattr(chart, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame):
        position = next((i for i, f in enumerate(frames) if f is data), None)
        if position is None:
            raise ValueError("the chart draws a frame it was not given; filter in Vega-Lite")
        chart.data = alt.NamedData(name=f"frame{position}")
    for part in ("layer", "hconcat", "vconcat"):
        for child in getattr(chart, part, None) or []:
            _name_frames(child, frames)
    if isinstance(getattr(chart, "spec", None), alt.TopLevelMixin | alt.SchemaBase):
        _name_frames(chart.spec, frames)


def show_bands(results: dict, setting: str, per: str) -> None:
    """Loss and accuracy across seeds, side by side, one band per arm."""
    curves = frames.curves_frame(results, setting)
    left, right = st.columns(2)
    left.altair_chart(
        study_charts.band_chart(curves, "loss", setting, f"Loss per {per}"), width="stretch"
    )
    right.altair_chart(
        study_charts.band_chart(curves, "accuracy", setting, f"Accuracy per {per}"), width="stretch"
    )


def download_table(table: pd.DataFrame, name: str) -> None:
    st.download_button(
        "Summary table (.csv)",
        table.to_csv(index=False),
        f"{name}.csv",
        mime="text/csv",
        on_click="ignore",
    )


LARGEST_DRAWN = 2.0**53  # Streamlit's tables flag larger numbers as errors instead of drawing them
PERCENT = "percent"
# the summary table's columns as drawn: a header short enough for every column to fit at
# 1,400 px, the meaning on hover, and the number format (None: text)
COLUMNS = {
    "seeds": ("seeds", "Networks trained per row, one per seed", "%d"),
    "solved": ("solved", "Seeds that reached 100% training accuracy", "%d"),
    "diverged": ("diverged", "Seeds whose loss overflowed to inf or NaN", "%d"),
    "stalled": ("stalled", "Seeds whose loss stopped falling short of 100% accuracy", "%d"),
    "status": ("status", "diverged or stalled when every seed did, else trained", None),
    "diverged at": ("diverged at", "The first epoch at which a seed diverged", "%d"),
    "accuracy mean": ("accuracy", "Final training accuracy, mean over the seeds", PERCENT),
    "accuracy std": ("± std", "Final training accuracy, standard deviation", PERCENT),
    "test accuracy mean": ("test accuracy", "Final test accuracy, mean over the seeds", PERCENT),
    "test accuracy std": ("± std", "Final test accuracy, standard deviation", PERCENT),
    "gap (training − test)": ("gap", "Training − test accuracy (means)", PERCENT),
    "final loss mean": ("final loss", "Mean over the seeds; — past 9·10¹⁵ (diverged)", "%.4g"),
    frames.SOLVED_AT: ("epochs to 100%", "Median over the seeds that got there", "%d"),
    frames.COST: ("CPU s per run", "CPU time of one run, mean over the seeds", "%.3f"),
}


def show_table(table: pd.DataFrame, more_columns: dict | None = None) -> None:
    """A study's summary table as it fits the page: short headers (the meaning on hover;
    `more_columns` as COLUMNS, for a page's own), "diverged at" and "epochs to 100%" only
    when a seed diverged or got there, "—" where a value does not exist or is too large to
    draw (a diverged seed's loss; the CSV keeps it)."""
    when_any = ("diverged at", frames.SOLVED_AT)  # all empty says no more than the counts
    shown = [c for c in table.columns if c not in when_any or table[c].notna().any()]
    loss = table["final loss mean"]
    st.dataframe(
        table.assign(**{"final loss mean": loss.where(loss <= LARGEST_DRAWN)}),
        height="content",  # every arm in view: a dozen rows at most
        hide_index=True,
        column_order=shown,
        placeholder="—",
        column_config={
            name: _column(*drawn) for name, drawn in (COLUMNS | (more_columns or {})).items()
        },
    )


def _column(label: str, meaning: str, number_format: str | None):
    if number_format is None:
        return st.column_config.Column(label, help=meaning)
    return st.column_config.NumberColumn(label, help=meaning, format=number_format)


def report_beside_ours(report: str, ours: Sequence[str]) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown("**The lab report found** (one run each)")
        st.markdown(report)
    with right:
        st.markdown("**Our runs say** (computed from the runs below)")
        st.markdown("\n".join(f"- {sentence}" for sentence in ours))
