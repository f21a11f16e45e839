"""What the four study pages share: arms (one compared setting × several seeds), running
them as one sweep, the summary table, the band curves, and sentences from the numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

import mlp
from dashboard import charts, runs
from dashboard.frames import evenly_spaced, grad_norm_frame, grid_frame
from dashboard.state import Setting, choice, integer
from mlp import MLP, RunRecord, TrainConfig, summarize
from mlp.cost import estimate_sweep_seconds, record_megabytes
from mlp.losses import REDUCTION_LABELS
from mlp.network import INITS
from mlp.summary import RunSummary, saturation

# a study's default sweep runs at once, with a progress bar; its records are transient
# (only their digest is cached), so it may hold more of them than the Train page
BUDGET = runs.Budget(auto_seconds=12.0, max_megabytes=100.0)
CACHE_SECONDS = 30 * 60  # cached studies expire: the server keeps little for long
BATCH_MEGABYTES = 25.0  # records trained at once before being digested
MAX_VALUES = 8


@dataclass(frozen=True)
class Arm:
    """One compared setting: how it is shown, and one config per seed."""

    label: str
    configs: tuple[TrainConfig, ...]


def arm(label: str, config: TrainConfig, seeds: int) -> Arm:
    return Arm(label, tuple(config.replace(seed=seed) for seed in range(seeds)))


def apply_preset(values: dict) -> None:
    """Button callback: set several widgets at once (before they are drawn)."""
    st.session_state.update(values)


def training_settings(prefix: str, epochs: int) -> list[Setting]:
    """Epochs, seeds, weight init and gradient convention: what every sweep page sets."""
    return [
        Setting(f"{prefix}_epochs", "epochs", epochs, integer(10, 200_000)),
        Setting(f"{prefix}_seeds", "seeds", 5, integer(1, 10)),
        Setting(f"{prefix}_init", "init", "normal", choice(INITS)),
        Setting(f"{prefix}_reduction", "grad", "mean", choice(list(REDUCTION_LABELS))),
    ]


def training_controls(prefix: str, per: str) -> None:
    """The widgets of `training_settings`, in the current container."""
    st.number_input("Epochs", 10, 200_000, step=500, key=f"{prefix}_epochs")
    st.slider(f"Seeds per {per}", 1, 10, key=f"{prefix}_seeds")
    st.selectbox("Weight init", INITS, key=f"{prefix}_init")
    st.radio(
        "Gradient convention",
        list(REDUCTION_LABELS),
        format_func=REDUCTION_LABELS.get,
        key=f"{prefix}_reduction",
    )


def show_bands(results: dict[str, ArmResult], setting: str, per: str) -> None:
    """Loss and accuracy across seeds, side by side, one band per arm."""
    curves = curves_frame(results, setting)
    left, right = st.columns(2)
    title = f"Loss per {per}: mean and min–max over seeds"
    left.altair_chart(charts.band_chart(curves, "loss", setting, title), width="stretch")
    right.altair_chart(
        charts.band_chart(curves, "accuracy", setting, f"Accuracy per {per}"), width="stretch"
    )


def value_list(low: float, high: float, whole: bool = False) -> Callable[[str], str]:
    """A URL/text check for comma-separated values, each in [low, high]."""

    def parse(text: str) -> str:
        parse_values(text, low, high, whole)
        return text

    return parse


def value_names(allowed: Sequence[str]) -> Callable[[str], str]:
    """A URL/text check for comma-separated names from `allowed`."""

    def parse(text: str) -> str:
        parse_names(text, allowed, strict=True)
        return text

    return parse


def parse_names(text: str, allowed: Sequence[str], strict: bool = False) -> list[str]:
    """'sigmoid, relu' → ['sigmoid', 'relu']; unknown names are an error if strict, else dropped
    (with a note on the page); at least one name always comes back."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown and strict:
        raise ValueError(f"unknown {', '.join(n[:20] for n in unknown)}; use {', '.join(allowed)}")
    if unknown:
        st.warning(
            f"Left out {', '.join(n[:20] for n in unknown)}: not one of {', '.join(allowed)}."
        )
    names = list(dict.fromkeys(name for name in names if name in allowed))[:MAX_VALUES]
    return names or [allowed[0]]


