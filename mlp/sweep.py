"""sweep: train many configs at once by stacking the ones that can share a computation.

Configs that differ only in lr, seed and init have identical shapes, so K of them run
as one stack of batched arrays: a numpy call then costs about what it costs for one
network, and small networks (where call overhead dominates) train several times faster.
Each record is the one `mlp.train` gives for that config (same loop, same arithmetic).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from mlp.config import TrainConfig
from mlp.datasets import check_data, check_test
from mlp.network import parameter_count
from mlp.record import RunRecord
from mlp.stack_trainer import StackTrainer

# How many floats one stack may touch per epoch. Measured on 2-core EPYC machines
# (1 MB of L2 per core; benchmarks/bench_sweep.py): with XOR, 32 networks at h = 20 or
# 8 at h = 100 run 2.6× and 1.6× faster than alone, but a stack whose working set
# outgrows the cache is slower than a loop (h = 200: 4 networks at 1.15×, 8 at 2.1× the
# time). 400k floats (3.2 MB) keeps h = 100 at 7 per stack, h = 200 at 2, h ≥ 300 alone.
STACK_BUDGET = 400_000


def group_key(config: TrainConfig) -> tuple:
    """Configs with equal keys can share one stack: everything but lr, seed and init."""
    return (
        config.hidden,
        config.activation,
        config.output_activation,
        config.loss,
        config.reduction,
        config.optimizer,
        config.epochs,
        config.batch_size,
        config.snapshots,
        config.l1,
        config.l2,
        config.features,
    )


def networks_per_stack(config: TrainConfig, n_points: int) -> int:
    """How many networks of this shape to stack: as many as fit the cache budget."""
    sizes = config.sizes()
    batch = n_points if config.batch_size is None else config.batch_size
    per_network = 3 * parameter_count(sizes) + 5 * batch * sum(sizes[1:])
    return max(1, STACK_BUDGET // per_network)


def sweep(
    X: np.ndarray,
    y: np.ndarray,
    configs: Sequence[TrainConfig],
    callback: Callable[[int, int], bool | None] | None = None,
    test: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[RunRecord]:
    """Train every config on (X, y); records come back in the order of `configs`.
    `test` = (X_test, y_test): held-out points scored as in `mlp.train`.

    `callback(done, total)` counts network-epochs; returning False stops the sweep: the
    stack under way stops at that epoch, and runs not yet started come back with no
    epochs (`stopped_epoch` 0).
    """
    configs = list(configs)
    for i, config in enumerate(configs):
        if not isinstance(config, TrainConfig):
            raise TypeError(f"configs[{i}] must be a TrainConfig, got {type(config).__name__}")
    X, y = check_data(X, y)
    test = check_test(test)
    groups: dict[tuple, list[int]] = {}
    for i, config in enumerate(configs):
        groups.setdefault(group_key(config), []).append(i)

    total = sum(c.epochs for c in configs)
    progress = _SweepProgress(callback, total)
    records: list[RunRecord | None] = [None] * len(configs)
    for members in groups.values():
        size = networks_per_stack(configs[members[0]], len(X))
        for start in range(0, len(members), size):
            part = members[start : start + size]
            stack = StackTrainer(X, y, [configs[i] for i in part], test)
            stack.run(configs[part[0]].epochs, progress.hook(len(part)))
            for i, record in zip(part, stack.records(), strict=True):
                records[i] = record
            progress.done += len(part) * configs[part[0]].epochs
    return records


class _SweepProgress:
    """Turns each stack's progress into network-epochs of the whole sweep; remembers a stop."""

    def __init__(self, callback, total: int):
        self.callback, self.total = callback, total
        self.done, self.stopped = 0, False

    def hook(self, width: int):
        def report(epoch: int, losses) -> bool:
            if not self.stopped and self.callback is not None:
                self.stopped = self.callback(self.done + epoch * width, self.total) is False
            return not self.stopped

        return report
