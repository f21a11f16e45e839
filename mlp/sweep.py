"""sweep: train many configs at once by stacking the ones that can share a computation.

Configs that differ only in lr, seed and init have identical shapes, so K of them run
as one stack of batched arrays: a numpy call then costs about what it costs for one
network, and small networks (where call overhead dominates) train several times faster.
Each record is the one `mlp.train` gives for that config (same loop, same arithmetic).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, as_completed
from pathlib import Path

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


def plan(configs: Sequence[TrainConfig], n_points: int, workers: int = 1) -> list[list[int]]:
    """The sweep's pieces: indices into `configs` of the networks trained as one stack,
    dearest first (so that parallel workers do not wait on one long piece at the end).
    For `workers` at once, a stack dearer than a worker's share of the whole is cut into
    nearly equal stacks, so that no worker idles while another holds a long piece."""
    groups: dict[tuple, list[int]] = {}
    for i, config in enumerate(configs):
        groups.setdefault(group_key(config), []).append(i)
    stacks = []
    for members in groups.values():
        size = networks_per_stack(configs[members[0]], n_points)
        stacks += [members[start : start + size] for start in range(0, len(members), size)]
    costs = [piece_cost(configs, stack, n_points) for stack in stacks]
    share = sum(costs) / workers
    pieces = []
    for stack, cost in zip(stacks, costs, strict=True):
        pieces += split_evenly(stack, min(len(stack), math.ceil(cost / share)))
    return sorted(pieces, key=lambda part: -piece_cost(configs, part, n_points))


def split_evenly(items: list, parts: int) -> list[list]:
    """`items` cut into `parts` consecutive runs whose lengths differ by one at most."""
    return [items[i * len(items) // parts : (i + 1) * len(items) // parts] for i in range(parts)]


def piece_cost(configs: Sequence[TrainConfig], part: Sequence[int], n_points: int) -> float:
    """A piece's relative cost: epochs × networks × the work of one epoch."""
    first = configs[part[0]]
    return first.epochs * len(part) * n_points * parameter_count(first.sizes())


def usable_cpus() -> int:
    """The CPUs this process may use: its affinity, capped by a cgroup CPU quota."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count or 1)


def train_piece(X, y, configs: Sequence[TrainConfig], test=None, hook=None) -> list[RunRecord]:
    """One piece of a sweep: its networks trained as one stack (also what workers run)."""
    stack = StackTrainer(X, y, list(configs), test)
    stack.run(configs[0].epochs, hook)
    return stack.records()


def sweep(
    X: np.ndarray,
    y: np.ndarray,
    configs: Sequence[TrainConfig],
    callback: Callable[[int, int], bool | None] | None = None,
    test: tuple[np.ndarray, np.ndarray] | None = None,
    executor: Executor | None = None,
    workers: int | None = None,
) -> list[RunRecord]:
    """Train every config on (X, y); records come back in the order of `configs`.
    `test` = (X_test, y_test): held-out points scored as in `mlp.train`.

    `callback(done, total)` counts network-epochs; returning False stops the sweep: the
    stack under way stops at that epoch, and runs not yet started come back with no
    epochs (`stopped_epoch` 0). With an `executor` (any concurrent.futures.Executor, such
    as a process pool or a Dask client's), the pieces run there, dearest first, sized for
    `workers` at once (default: the CPUs this process may use); the records are the same,
    progress comes piece by piece, and a stop cancels the pieces not started (those under
    way come back with no epochs too).
    """
    configs = list(configs)
    for i, config in enumerate(configs):
        if not isinstance(config, TrainConfig):
            raise TypeError(f"configs[{i}] must be a TrainConfig, got {type(config).__name__}")
    X, y = check_data(X, y)
    test = check_test(test)
    pieces = plan(configs, len(X), 1 if executor is None else workers or usable_cpus())
    progress = _SweepProgress(callback, sum(c.epochs for c in configs))
    records: list[RunRecord | None] = [None] * len(configs)
    if executor is None:
        for part in pieces:
            hook = progress.hook(len(part))
            done = train_piece(X, y, [configs[i] for i in part], test, hook)
            _place(records, part, done)
            progress.done += len(part) * configs[part[0]].epochs
        return records
    futures = {
        executor.submit(train_piece, X, y, [configs[i] for i in part], test): part
        for part in pieces
    }
    try:
        for future in as_completed(futures):
            part = futures[future]
            _place(records, part, future.result())
            progress.done += len(part) * configs[part[0]].epochs
            if not progress.hook(0)(0, None):
                break
    finally:
        for future in futures:
            future.cancel()
    for part in pieces:  # stopped before they ran: empty records, as in the serial sweep
        if records[part[0]] is None:
            _place(records, part, train_piece(X, y, [configs[i] for i in part], test, _stop))
    return records


def _place(records: list, part: Sequence[int], done: Sequence[RunRecord]) -> None:
    for i, record in zip(part, done, strict=True):
        records[i] = record


def _stop(epoch, losses) -> bool:
    return False


class _SweepProgress:
    """Turns each stack's progress into network-epochs of the whole sweep; remembers a stop."""

    def __init__(self, callback, total: int):
        self.callback, self.total = callback, total
        self.done, self.stopped = 0, False

    def hook(self, width: int):
        """A stack's progress hook: its `width` networks at `epoch` → the sweep's count."""

        def report(epoch: int, losses) -> bool:
            if not self.stopped and self.callback is not None:
                self.stopped = self.callback(self.done + epoch * width, self.total) is False
            return not self.stopped

        return report
