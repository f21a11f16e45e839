"""Helpers shared by the benchmark scripts: timing and a plain table."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(repeats: int, run: Callable[..., object], *args) -> float:
    """The shortest of `repeats` wall-clock timings of run(*args), in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run(*args)
        best = min(best, time.perf_counter() - start)
    return best


def print_table(header: list[str], rows: list[list]) -> None:
    cells = [header] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for i, row in enumerate(cells):
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
