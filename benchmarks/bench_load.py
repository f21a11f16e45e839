"""Many visitors at once: N headless Chromium sessions against one `streamlit run` server.

Phase "different": N sessions open different expensive settings at the same moment.
Phase "identical": N sessions open one identical new setting at the same moment.
Phase "closed": N sessions start expensive work, then close their tabs; the server's CPU
must go idle within a few seconds.

Per session it reports the wait the page announced (its own estimate plus the queue ahead,
parsed from "about N s"), the actual time (from the announcement, the click it asked for,
or else its first drawing: the browser's page load is not the server's), the queue
positions it was shown, whether it was told its run is shared, and exceptions; for the
server with its workers, CPU-seconds, peak RSS and PSS, jobs started (from its log) and
error lines in its log; and the CPU the Chromium sessions themselves used on this same
machine. From the server's log it also reports, per request, the time until its jobs were
done against what its page announced, with no browser delay in either. Loopback only;
every wait is bounded.

    python -m benchmarks.bench_load             # 8 sessions
    python -m benchmarks.bench_load 3           # fewer
    python -m benchmarks.bench_load --nice      # the browsers at the lowest CPU priority,
                                                # as if on the visitors' own machines
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from playwright.async_api import async_playwright

from benchmarks.common import peak_rss_mb, print_table
from dashboard.machine import cpu_seconds, family, own_seconds
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, IDLE, streamlit_server

EXPENSIVE = [
    "/?units=512&epochs=3000",
    "/hidden_units?widths=500,100,20&epochs=3000&seeds=3",
    "/learning_rate?epochs=20000&seeds=10",
    "/activations?epochs=6000&seeds=5",
    "/?layers=4&units=256&epochs=5000",
    "/gradient_vanishing?depth=10&width=64&seeds=10&epochs=3000",
    "/generalization?epochs=3000",
    "/?data=spiral&n=1000&units=256&epochs=2000",
]
IDENTICAL = "/hidden_units?widths=300,30&epochs=2500&seeds=4&lr=0.3"
SESSION_SECONDS = 300  # a session still busy after this is reported as unfinished
WAITING = re.compile(r"Waiting: (\d+) runs? ahead")
ABOUT = re.compile(r"about ([\d.,]+) s")
DONE_AFTER = re.compile(r"request (\d+): done ([\d.]+) s after it was announced \(([\d.]+) s\)")
# a study announces its run in a caption, and again ("This study takes…") if it asks first
ANNOUNCED = re.compile(r"(This study )?takes (about[^\n]*)")


@dataclass
class Session:
    url: str
    announcements: dict[int, float] = field(default_factory=dict)  # own estimate + queue

    @property
    def announced(self) -> float | None:
        """Seconds the page announced, for all its runs: each estimate and the queue ahead."""
        return sum(self.announcements.values()) if self.announcements else None

    seconds: float | None = None  # from the click (or the page load) to the results
    positions: list[int] = field(default_factory=list)
    shared: bool = False
    exceptions: int = 0
    messages: list[str] = field(default_factory=list)  # errors the page showed


def announced_seconds(text: str) -> float | None:
    numbers = [float(n.replace(",", "")) for n in ABOUT.findall(text)]
    return sum(numbers) if numbers else None


async def visit(browser, base: str, session: Session, close_after: float | None = None) -> None:
    """Open the page, press its Run button if it asks, and wait for the results, noting what
    the page says meanwhile. close_after: close the tab after that many seconds instead."""
    page = await browser.new_page(viewport={"width": 1400, "height": 1000})
    opened = time.perf_counter()
    try:
        await page.goto(base + session.url, timeout=120_000)  # a loaded machine is slow
        await page.wait_for_selector("h1", timeout=120_000)  # the script has drawn its title
        # timed from here (the browser's own page load is the visitor's machine's work), from
        # the announcement when the page makes one, or from the click when it asks for one
        started, clicked, ran = time.perf_counter(), False, False
        while time.perf_counter() - opened < SESSION_SECONDS:
            if close_after is not None and time.perf_counter() - opened > close_after:
                return
            text = await page.locator("[data-testid='stMain']").inner_text()
            session.positions += [int(n) for n in WAITING.findall(text)]
            session.shared |= "computed once, for both" in text
            runs = [m[2] for m in ANNOUNCED.finditer(text) if not m[1]]  # each run announced
            for i, sentence in enumerate(runs):
                seconds = announced_seconds(sentence)
                if i not in session.announcements and seconds is not None:
                    session.announcements[i] = seconds
                    started = started if clicked or i else time.perf_counter()
            idle = await page.locator(IDLE).count()
            button = page.get_by_role("button", name=re.compile(r"^Run the "))
            if idle and await button.count():  # a page may ask more than once
                started = started if clicked else time.perf_counter()
                clicked = True
                await button.first.click()
                await button.first.wait_for(state="detached", timeout=60_000)
                ran = False  # the clicked run has yet to be seen running
            elif idle and (ran or time.perf_counter() - started > 3) and await settled(page):
                session.seconds = time.perf_counter() - started
                break
            ran |= not idle
            await page.wait_for_timeout(500)  # each look costs the same 2 cores the server has
        session.exceptions = await page.locator("[data-testid='stException']").count()
        alerts = page.locator("[data-testid='stAlertContentError']")
        session.messages = [m[:90] for m in await alerts.all_inner_texts()]
    finally:
        await page.close()


async def settled(page) -> bool:
    """Idle for a second, with no Run button and no progress bar: the page has its answer."""
    for _ in range(2):
        await page.wait_for_timeout(500)
        asks = page.get_by_role("button", name=re.compile(r"^Run the "))
        progress = page.locator("[data-testid='stProgress']")
        if not await page.locator(IDLE).count() or await asks.count() or await progress.count():
            return False
    return True


def read(path: Path) -> str:
    """A /proc file's text, or "" once its process has exited."""
    try:
        return path.read_text()
    except OSError:
        return ""


