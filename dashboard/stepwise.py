"""The numbers of one backprop step, as tables: what the "step by step" page shows.

Everything here comes from `mlp.reference` (the readable engine): the step itself, the
finite differences beside each gradient, one weight's chain rule path by path, and the
update. Pure functions, no Streamlit.
"""

from __future__ import annotations

import copy
import itertools
import math
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
    factor = loss_factor(config, len(X))
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
                g[idx] = five_point(*values)
            layer.append(g)
        grads.append((layer[0], layer[1]))
    return grads


def five_point(f_2h: float, f_h: float, f_minus_h: float, f_minus_2h: float) -> float:
    """f'(θ) ≈ (−f(θ+2h) + 8f(θ+h) − 8f(θ−h) + f(θ−2h)) / 12h; NaN for a diverged
    network's inf values, which the page reports."""
    with np.errstate(invalid="ignore"):
        return (-f_2h + 8 * f_h - 8 * f_minus_h + f_minus_2h) / (12 * FD_STEP)


def resolution(step: reference.Step, config: TrainConfig, n: int) -> float:
    """The smallest gradient finite_differences tells from 0 at this step (of n points):
    each objective value f is off by about ε·|f| from rounding, which the difference
    multiplies by (1+8+8+1)/12h. (Checked on saturated networks: their differences of
    exactly-zero gradients stay below 0.72 of it.)"""
    f = objective_of(step, loss_factor(config, n))
    return 18 / (12 * FD_STEP) * np.finfo(float).eps * abs(f)


def loss_factor(config: TrainConfig, n: int) -> float:
    """What the mean loss is multiplied by in the objective: n/2 (MSE) or n (BCE) under the
    `sum` convention, else 1."""
    if config.reduction == "sum":
        return n / 2 if config.loss == "mse" else float(n)
    return 1.0


def objective(params: Params, X, y, config: TrainConfig, factor: float) -> float:
    """What the step's gradient is the gradient of: factor · mean loss + the penalty."""
    return objective_of(reference.backprop(params, X, y, config), factor)


def objective_of(step: reference.Step, factor: float) -> float:
    return factor * step.loss + step.penalty


def relative_difference(a: np.ndarray, b: np.ndarray, smallest: float = 0.0) -> np.ndarray:
    """|a − b| / max(|a|, |b|); 0 where both are 0; NaN where they cannot be compared:
    neither reaches `smallest` (a finite difference's resolution), or one is inf or NaN."""
    scale = np.maximum(np.abs(a), np.abs(b))
    with np.errstate(invalid="ignore", divide="ignore"):
        compared = np.where(scale > 0, np.abs(a - b) / scale, 0.0)
    below = (scale > 0) & (scale < smallest)
    return np.where(below | ~np.isfinite(a) | ~np.isfinite(b), np.nan, compared)


AGREE = 1e-6  # a gradient agrees with its finite difference to this, beyond the rounding
KINKED = ("relu", "leaky_relu")  # activations whose slope jumps at z = 0


@dataclass(frozen=True)
class Verdict:
    """What the finite differences say about a step's gradients: a Streamlit message level
    (success, info, warning, error) and the sentence."""

    level: str
    text: str


@dataclass(frozen=True)
class Kinks:
    """Pre-activations within ±2h of a kink (ReLU's z = 0), where the differences' own
    steps cross it: how many, the batch's points they belong to, the activation's name."""

    count: int
    points: list[int]
    name: str


def near_kinks(step: reference.Step, config: TrainConfig, rows) -> Kinks:
    last = len(step.zs)
    near, name = np.zeros(len(rows), dtype=int), ""
    for l, z in enumerate(step.zs, start=1):
        f = config.output_activation if l == last else config.activation
        if f in KINKED:
            near += np.sum(np.abs(z) <= 2 * FD_STEP, axis=1)
            name = name or get_activation(f).label
    return Kinks(int(near.sum()), [int(point) for point in np.asarray(rows)[near > 0]], name)


def verdict(checks: pd.DataFrame, smallest: float, kinks: Kinks) -> Verdict:
    """The sentence under the gradient tables (`checks`: gradient_check's rows, all layers).

    A pair disagrees when |backprop − difference| exceeds the rounding `smallest` plus
    AGREE of their size; pairs below `smallest` (relative difference NaN) are not compared.
    """
    differences = checks["relative difference"].to_numpy()
    analytic, numeric = checks["backprop"].to_numpy(), checks["finite difference"].to_numpy()
    if not (np.isfinite(analytic).all() and np.isfinite(numeric).all()):
        return Verdict(
            "error",
            "Some gradients or finite differences are inf or NaN: the loss has overflowed, the "
            "network has diverged (a learning rate too large makes each step overshoot). "
            "Nothing can be compared; start again from weights that have not (Reset, a lower "
            "learning rate).",
        )
    below = int(np.isnan(differences).sum())
    if below == len(differences):
        return Verdict(
            "info",
            f"Every gradient of this step is below {smallest:.1e}, the smallest that finite "
            "differences resolve at this loss: they can only confirm that each gradient is that "
            "small.",
        )
    scale = np.maximum(np.abs(analytic), np.abs(numeric))
    apart = ~np.isnan(differences) & (np.abs(analytic - numeric) > smallest + AGREE * scale)
    largest = f"largest relative difference {np.nanmax(differences):.1e}"
    small = (
        f" {below} of {len(differences)} gradients (—) are below {smallest:.1e}, the smallest "
        "that finite differences resolve here: too small to compare."
    )
    if not apart.any():
        return Verdict(
            "success",
            f"Backprop and finite differences agree on every gradient ({largest})."
            + (small if below else ""),
        )
    text = (
        f"{apart.sum()} of {len(differences)} gradients differ from their finite difference "
        f"by more than rounding explains ({largest})."
    )
    if kinks.count:
        points = ", ".join(map(str, kinks.points))
        text += (
            f" {kinks.count} pre-activations z of point{'s' if len(kinks.points) > 1 else ''} "
            f"{points} lie within ±2h = {2 * FD_STEP:.0e} of {kinks.name}'s kink at z = 0, "
            f"where it has no derivative: backprop takes {kinks.name}′(0) = "
            f"{'0' if kinks.name == 'ReLU' else 'α'}, the differences, whose steps cross the "
            f"kink, see both slopes. Under Batch, choose one point other than {points} to "
            "compare without them."
        )
    return Verdict("warning", text + (small if below else ""))


def gradient_check(
    grads: Params, numeric: Params, l: int, features=RAW, smallest: float = 0.0
) -> pd.DataFrame:
    """One row per parameter of layer l: backprop's value, the finite difference, and
    their relative difference (NaN where neither reaches `smallest`)."""
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
            "relative difference": relative_difference(analytic, numeric_values, smallest),
        }
    )


@dataclass(frozen=True)
class Path:
    """One path from a weight to the loss: its factors (name, value) and their product."""

    label: str
    factors: tuple[tuple[str, float], ...]

    @property
    def product(self) -> float:
        """Left to right, as np.prod; Python floats give a diverged path's inf · 0 = NaN
        without a warning."""
        return math.prod(float(value) for _, value in self.factors)


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
