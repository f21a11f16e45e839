"""Tidy (long-form) pandas DataFrames built from run records and study results."""

from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd

from dashboard import raster
from mlp import MLP, RunRecord
from mlp.grid import COLUMNS

SOLVED_AT = "epochs to 100% (median of solved seeds)"
COST = "CPU seconds per run"  # the work of one run, however busy the server was meanwhile


def evenly_spaced(n: int, max_points: int) -> np.ndarray:
    """At most max_points indices into range(n), first and last included."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


def log_spaced(epochs: np.ndarray, max_points: int) -> np.ndarray:
    """At most max_points indices into `epochs` (increasing, ≥ 1), first and last included,
    spread evenly over log(epoch) as a log axis draws them: evenly spaced rows would leave
    a few points for the first tenth of that axis and draw its early epochs as one segment."""
    if len(epochs) <= max_points:
        return np.arange(len(epochs))
    return np.unique(np.searchsorted(epochs, np.geomspace(epochs[0], epochs[-1], max_points)))


def layer_names(n_layers: int) -> list[str]:
    """W1 (the input side) … WL (the output layer): short, so legends stay narrow."""
    return [f"W{l + 1}" for l in range(n_layers)]


def history_frame(record: RunRecord, max_points: int = 600) -> pd.DataFrame:
    """epoch, set ("training" or "test"), loss, accuracy: the training points' figures and,
    where there are held-out points, theirs; each thinned to max_points rows."""
    rows = evenly_spaced(record.epochs_run, max_points)
    tested = evenly_spaced(len(record.test_epochs), max_points)
    return pd.DataFrame(
        {
            "epoch": np.concatenate([rows, record.test_epochs[tested]]),
            "set": ["training"] * len(rows) + ["test"] * len(tested),
            "loss": np.concatenate([record.loss[rows], record.test_loss[tested]]),
            "accuracy": np.concatenate([record.accuracy[rows], record.test_accuracy[tested]]),
        }
    )


def grad_norm_frame(record: RunRecord, max_points: int = 400) -> pd.DataFrame:
    """epoch, layer, norm: ‖∂L/∂W_l‖ per layer, one row per layer and epoch shown."""
    rows = evenly_spaced(record.epochs_run, max_points)
    wide = pd.DataFrame(record.grad_norms[rows], columns=layer_names(record.grad_norms.shape[1]))
    wide["epoch"] = rows
    return wide.melt(id_vars="epoch", var_name="layer", value_name="norm")


def history_table(record: RunRecord) -> pd.DataFrame:
    """Every epoch, every figure: what the CSV download holds."""
    table = pd.DataFrame(
        {"epoch": np.arange(record.epochs_run), "loss": record.loss, "accuracy": record.accuracy}
    )
    for l, name in enumerate(layer_names(record.grad_norms.shape[1])):
        table[f"grad_norm_{name}"] = record.grad_norms[:, l]
    return table


def labelled_points(X: np.ndarray, y: np.ndarray, kind: str = "training") -> pd.DataFrame:
    """x1, x2, label, set (`kind`): the points as the data set gives them."""
    return pd.DataFrame({"x1": X[:, 0], "x2": X[:, 1], "label": y.ravel().astype(int), "set": kind})


def points_frame(
    X: np.ndarray, y: np.ndarray, probability: np.ndarray, kind: str = "training"
) -> pd.DataFrame:
    """labelled_points, and predicted, probability, result ("correct" or "wrong")."""
    points = labelled_points(X, y, kind)
    probability = np.nan_to_num(probability.ravel(), nan=0.5, posinf=1.0, neginf=0.0)
    predicted = (probability > 0.5).astype(int)
    result = np.where(predicted == points["label"], "correct", "wrong")
    return points.assign(predicted=predicted, probability=probability, result=result)


def _sets(X, y, X_test, y_test) -> list[tuple[np.ndarray, np.ndarray, str]]:
    """The training points and, when there are any, the test points, each with its name."""
    held_out = X_test is not None and len(X_test) > 0
    return [(X, y, "training"), *([(X_test, y_test, "test")] if held_out else [])]


def ground_truth(X, y, X_test=None, y_test=None) -> pd.DataFrame:
    """labelled_points of the training and (if any) test points: all a network does not set."""
    parts = [labelled_points(A, b, kind) for A, b, kind in _sets(X, y, X_test, y_test)]
    return pd.concat(parts, ignore_index=True)


def split_points(network: MLP, X, y, X_test=None, y_test=None) -> pd.DataFrame:
    """points_frame of the training points and, when there are any, the test points."""
    parts = [
        points_frame(A, b, network.forward(A), kind) for A, b, kind in _sets(X, y, X_test, y_test)
    ]
    return pd.concat(parts, ignore_index=True)


def grid_frame(network: MLP, X: np.ndarray, steps: int = 50) -> pd.DataFrame:
    """The network's ŷ over a steps × steps grid covering the points (with a margin), as
    one row: the grid's extent (x1..x1_end, x2..x2_end) and its picture, `image` (a PNG
    data URL, one pixel per cell, coloured as raster.PROBABILITY_STOPS, highest x2 on top)."""
    low, high = X.min(axis=0), X.max(axis=0)
    margin = np.maximum((high - low) * 0.08, 0.05)
    low, high = low - margin, high + margin
    cell = (high - low) / steps
    centres = [low[i] + cell[i] * (np.arange(steps) + 0.5) for i in (0, 1)]
    g1, g2 = np.meshgrid(centres[0], centres[1][::-1])  # row 0: the top of the plane
    probability = network.forward(np.column_stack([g1.ravel(), g2.ravel()]))
    probability = np.clip(np.nan_to_num(probability, nan=0.5), 0.0, 1.0).reshape(steps, steps)
    image = raster.png_data_url(raster.colorize(probability))
    return pd.DataFrame(
        {"x1": [low[0]], "x1_end": [high[0]], "x2": [low[1]], "x2_end": [high[1]], "image": [image]}
    )


DRAWN_UNITS = 12  # units drawn per layer of a network: more would blur into a mesh of lines


def network_frames(network: MLP, max_units: int = DRAWN_UNITS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (layer, unit, x, y) and edges (weights) of a network drawing.

    Layers wider than max_units show their first max_units units (see `units_left_out`).
    """
    shown = [min(width, max_units) for width in network.sizes]
    nodes = pd.DataFrame(
        [
            {"layer": l, "unit": u, "x": float(l), "y": (u + 0.5) / shown[l] - 0.5, "width": width}
            for l, width in enumerate(network.sizes)
            for u in range(shown[l])
        ]
    )
    position = {(r.layer, r.unit): (r.x, r.y) for r in nodes.itertuples()}
    edges = []
    for l, (W, _) in enumerate(network.params):
        for i in range(shown[l]):
            for j in range(shown[l + 1]):
                (x, y), (x2, y2) = position[(l, i)], position[(l + 1, j)]
                w = float(W[i, j])
                edges.append(
                    {
                        "x": x,
                        "y": y,
                        "x2": x2,
                        "y2": y2,
                        "weight": w,
                        "magnitude": abs(w),
                        "sign": "positive" if w >= 0 else "negative",
                        "layer": f"W{l + 1}",
                    }
                )
    return nodes, pd.DataFrame(edges)


