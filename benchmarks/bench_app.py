"""Time of each page with its default settings.

1. Server time, with streamlit.testing's AppTest (the script runs in-process, as in the
   server): the first visit (the server's first script run also imports numpy, pandas and
   altair), a run with an empty cache (new settings), and a cached rerun. A server scans
   the installed packages for components once, when it starts; AppTest does it in its
   first run, so that scan is done before the clock starts.
2. What a visitor sees, in headless Chromium against a fresh `streamlit run` server per
   page (needs Debian's chromium): seconds from opening the page to its connection (the
   browser has loaded Streamlit's JavaScript and opened the session's websocket), to its
   title (the server's first imports done), to the first chart sent by the server and
   drawn by the browser, and to the script's end (every result drawn). "Server" is the
   server's own part: from the connection to the first chart sent.

    python -m benchmarks.bench_app                          # every page
    python -m benchmarks.bench_app app_pages/backprop.py    # some pages
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import streamlit as st
from playwright.sync_api import sync_playwright
from streamlit.components.v2.component_manager import BidiComponentManager
from streamlit.testing.v1 import AppTest

from benchmarks.common import print_table
from dashboard import work
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server

CHART = "[data-testid='stVegaLiteChart']"
STATE = "[data-testid='stApp']"

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


def started_like_a_server(at: AppTest) -> AppTest:
    """`at` with the installed components found already, as a server finds them at its
    start (0.4–0.5 s here, with 137 packages installed)."""
    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    at._bidi_component_manager = components  # what AppTest's first run would fill
    return at


def empty_caches() -> None:
    st.cache_data.clear()
    work.shared().clear()  # the queue keeps finished runs


def in_app_test(pages: list[str]) -> None:
    rows = []
    for page in pages:
        empty_caches()
        at = started_like_a_server(AppTest.from_file(ENTRY, default_timeout=300))
        if page != PAGES[0]:
            at.run()
            at.switch_page(page)
        first = timed_run(at)
        empty_caches()
        cold = timed_run(at)
        cached = min(timed_run(at) for _ in range(3))
        rows.append([page, f"{first:.2f}", f"{cold:.2f}", f"{cached:.2f}"])
    print_table(["page", "first visit (s)", "empty cache (s)", "cached rerun (s)"], rows)


class Seen(NamedTuple):
    """Seconds from opening a page until each of these happened."""

    connected: float  # the session's websocket opened
    title: float
    chart_sent: float  # the first websocket message carrying a Vega-Lite spec arrived
    chart_drawn: float
    complete: float


def seen_in_browser(page, url: str) -> Seen:
    """When `url`, opened in `page`, connected, showed its title, received and drew its
    first chart, and ended its script run with its charts drawn."""
    start = time.perf_counter()
    marks: dict[str, float] = {}

    def mark(name: str) -> None:
        marks.setdefault(name, time.perf_counter() - start)

    def watch(socket) -> None:
        mark("connected")

        def received(data: bytes | str) -> None:  # Streamlit's messages are binary
            if isinstance(data, bytes) and b"vega-lite" in data:
                mark("chart_sent")

        socket.on("framereceived", received)

    page.on("websocket", watch)
    page.goto(url)
    ran = False
    while time.perf_counter() - start < 300:
        now = time.perf_counter() - start
        if page.locator("h1").count():
            mark("title")
        charts = page.locator(CHART).count()
        if charts:
            mark("chart_drawn")
        state = page.locator(STATE).get_attribute("data-test-script-state")
        ran = ran or state == "running"
        if state == "notRunning" and (ran or now > 3) and charts:
            return Seen(**marks, complete=time.perf_counter() - start)
        page.wait_for_timeout(50)
    raise TimeoutError(url)


def in_browser(pages: list[str]) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for page_file in pages:
            path = "" if page_file == PAGES[0] else Path(page_file).stem
            with streamlit_server(Path(tmp) / "server.log") as url:
                tab = browser.new_page(viewport={"width": 1400, "height": 1000})
                seen = seen_in_browser(tab, f"{url}/{path}")
                tab.close()
            server = seen.chart_sent - seen.connected
            rows.append([page_file, *(f"{t:.2f}" for t in seen), f"{server:.2f}"])
        browser.close()
    header = ["page (fresh server)", "connected", "title", "first chart sent", "drawn",
              "complete (s)", "server: connected to sent"]  # fmt: skip
    print_table(header, rows)


def main(pages: list[str]) -> None:
    in_app_test(pages)
    print()
    in_browser(pages)


if __name__ == "__main__":
    main(sys.argv[1:] or PAGES)