def pss_mb(pids: list[int]) -> float:
    """Proportional set size of the processes together: shared pages counted once."""
    lines = (line for pid in pids for line in read(Path(f"/proc/{pid}/smaps_rollup")).splitlines())
    return sum(int(line.split()[1]) / 1024 for line in lines if line.startswith("Pss:"))


async def sample_memory(pid: int, peak: list[float]) -> None:
    """Keep peak[0] at the highest PSS of the server with its workers (every 0.5 s)."""
    while True:
        peak[0] = max(peak[0], pss_mb(family(pid)))
        await asyncio.sleep(0.5)


def chromium_cpu_seconds() -> float:
    """CPU time of every Chromium process: the load generator's share of this machine."""
    comms = Path("/proc").glob("[0-9]*/comm")
    return sum(cpu_seconds(int(c.parent.name)) for c in comms if read(c).startswith("chrom"))


def jobs_started(log: Path) -> int:
    return log.read_text().count("started:")


async def phase(browser, base: str, urls: list[str], close_after=None) -> list[Session]:
    sessions = [Session(url) for url in urls]
    await asyncio.gather(*(visit(browser, base, s, close_after) for s in sessions))
    return sessions


def report(name: str, sessions: list[Session]) -> None:
    rows = []
    for s in sessions:
        ratio = s.seconds / s.announced if s.seconds and s.announced else None
        rows.append([
            s.url[:58], f"{s.announced:.1f}" if s.announced else "-",
            f"{s.seconds:.1f}" if s.seconds else "unfinished",
            f"{ratio:.2f}" if ratio else "-",
            ",".join(map(str, sorted(set(s.positions), reverse=True))) or "-",
            "yes" if s.shared else "", s.exceptions, "; ".join(s.messages)[:60],
        ])  # fmt: skip
    print(f"\n{name}")
    header = ["url", "announced s", "actual s", "ratio", "positions", "shared", "exc", "errors"]
    print_table(header, rows)


def report_server_side(log_text: str) -> None:
    """The same ratio from the server's own log: each request's announcement against the
    time until its jobs were done (no browser delays either)."""
    done = {int(r): (float(t), float(a)) for r, t, a in DONE_AFTER.findall(log_text)}
    ratios = sorted(
        (taken / announced for taken, announced in done.values() if announced), reverse=True
    )
    listed = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"server log, {len(done)} announced requests done, actual/announced: {listed or '-'}")


