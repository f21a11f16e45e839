"""summarize: what a set of runs (e.g. one setting over several seeds) says, in numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from mlp.activations import get_activation
from mlp.network import MLP
from mlp.record import RunRecord

# A hidden unit passes almost no gradient when its f' averaged over the points is this low.
SATURATED_SLOPE = 0.01
# A run "stalled" when it neither solved the data nor diverged and its loss moved by
# less than this fraction over the last fifth of its epochs.
STALL_CHANGE = 0.01


@dataclass(frozen=True)
class RunSummary:
    """Per-run scalars."""

    final_loss: float
    final_accuracy: float
    epochs_to_perfect: int | None  # first epoch at 100% accuracy
    epochs_to_loss: int | None  # first epoch with loss below the threshold
    diverged: bool
    stopped_epoch: int | None
    seconds: float
    cpu_seconds: float  # the work itself (RunRecord.cpu_seconds)
    outcome: str  # "solved", "diverged", "stalled" or "learning"
    test_loss: float = float("nan")  # on the held-out points, at the last epoch scored
    test_accuracy: float = float("nan")


@dataclass(frozen=True)
class CurveSummary:
    """Per-epoch statistics across runs; epoch e counts only the runs that reached it."""

    epochs: np.ndarray
    runs: np.ndarray  # how many runs contributed to each epoch
    loss_mean: np.ndarray
    loss_std: np.ndarray
    loss_min: np.ndarray
    loss_max: np.ndarray
    accuracy_mean: np.ndarray
    accuracy_std: np.ndarray
    accuracy_min: np.ndarray
    accuracy_max: np.ndarray


def outcome(record: RunRecord) -> str:
    if record.diverged:
        return "diverged"
    if record.final_accuracy >= 1.0:
        return "solved"
    loss = record.loss
    tail = loss[-max(2, len(loss) // 5) :]
    if len(tail) < 2 or abs(tail[0] - tail[-1]) <= STALL_CHANGE * max(abs(tail[0]), 1e-12):
        return "stalled"
    return "learning"


def summarize_run(record: RunRecord, loss_threshold: float = 0.01) -> RunSummary:
    below = np.flatnonzero(record.loss < loss_threshold)
    return RunSummary(
        final_loss=record.final_loss,
        final_accuracy=record.final_accuracy,
        epochs_to_perfect=record.first_perfect_epoch,
        epochs_to_loss=int(below[0]) if len(below) else None,
        diverged=record.diverged,
        stopped_epoch=record.stopped_epoch,
        seconds=record.seconds,
        cpu_seconds=record.cpu_seconds,
        outcome=outcome(record),
        test_loss=float(record.test_loss[-1]) if len(record.test_loss) else float("nan"),
        test_accuracy=float(record.test_accuracy[-1])
        if len(record.test_accuracy)
        else float("nan"),
    )


def summarize(
    records: Sequence[RunRecord], loss_threshold: float = 0.01
) -> tuple[CurveSummary, list[RunSummary]]:
    """Curves across the runs (mean, std, min, max per epoch) and each run's scalars."""
    length = max((r.epochs_run for r in records), default=0)
    loss = np.full((len(records), length), np.nan)
    accuracy = np.full((len(records), length), np.nan)
    for i, r in enumerate(records):
        loss[i, : r.epochs_run] = r.loss
        accuracy[i, : r.epochs_run] = r.accuracy
    runs = np.sum(~np.isnan(loss), axis=0)

    def stats(values):
        with np.errstate(all="ignore"):
            masked = np.ma.masked_invalid(values)
            return (
                masked.mean(axis=0).filled(np.nan),
                masked.std(axis=0).filled(np.nan),
                masked.min(axis=0).filled(np.nan),
                masked.max(axis=0).filled(np.nan),
            )

    curves = CurveSummary(np.arange(length), runs, *stats(loss), *stats(accuracy))
    return curves, [summarize_run(r, loss_threshold) for r in records]


def saturation(network: MLP, X: np.ndarray) -> list[float]:
    """Per hidden layer, the share of units that pass almost no gradient back.

    A unit counts when its derivative f'(z), averaged over the points, is at most 0.01:
    saturated sigmoid (σ′ < 0.01 means |z| > 4.6) and tanh units, dead ReLU units (off on
    every point) and leaky ReLU units that are off everywhere (slope 0.01).
    """
    act = get_activation(network.activation)
    shares = []
    for a in network.hidden_outputs(X):
        slope = act.grad_from_output(a, np.empty_like(a)).mean(axis=0)
        shares.append(float(np.mean(slope <= SATURATED_SLOPE)))
    return shares
