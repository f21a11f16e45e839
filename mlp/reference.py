"""The lab's backpropagation written to be read: the specification of the fast engine.

For a batch of n points X (n, d) with labels y (n, 1) and layers l = 1..L (a_0 = X):

    forward   z_l = a_{l-1} W_l + b_l          a_l = f(z_l)    (f_L: the output activation)
    output    δ_L = ∂L/∂ŷ ⊙ f_L'(z_L)          (BCE with a sigmoid output: δ_L = c·(ŷ − y))
    backward  ∂L/∂W_l = a_{l-1}ᵀ δ_l           ∂L/∂b_l = Σ_rows δ_l
              δ_{l-1} = (δ_l W_lᵀ) ⊙ f'(z_{l-1})
    penalty   g_W += l2·W + l1·sign(W)          (weights only; none by default)
    update    sgd W ← W − lr·g;  momentum v ← μv + g, W ← W − lr·v;
              adam m ← β1 m + (1−β1) g, v ← β2 v + (1−β2) g², W ← W − lr·m̂ / (√v̂ + ε)

with ∂L/∂ŷ = 2(ŷ − y)/n for MSE under the `mean` convention (the exact gradient of the
mean loss) and (ŷ − y) under `sum` (the gradient of the lab's ½ Σ (ŷ − y)²); for BCE the
output delta is (ŷ − y)/n or (ŷ − y).
`network.py` and `train.py` compute the same numbers restructured for speed (stacked
networks, augmented matrices, preallocated buffers, chunked scoring); the tests hold them
to this file, field by field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlp.activations import get_activation
from mlp.config import TrainConfig
from mlp.datasets import check_data, check_test
from mlp.features import expand
from mlp.network import MLP, flatten, init_params
from mlp.optimizers import BETA1, BETA2, EPS, MU
from mlp.record import RunRecord
from mlp.runlog import snapshot_epochs, test_epochs

Params = list[tuple[np.ndarray, np.ndarray]]  # (W_l (fan_in, fan_out), b_l (fan_out,)) per layer


@dataclass
class Step:
    """One forward and backward pass. Lists run from the input side; `activations`
    starts with a_0 = the network's inputs (the points' features), so activations[l] is
    a_l and zs[l - 1] is z_l. `grads` include the penalty's, `loss` does not."""

    zs: list[np.ndarray]
    activations: list[np.ndarray]
    deltas: list[np.ndarray]  # δ_l = ∂L/∂z_l, (n, width_l)
    grads: Params  # (∂L/∂W_l, ∂L/∂b_l), shaped like the params
    loss: float  # the mean loss over the batch's points
    penalty: float  # l2/2·Σ‖W_l‖² + l1·Σ|W_l|


def penalty(params: Params, config: TrainConfig) -> float:
    return sum(config.l2 / 2 * np.sum(W**2) + config.l1 * np.sum(np.abs(W)) for W, _ in params)


def point_losses(y_hat: np.ndarray, z: np.ndarray, y: np.ndarray, loss: str) -> np.ndarray:
    """Each point's loss: (ŷ − y)² for MSE; for BCE −y log ŷ − (1−y) log(1−ŷ), written
    from the logit z as softplus(z) − y·z so that it never takes log(0)."""
    if loss == "mse":
        return (y_hat - y) ** 2
    return np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))


def backprop(params: Params, X: np.ndarray, y: np.ndarray, config: TrainConfig) -> Step:
    """Forward pass keeping every z_l and a_l, then δ_l and the gradients from the output back."""
    hidden, output = get_activation(config.activation), get_activation(config.output_activation)
    y = np.asarray(y, dtype=float).reshape(-1, 1)
    zs, activations = [], [expand(np.asarray(X, dtype=float), config.features)]
    with np.errstate(all="ignore"):  # a diverging run may overflow: the trainer stops it
        for l, (W, b) in enumerate(params, start=1):
            zs.append(activations[-1] @ W + b)
            f = output if l == len(params) else hidden
            activations.append(f(zs[-1]))
        y_hat, n = activations[-1], len(y)
        if config.loss == "bce":  # ∂bce/∂ŷ ⊙ σ'(z) = (ŷ − y) / (ŷ(1 − ŷ)) · ŷ(1 − ŷ)
            c = 1 / n if config.reduction == "mean" else 1.0
            delta = (y_hat - y) * c
        else:
            c = 2 / n if config.reduction == "mean" else 1.0
            delta = output.derivative(zs[-1]) * (y_hat - y) * c
        deltas, grads = [delta], []
        for l in range(len(params), 0, -1):
            W, _ = params[l - 1]
            grads.insert(0, (activations[l - 1].T @ delta, delta.sum(axis=0)))
            if l > 1:
                delta = (delta @ W.T) * hidden.derivative(zs[l - 2])
                deltas.insert(0, delta)
        grads = [(gW + config.l2 * W + config.l1 * np.sign(W), gb) for (gW, gb), (W, _) in
                 zip(grads, params, strict=True)] if config.regularized else grads  # fmt: skip
        loss = float(np.mean(point_losses(y_hat, zs[-1], y, config.loss)))
        weights_penalty = penalty(params, config)
    return Step(zs, activations, deltas, grads, loss, weights_penalty)


