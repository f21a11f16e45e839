"""Input features: what the network sees of a 2-D point, as in TensorFlow Playground.

`x1` and `x2` are the point's own coordinates, unchanged (the lab's inputs, so the
default `("x1", "x2")` trains exactly as before). The other features are computed from
Playground's coordinates u = 12·(x − 0.5), which map our unit square onto Playground's
[−6, 6]²: `x1^2` = u1², `x2^2` = u2², `x1*x2` = u1·u2, `sin(x1)` = sin(u1),
`sin(x2)` = sin(u2). Centred squares make a circle around the square's centre linearly
separable (u1² + u2² < r²); the sines give a spiral's turns something to follow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

SCALE, CENTRE = 12.0, 0.5  # u = SCALE·(x − CENTRE)


def _u(X: np.ndarray, column: int) -> np.ndarray:
    return SCALE * (X[:, column] - CENTRE)


FEATURES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: _u(X, 0) ** 2,
    "x2^2": lambda X: _u(X, 1) ** 2,
    "x1*x2": lambda X: _u(X, 0) * _u(X, 1),
    "sin(x1)": lambda X: np.sin(_u(X, 0)),
    "sin(x2)": lambda X: np.sin(_u(X, 1)),
}
NAMES = tuple(FEATURES)
RAW = ("x1", "x2")


def check(features) -> tuple[str, ...]:
    """The features as a tuple in the fixed order of NAMES, or ValueError saying why."""
    if isinstance(features, str) or not isinstance(features, Sequence) or not features:
        raise ValueError(f"features must list some of {', '.join(NAMES)}, got {features!r}")
    unknown = [f for f in features if f not in FEATURES]
    if unknown:
        raise ValueError(f"features must be among {', '.join(NAMES)}, got {unknown[0]!r}")
    if len(set(features)) != len(features):
        raise ValueError(f"features must not repeat, got {tuple(features)!r}")
    return tuple(name for name in NAMES if name in features)


def expand(X: np.ndarray, features: Sequence[str] = RAW) -> np.ndarray:
    """The network's inputs (n, len(features)) for raw points X (n, 2); X itself for RAW."""
    if tuple(features) == RAW:
        return X
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"features need points with 2 coordinates, got shape {X.shape}")
    return np.column_stack([FEATURES[name](X) for name in features])
