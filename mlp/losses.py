"""Loss functions: the recorded value (mean over points) and the output-layer delta.

Conventions, for n points with output ŷ = f(z) and labels y ∈ {0, 1}:
- `mse`: L = (1/n) Σ (ŷ − y)², the lab's loss.
- `bce`: L = (1/n) Σ −y log ŷ − (1 − y) log(1 − ŷ), computed from the logits z as
  softplus(z) − y·z so it never takes log(0); it needs a sigmoid output.
The gradient that backprop starts from depends on the reduction:
- `mean`: the exact gradient of L.
- `sum`: each point's error summed without 1/n — for MSE the gradient of ½ Σ (ŷ − y)²
  (what the lab's code did: n/2 times the mean gradient), for BCE of Σ bce_i.
"""

from __future__ import annotations

import numpy as np

from mlp.activations import Activation

REDUCTIONS = ("mean", "sum")
# what each gradient convention means, for the app's and the CLI's help
REDUCTION_LABELS = {
    "mean": "mean — the exact gradient of the mean loss",
    "sum": "sum — errors summed without 1/n, as the report's code did (n/2 × larger steps)",
}


class Loss:
    """Base class. `point_loss` gives each point's loss (any shape, allocating; used to
    score whole chunks of epochs at once); `output_delta` is the backprop kernel."""

    name = ""
    mean_factor = 1.0  # ∂(mean loss)/∂z_out = mean_factor / n · (the per-point term below)

    def point_loss(self, y_hat: np.ndarray, z: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def output_delta(self, y_hat, err, act: Activation, scale: float, delta) -> np.ndarray:
        """δ_out = ∂L/∂z_out into `delta`, given err = ŷ − y."""
        raise NotImplementedError

    def __call__(self, y_hat: np.ndarray, y: np.ndarray, z: np.ndarray | None = None) -> float:
        """The mean loss of predictions ŷ (and, for BCE, more exactly from logits z)."""
        y_hat = np.asarray(y_hat, dtype=float)
        if z is None:
            p = np.clip(y_hat, 1e-300, 1 - 1e-16)
            z = np.log(p) - np.log1p(-p)
        with np.errstate(all="ignore"):
            return float(np.mean(self.point_loss(y_hat, z, np.asarray(y, dtype=float))))

    def gradient_scale(self, reduction: str, n: int) -> float:
        """The factor that turns the per-point error term into the chosen gradient."""
        return self.mean_factor / n if reduction == "mean" else 1.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MSE(Loss):
    name = "mse"
    mean_factor = 2.0

    def point_loss(self, y_hat, z, y):
        return (y_hat - y) ** 2

    def output_delta(self, y_hat, err, act, scale, delta):
        """δ_out = scale · (ŷ − y) ⊙ f'(z_out)."""
        act.grad_from_output(y_hat, out=delta)
        delta *= err
        delta *= scale
        return delta


class BCE(Loss):
    name = "bce"
    mean_factor = 1.0

    def point_loss(self, y_hat, z, y):
        # −y log σ(z) − (1 − y) log(1 − σ(z)) = softplus(z) − y·z, without log(0)
        return np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))

    def output_delta(self, y_hat, err, act, scale, delta):
        """With a sigmoid output, ∂bce/∂z = ŷ − y: δ_out = scale · (ŷ − y)."""
        return np.multiply(err, scale, out=delta)


LOSSES: dict[str, Loss] = {loss.name: loss for loss in (MSE(), BCE())}

mse = LOSSES["mse"]
bce = LOSSES["bce"]


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None


def check_loss_output(loss: str, output_activation: str) -> None:
    """BCE's gradient ŷ − y holds for a sigmoid output only."""
    if loss == "bce" and output_activation != "sigmoid":
        raise ValueError(
            f"loss 'bce' needs output_activation 'sigmoid' (got {output_activation!r}); "
            "use loss 'mse' for other outputs"
        )


def check_reduction(reduction: str) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"unknown reduction {reduction!r}; choose one of {', '.join(REDUCTIONS)}")
    return reduction
