"""Settings, declared once: each drives reading the URL, drawing its widget and writing the URL.

A page lists its `Setting`s and calls `sidebar`. On the page's first run in a session,
values from the URL are checked and seeded into `st.session_state` (a bad one is ignored
with a note); widgets use only `key=` (never `value=`), and the page writes the current
values back to the URL, so a copied link reproduces the page. Values also survive a
visit to another page. Parsers raise ValueError and never draw anything.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import streamlit as st

from dashboard import runs
from mlp import TrainConfig
from mlp.config import FIELDS

MAX_SHOWN = 40  # characters of a bad URL value quoted back in a note
MAX_UPLOAD_MB = 10  # as .streamlit/config.toml's server.maxUploadSize
# the learning-rate slider's stops: 1-2-5 on a log scale, 1e-5 to 100
LEARNING_RATES = [m * 10.0**e for e in range(-5, 2) for m in (1, 2, 5)] + [100.0]


@dataclass(frozen=True)
class Setting:
    """One widget: session key, URL parameter (None: not in the URL), label, default, the
    kind of widget and what it allows. `field` names the TrainConfig field it sets, if
    any; `shown(state)` says whether the widget applies with the other values."""

    key: str
    param: str | None
    label: str
    default: object
    kind: str  # select, radio, slider, select_slider, number, text, toggle, pills, upload
    options: Sequence = ()
    low: float | None = None
    high: float | None = None
    step: float | None = None
    labels: Mapping | None = None  # option → what the widget shows
    check: Callable[[str], object] | None = None  # text settings: raises ValueError
    field: str | None = None
    section: str | None = None  # a header drawn above the first setting of a section
    shown: Callable[[Mapping], bool] | None = None
    help: str | None = None
    in_sidebar: bool = True  # False: the page draws it (`draw`) where it belongs

    def parse(self, text: str):
        """The value a URL's text stands for, or ValueError saying why it cannot be."""
        if self.check is not None:
            return self.check(text)
        if self.kind == "toggle":
            return choice([False, True])(text)
        if self.kind == "select_slider" and all(isinstance(o, float) for o in self.options):
            return nearest(self.options)(text)
        if self.options:
            return choice(self.options)(text)
        if isinstance(self.low, int) and isinstance(self.high, int):
            return integer(self.low, self.high)(text)
        return number(self.low, self.high)(text)

    def format(self, value) -> str:
        """The value as the URL and the widgets show it."""
        if isinstance(value, list | tuple):
            return ",".join(map(str, value))
        return f"{value:g}" if isinstance(value, float) else str(value)

    def draw(self) -> None:
        """The widget, in the current container."""
        common = {"key": self.key, "help": self.help}
        labels = self.labels or {}

        def shown(value) -> str:
            return labels.get(value, self.format(value))

        if self.kind == "select":
            st.selectbox(self.label, self.options, format_func=shown, **common)
        elif self.kind == "radio":
            st.radio(self.label, self.options, format_func=shown, horizontal=not self.in_sidebar,
                     **common)  # fmt: skip
        elif self.kind == "select_slider":
            st.select_slider(self.label, self.options, format_func=shown, **common)
        elif self.kind == "slider":
            st.slider(self.label, self.low, self.high, step=self.step, **common)
        elif self.kind == "number":
            number_format = None if isinstance(self.low, int) else "%g"
            st.number_input(
                self.label, self.low, self.high, step=self.step, format=number_format, **common
            )
        elif self.kind == "text":
            st.text_input(self.label, **common)
        elif self.kind == "toggle":
            st.toggle(self.label, **common)
        elif self.kind == "pills":
            st.pills(self.label, self.options, selection_mode="multi", **common)
        else:
            st.file_uploader(
                self.label, type=["csv", "txt"], max_upload_size=MAX_UPLOAD_MB, **common
            )


def only_when(settings: Sequence[Setting], applies: Callable[[Mapping], bool]) -> list[Setting]:
    """The settings, each shown only where `applies(state)` holds (and its own rule does)."""

    def both(own):
        return lambda state: applies(state) and (own is None or own(state))

    return [dataclasses.replace(s, shown=both(s.shown)) for s in settings]


def config_choice(
    key: str, param: str, label: str, field: str, kind: str = "select", **more
) -> Setting:
    """A select box (or radio) over the choices TrainConfig allows for `field`, defaulting
    to TrainConfig's default."""
    default = more.pop("default", getattr(TrainConfig(), field))
    return Setting(key, param, label, default, kind, FIELDS[field].choices, field=field, **more)


def learning_rate(key: str, default: float = 1.0, **more) -> Setting:
    return Setting(
        key, "lr", "Learning rate", default, "select_slider", LEARNING_RATES, field="lr", **more
    )


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
    in_url = [s for s in settings if s.param is not None]
    if loaded not in state:
        state[loaded] = True
        known = {s.param for s in in_url}
        for param in st.query_params:
            if param not in known:
                notes.append(
                    f"Ignored `{shortened(param)}` in the link: this page has no such setting."
                )
        for s in in_url:
            if s.param not in st.query_params:
                continue
            text = st.query_params.get_all(s.param)[-1]
            try:
                state[s.key] = s.parse(text)
            except ValueError as reason:
                notes.append(f"Ignored `{s.param}={shortened(text)}` from the link: {reason}.")
    for s in in_url:
        if s.key not in state:
            state[s.key] = state.get(f"_kept_{s.key}", s.default)
    return notes


def write_url(settings: Sequence[Setting]) -> None:
    """Put the values that differ from their defaults in the URL; keep them for later visits."""
    params = {}
    for s in settings:
        if s.param is None:
            continue
        value = st.session_state.get(s.key, s.default)
        st.session_state[f"_kept_{s.key}"] = value
        if s.format(value) != s.format(s.default):
            params[s.param] = s.format(value)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def apply_preset(values: dict) -> None:
    """Button callback: set several widgets at once (before they are drawn)."""
    st.session_state.update(values)


def page_start(
    page: str, title: str, intro: str, settings: Sequence[Setting], presets: dict | None = None
) -> None:
    """Every page's top: its settings (from the URL, in the sidebar, back to the URL), its
    title and introduction, and notes on link values it ignored."""
    runs.new_page_run()
    notes = sidebar(page, settings, presets)
    st.title(title)
    if intro:
        st.markdown(intro)
    show_notes(notes)


def sidebar(page: str, settings: Sequence[Setting], presets: Mapping[str, dict] | None = None):
    """Every page's skeleton: values from the URL (once), the widgets in the sidebar (with a
    button per preset), the values back to the URL. Returns the notes on ignored values."""
    notes = init(page, settings)
    section = None
    with st.sidebar:
        for s in settings:
            if not s.in_sidebar or (s.shown is not None and not s.shown(st.session_state)):
                continue
            if s.section and s.section != section:
                section = s.section
                st.header(section)
            s.draw()
        for label, values in (presets or {}).items():
            st.button(label, on_click=apply_preset, args=(values,))
    write_url(settings)
    return notes


def config_values(settings: Sequence[Setting]) -> dict:
    """{TrainConfig field: current value} of the settings that set a field directly."""
    return {s.field: st.session_state[s.key] for s in settings if s.field is not None}


def show_notes(notes: Sequence[str]) -> None:
    for note in notes:
        st.info(note, icon=":material/link_off:")
