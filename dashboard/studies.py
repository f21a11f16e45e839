"""Running the study pages' sweeps: arms (one compared setting × several seeds), their
cost check, training them (cached, with progress) and digesting each arm's records into
what the pages show."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import streamlit as st

import mlp
from dashboard import runs, work
from dashboard.frames import curves_frame, evenly_spaced, grad_norm_frame, grid_frame
from dashboard.state import Setting, config_choice, config_values
from dashboard.study_charts import band_chart
from mlp import MLP, RunRecord, TrainConfig, summarize
from mlp.estimate import estimate_sweep_seconds, record_megabytes
from mlp.losses import REDUCTION_LABELS
from mlp.summary import RunSummary, saturation
from mlp.sweep import group_key

# a study's default sweep runs at once, through the queue with a progress bar (the
# hidden-units defaults take ~20 s of CPU, mostly width 500); its records are transient
# (only their digest is cached), so it may hold more of them than the Train page
BUDGET = runs.Budget(auto_seconds=30.0, max_megabytes=100.0)
BATCH_MEGABYTES = 25.0  # records trained at once before being digested
KNOBS = "Lower the epochs or the number of seeds, or sweep fewer values."  # when it is dear


@dataclass(frozen=True)
class Arm:
    """One compared setting: how it is shown, its swept values (e.g. (("learning rate",
    0.1),)), and one config per seed."""

    label: str
    configs: tuple[TrainConfig, ...]
    values: tuple[tuple[str, object], ...] = ()


def arm(label: str, config: TrainConfig, seeds: int, **values) -> Arm:
    return Arm(
        label, tuple(config.replace(seed=seed) for seed in range(seeds)), tuple(values.items())
    )


def training_settings(prefix: str, epochs: int, per: str, seeds: int = 5) -> list[Setting]:
    """Epochs, seeds, weight init and gradient convention: what every sweep page sets."""
    return [
        Setting(f"{prefix}_epochs", "epochs", "Epochs", epochs, "number", low=10, high=200_000,
                step=500, field="epochs"),
        Setting(f"{prefix}_seeds", "seeds", f"Seeds per {per}", seeds, "slider", low=1, high=10),
        config_choice(f"{prefix}_init", "init", "Weight init", "init"),
        config_choice(f"{prefix}_reduction", "grad", "Gradient convention", "reduction",
                      kind="radio", labels=REDUCTION_LABELS),
    ]  # fmt: skip


def base_config(settings: Sequence[Setting]) -> TrainConfig:
    """The config every arm starts from: the page's training settings, two snapshots (the
    pages show no replay)."""
    return TrainConfig(snapshots=2, **config_values(settings))


def ready_to_run(arms: Sequence[Arm], n_points: int, n_datasets: int = 1) -> bool:
    """Run now, wait for a button, or refuse — by the estimated cost of the sweep."""
    configs = [c for a in arms for c in a.configs]
    seconds = _seconds(arms, n_points) * n_datasets
    megabytes = sum(record_megabytes(c, n_points) for c in configs)  # one data set at a time
    st.caption(f"{len(configs) * n_datasets} networks: training takes {runs.announce(seconds)}.")
    return runs.gate(run_key(arms, n_points), seconds, megabytes, "study", KNOBS, BUDGET)


def run_key(arms: Sequence[Arm], n_points: int) -> tuple:
    return tuple(c for a in arms for c in a.configs), n_points


@dataclass(frozen=True)
class ArmResult:
    """What a page shows of one arm, small enough to cache: its swept values, each run's
    scalars, the curves across seeds (thinned), the norms of the first and last layer's
    gradient at the start and end of each run, and the median seed's network and
    gradient history (thinned)."""

    values: tuple[tuple[str, object], ...]
    summaries: tuple[RunSummary, ...]
    curves: pd.DataFrame  # epoch, metric, mean, std, low, high, runs
    edge_norms: np.ndarray  # (runs, 2: start/end, 2: first/last layer); NaN: no epoch ran
    median_network: MLP
    median_predictions: np.ndarray
    median_grads: pd.DataFrame  # epoch, layer, norm
    median_grid: pd.DataFrame  # its decision boundary (frames.grid_frame)
    median_saturation: tuple[float, ...]  # per hidden layer (mlp.summary.saturation)
    test_curves: pd.DataFrame  # epoch, metric, mean, std, low, high, runs (empty: no test)


def digest(records: Sequence[RunRecord], values=(), max_points: int = 300) -> ArmResult:
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
        values=tuple(values),
        summaries=tuple(summaries),
        curves=pd.concat(parts, ignore_index=True),
        edge_norms=edges,
        median_network=median.network,
        median_predictions=median.predictions,
        median_grads=grad_norm_frame(median),
        median_grid=grid_frame(median.network, median.X, steps=30),
        median_saturation=tuple(saturation(median.network, median.X)),
        test_curves=test_curves(records, max_points),
    )


def test_curves(records: Sequence[RunRecord], max_points: int) -> pd.DataFrame:
    """Mean, std, min and max across seeds of the test loss and accuracy, per scored epoch
    (epochs completed, as `curves`); a seed counts until it stopped."""
    epochs = max((r.test_epochs for r in records), key=len)
    if not len(epochs):
        return pd.DataFrame()
    rows = evenly_spaced(len(epochs), max_points)
    parts = []
    for metric in ("loss", "accuracy"):
        values = np.full((len(records), len(epochs)), np.nan)
        for i, r in enumerate(records):
            values[i, : len(r.test_epochs)] = getattr(r, f"test_{metric}")
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: every seed stopped
            stats = {
                "mean": np.nanmean(values, axis=0), "std": np.nanstd(values, axis=0),
                "low": np.nanmin(values, axis=0), "high": np.nanmax(values, axis=0),
            }  # fmt: skip
        frame = pd.DataFrame({name: column[rows] for name, column in stats.items()})
        frame.insert(0, "metric", metric)
        frame.insert(0, "epoch", epochs[rows] + 1)
        frame["runs"] = np.sum(~np.isnan(values), axis=0)[rows]
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def median_run(records: Sequence[RunRecord]) -> RunRecord:
    """The seed whose final loss is the median (diverged runs count as worst)."""
    losses = [
        np.inf if r.diverged or not np.isfinite(r.final_loss) else r.final_loss for r in records
    ]
    return records[int(np.argsort(losses, kind="stable")[(len(records) - 1) // 2])]


def train_arms(
    X: np.ndarray, y: np.ndarray, arms: tuple[Arm, ...], test, progress: work.Progress
) -> list[ArmResult]:
    """One job of a study: its arms' configs trained as one `mlp.sweep` and digested."""
    configs = [c for a in arms for c in a.configs]
    total = sum(c.epochs for c in configs)
    records = mlp.sweep(X, y, configs, lambda done, _: progress.update(done, total), test)
    results, start = [], 0
    for a in arms:
        results.append(digest(records[start : start + len(a.configs)], a.values))
        start += len(a.configs)
    return results


