"""The Train page's live mode: what one redraw costs, and what sessions playing at once
do to each other.

1. In-process: one tick of the live view = its slice of training (`LiveRun.advance`,
   at most SLICE_SECONDS) + drawing it (`live.draw`: frames, Altair specs, protos), for
   2-20-20-1 on XOR and 2-100-100-1 on the spiral.
2. With a real server and headless Chromium (needs Debian's chromium): 1 session, then N
   sessions playing at full speed at once for SECONDS; per session the epochs per second
   and the redraws per second seen in the page (changes of the Epoch metric).

    python -m benchmarks.bench_live            # both parts, N = 4
    python -m benchmarks.bench_live --sessions 2
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.common import print_table
from dashboard import live
from dashboard.machine import cpu_seconds
from mlp import TrainConfig, datasets

CASES = [
    ("xor", "2-20-20-1", datasets.generate_xor_easy(), (20, 20)),
    ("spiral", "2-100-100-1", datasets.spiral(seed=0), (100, 100)),
]
TICKS = 30
SECONDS = 10.0


def tick_costs() -> None:
    """Milliseconds of a tick's training slice and of its drawing, median over TICKS."""
    rows = []
    for name, sizes, (X, y), hidden in CASES:
        run = live.LiveRun(("bench",), live.Trainer(X, y, TrainConfig(hidden=hidden, epochs=10**6)))
        run.playing = True
        slices, draws, epochs = [], [], []
        for _ in range(TICKS):
            before = run.trainer.epoch
            start = time.perf_counter()
            run.advance(speed=0)
            slices.append(time.perf_counter() - start)
            epochs.append(run.trainer.epoch - before)
            start = time.perf_counter()
            live.draw(run, X, y, (None, None))
            draws.append(time.perf_counter() - start)
        slice_ms, draw_ms = statistics.median(slices) * 1e3, statistics.median(draws) * 1e3
        rows.append(
            [
                name,
                sizes,
                f"{statistics.median(epochs):.0f}",
                f"{slice_ms:.0f}",
                f"{draw_ms:.0f}",
                f"{slice_ms + draw_ms:.0f}",
            ]
        )
    print_table(
        ["data", "network", "epochs/tick", "slice ms", "draw ms", "tick ms (target < 150)"],
        rows,
    )


def epoch_metric(page) -> int:
    label = page.get_by_text("Epoch", exact=True)
    value = page.locator("[data-testid='stMetric']").filter(has=label)
    return int(value.locator("[data-testid='stMetricValue']").inner_text().replace(",", ""))


def playing_sessions(count: int) -> tuple[list[tuple[float, float]], float]:
    """(epochs/s, redraws/s) of `count` sessions playing XOR 2-20-20-1 at full speed, and
    the server's CPU use meanwhile (cores busy)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_idle

    server = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        streamlit_server(Path(tmp) / "log", on_start=lambda p: server.update(pid=p.pid)) as url,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = [browser.new_context().new_page() for _ in range(count)]
        for page in pages:
            page.goto(f"{url}/?mode=live&speed=0&epochs=1000000")
            wait_idle(page)
        for page in pages:
            page.get_by_role("button", name="Play").click()
        time.sleep(1.0)
        first = [epoch_metric(page) for page in pages]
        seen = [{value} for value in first]
        start, cpu = time.perf_counter(), cpu_seconds(server["pid"])
        while time.perf_counter() - start < SECONDS:
            for page, values in zip(pages, seen, strict=True):
                values.add(epoch_metric(page))
            time.sleep(0.02)
        elapsed = time.perf_counter() - start
        busy = (cpu_seconds(server["pid"]) - cpu) / elapsed
        last = [epoch_metric(page) for page in pages]
        browser.close()
    rates = [
        ((b - a) / elapsed, (len(values) - 1) / elapsed)
        for a, b, values in zip(first, last, seen, strict=True)
    ]
    return rates, busy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=4)
    args = parser.parse_args()
    tick_costs()
    rows = []
    for count in (1, args.sessions):
        rates, busy = playing_sessions(count)
        for i, (epochs, redraws) in enumerate(rates):
            rows.append([count, i + 1, f"{epochs:,.0f}", f"{redraws:.1f}", f"{busy:.2f}"])
    print()
    header = ["sessions playing", "session", "epochs/s", "redraws/s seen", "server cores busy"]
    print_table(header, rows)


if __name__ == "__main__":
    main()