async def main(n: int) -> None:
    log = Path(tempfile.mkdtemp()) / "streamlit.log"
    pids = []
    with streamlit_server(log, on_start=lambda p: pids.append(p.pid)) as base:
        pid = pids[0]
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            print(lower_browser_priority())
            warm = await browser.new_page()
            await warm.goto(f"{base}/?epochs=10")  # imports done before anything is timed
            await warm.wait_for_selector(IDLE, timeout=120_000)
            await warm.close()
            urls = [EXPENSIVE[i % len(EXPENSIVE)] for i in range(n)]
            peak_pss = [0.0]
            sampler = asyncio.create_task(sample_memory(pid, peak_pss))
            for name, run in [
                ("different settings at once", lambda: phase(browser, base, urls)),
                ("one identical new setting", lambda: phase(browser, base, [IDENTICAL] * n)),
            ]:
                cpu, jobs, start = own_seconds(pid), jobs_started(log), time.perf_counter()
                browsers, logged = chromium_cpu_seconds(), len(log.read_text())
                sessions = await run()
                wall = time.perf_counter() - start
                report(name, sessions)
                report_server_side(log.read_text()[logged:])
                print(
                    f"server and workers: {own_seconds(pid) - cpu:.1f} CPU-s, {wall:.1f} s wall, "
                    f"{jobs_started(log) - jobs} jobs started, peak RSS {peak_rss_mb(pid):.0f} MB; "
                    f"Chromium: {chromium_cpu_seconds() - browsers:.1f} CPU-s"
                )
            await phase(browser, base, [more_epochs(u) for u in urls], close_after=4.0)
            busy, before = [], own_seconds(pid)
            for _ in range(10):  # the server's CPU-seconds in each second after the tabs closed
                await asyncio.sleep(1.0)
                busy.append(own_seconds(pid) - before)
                before += busy[-1]
            idle = next((i + 1 for i, b in enumerate(busy) if b < 0.1), None)
            print(
                f"\ntabs closed after 4 s: server CPU-s in each second after: "
                f"{[round(b, 2) for b in busy]}; near idle (< 0.1) from second {idle}"
            )
            sampler.cancel()
            print(
                f"peak RSS of the server process: {peak_rss_mb(pid):.0f} MB; peak PSS of the "
                f"server with its workers: {peak_pss[0]:.0f} MB"
            )
            await browser.close()
    errors = [
        line for line in log.read_text().splitlines() if "Traceback" in line or "ERROR" in line
    ]
    print(f"server log: {len(errors)} error lines")
    for line in errors[:10]:
        print("   ", line)


def lower_browser_priority() -> str:
    """With --nice, put the Chromium sessions at the lowest CPU priority: the visitors'
    browsers run on their own machines, not on the server's two cores, so they get only what
    the server leaves idle (their drawing is slower, the server's work is not).

    Playwright starts Chromium in a session of its own, and Linux's autogroup scheduler
    first shares the CPU equally between sessions; Chromium (as root) also resets its own
    processes' niceness. So the priority lowered is the session's (/proc/PID/autogroup).
    Returns what was done, for the report."""
    if "--nice" not in sys.argv:
        return "Chromium at normal priority"
    ours = read(Path("/proc/self/autogroup")).split(" ")[0]  # "/autogroup-564 nice 0"
    groups = {
        read(c.parent / "autogroup").split(" ")[0]: c.parent / "autogroup"
        for c in Path("/proc").glob("[0-9]*/comm")
        if read(c).startswith("chrom")
    }
    groups.pop(ours, None)
    groups.pop("", None)  # exited meanwhile
    for path in groups.values():
        path.write_text("19")
    if not groups:
        return "--nice: Chromium shares this process's scheduling group; priority unchanged"
    return (
        "Chromium's scheduling group at nice 19 (--nice): the browser-side times include its "
        "slowed drawing; the server log's ratios do not"
    )


def more_epochs(url: str) -> str:
    """The same page with 20% more epochs: new work, not in the cache."""
    return re.sub(r"epochs=(\d+)", lambda m: f"epochs={int(m[1]) * 6 // 5}", url)


if __name__ == "__main__":
    counts = [int(arg) for arg in sys.argv[1:] if arg.isdigit()]
    asyncio.run(main(counts[0] if counts else 8))
