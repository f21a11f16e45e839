"""Backprop Lab's engine: fully connected networks trained by hand-written backprop (numpy only)."""

from mlp import datasets, reference
from mlp.config import TrainConfig
from mlp.network import MLP
from mlp.record import RunRecord
from mlp.summary import summarize
from mlp.sweep import sweep
from mlp.train import Trainer, train

__all__ = [
    "MLP",
    "RunRecord",
    "TrainConfig",
    "Trainer",
    "datasets",
    "reference",
    "summarize",
    "sweep",
    "train",
]
