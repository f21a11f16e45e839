"""Sentences computed from a study's runs: what each arm did, in numbers only."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlp.summary import RunSummary


def _seeds(count: int, n: int) -> str:
    """ "3 of 5 seeds", "all 5 seeds", "both seeds", "its one seed"."""
    if count < n:
        return f"{count} of {n} seeds"
    return {1: "its one seed", 2: "both seeds"}.get(n, f"all {n} seeds")


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" if n == 1 else f"{n} {thing}s"


def describe(label: str, summaries: Sequence[RunSummary]) -> str:
    """One sentence saying what the runs of one setting did, from their numbers only."""
    n = len(summaries)
    by_outcome = {
        outcome: [s for s in summaries if s.outcome == outcome]
        for outcome in ("solved", "diverged", "stalled", "learning")
    }
    parts = []
    if solved := by_outcome["solved"]:
        epochs = sorted(s.epochs_to_perfect for s in solved)
        spread = f"; {epochs[0]:,}–{epochs[-1]:,}" if len(epochs) > 1 else ""
        parts.append(
            f"{_seeds(len(solved), n)} reached 100% training accuracy, "
            f"after {int(np.median(epochs)):,} epochs (median{spread})"
        )
    if diverged := by_outcome["diverged"]:
        first = min(s.stopped_epoch for s in diverged)
        parts.append(f"{_seeds(len(diverged), n)} diverged (the first at epoch {first:,})")
    if stalled := by_outcome["stalled"]:
        loss = np.mean([s.final_loss for s in stalled])
        accuracy = np.mean([s.final_accuracy for s in stalled])
        plateau = f"loss ≈ {loss:.3g}, accuracy {accuracy:.0%}"
        parts.append(f"{_seeds(len(stalled), n)} stalled on a plateau ({plateau})")
    if learning := by_outcome["learning"]:
        accuracy = np.mean([s.final_accuracy for s in learning])
        parts.append(
            f"{_seeds(len(learning), n)} kept improving to the last epoch (accuracy {accuracy:.0%})"
        )
    return f"**{label}**: " + "; ".join(parts) + "."


def describe_all(results: dict) -> list[str]:
    return [describe(label, result.summaries) for label, result in results.items()]


def describe_ratios(ratios: pd.DataFrame) -> list[str]:
    """Sentences on how much smaller the first layer's gradient is than the last's."""
    sentences = []
    for name, rows in ratios.groupby("activation", sort=False):
        start, end = rows["ratio"].to_numpy()
        if not np.isfinite(start):
            sentences.append(f"**{name}**: no gradient reached the first layer (dead units).")
            continue
        size = f"{1 / start:,.3g}× smaller" if start < 1 else f"{start:,.3g}× larger"
        sentence = f"**{name}**: at the start the first layer's gradient is {size} than the last's"
        if np.isfinite(end):
            sentence += f"; at the end, {end:.3g} times the last's"
        else:
            sentence += "; at the end, in every seed a layer passes no gradient"
        sentences.append(sentence + _seeds_counted(rows) + ".")
    return sentences


def _seeds_counted(rows: pd.DataFrame) -> str:
    """A note like " (over 2 of 3 seeds: …)" when some seeds had a layer without gradient."""
    start, end = rows["seeds"].to_numpy()
    of = int(rows["of"].iloc[0])
    counted = {start} if end == 0 else {start, end}  # no end ratio: its count says nothing
    if counted == {of}:
        return ""
    over = f"{start} of {of} seeds" if len(counted) == 1 else (
        f"{start} of {of} seeds at the start, {end} at the end"
    )  # fmt: skip
    return f" (over {over}: in the rest a layer passes no gradient)"


def describe_generalization(table: pd.DataFrame, setting: str) -> list[str]:
    """Where test accuracy is best, how training and test accuracy move from the first arm
    to the last, and the gap between them per arm; from a summary table with test columns."""
    n = int(table["seeds"].iloc[0])
    best, first, last = (
        table.loc[table["test accuracy mean"].idxmax()],
        table.iloc[0],
        table.iloc[-1],
    )
    against = "" if best[setting] == first[setting] else (
        f", against {first['test accuracy mean']:.1%} at {first[setting]}"
    )  # fmt: skip
    gaps = ", ".join(
        f"{row[setting]}: {row['gap (training − test)']:+.1%}" for _, row in table.iterrows()
    )
    over = f"mean over {_count(n, 'seed')}"
    if len(table) == 1:  # nothing to compare it with
        return [
            f"At {setting} **{first[setting]}**, test accuracy is "
            f"{first['test accuracy mean']:.1%} and training accuracy "
            f"{first['accuracy mean']:.1%} ({over}): a gap of "
            f"{first['gap (training − test)']:+.1%}."
        ]
    return [
        f"Test accuracy is best at {setting} **{best[setting]}**: "
        f"{best['test accuracy mean']:.1%} ({over}){against}.",
        f"From {setting} {first[setting]} to {last[setting]}, training accuracy goes "
        f"{first['accuracy mean']:.1%} → {last['accuracy mean']:.1%} and test accuracy "
        f"{first['test accuracy mean']:.1%} → {last['test accuracy mean']:.1%}.",
        f"Training minus test accuracy, per {setting}: {gaps}.",
    ]
