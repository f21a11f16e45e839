"""Optimizers over a stack of K flat parameter vectors θ of shape (K, P).

Each keeps its state in arrays shaped like θ, so one numpy call updates every parameter
of every network; `lr` is a (K, 1) column, one learning rate per network. A step may
cover a range of columns only (one layer's parameters): `tick()` starts each step.
"""

from __future__ import annotations

import numpy as np

ALL = slice(None)
MU = 0.9  # momentum's decay of the velocity
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # Adam's moment decays and its guard against 0


class Optimizer:
    name = ""

    def __init__(self, shape: tuple[int, int]):
        self.t = 0
        self.scratch = np.empty(shape)

    def tick(self) -> None:
        """Start a new step (Adam's bias correction counts them)."""
        self.t += 1

    def step(self, theta: np.ndarray, grad: np.ndarray, lr: np.ndarray, cols=ALL) -> None:
        """θ ← θ − update(grad) on columns `cols`; leaves `grad` as it was."""
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

    def step(self, theta, grad, lr, cols=ALL):
        theta[:, cols] -= np.multiply(grad[:, cols], lr, out=self.scratch[:, cols])


class Momentum(Optimizer):
    """Heavy ball: v ← μv + g; θ ← θ − lr·v."""

    name = "momentum"

    def __init__(self, shape, mu: float = MU):
        super().__init__(shape)
        self.mu = mu
        self.velocity = np.zeros(shape)

    def step(self, theta, grad, lr, cols=ALL):
        velocity = self.velocity[:, cols]
        velocity *= self.mu
        velocity += grad[:, cols]
        theta[:, cols] -= np.multiply(velocity, lr, out=self.scratch[:, cols])

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

    def step(self, theta, grad, lr, cols=ALL):
        b1, b2 = self.beta1, self.beta2
        m, v, g, scratch = self.m[:, cols], self.v[:, cols], grad[:, cols], self.scratch[:, cols]
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
