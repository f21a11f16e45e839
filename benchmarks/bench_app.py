"""Server time of each page with its default settings, measured with streamlit.testing's
AppTest (the script runs in-process, as it does in the server): the first visit (the
server's first script run also imports numpy, pandas and altair), a run with an empty
cache (new settings), and a cached rerun.

    python -m benchmarks.bench_app                          # every page
    python -m benchmarks.bench_app app_pages/backprop.py    # some pages
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks.common import print_table
from dashboard import work

ENTRY = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
PAGES = [
    "app_pages/train.py",
    "app_pages/backprop.py",
    "app_pages/learning_rate.py",
    "app_pages/hidden_units.py",
    "app_pages/activations.py",
    "app_pages/gradient_vanishing.py",
    "app_pages/generalization.py",
]


def timed_run(at: AppTest) -> float:
    start = time.perf_counter()
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return time.perf_counter() - start


def empty_caches() -> None:
    st.cache_data.clear()
    work.shared().clear()  # the queue keeps finished runs


def main(pages: list[str]) -> None:
    rows = []
    for page in pages:
        empty_caches()
        at = AppTest.from_file(ENTRY, default_timeout=300)
        if page != PAGES[0]:
            at.run()
            at.switch_page(page)
        first = timed_run(at)
        empty_caches()
        cold = timed_run(at)
        cached = min(timed_run(at) for _ in range(3))
        rows.append([page, f"{first:.2f}", f"{cold:.2f}", f"{cached:.2f}"])
    print_table(["page", "first visit (s)", "empty cache (s)", "cached rerun (s)"], rows)


if __name__ == "__main__":
    main(sys.argv[1:] or PAGES)