def units_left_out(sizes, max_units: int = DRAWN_UNITS) -> str:
    """What a drawing of a network of these layer sizes leaves out, in words ("" if nothing)."""
    wide = {width for width in sizes if width > max_units}
    if not wide:
        return ""
    if len(wide) == 1 and wide == set(sizes[1:-1]):  # hidden layers all alike (Train's)
        return f"the first {max_units} of the {wide.pop()} units of each hidden layer drawn"
    return f"the first {max_units} units of each layer wider than that drawn"


def summary_table(results: dict, setting: str = "setting") -> pd.DataFrame:
    """One row per arm (a digest.ArmResult): its swept values, outcomes over its seeds,
    final accuracy and loss, when the solved seeds first reached 100%, and its cost.

    `status` is "diverged" or "stalled" when every seed did so (charts draw those arms
    apart), else "trained"; `diverged at` is the first epoch a seed diverged.
    """
    rows = []
    for label, result in results.items():
        summaries = result.summaries
        accuracy = np.array([s.final_accuracy for s in summaries])
        outcomes = [s.outcome for s in summaries]
        solved = [s.epochs_to_perfect for s in summaries if s.outcome == "solved"]
        diverged = [s.stopped_epoch for s in summaries if s.outcome == "diverged"]
        everyone = {"diverged", "stalled"} & set(outcomes) if len(set(outcomes)) == 1 else set()
        rows.append(
            {
                setting: label,
                **{name: value for name, value in result.values if name != setting},
                "seeds": len(summaries),
                "solved": len(solved),
                "diverged": len(diverged),
                "stalled": outcomes.count("stalled"),
                "status": everyone.pop() if everyone else "trained",
                "diverged at": float(min(diverged)) if diverged else np.nan,
                "accuracy mean": _nanmean(accuracy),
                "accuracy std": float(np.nanstd(accuracy))
                if np.isfinite(accuracy).any()
                else np.nan,
                **test_columns(summaries, accuracy),  # beside training accuracy: compared
                "final loss mean": _nanmean([s.final_loss for s in summaries]),
                SOLVED_AT: float(np.median(solved)) if solved else np.nan,
                COST: float(np.mean([s.cpu_seconds for s in summaries])),
            }
        )
    return pd.DataFrame(rows)


