"""What a study page shows of one arm (a compared setting over several seeds): its runs'
records digested into scalars, thinned curves across seeds, and the median seed's network
— small enough to cache, and computed where the records are (a queue worker, or the page
for an arm trained seed by seed)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.frames import grad_norm_frame, grid_frame, log_spaced
from mlp import MLP, RunRecord, summarize
from mlp.summary import RunSummary, saturation


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
    rows = log_spaced(curves.epochs + 1, max_points)  # the band charts' axis: epochs completed
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
    rows = log_spaced(epochs + 1, max_points)
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