def parse_values(text: str, low: float, high: float, whole: bool = False) -> list[float]:
    """'100, 10, 1' → [100.0, 10.0, 1.0]; ValueError saying what is wrong."""
    values = []
    for item in text.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            value = float(item)
        except ValueError:
            raise ValueError(f"{item[:20]!r} is not a number") from None
        if not np.isfinite(value) or not low <= value <= high or (whole and value != int(value)):
            kind = "whole numbers" if whole else "numbers"
            raise ValueError(f"{item[:20]} is out of range: use {kind} from {low:g} to {high:g}")
        values.append(int(value) if whole else value)
    if not values:
        raise ValueError("list at least one value")
    if len(values) > MAX_VALUES:
        raise ValueError(f"list at most {MAX_VALUES} values")
    return list(dict.fromkeys(values))


def ready_to_run(arms: Sequence[Arm], n_points: int, n_datasets: int = 1) -> bool:
    """Run now, wait for a button, or refuse — by the estimated cost of the sweep."""
    configs = [c for a in arms for c in a.configs]
    seconds = estimate_sweep_seconds(configs, n_points) * n_datasets
    megabytes = sum(record_megabytes(c, n_points) for c in configs)  # one data set at a time
    st.caption(f"{len(configs) * n_datasets} networks, estimated {seconds:.1f} s of training.")
    knobs = "Lower the epochs or the number of seeds, or sweep fewer values."
    return runs.gate(run_key(arms, n_points), seconds, megabytes, "study", knobs, BUDGET)


def run_key(arms: Sequence[Arm], n_points: int) -> tuple:
    return tuple(c for a in arms for c in a.configs), n_points


@dataclass(frozen=True)
class ArmResult:
    """What a page shows of one arm, small enough to cache: each run's scalars, the curves
    across seeds (thinned), the norms of the first and last layer's gradient at the start
    and end of each run, and the median seed's network and gradient history (thinned)."""

    summaries: tuple[RunSummary, ...]
    curves: pd.DataFrame  # epoch, metric, mean, std, low, high, runs
    edge_norms: np.ndarray  # (runs, 2: start/end, 2: first/last layer); NaN: no epoch ran
    median_network: MLP
    median_predictions: np.ndarray
    median_grads: pd.DataFrame  # epoch, layer, norm
    median_grid: pd.DataFrame  # its decision boundary (frames.grid_frame)
    median_saturation: tuple[float, ...]  # per hidden layer (mlp.summary.saturation)


def digest(records: Sequence[RunRecord], max_points: int = 300) -> ArmResult:
    """Reduce the runs of one arm (on the same data) to what the study pages show."""
    curves, summaries = summarize(records)
    rows = evenly_spaced(len(curves.epochs), max_points)
    parts = [
        pd.DataFrame(
            {
                "epoch": curves.epochs[rows] + 1,  # epochs completed: log-axis friendly
                "metric": metric,
                "mean": getattr(curves, f"{metric}_mean")[rows],
                "std": getattr(curves, f"{metric}_std")[rows],
                "low": getattr(curves, f"{metric}_min")[rows],
                "high": getattr(curves, f"{metric}_max")[rows],
                "runs": curves.runs[rows],
            }
        )
        for metric in ("loss", "accuracy")
    ]
    edges = np.full((len(records), 2, 2), np.nan)
    for i, r in enumerate(records):
        if r.epochs_run:
            edges[i] = r.grad_norms[[0, -1]][:, [0, -1]]
    median = median_run(records)
    return ArmResult(
        summaries=tuple(summaries),
        curves=pd.concat(parts, ignore_index=True),
        edge_norms=edges,
        median_network=median.network,
        median_predictions=median.predictions,
        median_grads=grad_norm_frame(median),
        median_grid=grid_frame(median.network, median.X, steps=30),
        median_saturation=tuple(saturation(median.network, median.X)),
    )