def test_columns(summaries, accuracy: np.ndarray) -> dict:
    """Test accuracy (mean, std) and the generalization gap, when the arm had test points."""
    test = np.array([s.test_accuracy for s in summaries])
    if not np.isfinite(test).any():
        return {}
    return {
        "test accuracy mean": _nanmean(test),
        "test accuracy std": float(np.nanstd(test)),
        "gap (training − test)": _nanmean(accuracy) - _nanmean(test),
    }


def _nanmean(values) -> float:
    values = np.array(values, dtype=float)
    return float(np.nanmean(values)) if np.isfinite(values).any() else float("nan")


def curves_frame(results: dict, setting: str = "setting") -> pd.DataFrame:
    """Long form for band charts: setting, set (training or test), epoch, metric, mean, std,
    low, high, runs."""
    parts = [
        curves.assign(**{setting: label, "set": kind})
        for label, result in results.items()
        for kind, curves in (("training", result.curves), ("test", result.test_curves))
        if len(curves)
    ]
    return pd.concat(parts, ignore_index=True)


def gradient_ratios(results: dict) -> pd.DataFrame:
    """activation, when (start/end), ratio: ‖∂L/∂W_first‖ / ‖∂L/∂W_last‖, geometric mean over
    the `seeds` (of `of`) where both norms are positive (a dead layer has none)."""
    rows = []
    for label, result in results.items():
        for index, when in enumerate(("start", "end")):
            pairs = result.edge_norms[:, index]
            of = len(pairs)
            pairs = pairs[np.all(pairs > 0, axis=1)]  # NaN and 0 both fail
            ratio = (
                float(np.exp(np.mean(np.log(pairs[:, 0] / pairs[:, 1])))) if len(pairs) else np.nan
            )
            rows.append(
                {"activation": label, "when": when, "ratio": ratio, "seeds": len(pairs), "of": of}
            )
    return pd.DataFrame(rows)


def saturation_rows(result, dataset: str, label: str) -> list[dict]:
    """Rows for the saturation chart: one per hidden layer of the median seed's network."""
    bounded = result.median_network.activation in ("sigmoid", "tanh")
    return [
        {
            "dataset": dataset,
            "activation": label,
            "layer": f"layer {l + 1}",
            "share": share,
            "what": "saturated (f′ ≤ 0.01)" if bounded else "dead or off",
        }
        for l, share in enumerate(result.median_saturation)
    ]


MAX_RESULT_ROWS = 100_000


def sweep_results(content: bytes) -> pd.DataFrame:
    """learning rate, hidden units, accuracy mean, runs: a `python -m mlp sweep` results
    file averaged over seeds per (rate, width of the first hidden layer); ValueError naming
    the line for anything else."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"the file is not UTF-8 text (byte {exc.start})") from None
    rows = csv.DictReader(io.StringIO(text))
    if rows.fieldnames != COLUMNS:
        raise ValueError("the header is not that of a `python -m mlp sweep` results file")
    cells = []
    for line, row in enumerate(rows, start=2):
        if line - 1 > MAX_RESULT_ROWS:
            raise ValueError(f"more than {MAX_RESULT_ROWS:,} rows; that is the most allowed")
        try:
            width = int(row["hidden"].split()[0])
            rate, accuracy = float(row["lr"]), float(row["final_accuracy"])
        except (ValueError, IndexError, AttributeError):
            raise ValueError(f"line {line}: hidden, lr or final_accuracy is not a number") from None
        if not (np.isfinite(rate) and 0 <= accuracy <= 1):
            raise ValueError(f"line {line}: lr must be finite and final_accuracy in 0..1")
        cells.append((rate, width, accuracy))
    if not cells:
        raise ValueError("the file has a header but no runs")
    table = pd.DataFrame(cells, columns=["learning rate", "hidden units", "accuracy mean"])
    grouped = table.groupby(["learning rate", "hidden units"], as_index=False)
    return grouped.agg(
        **{"accuracy mean": ("accuracy mean", "mean"), "runs": ("accuracy mean", "size")}
    )
