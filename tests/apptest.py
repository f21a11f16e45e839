"""Helpers for running the app headlessly with streamlit.testing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard import work

ENTRY = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def open_app(page: str | None = None, **params: str) -> AppTest:
    """The app with a fresh cache, URL parameters preset, run once (on `page` if given)."""
    st.cache_data.clear()
    work.shared().clear()  # finished runs are kept by the queue, across sessions
    at = AppTest.from_file(ENTRY, default_timeout=120)
    if page is not None:
        at.run()
        at.switch_page(page)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    return at


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def chart_specs(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def chart_frames(at: AppTest) -> list[list[pd.DataFrame]]:
    """Each chart's data sets, as Streamlit sent them (Arrow), decoded."""
    return [
        [pa.ipc.open_stream(d.data.data).read_all().to_pandas() for d in chart.proto.datasets]
        for chart in at.get("vega_lite_chart")
    ]


def chart_fields(at: AppTest) -> list[set[str]]:
    """Every column name in each chart's data sets."""
    return [set().union(*(frame.columns for frame in frames)) for frames in chart_frames(at)]


def chart_titles(at: AppTest) -> list[str]:
    titles = []
    for spec in chart_specs(at):
        title = spec.get("title")
        titles.append(title.get("text") if isinstance(title, dict) else title)
    return titles


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)
