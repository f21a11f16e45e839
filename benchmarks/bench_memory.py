"""Peak resident memory of a `streamlit run` server while a browser visits every page,
first with the defaults, then with the largest settings one click may run.

    python -m benchmarks.bench_memory      # needs Debian's chromium
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks.common import peak_rss_mb
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_idle

DEFAULTS = [
    "/",
    "/backprop",
    "/learning_rate",
    "/hidden_units",
    "/activations",
    "/gradient_vanishing",
    "/generalization",
]
LARGEST = [
    "/?layers=6&units=512&epochs=10000",
    "/?data=spiral&n=2000&units=512&epochs=2000",
    "/learning_rate?rates=100,10,1,0.1,0.01,0.001,0.0001,0.00001&epochs=20000&seeds=10",
    "/hidden_units?widths=512,256,128,64&epochs=3000&seeds=3",
    "/activations?epochs=10000&seeds=5",
    "/gradient_vanishing?depth=10&width=64&acts=sigmoid,tanh,relu,leaky_relu,identity&seeds=10&epochs=3000",
]
CSV_ROWS = 100_000


def visit(page, url: str) -> None:
    page.goto(url)
    wait_idle(page, timeout_ms=180_000)
    button = page.get_by_role("button", name="Run the")
    if button.count():
        button.first.click()
        wait_idle(page, timeout_ms=180_000)


def main() -> None:
    server = {}
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "points.csv"
        csv.write_text(
            "x1,x2,label\n"
            + "".join(f"{i % 997 / 997},{i % 991 / 991},{i % 2}\n" for i in range(CSV_ROWS))
        )
        with streamlit_server(
            Path(tmp) / "server.log", on_start=lambda p: server.update(pid=p.pid)
        ) as url:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                for path in DEFAULTS:
                    visit(page, url + path)
                print(
                    f"after every page with its defaults: peak {peak_rss_mb(server['pid']):.0f} MB"
                )
                for path in LARGEST:
                    visit(page, url + path)
                    print(f"  after {path}: peak {peak_rss_mb(server['pid']):.0f} MB")
                visit(page, url + "/?data=csv&epochs=200")
                page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(
                    str(csv)
                )
                wait_idle(page, timeout_ms=180_000)
                print(f"  after a {CSV_ROWS:,}-point CSV: peak {peak_rss_mb(server['pid']):.0f} MB")
                browser.close()
            peak = peak_rss_mb(server["pid"])
            print(f"server peak resident memory: {peak:.0f} MB (target < 500 MB)")


if __name__ == "__main__":
    main()