@st.cache_data(max_entries=8, ttl=CACHE_SECONDS, show_spinner=False)
def study_results(
    X: np.ndarray, y: np.ndarray, arms: tuple[Arm, ...], _progress: runs.Progress
) -> dict[str, ArmResult]:
    """Every arm trained and digested. Arms go to `mlp.sweep` in batches of about
    BATCH_MEGABYTES of records, each digested before the next: full records never pile up."""
    total = sum(c.epochs for a in arms for c in a.configs)
    results, done = {}, 0
    for batch in _batches(arms, len(X)):
        configs = [c for a in batch for c in a.configs]
        records = mlp.sweep(
            X, y, configs, lambda d, _, base=done: _progress.update(base + d, total)
        )
        done += sum(c.epochs for c in configs)
        start = 0
        for a in batch:
            results[a.label] = digest(records[start : start + len(a.configs)])
            start += len(a.configs)
    return results


def _batches(arms: Sequence[Arm], n_points: int) -> list[list[Arm]]:
    """Consecutive arms, grouped so each group's records stay near BATCH_MEGABYTES."""
    batches, size = [[]], 0.0
    for a in arms:
        megabytes = sum(record_megabytes(c, n_points) for c in a.configs)
        if batches[-1] and size + megabytes > BATCH_MEGABYTES:
            batches.append([])
            size = 0.0
        batches[-1].append(a)
        size += megabytes
    return batches


def run_arms(X: np.ndarray, y: np.ndarray, arms: Sequence[Arm], label: str) -> dict[str, ArmResult]:
    """Train every arm's configs as one sweep (cached), with progress and Stop."""
    key = run_key(arms, len(X))
    return runs.with_progress(study_results, X, y, tuple(arms), label=label, key=key)


def summary_table(results: dict[str, ArmResult], setting: str = "setting") -> pd.DataFrame:
    """One row per arm: outcomes over its seeds, final accuracy and loss, speed, cost."""
    rows = []
    for label, result in results.items():
        summaries = result.summaries
        accuracy = np.array([s.final_accuracy for s in summaries])
        perfect = [s.epochs_to_perfect for s in summaries if s.epochs_to_perfect is not None]
        outcomes = [s.outcome for s in summaries]
        rows.append(
            {
                setting: label,
                "seeds": len(summaries),
                "solved": outcomes.count("solved"),
                "diverged": outcomes.count("diverged"),
                "stalled": outcomes.count("stalled"),
                "accuracy mean": _nanmean(accuracy),
                "accuracy std": float(np.nanstd(accuracy))
                if np.isfinite(accuracy).any()
                else np.nan,
                "final loss mean": _nanmean([s.final_loss for s in summaries]),
                "epochs to 100% (median)": float(np.median(perfect)) if perfect else np.nan,
                "seconds per run": float(np.mean([s.seconds for s in summaries])),
            }
        )
    return pd.DataFrame(rows)


def _nanmean(values) -> float:
    values = np.array(values, dtype=float)
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def curves_frame(results: dict[str, ArmResult], setting: str = "setting") -> pd.DataFrame:
    """Long form for band charts: setting, epoch, metric, mean, std, low, high, runs."""
    parts = [result.curves.assign(**{setting: label}) for label, result in results.items()]
    return pd.concat(parts, ignore_index=True)


def _seeds(count: int, n: int) -> str:
    return f"all {n} seeds" if count == n else f"{count} of {n} seeds"


def describe(label: str, summaries: Sequence[RunSummary]) -> str:
    """One sentence saying what the runs of one setting did, from their numbers only."""
    n = len(summaries)
    by_outcome = {
        outcome: [s for s in summaries if s.outcome == outcome]
        for outcome in ("solved", "diverged", "stalled", "learning")
    }
    parts = []
    if solved := by_outcome["solved"]:
        epochs = sorted(s.epochs_to_perfect for s in solved)
        spread = f"; {epochs[0]:,}–{epochs[-1]:,}" if len(epochs) > 1 else ""
        parts.append(
            f"{_seeds(len(solved), n)} reached 100% training accuracy, "
            f"after {int(np.median(epochs)):,} epochs (median{spread})"
        )
    if diverged := by_outcome["diverged"]:
        first = min(s.stopped_epoch for s in diverged)
        parts.append(f"{_seeds(len(diverged), n)} diverged (the first at epoch {first:,})")
    if stalled := by_outcome["stalled"]:
        loss = np.mean([s.final_loss for s in stalled])
        accuracy = np.mean([s.final_accuracy for s in stalled])
        plateau = f"loss ≈ {loss:.3g}, accuracy {accuracy:.0%}"
        parts.append(f"{_seeds(len(stalled), n)} stalled on a plateau ({plateau})")
    if learning := by_outcome["learning"]:
        accuracy = np.mean([s.final_accuracy for s in learning])
        parts.append(
            f"{_seeds(len(learning), n)} kept improving to the last epoch (accuracy {accuracy:.0%})"
        )
    return f"**{label}**: " + "; ".join(parts) + "."


