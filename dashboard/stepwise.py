"""The numbers of one backprop step, as tables: what the "step by step" page shows.

Everything here comes from `mlp.reference` (the readable engine): the step itself, the
finite differences beside each gradient, one weight's chain rule path by path, and the
update. Pure functions, no Streamlit.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlp import TrainConfig, reference
from mlp.activations import get_activation
from mlp.features import RAW

Params = reference.Params


@dataclass(frozen=True)
class TrainedNetwork:
    """The Train page's network at its replay epoch, handed to the step-by-step page."""

    config: TrainConfig
    params: Params
    epoch: int
    X: np.ndarray
    y: np.ndarray


FD_STEP = 1e-4  # five-point differences: truncation ~h⁴, rounding ~1e-16/h
MAX_PATHS = 10_000  # one weight's chain rule is listed path by path up to this many


@dataclass
class Walk:
    """The steps taken on the page: the network's weights now, the optimizer's state, and
    the loss on every point after each step. `key` names what it started from."""

    key: tuple
    params: Params
    optimizer: reference.Optimizer
    losses: list[float]

    @classmethod
    def start(cls, key: tuple, params: Params, X, y, config: TrainConfig) -> Walk:
        params = [(W.copy(), b.copy()) for W, b in params]
        loss = reference.backprop(params, X, y, config).loss
        return cls(key, params, reference.Optimizer(config, params), [loss])

    def take(self, grads: Params, X, y, config: TrainConfig) -> None:
        """One update with these gradients; the loss on (X, y) afterwards is recorded."""
        self.params = self.optimizer.step(self.params, grads)
        self.losses.append(reference.backprop(self.params, X, y, config).loss)


def unit_name(l: int, u: int, last: int, features: tuple[str, ...] = RAW) -> str:
    """Unit u (0-based) of layer l as the page names it: an input by its feature (x1,
    x1^2, …), then h2[3] (1-based), ŷ."""
    return features[u] if l == 0 else ("ŷ" if l == last else f"h{l}[{u + 1}]")


def unit_names(l: int, width: int, last: int, features: tuple[str, ...] = RAW) -> list[str]:
    return [unit_name(l, u, last, features) for u in range(width)]


def layer_frame(W: np.ndarray, b: np.ndarray, l: int, last: int, features=RAW) -> pd.DataFrame:
    """W_l with b_l as its last row: rows are the inputs (and the bias), columns the units."""
    index = [*unit_names(l - 1, W.shape[0], last, features), "bias"]
    return pd.DataFrame(np.vstack([W, b]), index=index, columns=unit_names(l, W.shape[1], last))


def points_frame(values: np.ndarray, rows: np.ndarray, l: int, last: int) -> pd.DataFrame:
    """A layer's values (n, width) for the batch's points: one row per point."""
    return pd.DataFrame(
        values, index=pd.Index(rows, name="point"), columns=unit_names(l, values.shape[1], last)
    )


def finite_differences(params: Params, X, y, config: TrainConfig) -> Params:
    """∂L/∂θ by five-point central differences of the objective the step's gradient is of.

    Under the `sum` convention its loss is the mean loss times n/2 (MSE) or n (BCE); any
    L1/L2 penalty is added unchanged.
    """
    factor = 1.0
    if config.reduction == "sum":
        factor = len(X) / 2 if config.loss == "mse" else float(len(X))
    grads = []
    for W, b in params:
        layer = []
        for p in (W, b):
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old, values = p[idx], []
                for shift in (2, 1, -1, -2):
                    p[idx] = old + shift * FD_STEP
                    values.append(objective(params, X, y, config, factor))
                p[idx] = old
                # f'(θ) ≈ (−f(θ+2h) + 8f(θ+h) − 8f(θ−h) + f(θ−2h)) / 12h
                g[idx] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * FD_STEP)
            layer.append(g)
        grads.append((layer[0], layer[1]))
    return grads


def objective(params: Params, X, y, config: TrainConfig, factor: float) -> float:
    """What the step's gradient is the gradient of: factor · mean loss + the penalty."""
    step = reference.backprop(params, X, y, config)
    return factor * step.loss + step.penalty


