"""Widget values that live in the URL, so a copied link reproduces the same run.

Each page declares its `Setting`s. On the page's first run in a session, values from
the URL are checked and seeded into `st.session_state` (a bad one is ignored with a
note); widgets then use only `key=` (never `value=`), and the page writes the current
values back to the URL. Values also survive a visit to another page.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import streamlit as st

MAX_SHOWN = 40  # characters of a bad URL value quoted back in a note
# the learning-rate slider's stops: 1-2-5 on a log scale, 1e-5 to 100
LEARNING_RATES = [m * 10.0**e for e in range(-5, 2) for m in (1, 2, 5)] + [100.0]


@dataclass(frozen=True)
class Setting:
    """One widget: its session key, its URL parameter, default, and how to read URL text."""

    key: str
    param: str
    default: object
    parse: Callable[[str], object]  # raises ValueError saying why the text is not allowed

    def format(self, value) -> str:
        return f"{value:g}" if isinstance(value, float) else str(value)


def choice(options: Sequence) -> Callable[[str], object]:
    def parse(text: str):
        for option in options:
            if text == str(option):
                return option
        raise ValueError(f"must be one of {', '.join(map(str, options))}")

    return parse


def integer(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise ValueError("not a whole number") from None
        if not low <= value <= high:
            raise ValueError(f"must be between {low:,} and {high:,}")
        return value

    return parse


def number(low: float, high: float) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError("not a number") from None
        if not math.isfinite(value) or not low <= value <= high:
            raise ValueError(f"must be between {low:g} and {high:g}")
        return value

    return parse


def nearest(options: Sequence[float]) -> Callable[[str], float]:
    """A number within the options' range, snapped to the nearest option (log scale)."""
    check = number(min(options), max(options))

    def parse(text: str) -> float:
        value = check(text)
        return min(options, key=lambda option: abs(math.log(option / value)))

    return parse


def shortened(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def init(page: str, settings: Sequence[Setting]) -> list[str]:
    """Give every setting a value in session state; return notes on ignored URL values."""
    state, notes = st.session_state, []
    loaded = f"_url_loaded_{page}"
    if loaded not in state:
        state[loaded] = True
        known = {s.param for s in settings}
        for param in st.query_params:
            if param not in known:
                notes.append(
                    f"Ignored `{shortened(param)}` in the link: this page has no such setting."
                )
        for s in settings:
            if s.param not in st.query_params:
                continue
            text = st.query_params.get_all(s.param)[-1]
            try:
                state[s.key] = s.parse(text)
            except ValueError as reason:
                notes.append(f"Ignored `{s.param}={shortened(text)}` from the link: {reason}.")
    for s in settings:
        if s.key not in state:
            state[s.key] = state.get(f"_kept_{s.key}", s.default)
    return notes


def write_url(settings: Sequence[Setting]) -> None:
    """Put the values that differ from their defaults in the URL; keep them for later visits."""
    params = {}
    for s in settings:
        value = st.session_state.get(s.key, s.default)
        st.session_state[f"_kept_{s.key}"] = value
        if value != s.default:
            params[s.param] = s.format(value)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def show_notes(notes: Sequence[str]) -> None:
    for note in notes:
        st.info(note, icon=":material/link_off:")
