"""L1 and L2 penalties on the weights (never the biases) of a stack of K networks.

The trained objective is the data loss + l2/2 · Σ_l ‖W_l‖² + l1 · Σ_l |W_l|; its gradient
adds l2·W + l1·sign(W) to each weight's (sign(0) = 0), under either gradient convention.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from mlp.config import TrainConfig


class Penalty:
    """The penalty of `config` on networks of these sizes, over flat parameters θ (K, P)."""

    def __init__(self, config: TrainConfig, sizes: Sequence[int]):
        self.l1, self.l2 = config.l1, config.l2
        # in θ, layer l is its W_l (fan_in·fan_out values, row by row), then its b_l
        self.weights, start = [], 0
        for fan_in, fan_out in itertools.pairwise(sizes):
            self.weights.append(slice(start, start + fan_in * fan_out))
            start += (fan_in + 1) * fan_out

    def value(self, theta: np.ndarray) -> np.ndarray:
        """(K,): each network's penalty."""
        total = np.zeros(len(theta))
        for cols in self.weights:
            W = theta[:, cols]
            total += 0.5 * self.l2 * np.sum(W * W, axis=1) + self.l1 * np.sum(np.abs(W), axis=1)
        return total

    def add_gradient(self, theta: np.ndarray, grad: np.ndarray, layer: int | None = None) -> None:
        """grad += ∂penalty/∂θ, on every layer's weights or on one layer's."""
        for cols in self.weights if layer is None else [self.weights[layer]]:
            W, g = theta[:, cols], grad[:, cols]
            if self.l2:
                g += self.l2 * W
            if self.l1:
                g += self.l1 * np.sign(W)
