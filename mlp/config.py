"""TrainConfig: everything that defines a training run, validated once, hashable.

It is the cache key of the app, the record's metadata (as JSON) and the CLI's target.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from mlp.activations import ACTIVATIONS
from mlp.features import NAMES as FEATURE_NAMES
from mlp.features import RAW
from mlp.features import check as check_features
from mlp.losses import LOSSES, REDUCTION_LABELS, REDUCTIONS, check_loss_output
from mlp.network import INITS
from mlp.optimizers import OPTIMIZERS

MAX_EPOCHS = 1_000_000
MAX_LAYERS = 10
MAX_WIDTH = 1024
MAX_SNAPSHOTS = 10_000
MAX_PENALTY = 10.0


@dataclass(frozen=True)
class Field:
    """What one TrainConfig field allows: validation, the CLI's options and the app's
    widgets all read it from `FIELDS`."""

    name: str
    help: str
    choices: tuple[str, ...] = ()
    low: float | None = None  # whole numbers: low..high; others: > low (≥ 0 if high), finite
    high: float | None = None
    whole: bool = True

    def check(self, value):
        """The value, normalised (ints as int, numbers as float), or ValueError naming the
        field and what it allows."""
        name = self.name
        if self.name == "features":
            return check_features(value)
        if self.choices:
            if value not in self.choices:
                raise ValueError(f"{name} must be one of {', '.join(self.choices)}, got {value!r}")
            return value
        number = not isinstance(value, bool) and isinstance(value, int | float)
        if not self.whole and self.high is not None:  # a rate in [low, high]
            if not number or not math.isfinite(value) or not self.low <= value <= self.high:
                raise ValueError(f"{name} must be in {self.low:g}..{self.high:g}, got {value!r}")
            return float(value)
        if not self.whole:
            if not number or not math.isfinite(value) or value <= self.low:
                raise ValueError(f"{name} must be a finite number > {self.low:g}, got {value!r}")
            return float(value)
        low, high = int(self.low), int(self.high)
        if not number or value != int(value):
            raise ValueError(f"{name} must be a whole number in {low}..{high}, got {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{name} must be in {low}..{high}, got {value!r}")
        return int(value)


FIELDS = {
    field.name: field
    for field in (
        Field("hidden", "units of each hidden layer, input side first", low=1, high=MAX_WIDTH),
        Field("activation", "the hidden layers' activation", tuple(ACTIVATIONS)),
        Field("output_activation", "the output unit's activation", tuple(ACTIVATIONS)),
        Field("loss", "mse (the lab's) or bce (needs a sigmoid output)", tuple(LOSSES)),
        Field("reduction", "; ".join(REDUCTION_LABELS.values()), REDUCTIONS),
        Field("optimizer", "the update rule", tuple(OPTIMIZERS)),
        Field("lr", "the learning rate", low=0.0, whole=False),
        Field("epochs", "passes over the data", low=1, high=MAX_EPOCHS),
        Field("batch_size", "points per mini-batch (default: all of them)", low=1, high=10**9),
        Field("init", "how the weights are drawn (biases start at 0)", INITS),
        Field(
            "seed", "seed of the initial weights and the mini-batch order", low=0, high=2**32 - 1
        ),
        Field("snapshots", "copies of the weights kept for replay", low=2, high=MAX_SNAPSHOTS),
        Field(
            "l1",
            "L1 penalty rate: + l1·Σ|W| (weights only)",
            low=0.0,
            high=MAX_PENALTY,
            whole=False,
        ),
        Field(
            "l2",
            "L2 penalty rate: + l2/2·Σ W² (weights only)",
            low=0.0,
            high=MAX_PENALTY,
            whole=False,
        ),
        Field("features", "the network's inputs, from " + ", ".join(FEATURE_NAMES), FEATURE_NAMES),
    )
}


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
    l1: float = 0.0
    l2: float = 0.0
    features: tuple[str, ...] = RAW

    def __post_init__(self):
        hidden = self.hidden
        if isinstance(hidden, int | float) and not isinstance(hidden, bool):
            hidden = (hidden,)
        if not isinstance(hidden, tuple | list) or not 1 <= len(hidden) <= MAX_LAYERS:
            raise ValueError(f"hidden must list 1..{MAX_LAYERS} layer widths, got {self.hidden!r}")
        object.__setattr__(self, "hidden", tuple(FIELDS["hidden"].check(w) for w in hidden))
        for field in FIELDS.values():
            value = getattr(self, field.name)
            if field.name != "hidden" and not (field.name == "batch_size" and value is None):
                object.__setattr__(self, field.name, field.check(value))
        check_loss_output(self.loss, self.output_activation)

    def sizes(self) -> tuple[int, ...]:
        """Layer widths of the network: (one per input feature, *hidden, 1)."""
        return (len(self.features), *self.hidden, 1)

    @property
    def regularized(self) -> bool:
        return self.l1 > 0 or self.l2 > 0

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
