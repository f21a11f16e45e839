"""What a run will cost before it runs: a conservative estimate of its time on one core.

Fitted to benchmarks/bench_engine.py and bench_sweep.py on the 2-core machines this
project runs on (XOR and linear, h = 4..500, stacks of 1..128), with one BLAS thread per
run, as the app's work queue runs them; it errs high, which is the safe side for deciding
whether to train automatically, to ask first, or to refuse, and for the queue's CPU cap.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlp.config import TrainConfig
from mlp.network import parameter_count
from mlp.runlog import SNAPSHOT_BUDGET
from mlp.sweep import group_key, networks_per_stack

# µs per batch ≈ FIXED + PER_LAYER·L + PER_POINT·n + PER_ACTIVATION·n·Σwidths + PER_MAC·n·P
#               + PER_PARAMETER·P   (n points in the batch, P parameters, L layers)
# PER_PARAMETER is the memory traffic of reading and updating every weight once per batch:
# it dominates wide networks on few points (2-500-500-1 on XOR's 21 points: 2.3-2.7 ms).
FIXED_US = 30.0  # numpy call overhead of one batch of a single small network
PER_LAYER_US = 2.0
PER_POINT_US = 0.2
PER_ACTIVATION_US = 0.01
PER_MAC_US = 1.1e-4
PER_PARAMETER_US = 0.008


def _batch_costs(config: TrainConfig, n_points: int) -> tuple[int, float, float]:
    """(batches per epoch, µs per batch paid once per stack, µs per batch per network)."""
    sizes = config.sizes()
    batch = n_points if config.batch_size is None else min(config.batch_size, n_points)
    shared = FIXED_US + PER_LAYER_US * (len(sizes) - 1)  # numpy call overhead
    each = (
        PER_POINT_US * batch
        + PER_ACTIVATION_US * batch * sum(sizes[1:])
        + (PER_MAC_US * batch + PER_PARAMETER_US) * parameter_count(sizes)
    )
    return -(-n_points // batch), shared, each


def estimate_seconds(config: TrainConfig, n_points: int) -> float:
    """Expected wall time of `mlp.train` for this config on n_points points."""
    batches, shared, each = _batch_costs(config, n_points)
    return config.epochs * batches * (shared + each) * 1e-6


def estimate_sweep_seconds(configs: Sequence[TrainConfig], n_points: int) -> float:
    """Expected wall time of `mlp.sweep`: stacks pay the call overhead once for K networks."""
    groups: dict[tuple, list[TrainConfig]] = {}
    for config in configs:
        groups.setdefault(group_key(config), []).append(config)
    seconds = 0.0
    for members in groups.values():
        first = members[0]
        size = networks_per_stack(first, n_points)
        batches, shared, each = _batch_costs(first, n_points)
        for start in range(0, len(members), size):
            stacked = len(members[start : start + size])
            seconds += first.epochs * batches * (shared + stacked * each) * 1e-6
    return seconds


def record_megabytes(config: TrainConfig, n_points: int) -> float:
    """Memory of the run's record: per-epoch curves and norms, snapshots, predictions."""
    sizes = config.sizes()
    per_epoch = 2 + len(sizes) - 1  # loss, accuracy, one gradient norm per layer
    params = parameter_count(sizes)
    snapshots = max(2, min(config.snapshots, SNAPSHOT_BUDGET // params))
    floats = config.epochs * per_epoch + (snapshots + 1) * params + 3 * n_points
    return floats * 8 / 1e6
