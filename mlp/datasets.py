"""Data sets: the lab's two (linear, XOR-easy), four classic shapes, and CSV upload.

Every generator returns X, float (n, 2), and y, int (n, 1) with labels 0/1. The shapes
live in the lab's unit square [0, 1]², so one network setting suits all of them.
"""

from __future__ import annotations

import csv
import inspect
import io
import math
from pathlib import Path
from typing import IO

import numpy as np

MAX_CSV_ROWS = 100_000
CSV_COLUMNS = ("x1", "x2", "label")


def generate_linear(n: int = 100, seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The lab's linear set: n points uniform in [0, 1]², label 0 if x₀ > x₁ else 1."""
    X = np.random.default_rng(seed).uniform(0, 1, (n, 2))
    y = np.where(X[:, 0] > X[:, 1], 0, 1).reshape(n, 1)
    return X, y


def generate_xor_easy() -> tuple[np.ndarray, np.ndarray]:
    """The lab's 21 XOR points: (0.1i, 0.1i) → 0 and, except at 0.5, (0.1i, 1 − 0.1i) → 1."""
    points, labels = [], []
    for i in range(11):
        points.append([0.1 * i, 0.1 * i])
        labels.append(0)
        if 0.1 * i == 0.5:
            continue
        points.append([0.1 * i, 1 - 0.1 * i])
        labels.append(1)
    return np.array(points), np.array(labels).reshape(21, 1)


def _jitter(X: np.ndarray, noise: float, rng: np.random.Generator) -> np.ndarray:
    return X + rng.normal(0.0, noise, X.shape) if noise > 0 else X


def circle(n: int = 200, noise: float = 0.05, seed: int | None = None):
    """Label 1 inside a centred circle holding half the square's area, 0 outside."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(0, 1, (n, 2))
    radius = math.sqrt(0.5 / math.pi)
    y = (np.hypot(X[:, 0] - 0.5, X[:, 1] - 0.5) < radius).astype(int).reshape(n, 1)
    return _jitter(X, noise, rng), y


def spiral(n: int = 200, noise: float = 0.02, seed: int | None = None):
    """Two interleaved spirals, 1.5 turns each, centred in the square."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0.05, 1.0, n)
    angle = 3 * math.pi * t + math.pi * y
    X = 0.5 + 0.45 * t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _jitter(X, noise, rng), y.reshape(n, 1)


def moons(n: int = 200, noise: float = 0.05, seed: int | None = None):
    """Two interleaved half circles, scaled into the square."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0, math.pi, n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where(y[:, None] == 0, upper, lower)
    X = (X + 1.0) / np.array([4.0, 2.5]) + np.array([0.0, 0.1])
    return _jitter(X, noise, rng), y.reshape(n, 1)


def gaussians(n: int = 200, noise: float = 0.12, seed: int | None = None):
    """Two Gaussian blobs, at (0.3, 0.3) labelled 0 and (0.7, 0.7) labelled 1; noise = std."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    centres = np.where(y[:, None] == 0, 0.3, 0.7)
    X = centres + rng.normal(0.0, max(noise, 1e-3), (n, 2))
    return X, y.reshape(n, 1)


def check_data(X, y) -> tuple[np.ndarray, np.ndarray]:
    """X as float (n, d) and y as int (n, 1) with labels 0/1, or ValueError saying why."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or len(X) < 1 or X.shape[1] < 1:
        raise ValueError(f"X must be a 2-D array (n points, d features), got shape {X.shape}")
    if y.size != len(X):
        raise ValueError(f"y must hold one label per point: {len(X)} points, {y.size} labels")
    if not np.all(np.isfinite(X)):
        raise ValueError("X holds NaN or infinite values")
    y = y.reshape(-1, 1)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("labels must be 0 or 1")
    return X, y.astype(int)


def split(
    X: np.ndarray, y: np.ndarray, test_fraction: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_test, y_test): each class split in the same proportion, a class of
    two or more points keeping at least one on each side; deterministic from `seed`.
    `test_fraction` in [0, 0.9]; 0 gives an empty test set."""
    X, y = check_data(X, y)
    if isinstance(test_fraction, bool) or not 0 <= test_fraction <= 0.9:
        raise ValueError(f"test_fraction must be in 0..0.9, got {test_fraction!r}")
    rng = np.random.default_rng(seed)
    test = []
    for label in (0, 1):
        rows = rng.permutation(np.flatnonzero(y[:, 0] == label))
        count = round(test_fraction * len(rows))
        if test_fraction > 0 and len(rows) >= 2:
            count = min(max(count, 1), len(rows) - 1)
        test.extend(rows[:count])
    is_test = np.zeros(len(X), dtype=bool)
    is_test[test] = True
    return X[~is_test], y[~is_test], X[is_test], y[is_test]


def check_test(test) -> tuple[np.ndarray, np.ndarray] | None:
    """Held-out points (X_test, y_test) checked like the training data; None or empty: none."""
    if test is None:
        return None
    X_test, y_test = test
    if len(X_test) == 0:
        return None
    return check_data(X_test, y_test)


GENERATORS = {
    "linear": generate_linear,
    "xor": lambda: generate_xor_easy(),
    "circle": circle,
    "spiral": spiral,
    "moons": moons,
    "gaussians": gaussians,
}
NAMES = tuple(GENERATORS)


def load(name: str, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """A data set by name; keyword arguments go to its generator (xor takes none)."""
    if name not in GENERATORS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(NAMES)}")
    accepted = inspect.signature(GENERATORS[name]).parameters
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        takes = ", ".join(accepted) or "no arguments"
        raise ValueError(f"dataset {name!r} takes {takes}; got {', '.join(unknown)}")
    return GENERATORS[name](**kwargs)


def from_csv(source: str | Path | IO) -> tuple[np.ndarray, np.ndarray]:
    """Read points from CSV text with a header naming columns x1, x2 and label.

    Raises ValueError naming the line and column for anything that cannot be a data
    set: missing columns, text or non-finite numbers, labels other than 0/1, fewer than
    2 or more than 100,000 rows, bytes that are not UTF-8.
    """
    text = _read_text(source)
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None:
        raise ValueError("the file is empty; expected a header line x1,x2,label")
    header = [name.strip().lower() for name in header]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise ValueError(
            f"missing column(s) {', '.join(missing)}; the header line must name x1, x2 and label"
        )
    cols = [header.index(name) for name in CSV_COLUMNS]
    values, line_numbers = [], []
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(values) == MAX_CSV_ROWS:
            raise ValueError(f"more than {MAX_CSV_ROWS:,} data rows; that is the most allowed")
        if len(row) < len(header):
            raise ValueError(f"line {line}: {len(row)} fields, the header has {len(header)}")
        values.append(
            [_number(row[c], line, name) for c, name in zip(cols, CSV_COLUMNS, strict=True)]
        )
        line_numbers.append(line)
    if len(values) < 2:
        raise ValueError(f"{len(values)} data row(s); at least 2 are needed")
    data = np.array(values)
    bad = np.flatnonzero((data[:, 2] != 0) & (data[:, 2] != 1))
    if len(bad):
        line, label = line_numbers[bad[0]], data[bad[0], 2]
        raise ValueError(
            f"line {line}, column label: {label:g} is not a label; labels must be 0 or 1"
        )
    return data[:, :2], data[:, 2].astype(int).reshape(-1, 1)


def _read_text(source) -> str:
    if isinstance(source, str | Path):
        with open(source, "rb") as f:
            raw = f.read()
    else:
        raw = source.read()
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 text (byte {exc.start})") from None


def _number(cell: str, line: int, column: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        shown = cell if len(cell) <= 20 else cell[:20] + "…"
        raise ValueError(f"line {line}, column {column}: {shown!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"line {line}, column {column}: {cell.strip()!r} is not a finite number")
    return value
