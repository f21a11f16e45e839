"""Optimizers over a stack of K flat parameter vectors θ of shape (K, P).

Each keeps its state in arrays shaped like θ, so one numpy call updates every parameter
of every network; `lr` is a (K, 1) column, one learning rate per network. A step may
cover a range of columns only (one layer's parameters): `tick()` starts each step.
Every update is elementwise, so a wide layer is updated in blocks of columns whose
temporaries stay in the CPU's cache: the same numbers, fewer trips to memory.
"""

from __future__ import annotations

import numpy as np

ALL = slice(None)
MU = 0.9  # momentum's decay of the velocity
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # Adam's moment decays and its guard against 0
# Floats per block of a step (512 KB): a 2-500-500-1 network's SGD step on XOR took
# 1.6× less time in blocks of 65,536 than in one go (benchmarks/bench_engine.py).
BLOCK_FLOATS = 65_536


class Optimizer:
    name = ""

    def __init__(self, shape: tuple[int, int]):
        self.t = 0
        networks, parameters = shape
        self.block = max(1, BLOCK_FLOATS // networks)  # columns per block
        self.scratch = np.empty((networks, min(parameters, self.block)))

    def tick(self) -> None:
        """Start a new step (Adam's bias correction counts them)."""
        self.t += 1

    def step(self, theta: np.ndarray, grad: np.ndarray, lr: np.ndarray, cols=ALL) -> None:
        """θ ← θ − update(grad) on columns `cols`, block by block; leaves `grad` as it was."""
        start, stop, _ = cols.indices(theta.shape[1])
        for begin in range(start, stop, self.block):
            end = min(begin + self.block, stop)
            scratch = (
                self.scratch
                if end - begin == self.scratch.shape[1]
                else self.scratch[:, : end - begin]
            )
            self.update(theta, grad, lr, slice(begin, end), scratch)

    def update(self, theta, grad, lr, cols: slice, scratch: np.ndarray) -> None:
        """The step on columns `cols` only, with `scratch` shaped like them."""
        raise NotImplementedError

    def state(self) -> list[np.ndarray]:
        """The arrays a checkpoint must keep (besides the step count `t`)."""
        return []

    def reset(self, k: int) -> None:
        """Forget network k's state (it stopped; its slot keeps running harmlessly)."""
        for array in self.state():
            array[k] = 0.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class SGD(Optimizer):
    """Plain gradient descent: θ ← θ − lr·g."""

    name = "sgd"

    def update(self, theta, grad, lr, cols, scratch):
        theta[:, cols] -= np.multiply(grad[:, cols], lr, out=scratch)


class Momentum(Optimizer):
    """Heavy ball: v ← μv + g; θ ← θ − lr·v."""

    name = "momentum"

    def __init__(self, shape, mu: float = MU):
        super().__init__(shape)
        self.mu = mu
        self.velocity = np.zeros(shape)

    def update(self, theta, grad, lr, cols, scratch):
        velocity = self.velocity[:, cols]
        velocity *= self.mu
        velocity += grad[:, cols]
        theta[:, cols] -= np.multiply(velocity, lr, out=scratch)

    def state(self):
        return [self.velocity]

    def __repr__(self) -> str:
        return f"Momentum(mu={self.mu})"


class Adam(Optimizer):
    """Adam (Kingma & Ba): bias-corrected first and second moments of g."""

    name = "adam"

    def __init__(self, shape, beta1: float = BETA1, beta2: float = BETA2, eps: float = EPS):
        super().__init__(shape)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = np.zeros(shape)
        self.v = np.zeros(shape)

    def update(self, theta, grad, lr, cols, scratch):
        b1, b2 = self.beta1, self.beta2
        m, v, g = self.m[:, cols], self.v[:, cols], grad[:, cols]
        m *= b1
        m += np.multiply(g, 1 - b1, out=scratch)  # m ← β1·m + (1 − β1)·g
        np.square(g, out=scratch)
        scratch *= 1 - b2
        v *= b2
        v += scratch  # v ← β2·v + (1 − β2)·g²
        # θ ← θ − lr · m̂ / (√v̂ + ε), with m̂ = m / (1 − β1^t), v̂ = v / (1 − β2^t)
        np.multiply(v, 1.0 / (1 - b2**self.t), out=scratch)
        np.sqrt(scratch, out=scratch)
        scratch += self.eps
        np.divide(m, scratch, out=scratch)
        scratch *= lr / (1 - b1**self.t)
        theta[:, cols] -= scratch

    def state(self):
        return [self.m, self.v]

    def __repr__(self) -> str:
        return f"Adam(beta1={self.beta1}, beta2={self.beta2}, eps={self.eps})"


OPTIMIZERS: dict[str, type[Optimizer]] = {cls.name: cls for cls in (SGD, Momentum, Adam)}


def get_optimizer(name: str) -> type[Optimizer]:
    try:
        return OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}"
        ) from None
