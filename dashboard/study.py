"""What the four study pages share: arms (one compared setting × several seeds), running
them as one sweep, the summary table, the band curves, and sentences from the numbers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import runs
from dashboard.frames import evenly_spaced
from dashboard.state import Setting, integer
from mlp import RunRecord, TrainConfig, summarize
from mlp.cost import estimate_sweep_seconds
from mlp.summary import RunSummary, saturation

AUTO_SECONDS = 12.0  # a study's default sweep runs at once, with a progress bar
MAX_SECONDS = 60.0  # more than this per click is refused, with the knob to turn
MAX_VALUES = 8
GRADIENTS = {
    "mean": "mean — the exact gradient of the mean loss",
    "sum": "sum — errors summed without 1/n, as the report's code did (n/2 × larger steps)",
}


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


def seeds_setting(prefix: str) -> Setting:
    return Setting(f"{prefix}_seeds", "seeds", 5, integer(1, 10))


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


def ready_to_run(arms: Sequence[Arm], n_points: int, page: str, n_datasets: int = 1) -> bool:
    """Decide from the estimated cost: run now, wait for a Run button, or refuse."""
    configs = [c for a in arms for c in a.configs]
    seconds = estimate_sweep_seconds(configs, n_points) * n_datasets
    networks = len(configs) * n_datasets
    st.caption(f"{networks} networks, estimated {seconds:.1f} s of training.")
    if seconds > MAX_SECONDS:
        st.error(
            f"This study would take about {seconds:,.0f} s, more than the {MAX_SECONDS:.0f} s one "
            "click may use here. Lower the epochs or the number of seeds, or sweep fewer values."
        )
        return False
    confirmed = st.session_state.setdefault(f"{page}_confirmed", set())
    key = (tuple(configs), n_points, n_datasets)
    if seconds > AUTO_SECONDS and key not in confirmed:
        st.info(f"This study takes about {seconds:.0f} s, so it waits for you.")
        if not st.button("Run the study", type="primary"):
            return False
        confirmed.add(key)
    return True


def run_arms(
    X: np.ndarray, y: np.ndarray, arms: Sequence[Arm], label: str
) -> dict[str, list[RunRecord]]:
    configs = tuple(c for a in arms for c in a.configs)
    records = runs.with_progress(runs.sweep_runs, X, y, configs, label=label)
    results, start = {}, 0
    for a in arms:
        results[a.label] = records[start : start + len(a.configs)]
        start += len(a.configs)
    return results


def summary_table(results: dict[str, list[RunRecord]], setting: str = "setting") -> pd.DataFrame:
    """One row per arm: outcomes over its seeds, final accuracy and loss, speed, cost."""
    rows = []
    for label, records in results.items():
        _, summaries = summarize(records)
        accuracy = np.array([s.final_accuracy for s in summaries])
        perfect = [s.epochs_to_perfect for s in summaries if s.epochs_to_perfect is not None]
        outcomes = [s.outcome for s in summaries]
        rows.append(
            {
                setting: label,
                "seeds": len(records),
                "solved": outcomes.count("solved"),
                "diverged": outcomes.count("diverged"),
                "stalled": outcomes.count("stalled"),
                "accuracy mean": np.nanmean(accuracy) if np.isfinite(accuracy).any() else np.nan,
                "accuracy std": np.nanstd(accuracy) if np.isfinite(accuracy).any() else np.nan,
                "final loss mean": _nanmean([s.final_loss for s in summaries]),
                "epochs to 100% (median)": float(np.median(perfect)) if perfect else np.nan,
                "seconds per run": float(np.mean([s.seconds for s in summaries])),
            }
        )
    return pd.DataFrame(rows)


def _nanmean(values) -> float:
    values = np.array(values, dtype=float)
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def curves_frame(
    results: dict[str, list[RunRecord]], setting: str = "setting", max_points: int = 300
) -> pd.DataFrame:
    """Long form: setting, epoch, metric (loss/accuracy), mean, std, low (min), high (max)."""
    parts = []
    for label, records in results.items():
        curves, _ = summarize(records)
        if not len(curves.epochs):
            continue
        rows = evenly_spaced(len(curves.epochs), max_points)
        for metric in ("loss", "accuracy"):
            parts.append(
                pd.DataFrame(
                    {
                        setting: label,
                        "epoch": curves.epochs[rows] + 1,  # epochs completed: log-axis friendly
                        "metric": metric,
                        "mean": getattr(curves, f"{metric}_mean")[rows],
                        "std": getattr(curves, f"{metric}_std")[rows],
                        "low": getattr(curves, f"{metric}_min")[rows],
                        "high": getattr(curves, f"{metric}_max")[rows],
                        "runs": curves.runs[rows],
                    }
                )
            )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


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


def gradient_ratios(results: dict[str, list[RunRecord]]) -> pd.DataFrame:
    """activation, when (start/end), ratio: ‖∂L/∂W_first‖ / ‖∂L/∂W_last‖, geometric mean over
    the seeds where both norms are positive (a dead layer has none)."""
    rows = []
    for label, records in results.items():
        for when, epoch in (("start", 0), ("end", -1)):
            pairs = np.array([r.grad_norms[epoch, [0, -1]] for r in records if r.epochs_run])
            pairs = pairs[(pairs > 0).all(axis=1)] if len(pairs) else pairs
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


def describe_all(results: dict[str, list[RunRecord]]) -> list[str]:
    return [describe(label, summarize(records)[1]) for label, records in results.items()]


def median_run(records: Sequence[RunRecord]) -> RunRecord:
    """The seed whose final loss is the median (diverged runs count as worst)."""
    losses = [
        np.inf if r.diverged or not np.isfinite(r.final_loss) else r.final_loss for r in records
    ]
    return records[int(np.argsort(losses, kind="stable")[(len(records) - 1) // 2])]


def saturation_rows(record: RunRecord, X: np.ndarray, dataset: str, label: str) -> list[dict]:
    """Rows for the saturation chart: one per hidden layer of this run's final network."""
    bounded = record.config.activation in ("sigmoid", "tanh")
    return [
        {
            "dataset": dataset,
            "activation": label,
            "layer": f"layer {l + 1}",
            "share": share,
            "what": "saturated (f′ ≤ 0.01)" if bounded else "dead or off",
        }
        for l, share in enumerate(saturation(record.network, X))
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
