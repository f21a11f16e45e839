"""RunLog: what a trainer keeps of its epochs — scores per epoch and parameter snapshots.

Scores are taken a chunk of epochs at a time from the output pre-activations the epoch
loop left in `Batches.z`: Σ point losses, wrong predictions and Σ g² per parameter
segment, per epoch and network.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from mlp.batches import Batches
from mlp.config import TrainConfig
from mlp.losses import Loss
from mlp.network import NetworkStack, Workspace, augment

# Parameter snapshots kept per run, in floats (8 MB): very large networks keep fewer.
SNAPSHOT_BUDGET = 1_000_000
# Held-out points are scored at every epoch of runs up to this long, else at this many.
TEST_POINTS = 1_000


def snapshot_epochs(config: TrainConfig, n_params: int) -> np.ndarray:
    """Evenly spaced epochs 0..epochs (both included) at which to keep the parameters."""
    count = max(2, min(config.snapshots, SNAPSHOT_BUDGET // n_params))
    return np.unique(np.round(np.linspace(0, config.epochs, count)).astype(int))


def test_epochs(epochs: int) -> np.ndarray:
    """Epochs at which held-out points are scored: all of them up to TEST_POINTS epochs,
    else TEST_POINTS evenly spaced ones, the first and the last included."""
    if epochs <= TEST_POINTS:
        return np.arange(epochs)
    return np.unique(np.round(np.linspace(0, epochs - 1, TEST_POINTS)).astype(int))


class HeldOut:
    """Test points (their network inputs and labels), scored with a stack's weights."""

    def __init__(self, stack: NetworkStack, inputs: np.ndarray, y: np.ndarray, loss_fn: Loss):
        self.X_aug, self.y, self.loss_fn = augment(inputs), y.astype(float), loss_fn
        self.workspace = Workspace(stack, len(inputs))
        self.z = np.empty((*stack.lead, len(inputs), 1))

    def score(self, stack: NetworkStack) -> tuple[np.ndarray, np.ndarray]:
        """Each network's mean loss and accuracy on the test points, (K,) each."""
        y_hat = stack.forward(self.workspace, self.X_aug, self.z)
        axes = (-2, -1)
        loss = np.mean(self.loss_fn.point_loss(y_hat, self.z, self.y), axis=axes)
        accuracy = np.mean((y_hat > 0.5) == (self.y > 0.5), axis=axes)
        return np.atleast_1d(loss), np.atleast_1d(accuracy)


class Scores(NamedTuple):
    """A chunk's figures per epoch and network, from its forward and backward passes."""

    loss_sum: np.ndarray  # (count, K): Σ of the points' losses
    wrong: np.ndarray  # (count, K): points with (ŷ > 0.5) != y
    grad_sq: np.ndarray  # (count, K, 2L): Σ g² over W_1, b_1, W_2, b_2, …

    def finite(self) -> np.ndarray:
        """(count, K): False where the loss or any gradient is NaN or infinite."""
        return np.isfinite(self.loss_sum) & np.isfinite(self.grad_sq).all(axis=2)


class RunLog:
    """Per-epoch history (filled as epochs run) and snapshots of K networks."""

    def __init__(
        self, config: TrainConfig, K: int, n_params: int, n_layers: int, tested: bool = False
    ):
        self.loss_sum = np.zeros((config.epochs, K))
        self.penalty = np.zeros((config.epochs, K))  # l1·Σ|W| + l2/2·Σ W² at each epoch's start
        self.test_epochs = test_epochs(config.epochs) if tested else np.zeros(0, dtype=int)
        self.test_slot = {int(e): i for i, e in enumerate(self.test_epochs)}
        self.test_loss = np.zeros((len(self.test_epochs), K))
        self.test_accuracy = np.zeros((len(self.test_epochs), K))
        self.wrong = np.zeros((config.epochs, K))
        self.weight_grad_sq = np.zeros((config.epochs, K, n_layers))  # ‖∂L/∂W_l‖²
        self.planned = snapshot_epochs(config, n_params)
        # one slot per planned epoch; a run's final parameters go after its last kept one
        self.slot = {int(e): i for i, e in enumerate(self.planned[:-1])}
        self.snapshots = np.empty((len(self.planned), K, n_params))

    def snapshot(self, epoch: int, theta: np.ndarray) -> None:
        """Keep θ (K, P) if `epoch` is a planned snapshot (θ before that epoch's update)."""
        slot = self.slot.get(epoch)
        if slot is not None:
            self.snapshots[slot] = theta

    @staticmethod
    def score(stack: NetworkStack, loss_fn: Loss, batches: Batches, count: int) -> Scores:
        """The scores of the chunk's first `count` epochs."""
        z, y = batches.z[:count], batches.labels(count)
        y_hat = stack.output(z)
        return Scores(
            loss_sum=loss_fn.point_loss(y_hat, z, y).sum(axis=(2, 3)),
            wrong=((y_hat > 0.5) != (y > 0.5)).sum(axis=(2, 3)).astype(float),
            grad_sq=np.array(batches.grad_norms_sq(count)),  # a copy: a replay reuses it
        )

    def keep(self, epoch: int, scores: Scores, count: int) -> None:
        """Store the first `count` epochs of `scores` as epochs epoch, epoch + 1, …"""
        rows = slice(epoch, epoch + count)
        self.loss_sum[rows] = scores.loss_sum[:count]
        self.wrong[rows] = scores.wrong[:count]
        self.weight_grad_sq[rows] = scores.grad_sq[:count, :, ::2]

    def history(self, k: int, end: int, n_points: int, batches_per_epoch: int) -> dict:
        """Network k's per-epoch fields of RunRecord over epochs 0..end-1."""
        tested = int(np.sum(self.test_epochs < end))
        return {
            "loss": self.loss_sum[:end, k] / n_points,
            "accuracy": 1.0 - self.wrong[:end, k] / n_points,
            "grad_norms": np.sqrt(self.weight_grad_sq[:end, k] / batches_per_epoch),
            "penalty": self.penalty[:end, k].copy(),
            "test_epochs": self.test_epochs[:tested],
            "test_loss": self.test_loss[:tested, k].copy(),
            "test_accuracy": self.test_accuracy[:tested, k].copy(),
        }

    def snapshots_until(self, k: int, end: int, final: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Network k's snapshot epochs before `end`, then `end` itself with `final` θ."""
        kept = int(np.sum(self.planned < end))
        epochs = np.append(self.planned[:kept], end)
        return epochs, np.concatenate([self.snapshots[:kept, k], final[None]])