def gradient_ratios(results: dict[str, ArmResult]) -> pd.DataFrame:
    """activation, when (start/end), ratio: ‖∂L/∂W_first‖ / ‖∂L/∂W_last‖, geometric mean over
    the seeds where both norms are positive (a dead layer has none)."""
    rows = []
    for label, result in results.items():
        for index, when in enumerate(("start", "end")):
            pairs = result.edge_norms[:, index]
            pairs = pairs[np.all(pairs > 0, axis=1)]  # NaN and 0 both fail
            ratio = (
                float(np.exp(np.mean(np.log(pairs[:, 0] / pairs[:, 1])))) if len(pairs) else np.nan
            )
            rows.append({"activation": label, "when": when, "ratio": ratio})
    return pd.DataFrame(rows)


def describe_ratios(ratios: pd.DataFrame) -> list[str]:
    """Sentences on how much smaller the first layer's gradient is than the last's."""
    sentences = []
    for name, rows in ratios.groupby("activation", sort=False):
        start, end = rows["ratio"].to_numpy()
        if not np.isfinite(start):
            sentences.append(f"**{name}**: no gradient reached the first layer (dead units).")
            continue
        size = f"{1 / start:,.3g}× smaller" if start < 1 else f"{start:,.3g}× larger"
        sentence = f"**{name}**: at the start the first layer's gradient is {size} than the last's"
        if np.isfinite(end):
            sentence += f"; at the end, {end:.3g} times the last's"
        sentences.append(sentence + ".")
    return sentences


def describe_all(results: dict[str, ArmResult]) -> list[str]:
    return [describe(label, result.summaries) for label, result in results.items()]


def median_run(records: Sequence[RunRecord]) -> RunRecord:
    """The seed whose final loss is the median (diverged runs count as worst)."""
    losses = [
        np.inf if r.diverged or not np.isfinite(r.final_loss) else r.final_loss for r in records
    ]
    return records[int(np.argsort(losses, kind="stable")[(len(records) - 1) // 2])]


def saturation_rows(result: ArmResult, dataset: str, label: str) -> list[dict]:
    """Rows for the saturation chart: one per hidden layer of the median seed's network."""
    bounded = result.median_network.activation in ("sigmoid", "tanh")
    return [
        {
            "dataset": dataset,
            "activation": label,
            "layer": f"layer {l + 1}",
            "share": share,
            "what": "saturated (f′ ≤ 0.01)" if bounded else "dead or off",
        }
        for l, share in enumerate(result.median_saturation)
    ]


def download_table(table: pd.DataFrame, name: str) -> None:
    st.download_button(
        "Summary table (.csv)",
        table.to_csv(index=False),
        f"{name}.csv",
        mime="text/csv",
        on_click="ignore",
    )


def show_table(table: pd.DataFrame) -> None:
    st.dataframe(
        table,
        hide_index=True,
        column_config={
            "accuracy mean": st.column_config.NumberColumn(format="percent"),
            "accuracy std": st.column_config.NumberColumn(format="percent"),
            "final loss mean": st.column_config.NumberColumn(format="%.4g"),
            "epochs to 100% (median)": st.column_config.NumberColumn(format="%d"),
            "seconds per run": st.column_config.NumberColumn(format="%.3f"),
        },
    )


def report_beside_ours(report: str, ours: Sequence[str]) -> None:
    left, right = st.columns(2)
    with left:
        st.markdown("**The lab report found** (one run each)")
        st.markdown(report)
    with right:
        st.markdown("**Our runs say** (computed from the runs below)")
        st.markdown("\n".join(f"- {sentence}" for sentence in ours))
