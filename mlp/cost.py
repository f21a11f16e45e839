"""What a run will cost before it runs: a conservative estimate of its wall time.

Fitted to benchmarks/bench_engine.py on the 2-core machines this project runs on
(XOR and linear, h = 4..500); it errs high for mid-sized networks, which is the safe
side for deciding whether to train automatically or to ask first.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlp.config import TrainConfig
from mlp.network import parameter_count

# µs per epoch ≈ FIXED + PER_LAYER·L + PER_POINT·n + PER_ACTIVATION·n·Σwidths + PER_MAC·n·P
FIXED_US = 12.0
PER_LAYER_US = 2.0
PER_POINT_US = 0.2
PER_ACTIVATION_US = 0.01
PER_MAC_US = 1.1e-4


def estimate_seconds(config: TrainConfig, n_points: int, n_inputs: int = 2) -> float:
    """Expected wall time of `mlp.train` for this config on n_points points."""
    sizes = config.sizes(n_inputs)
    batch = n_points if config.batch_size is None else min(config.batch_size, n_points)
    batches = -(-n_points // batch)
    per_batch = (
        FIXED_US
        + PER_LAYER_US * (len(sizes) - 1)
        + PER_POINT_US * batch
        + PER_ACTIVATION_US * batch * sum(sizes[1:])
        + PER_MAC_US * batch * parameter_count(sizes)
    )
    return config.epochs * batches * per_batch * 1e-6


def estimate_sweep_seconds(configs: Sequence[TrainConfig], n_points: int) -> float:
    """An upper bound for `mlp.sweep`: the runs one after another (stacking only helps)."""
    return sum(estimate_seconds(config, n_points) for config in configs)
