"""Training one network: `Trainer` trains it in pieces (`run(k)` as often as you like: the
numbers are those of one uninterrupted run), and `train` is a Trainer run to the end.

Both drive a `StackTrainer` of one network; `mlp.sweep` runs many configs through the same
class, so a network gives the same record whichever way it was trained.
`mlp/reference.py` states the algorithm plainly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from mlp.config import TrainConfig
from mlp.datasets import check_data, check_test
from mlp.network import MLP
from mlp.record import RunRecord
from mlp.stack_trainer import StackTrainer


def train(
    X: np.ndarray,
    y: np.ndarray,
    config: TrainConfig,
    callback: Callable[[int, float], bool | None] | None = None,
    test: tuple[np.ndarray, np.ndarray] | None = None,
) -> RunRecord:
    """Train one network as `config` says and return its full record.

    `callback(epoch, loss)` is called about 100 times during the run (epochs done so far
    and the last epoch's loss); returning False stops training there. A non-finite loss
    or gradient stops the run with `diverged=True`: nothing raises, no warning leaks.
    `test` = (X_test, y_test): held-out points scored as training goes (`test_loss`, …).
    """
    trainer = Trainer(X, y, config, test)
    trainer.run(config.epochs, callback)
    return trainer.record()


class Trainer:
    """One network trained in pieces: `run(k)` trains k more epochs.

    Any split gives the numbers of one `train` call of the same length. The learning
    rate and the optimizer may change between pieces (`adjust`); the weights carry on.
    """

    def __init__(self, X: np.ndarray, y: np.ndarray, config: TrainConfig, test=None):
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
        X, y = check_data(X, y)
        self.stack = StackTrainer(X, y, [config], check_test(test))

    @property
    def config(self) -> TrainConfig:
        return self.stack.configs[0]

    @property
    def epoch(self) -> int:
        """Epochs trained so far."""
        return self.stack.epoch

    @property
    def diverged(self) -> bool:
        return self.stack.diverged[0]

    @property
    def done(self) -> bool:
        """True once every epoch of the config ran or the run diverged: `run` does nothing."""
        return self.diverged or self.epoch >= self.config.epochs

    @property
    def network(self) -> MLP:
        """A copy of the network as it is now (after the last finite epoch if diverged)."""
        return self.stack.network(0)

    def run(self, epochs: int, callback: Callable[[int, float], bool | None] | None = None) -> int:
        """Train up to `epochs` more epochs; fewer if the run diverges, reaches
        `config.epochs`, or `callback(epoch, loss)` returns False. Returns how many ran."""

        def hook(epoch, losses):
            return True if losses is None else callback(epoch, float(losses[0]))

        return self.stack.run(epochs, hook if callback else None)

    def record(self) -> RunRecord:
        """The record of the epochs run so far (stopped_epoch = epochs run, until the end)."""
        return self.stack.records()[0]

    def adjust(self, lr: float | None = None, optimizer: str | None = None) -> None:
        """Take a new learning rate or optimizer from the next epoch on (a new optimizer
        starts from fresh state); the record's config says the latest."""
        self.stack.adjust(lr, optimizer)
