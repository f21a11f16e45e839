"""Activation functions, each a pair: f(z) and its derivative, written beside each other.

Backprop only ever has the layer's output a = f(z) at hand, so every derivative is also
given in terms of a (`grad_from_output`); for all five functions here that is exact.
The in-place kernels (`forward`, `grad_from_output` with `out=`) are what the training
loop calls; `__call__` and `derivative` are the allocating versions for everyone else.
"""

from __future__ import annotations

import numpy as np


class Activation:
    """Base class: subclasses define `forward(z, out)` and `grad_from_output(a, out)`.

    Both must be correct when `out` is their input: the training loop works in place.
    """

    name = ""
    label = ""  # as the pages write it

    def forward(self, z: np.ndarray, out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def grad_from_output(self, a: np.ndarray, out: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        with np.errstate(over="ignore"):
            return self.forward(z, np.empty_like(z))

    def derivative(self, z: np.ndarray) -> np.ndarray:
        """f'(z), computed from f(z) exactly as backprop does."""
        a = self(z)
        return self.grad_from_output(a, np.empty_like(a))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sigmoid(Activation):
    """σ(z) = 1 / (1 + e^(−z)); σ'(z) = σ(z)(1 − σ(z)).

    e^(−z) may overflow to inf for z < −709, which gives exactly σ = 0: the result is
    right at every z, and callers silence the overflow flag (`__call__` does).
    """

    name = label = "sigmoid"

    def forward(self, z, out):
        np.negative(z, out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.reciprocal(out, out=out)

    def grad_from_output(self, a, out):
        np.subtract(1.0, a, out=out)
        return np.multiply(out, a, out=out)


class Tanh(Activation):
    """tanh(z); tanh'(z) = 1 − tanh(z)²."""

    name = label = "tanh"

    def forward(self, z, out):
        return np.tanh(z, out=out)

    def grad_from_output(self, a, out):
        np.square(a, out=out)
        return np.subtract(1.0, out, out=out)


class ReLU(Activation):
    """max(z, 0); ReLU'(z) = 1 if z > 0 else 0 (so ReLU'(0) = 0)."""

    name, label = "relu", "ReLU"

    def forward(self, z, out):
        return np.maximum(z, 0.0, out=out)

    def grad_from_output(self, a, out):
        return np.greater(a, 0.0, out=out)


class LeakyReLU(Activation):
    """max(z, αz) for 0 < α < 1; derivative 1 if z > 0 else α."""

    name, label = "leaky_relu", "leaky ReLU"

    def __init__(self, alpha: float = 0.01):
        self.alpha = alpha

    def forward(self, z, out):
        return np.maximum(z, self.alpha * z, out=out)  # safe when out is z

    def grad_from_output(self, a, out):
        np.greater(a, 0.0, out=out)
        out *= 1.0 - self.alpha
        out += self.alpha
        return out

    def __repr__(self) -> str:
        return f"LeakyReLU(alpha={self.alpha})"


class Identity(Activation):
    """f(z) = z, the lab's "without activation"; f'(z) = 1."""

    name, label = "identity", "none"  # the lab's word

    def forward(self, z, out):
        np.copyto(out, z)
        return out

    def grad_from_output(self, a, out):
        out.fill(1.0)
        return out


ACTIVATIONS: dict[str, Activation] = {
    act.name: act for act in (Sigmoid(), Tanh(), ReLU(), LeakyReLU(), Identity())
}

sigmoid = ACTIVATIONS["sigmoid"]
tanh = ACTIVATIONS["tanh"]
relu = ACTIVATIONS["relu"]
leaky_relu = ACTIVATIONS["leaky_relu"]
identity = ACTIVATIONS["identity"]


def get_activation(name: str) -> Activation:
    """The activation registered under `name`; ValueError lists the known names."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None