class Optimizer:
    """The update rule of `config.optimizer`, with its state per parameter array."""

    def __init__(self, config: TrainConfig, params: Params):
        self.name, self.lr, self.t = config.optimizer, config.lr, 0
        zeros = [np.zeros_like(p) for layer in params for p in layer]
        self.first, self.second = zeros, [z.copy() for z in zeros]  # v, or Adam's m and v

    def step(self, params: Params, grads: Params) -> Params:
        """The parameters after one update with these gradients."""
        self.t += 1
        flat_p = [p for layer in params for p in layer]
        flat_g = [g for layer in grads for g in layer]
        new = []
        with np.errstate(all="ignore"):
            for i, (p, g) in enumerate(zip(flat_p, flat_g, strict=True)):
                if self.name == "sgd":
                    new.append(p - self.lr * g)
                elif self.name == "momentum":
                    self.first[i] = MU * self.first[i] + g
                    new.append(p - self.lr * self.first[i])
                else:
                    self.first[i] = BETA1 * self.first[i] + (1 - BETA1) * g
                    self.second[i] = BETA2 * self.second[i] + (1 - BETA2) * g**2
                    m_hat = self.first[i] / (1 - BETA1**self.t)
                    v_hat = self.second[i] / (1 - BETA2**self.t)
                    new.append(p - self.lr * m_hat / (np.sqrt(v_hat) + EPS))
        return list(zip(new[::2], new[1::2], strict=True))


def batches(n: int, batch_size: int | None, rng: np.random.Generator) -> list[np.ndarray]:
    """The row indices of each batch of one epoch: all rows in order, or a fresh permutation
    cut into batches of batch_size (the last may be smaller)."""
    if batch_size is None:
        return [np.arange(n)]
    order = rng.permutation(n)
    return [order[i : i + batch_size] for i in range(0, n, batch_size)]


def train(X: np.ndarray, y: np.ndarray, config: TrainConfig, test=None) -> RunRecord:
    """What `mlp.train` does, in the plain loop. Epoch e's loss, accuracy and gradient norms
    come from its forward passes (before its updates; with mini-batches summed over the
    batches, norms as the root mean square); its penalty and test figures from the weights
    at its start; an epoch whose loss or any gradient is not finite is undone and ends the
    run (`diverged`)."""
    X, y = check_data(X, y)
    test = check_test(test)
    scheduled = set(test_epochs(config.epochs).tolist()) if test is not None else set()
    sizes = config.sizes()
    rng = np.random.default_rng(config.seed)
    params = init_params(sizes, config.init, rng)
    optimizer = Optimizer(config, params)
    planned = snapshot_epochs(config, len(flatten(params)))
    losses, accuracies, norms, snapshots, penalties, tested = [], [], [], {}, [], []
    stopped, diverged = None, False
    for epoch in range(config.epochs):
        if epoch in planned:
            snapshots[epoch] = flatten(params)
        penalties.append(penalty(params, config))
        if epoch in scheduled:
            held_out = backprop(params, *test, config)
            right = np.mean((held_out.activations[-1] > 0.5) == (test[1] > 0.5))
            tested.append((epoch, held_out.loss, right))
        before = (params, optimizer.t, [a.copy() for a in optimizer.first + optimizer.second])
        loss_sum, wrong, weight_sq, bias_sq = 0.0, 0, np.zeros(len(params)), 0.0
        epoch_batches = batches(len(X), config.batch_size, rng)
        for rows in epoch_batches:
            step = backprop(params, X[rows], y[rows], config)
            loss_sum += step.loss * len(rows)
            wrong += int(np.sum((step.activations[-1] > 0.5) != (y[rows] > 0.5)))
            with np.errstate(over="ignore"):
                weight_sq += [np.sum(gW**2) for gW, _ in step.grads]
                bias_sq += sum(np.sum(gb**2) for _, gb in step.grads)
            params = optimizer.step(params, step.grads)
        if not np.all(np.isfinite([loss_sum, *weight_sq, bias_sq])):
            params, optimizer.t, state = before
            half = len(state) // 2
            optimizer.first, optimizer.second = state[:half], state[half:]
            stopped, diverged = epoch, True
            break
        losses.append(loss_sum / len(X))
        accuracies.append(1 - wrong / len(X))
        norms.append(np.sqrt(weight_sq / len(epoch_batches)))
    end = config.epochs if stopped is None else stopped
    snapshots[end] = flatten(params)
    c, theta = config, flatten(params)
    network = MLP.from_theta(sizes, c.activation, c.output_activation, theta, c.features)
    tested = [t for t in tested if t[0] < end]
    return RunRecord(
        config=config,
        X=X,
        y=y,
        loss=np.array(losses),
        accuracy=np.array(accuracies),
        grad_norms=np.array(norms).reshape(len(losses), len(params)),
        snapshot_epochs=np.array(sorted(snapshots)),
        snapshot_theta=np.array([snapshots[e] for e in sorted(snapshots)]),
        network=network,
        predictions=backprop(params, X, y, config).activations[-1],
        seconds=0.0,
        diverged=diverged,
        stopped_epoch=stopped,
        penalty=np.array(penalties[:end]),
        test_epochs=np.array([e for e, _, _ in tested], dtype=int),
        test_loss=np.array([loss for _, loss, _ in tested]),
        test_accuracy=np.array([right for _, _, right in tested]),
    )
