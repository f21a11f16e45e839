"""Fully connected networks and their hand-written backprop.

Shapes, stated once: a batch holds n points as rows. Layer l = 1..L maps the previous
activations a_{l-1} (n, fan_in) to a_l = f(a_{l-1} @ W_l + b_l) of shape (n, fan_out);
a_0 is the input X and the last layer has one unit, the probability ŷ that the label is 1.

`NetworkStack` holds K networks of the same sizes stacked on a leading axis, so one numpy
call serves all K (this is what makes `mlp.sweep` fast, and `mlp.train` is the case K = 1).
Each layer's W_l and b_l live in one augmented matrix Wb_l (K, fan_in + 1, fan_out) whose
last row is b_l, so z_l = [a_{l-1}, 1] @ Wb_l is a single matmul and ∂L/∂Wb_l = [a_{l-1}, 1]ᵀ δ_l
gives the weight and bias gradients together. Every Wb_l is a view into one flat array θ
(K, P): an optimizer updates all parameters of all networks in a couple of calls.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from mlp.activations import Activation, get_activation
from mlp.features import RAW, expand
from mlp.losses import check_loss_output, check_reduction, get_loss

INITS = ("normal", "uniform", "xavier", "he", "zeros")
FORWARD_BLOCK = 512  # rows per block in MLP.forward
# np.dot zeroes its output before BLAS zeroes it again; above this many floats that extra
# pass costs more than np.matmul's dearer call (XOR, 21 points: a 501 × 500 gradient took
# 232 µs with matmul against 299 with dot; 51 × 50, 2.6 against 2.3)
DOT_MAX_OUTPUT = 10_000


def layer_shapes(sizes: Sequence[int]) -> list[tuple[int, int]]:
    """(fan_in + 1, fan_out) of each augmented layer matrix Wb_l."""
    return [(fan_in + 1, fan_out) for fan_in, fan_out in itertools.pairwise(sizes)]


def parameter_count(sizes: Sequence[int]) -> int:
    return sum(rows * cols for rows, cols in layer_shapes(sizes))


def init_params(
    sizes: Sequence[int], init: str, rng: np.random.Generator
) -> list[tuple[np.ndarray, np.ndarray]]:
    """One network's (W_l, b_l) per layer: weights drawn by `init`, layer by layer from
    the input side, biases zero. Every engine draws its initial weights here.

    normal N(0, 1) (the lab's), uniform U(−1, 1), xavier U(±√(6/(fan_in+fan_out))),
    he N(0, 2/fan_in), zeros (every unit identical: the symmetry demo).
    """
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
    params = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        shape = (fan_in, fan_out)
        if init == "normal":
            W = rng.standard_normal(shape)
        elif init == "uniform":
            W = rng.uniform(-1.0, 1.0, shape)
        elif init == "xavier":
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            W = rng.uniform(-limit, limit, shape)
        elif init == "he":
            W = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
        else:
            W = np.zeros(shape)
        params.append((W, np.zeros(fan_out)))
    return params


def flatten(params: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The flat vector θ (P,) of a list of (W, b): [W_1, b_1, W_2, b_2, ...], rows first."""
    return np.concatenate([part.ravel() for W, b in params for part in (W, b)])


def init_theta(sizes: Sequence[int], init: str, rng: np.random.Generator) -> np.ndarray:
    """One network's initial parameters as a flat θ (P,), see `init_params`."""
    return flatten(init_params(sizes, init, rng))


def augment(X: np.ndarray) -> np.ndarray:
    """[X, 1]: a column of ones so that the bias is the last row of Wb."""
    return np.concatenate([X, np.ones((*X.shape[:-1], 1))], axis=-1)


class Workspace:
    """Preallocated buffers for one batch of n points, so the epoch loop allocates nothing.

    Arrays are (K, n, width), or (n, width) when K = 1 (see `NetworkStack`). `scale` is
    the loss's gradient factor for a batch of n points (`Loss.gradient_scale`).
    """

    def __init__(self, stack: NetworkStack, n: int, scale: float = 1.0):
        lead = stack.lead
        widths = stack.sizes[1:]
        # hidden layer l's output with the ones column: a_aug[l] = [a_l, 1]
        self.a_aug = [np.ones((*lead, n, w + 1)) for w in widths[:-1]]
        self.a_aug_T = [a.swapaxes(-1, -2) for a in self.a_aug]
        self.a_view = [a[..., :-1] for a in self.a_aug]
        self.a = [np.empty((*lead, n, w)) for w in widths[:-1]]  # a_l, contiguous
        self.delta = [np.empty((*lead, n, w)) for w in widths]  # δ_l = ∂L/∂z_l
        self.tmp = [np.empty((*lead, n, w)) for w in widths]
        self.y_hat = np.empty((*lead, n, 1))
        self.err = np.empty((*lead, n, 1))
        self.n, self.scale = n, scale


class NetworkStack:
    """K networks with identical sizes and activations, parameters stacked in θ (K, P).

    With K = 1 every array drops the leading axis and products use `np.dot`, which is
    cheaper per call than a batched `np.matmul` and gives bitwise the same numbers (but
    for large gradient blocks, see `DOT_MAX_OUTPUT`).
    """

    def __init__(
        self,
        sizes: Sequence[int],
        hidden: Activation,
        output: Activation,
        theta: np.ndarray,
    ):
        self.sizes = tuple(sizes)
        self.hidden, self.output = hidden, output
        self.theta = theta
        self.K = theta.shape[0]
        self.lead = () if self.K == 1 else (self.K,)
        self.matmul = np.dot if self.K == 1 else np.matmul
        self.grad_matmul = [
            self.matmul if rows * cols <= DOT_MAX_OUTPUT else np.matmul
            for rows, cols in layer_shapes(self.sizes)
        ]
        self.Wb = self.layer_views(theta)
        # W_lᵀ without the bias row, for δ_{l-1} = δ_l @ W_lᵀ
        self.W_T = [Wb[..., :-1, :].swapaxes(-1, -2) for Wb in self.Wb]

    def layer_views(self, flat: np.ndarray) -> list[np.ndarray]:
        """Views of a (K, P) array as the per-layer blocks (K, fan_in + 1, fan_out)."""
        views, start = [], 0
        for rows, cols in layer_shapes(self.sizes):
            stop = start + rows * cols
            views.append(flat[:, start:stop].reshape((*self.lead, rows, cols)))
            start = stop
        return views

    def forward(self, ws: Workspace, X_aug: np.ndarray, z_out: np.ndarray) -> np.ndarray:
        """ŷ for inputs [X, 1], (n, d + 1) shared by all K or (K, n, d + 1) each their own.

        Leaves every hidden a_l in `ws` for backprop and the output's z in `z_out`.
        """
        a_prev = X_aug
        for l, Wb in enumerate(self.Wb[:-1]):
            a = self.matmul(a_prev, Wb, out=ws.a[l])  # z_l = [a_{l-1}, 1] @ Wb_l
            self.hidden.forward(a, out=a)  # a_l = f(z_l), in place
            np.copyto(ws.a_view[l], a)
            a_prev = ws.a_aug[l]
        self.matmul(a_prev, self.Wb[-1], out=z_out)
        return self.output.forward(z_out, out=ws.y_hat)

    def backward(
        self, ws: Workspace, X_aug_T: np.ndarray, grad_views: list[np.ndarray], layer_done=None
    ) -> None:
        """Fill ∂L/∂Wb_l for every layer, starting from δ_L = ws.delta[-1].

        layer_done(l), if given, is called as soon as W_l is no longer needed: a trainer
        can update layer l then, while its gradient is still in the cache.
        """
        for l in range(len(self.Wb) - 1, -1, -1):
            a_prev_T = ws.a_aug_T[l - 1] if l > 0 else X_aug_T
            self.grad_matmul[l](a_prev_T, ws.delta[l], out=grad_views[l])  # [a_{l-1}, 1]ᵀ δ_l
            if l > 0:
                # δ_{l-1} = (δ_l @ W_lᵀ) ⊙ f'(z_{l-1})
                delta_prev = self.matmul(ws.delta[l], self.W_T[l], out=ws.delta[l - 1])
                delta_prev *= self.hidden.grad_from_output(ws.a[l - 1], out=ws.tmp[l - 1])
            if layer_done is not None:
                layer_done(l)


class MLP:
    """One fully connected network, e.g. MLP((2, 20, 20, 1)) for the lab's 2-20-20-1.

    `params` is a list of (W, b) per layer, W (fan_in, fan_out) and b (fan_out,); they are
    views of the network's own storage, so changing them in place changes the network.
    Every method takes raw 2-D points; `features` (see mlp.features) turns them into the
    network's inputs, one per feature.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str = "sigmoid",
        init: str = "normal",
        seed: int = 0,
        features: Sequence[str] = RAW,
    ):
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < 2 or min(sizes) < 1 or sizes[-1] != 1:
            raise ValueError(f"sizes must list widths ≥ 1 (input, hidden…, 1), got {sizes}")
        self.features = tuple(features)
        if self.features != RAW and len(self.features) != sizes[0]:
            raise ValueError(f"{len(self.features)} features for an input width of {sizes[0]}")
        theta = init_theta(sizes, init, np.random.default_rng(seed))[None, :]
        self.stack = NetworkStack(
            sizes, get_activation(activation), get_activation(output_activation), theta
        )
        self.sizes, self.activation, self.output_activation = sizes, activation, output_activation

    @classmethod
    def from_theta(
        cls, sizes, activation, output_activation, theta: np.ndarray, features=RAW
    ) -> MLP:
        """A network whose parameters are a copy of the flat vector θ (P,)."""
        net = cls(sizes, activation, output_activation, init="zeros", features=features)
        net.stack.theta[0] = theta
        return net

    @property
    def theta(self) -> np.ndarray:
        """All parameters as one flat vector (a view)."""
        return self.stack.theta[0]

    @property
    def params(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(Wb[:-1], Wb[-1]) for Wb in self.stack.Wb]

    def forward(self, X: np.ndarray) -> np.ndarray:
        """ŷ = P(label 1 | x) for each row of X, shape (n, 1).

        Rows go through in blocks, so a large X (a plotting grid) never needs buffers of
        n × width for every layer at once.
        """
        X = np.asarray(X, dtype=float)
        blocks = [
            self._forward(X[i : i + FORWARD_BLOCK])[0].y_hat
            for i in range(0, len(X), FORWARD_BLOCK)
        ]
        return np.concatenate(blocks) if blocks else np.empty((0, 1))

    def hidden_outputs(self, X: np.ndarray) -> list[np.ndarray]:
        """a_l of every hidden layer, (n, width_l), from one forward pass."""
        return [a.copy() for a in self._forward(X)[0].a]

    def predict(self, X: np.ndarray) -> np.ndarray:
        """0/1 labels: 1 where ŷ > 0.5."""
        return (self.forward(X) > 0.5).astype(int)

    def loss(self, X: np.ndarray, y: np.ndarray, loss: str = "mse") -> float:
        """The mean loss over the points."""
        loss_fn = get_loss(loss)
        check_loss_output(loss_fn.name, self.output_activation)
        ws, _, z_out = self._forward(X)
        return loss_fn(ws.y_hat, _labels(y), z_out)

    def gradients(
        self, X: np.ndarray, y: np.ndarray, loss: str = "mse", reduction: str = "mean"
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """(∂L/∂W, ∂L/∂b) per layer by backprop, shaped like `params`."""
        loss_fn = get_loss(loss)
        check_loss_output(loss_fn.name, self.output_activation)
        ws, X_aug, _ = self._forward(X)
        scale = loss_fn.gradient_scale(check_reduction(reduction), ws.n)
        grad = np.empty_like(self.stack.theta)
        grad_views = self.stack.layer_views(grad)
        with np.errstate(all="ignore"):
            np.subtract(ws.y_hat, _labels(y), out=ws.err)
            loss_fn.output_delta(ws.y_hat, ws.err, self.stack.output, scale, ws.delta[-1])
            self.stack.backward(ws, X_aug.T, grad_views)
        return [(g[:-1], g[-1]) for g in grad_views]

    def _forward(self, X):
        X_aug = augment(expand(np.asarray(X, dtype=float), self.features))
        ws = Workspace(self.stack, len(X_aug))
        z_out = np.empty((len(X_aug), 1))
        with np.errstate(all="ignore"):
            self.stack.forward(ws, X_aug, z_out)
        return ws, X_aug, z_out

    def __getstate__(self) -> dict:
        # θ alone: pickling the layer views would copy them apart from θ
        return {
            "sizes": self.sizes,
            "activation": self.activation,
            "output_activation": self.output_activation,
            "theta": self.theta.copy(),
            "features": self.features,
        }

    def __setstate__(self, state: dict) -> None:
        net = MLP.from_theta(
            state["sizes"],
            state["activation"],
            state["output_activation"],
            state["theta"],
            state["features"],
        )
        self.__dict__.update(net.__dict__)

    def __repr__(self) -> str:
        return (
            f"MLP(sizes={self.sizes}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r})"
        )


def _labels(y) -> np.ndarray:
    return np.asarray(y, dtype=float).reshape(-1, 1)