def relative_difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a − b| / max(|a|, |b|), and 0 where both are 0."""
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(scale > 0, np.abs(a - b) / scale, 0.0)


def gradient_check(grads: Params, numeric: Params, l: int, features=RAW) -> pd.DataFrame:
    """One row per parameter of layer l: backprop's value, the finite difference, and
    their relative difference."""
    (gW, gb), (nW, nb) = grads[l - 1], numeric[l - 1]
    last = len(grads)
    names = [
        f"W{l}: {unit_name(l - 1, i, last, features)} → {unit_name(l, j, last)}"
        for i, j in np.ndindex(gW.shape)
    ] + [f"b{l}: bias → {unit_name(l, j, last)}" for j in range(len(gb))]
    analytic = np.concatenate([gW.ravel(), gb])
    numeric_values = np.concatenate([nW.ravel(), nb])
    return pd.DataFrame(
        {
            "parameter": names,
            "backprop": analytic,
            "finite difference": numeric_values,
            "relative difference": relative_difference(analytic, numeric_values),
        }
    )


@dataclass(frozen=True)
class Path:
    """One path from a weight to the loss: its factors (name, value) and their product."""

    label: str
    factors: tuple[tuple[str, float], ...]

    @property
    def product(self) -> float:
        return float(np.prod([value for _, value in self.factors]))


def path_count(sizes: tuple[int, ...], l: int) -> int:
    """How many paths lead from a weight of layer l to the output."""
    return int(np.prod(sizes[l + 1 : -1], dtype=np.int64)) if l < len(sizes) - 1 else 1


def chain_paths(
    step: reference.Step, params: Params, config: TrainConfig, l: int, i: int, j: int, p: int
) -> list[Path]:
    """∂ℓ_p/∂W_l[i, j] for point p, path by path: a_{l-1,i} · f'(z_{l,j}) · Π (W · f') · δ_L.

    Summed over the paths this is a_{l-1,i} δ_{l,j} at point p (δ_L carries the loss's
    derivative and the convention's scale, so summed over the points it is ∂L/∂W_l[i, j]).
    """
    hidden = get_activation(config.activation)
    last = len(params)
    slopes = [hidden.derivative(z[p]) for z in step.zs[:-1]]  # f'(z_m) per hidden layer m
    source = unit_name(l - 1, i, last, config.features)
    input_factor = (f"a of {source}", float(step.activations[l - 1][p, i]))
    delta_out = ("δ_L", float(step.deltas[-1][p, 0]))
    if l == last:
        return [Path(f"{source} → ŷ", (input_factor, delta_out))]
    paths = []
    later = [range(len(b)) for _, b in params[l : last - 1]]  # units of layers l+1..L-1
    for units in itertools.product(*later):
        route = (j, *units)
        factors = [input_factor]
        for m, unit in enumerate(route, start=l):  # layer m's unit on the route
            factors.append((f"f'(z) of {unit_name(m, unit, last)}", float(slopes[m - 1][unit])))
            nxt = route[m - l + 1] if m < last - 1 else 0
            factors.append((f"W{m + 1}", float(params[m][0][unit, nxt])))
        factors.append(delta_out)
        names = [source]
        names += [unit_name(m, u, last) for m, u in enumerate(route, start=l)] + ["ŷ"]
        paths.append(Path(" → ".join(names), tuple(factors)))
    return paths


def paths_frame(paths: list[Path]) -> pd.DataFrame:
    """One row per path: the route, its factors written out, and their product."""
    return pd.DataFrame(
        {
            "path": [path.label for path in paths],
            "factors": [" × ".join(f"{value:.4g}" for _, value in path.factors) for path in paths],
            "product": [path.product for path in paths],
        }
    )


def updated(params: Params, grads: Params, optimizer: reference.Optimizer) -> Params:
    """The parameters after one step, without changing the optimizer's own state."""
    return copy.deepcopy(optimizer).step(params, grads)


def diagram_frames(
    step: reference.Step, grads: Params, features=RAW
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (mean δ over the batch's points; inputs have none) and edges (∂L/∂W)."""
    widths = [a.shape[1] for a in step.activations]
    last = len(widths) - 1
    nodes = pd.DataFrame(
        [
            {
                "x": float(l),
                "y": (u + 0.5) / width - 0.5,
                "unit": unit_name(l, u, last, features),
                "delta": float(step.deltas[l - 1][:, u].mean()) if l else np.nan,
            }
            for l, width in enumerate(widths)
            for u in range(width)
        ]
    )
    position = {(int(r.x), r.unit): (r.x, r.y) for r in nodes.itertuples()}
    edges = []
    for l, (gW, _) in enumerate(grads, start=1):
        for i, j in np.ndindex(gW.shape):
            source = unit_name(l - 1, i, last, features)
            (x, y) = position[(l - 1, source)]
            (x2, y2) = position[(l, unit_name(l, j, last))]
            g = float(gW[i, j])
            edges.append(
                {
                    "x": x,
                    "y": y,
                    "x2": x2,
                    "y2": y2,
                    "weight": f"W{l}: {source} → {unit_name(l, j, last)}",
                    "gradient": g,
                    "magnitude": abs(g),
                    "sign": "positive" if g >= 0 else "negative",
                }
            )
    return nodes, pd.DataFrame(edges)


def step_numbers(config: TrainConfig, rows, step: reference.Step, numeric: Params, params) -> dict:
    """Every number of the step at full precision, for the page's download."""
    return {
        "config": config.to_dict(),
        "points": [int(r) for r in rows],
        "loss": step.loss,
        "params": [[W.tolist(), b.tolist()] for W, b in params],
        "z": [z.tolist() for z in step.zs],
        "a": [a.tolist() for a in step.activations],
        "delta": [d.tolist() for d in step.deltas],
        "grads": [[gW.tolist(), gb.tolist()] for gW, gb in step.grads],
        "finite_differences": [[nW.tolist(), nb.tolist()] for nW, nb in numeric],
    }
