"""TrainConfig: everything that defines a training run, validated once, hashable.

It is the cache key of the app, the record's metadata (as JSON) and the CLI's target.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from mlp.activations import ACTIVATIONS
from mlp.losses import LOSSES, REDUCTIONS, check_loss_output
from mlp.network import INITS
from mlp.optimizers import OPTIMIZERS

MAX_EPOCHS = 1_000_000
MAX_LAYERS = 10
MAX_WIDTH = 1024
MAX_SNAPSHOTS = 10_000


def _int(field: str, value, low: int, high: int) -> int:
    """value as an int in [low, high], or ValueError naming the field and the range."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"{field} must be a whole number in {low}..{high}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{field} must be in {low}..{high}, got {value!r}")
    return int(value)


def _name(field: str, value, allowed) -> str:
    if value not in allowed:
        raise ValueError(f"{field} must be one of {', '.join(allowed)}, got {value!r}")
    return value


@dataclass(frozen=True)
class TrainConfig:
    """One training run. The defaults are the lab's setting, tuned to converge quickly:
    2 → 20 → 20 → 1, sigmoid, MSE, full-batch gradient descent at lr 1.0.

    batch_size None means full batch; otherwise 1..n points, reshuffled every epoch.
    snapshots is how many copies of the parameters to keep for replay (first and last
    epoch included; fewer for very large networks, see `mlp.train`).
    """

    hidden: tuple[int, ...] = (20, 20)
    activation: str = "sigmoid"
    output_activation: str = "sigmoid"
    loss: str = "mse"
    reduction: str = "mean"
    optimizer: str = "sgd"
    lr: float = 1.0
    epochs: int = 10_000
    batch_size: int | None = None
    init: str = "normal"
    seed: int = 0
    snapshots: int = 100

    def __post_init__(self):
        hidden = self.hidden
        if isinstance(hidden, int | float) and not isinstance(hidden, bool):
            hidden = (hidden,)
        if not isinstance(hidden, tuple | list) or not 1 <= len(hidden) <= MAX_LAYERS:
            raise ValueError(f"hidden must list 1..{MAX_LAYERS} layer widths, got {self.hidden!r}")
        hidden = tuple(_int("hidden", width, 1, MAX_WIDTH) for width in hidden)
        object.__setattr__(self, "hidden", hidden)

        _name("activation", self.activation, ACTIVATIONS)
        _name("output_activation", self.output_activation, ACTIVATIONS)
        _name("loss", self.loss, LOSSES)
        _name("reduction", self.reduction, REDUCTIONS)
        _name("optimizer", self.optimizer, OPTIMIZERS)
        _name("init", self.init, INITS)
        check_loss_output(self.loss, self.output_activation)

        lr = self.lr
        if (
            isinstance(lr, bool)
            or not isinstance(lr, int | float)
            or not math.isfinite(lr)
            or lr <= 0
        ):
            raise ValueError(f"lr must be a finite number > 0, got {lr!r}")
        object.__setattr__(self, "lr", float(lr))
        object.__setattr__(self, "epochs", _int("epochs", self.epochs, 1, MAX_EPOCHS))
        if self.batch_size is not None:
            object.__setattr__(self, "batch_size", _int("batch_size", self.batch_size, 1, 10**9))
        object.__setattr__(self, "seed", _int("seed", self.seed, 0, 2**32 - 1))
        object.__setattr__(self, "snapshots", _int("snapshots", self.snapshots, 2, MAX_SNAPSHOTS))

    def sizes(self, n_inputs: int = 2) -> tuple[int, ...]:
        """Layer widths of the network: (n_inputs, *hidden, 1)."""
        return (n_inputs, *self.hidden, 1)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """Build from a dict such as `to_dict()` gave; unknown keys are an error."""
        if not isinstance(values, dict):
            raise ValueError(f"a config must be a mapping, got {type(values).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(map(str, unknown))}")
        return cls(**values)

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)
