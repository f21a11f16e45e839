"""Time of each page with its default settings.

1. Server time, with streamlit.testing's AppTest (the script runs in-process, as in the
   server): the first visit (the server's first script run also imports numpy, pandas and
   altair), a run with an empty cache (new settings), and a cached rerun. A server scans
   the installed packages for components once, when it starts; AppTest does it in its
   first run, so that scan is done before the clock starts.
2. What a visitor sees, in headless Chromium against a fresh `streamlit run` server per
   page (needs Debian's chromium). Opened in a new tab: seconds to the connection (the
   browser has loaded Streamlit's JavaScript and opened the session's websocket), to the
   title (the server's first imports done), to the first chart sent by the server and
   drawn by the browser, and to the script's end (every result drawn); "server" is the
   server's own part, from the connection to the first chart sent. Reached from the
   sidebar of an app already open on the Train page (what a student does; the page's
   caches still empty): seconds from the click to the first chart sent and drawn, and to
   the end. The browser runs on the server's two cores here, so it also slows the runs.

    python -m benchmarks.bench_app                          # every page
    python -m benchmarks.bench_app app_pages/backprop.py    # some pages
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

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


def heading(tab) -> str | None:
    """The page's title, or None before it shows."""
    return tab.locator("h1").first.text_content() if tab.locator("h1").count() else None


class Watch:
    """Seconds, from the last restart, until a tab connected, showed a title, received and
    drew a chart, and ended its script run with its charts drawn."""

    def __init__(self, tab):
        self.tab = tab
        tab.on("websocket", self._socket)
        self.restart()

    def restart(self) -> None:
        self.start, self.marks, self.ran = time.perf_counter(), {}, False

    def mark(self, name: str) -> None:
        self.marks.setdefault(name, time.perf_counter() - self.start)

    def _socket(self, socket) -> None:
        self.mark("connected")
        socket.on("framereceived", self._received)

    def _received(self, data: bytes | str) -> None:  # Streamlit's messages are binary
        if isinstance(data, bytes) and b"vega-lite" in data:
            self.mark("chart_sent")

    def until_done(self, left: str | None = None) -> dict[str, float]:
        """The marks once the script run is over; charts count only once the title is no
        longer `left`'s, the page navigated away from."""
        while time.perf_counter() - self.start < 300:
            now = time.perf_counter() - self.start
            title = heading(self.tab)
            if title is not None:
                self.mark("title")
            charts = self.tab.locator(CHART).count() if title != left else 0
            if charts:
                self.mark("chart_drawn")
            state = self.tab.locator(STATE).get_attribute("data-test-script-state")
            self.ran = self.ran or state == "running"
            if state == "notRunning" and (self.ran or now > 3) and charts:
                return {**self.marks, "complete": time.perf_counter() - self.start}
            self.tab.wait_for_timeout(50)
        raise TimeoutError(self.tab.url)


OPENED = ["connected", "title", "chart_sent", "chart_drawn", "complete"]
NAVIGATED = ["chart_sent", "chart_drawn", "complete"]


def opened(browser, log: Path, path: str) -> dict[str, float]:
    """The page `path` opened in a new tab on a fresh server."""
    with streamlit_server(log) as url:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        watch = Watch(tab)
        tab.goto(f"{url}/{path}")
        seen = watch.until_done()
        tab.close()
    return seen


def reached(browser, log: Path, path: str) -> dict[str, float]:
    """The page `path` reached from the sidebar of an app open on a fresh server, on the
    page a visitor lands on (Train; for Train itself, Gradient vanishing), its run done."""
    start = "gradient_vanishing" if path == "" else ""
    with streamlit_server(log) as url:
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        watch = Watch(tab)
        tab.goto(f"{url}/{start}")
        watch.until_done()
        left = heading(tab)
        watch.restart()
        link = f"[data-testid='stSidebarNav'] a[href='{url}/{path}']"
        tab.evaluate("link => document.querySelector(link).click()", link)
        seen = watch.until_done(left)
        tab.close()
    return seen


def in_browser(pages: list[str]) -> None:
    first_visits, clicks = [], []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        log = Path(tmp) / "server.log"
        for page_file in pages:
            path = "" if page_file == PAGES[0] else Path(page_file).stem
            seen = opened(browser, log, path)
            server = f"{seen['chart_sent'] - seen['connected']:.2f}"
            first_visits.append([page_file, *(f"{seen[m]:.2f}" for m in OPENED), server])
            seen = reached(browser, log, path)
            clicks.append([page_file, *(f"{seen[m]:.2f}" for m in NAVIGATED)])
        browser.close()
    print_table(["page (fresh server, opened)", "connected", "title", "first chart sent",
                 "drawn", "complete (s)", "server: connected to sent"], first_visits)  # fmt: skip
    print()
    print_table(["page (reached from the sidebar)", "first chart sent", "drawn", "complete (s)"],
                clicks)  # fmt: skip


def main(pages: list[str]) -> None:
    in_app_test(pages)
    print()
    in_browser(pages)


if __name__ == "__main__":
    main(sys.argv[1:] or PAGES)
