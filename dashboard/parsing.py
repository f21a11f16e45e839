"""Text settings that hold lists ("100, 10, 1", "sigmoid, relu"): parsed and checked.

Parsers raise ValueError saying what is wrong and never draw anything; the page decides
how to show it (dashboard.views.listed_values).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

MAX_VALUES = 8  # values in one comma-separated list


def parse_values(text: str, low: float, high: float, whole: bool = False) -> list[float]:
    """'100, 10, 1' → [100.0, 10.0, 1.0]; ValueError saying what is wrong."""
    values = []
    for item in text.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            value = float(item)
        except ValueError:
            raise ValueError(f"{item[:20]!r} is not a number") from None
        if not math.isfinite(value) or not low <= value <= high or (whole and value != int(value)):
            kind = "whole numbers" if whole else "numbers"
            raise ValueError(f"{item[:20]} is out of range: use {kind} from {low:g} to {high:g}")
        values.append(int(value) if whole else value)
    if not values:
        raise ValueError("list at least one value")
    if len(values) > MAX_VALUES:
        raise ValueError(f"list at most {MAX_VALUES} values")
    return list(dict.fromkeys(values))


def parse_names(text: str, allowed: Sequence[str]) -> tuple[list[str], list[str]]:
    """'sigmoid, relu, swish' → (['sigmoid', 'relu'], ['swish']): the known names (at most
    MAX_VALUES, at least the first allowed one) and the unknown ones, for a note."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name[:20] for name in names if name not in allowed]
    known = list(dict.fromkeys(name for name in names if name in allowed))[:MAX_VALUES]
    return known or [allowed[0]], unknown


def value_list(low: float, high: float, whole: bool = False) -> Callable[[str], str]:
    """A URL check for comma-separated values, each in [low, high]."""

    def parse(text: str) -> str:
        parse_values(text, low, high, whole)
        return text

    return parse


def value_names(allowed: Sequence[str]) -> Callable[[str], str]:
    """A URL check for comma-separated names from `allowed`."""

    def parse(text: str) -> str:
        if unknown := parse_names(text, allowed)[1]:
            raise ValueError(f"unknown {', '.join(unknown)}; use {', '.join(allowed)}")
        return text

    return parse