def jobs_of(arms: Sequence[Arm], n_points: int) -> list[list[Arm]]:
    """Arms grouped into queue jobs: arms whose networks stack together
    (mlp.sweep.group_key) share a job, up to BATCH_MEGABYTES of records; the others run as
    separate jobs, in parallel where there are free cores. The dearest job comes first (it
    sets how long the study takes), then the rest cheapest first: on the other cores the
    first curves come early."""
    groups: dict[tuple, list[Arm]] = {}
    for a in arms:
        groups.setdefault(group_key(a.configs[0]), []).append(a)
    batches = [batch for members in groups.values() for batch in _batches(members, n_points)]
    ordered = sorted(batches, key=lambda batch: _seconds(batch, n_points))
    return ordered[-1:] + ordered[:-1]


def _seconds(arms: Sequence[Arm], n_points: int) -> float:
    return estimate_sweep_seconds([c for a in arms for c in a.configs], n_points)


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


def run_arms(
    X: np.ndarray, y: np.ndarray, arms: Sequence[Arm], label: str, test=None
) -> dict[str, ArmResult]:
    """Train every arm (through the shared queue, cached there), with progress and Stop; the
    loss curves of finished arms show while the rest train. `test` = (X_test, y_test)
    scores held-out points as they train."""
    batches = jobs_of(arms, len(X))
    data_id = runs.fingerprint(X, y, *(test if test is not None else ()))
    requests = [
        runs.Request(
            (data_id, tuple((a.label, a.values, a.configs) for a in batch)),
            partial(train_arms, X, y, tuple(batch), test),
            _seconds(batch, len(X)),
        )
        for batch in batches
    ]
    preview = st.empty()
    one_value = len(arms[0].values) == 1  # e.g. (("hidden units", 20),)
    swept = arms[0].values[0][0] if one_value else "setting"

    def show_finished(parts: list) -> None:
        finished = by_label(batches, parts)
        if 0 < len(finished) < len(arms):
            curves = curves_frame(finished, swept)
            title = f"Loss so far: {len(finished)} of {len(arms)} settings finished"
            preview.altair_chart(band_chart(curves, "loss", swept, title), width="stretch")

    parts = runs.run_jobs(requests, label, run_key(arms, len(X)), KNOBS, show_finished)
    preview.empty()
    results = by_label(batches, parts)
    return {a.label: results[a.label] for a in arms}


def by_label(batches: list[list[Arm]], parts: list) -> dict[str, ArmResult]:
    """Each finished job's results by arm label (a job not finished yet is None)."""
    return {
        a.label: result
        for batch, results in zip(batches, parts, strict=True)
        if results is not None
        for a, result in zip(batch, results, strict=True)
    }
