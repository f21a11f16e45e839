"""The app in a real browser: headless Chromium driving a `streamlit run` server."""

import re

import pytest

from mlp.sweep import usable_cpus

from .browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    require_chromium,
    screenshot,
    streamlit_server,
    wait_idle,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server_log(tmp_path_factory):
    return tmp_path_factory.mktemp("server") / "streamlit.log"


@pytest.fixture(scope="module")
def server(server_log):
    require_chromium()
    with streamlit_server(server_log) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})
    yield page
    page.close()


def wait_for_charts(page, count: int) -> None:
    """Wait until at least `count` charts are on the page, then until the script is idle."""
    script = f"document.querySelectorAll(\"[data-testid='stVegaLiteChart']\").length >= {count}"
    page.wait_for_function(script, timeout=120_000)
    wait_idle(page)


def chart_count(page) -> int:
    return page.locator("[data-testid='stVegaLiteChart']").count()


OVERFLOWS = "document.documentElement.scrollWidth > window.innerWidth + 1"
# each table's columns: the width they are drawn at, the width the table has for them
TABLE_WIDTHS = """() => [...document.querySelectorAll("[data-testid='stDataFrame'] .dvn-scroller")]
    .map(grid => [grid.scrollWidth, grid.clientWidth])"""
PAGES = {
    "learning_rate": "Learning-rate study",
    "hidden_units": "Hidden-units study",
    "activations": "Activations study",
    "gradient_vanishing": "Gradient vanishing",
    "generalization": "Generalization",
}


def test_a_deep_link_on_a_fresh_server_runs_through_the_entry_point(server, page):
    # the server's very first session: Streamlit's legacy pages/ router must not take it
    page.goto(f"{server}/gradient_vanishing?epochs=100&seeds=1")
    wait_idle(page)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Learning-rate study" in nav and "streamlit app" not in nav
    assert page.get_by_role("heading", name="Gradient vanishing").count() == 1


def epoch_now(page) -> int:
    label = page.get_by_text("Epoch", exact=True)
    value = page.locator("[data-testid='stMetric']").filter(has=label)
    return int(value.locator("[data-testid='stMetricValue']").inner_text().replace(",", ""))


def wait_for_epoch_past(page, epoch: int) -> None:
    """Wait until the live view shows a later epoch (a tick has trained and drawn)."""
    deadline = 60_000
    while epoch_now(page) <= epoch and deadline > 0:
        page.wait_for_timeout(100)
        deadline -= 100
    assert epoch_now(page) > epoch


def pause_and_check_it_holds(page) -> None:
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for(timeout=60_000)
    wait_idle(page)
    held = epoch_now(page)
    page.wait_for_timeout(1500)
    assert epoch_now(page) == held


def test_live_mode_plays_pauses_and_keeps_the_scroll_position(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 700})  # the page scrolls
    try:  # a page left playing would keep the server busy for every later test
        page.goto(f"{server}/?mode=live&speed=100&epochs=1000000")
        wait_idle(page)
        assert epoch_now(page) == 0
        page.get_by_role("button", name="Play").click()
        page.get_by_role("button", name="Pause").wait_for(timeout=60_000)
        wait_for_epoch_past(page, 0)  # the page Play redrew is complete
        scroller = "[data-testid='stMain']"
        page.locator(scroller).evaluate("main => main.scrollTo(0, 300)")
        wait_for_epoch_past(page, epoch_now(page))
        page.wait_for_timeout(1000)
        # no jump; on a loaded machine the browser's scroll anchoring was once seen to move
        # it by 28 px (one text line) when a redraw changed a height above the anchor
        assert abs(page.locator(scroller).evaluate("main => main.scrollTop") - 300) < 40
        page.locator(scroller).evaluate("main => main.scrollTo(0, 0)")  # back to the buttons
        pause_and_check_it_holds(page)
        # again: a tick arriving during the click once made Streamlit deliver Pause twice
        page.get_by_role("button", name="Play").click()
        wait_for_epoch_past(page, epoch_now(page))
        pause_and_check_it_holds(page)
        assert page.locator("[data-testid='stException']").count() == 0
        page.set_viewport_size({"width": 1400, "height": 1500})
        wait_idle(page)
        screenshot(page, "train-live")
    finally:
        page.close()


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_with_its_defaults_charts_and_no_exception(server, browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 2600})
    page.goto(f"{server}/{path}")
    wait_for_charts(page, 3)
    # every table and button has loaded its script: none stays a grey placeholder
    page.wait_for_selector("[data-testid='stSkeleton']", state="detached", timeout=20_000)
    assert page.get_by_role("heading", name=PAGES[path]).count() == 1
    assert page.locator("[data-testid='stException']").count() == 0
    assert chart_count(page) >= 3
    widths = page.evaluate(TABLE_WIDTHS)
    assert widths and all(drawn <= given for drawn, given in widths), f"a table scrolls: {widths}"
    screenshot(page, path)
    page.set_viewport_size({"width": 390, "height": 6000})  # a phone
    wait_idle(page)
    assert not page.evaluate(OVERFLOWS), "the page scrolls sideways on a phone"
    screenshot(page, f"{path}-phone")
    page.close()


def test_train_page_redraws_its_charts_when_a_setting_changes(server, page):
    page.goto(f"{server}/?epochs=2000")
    wait_for_charts(page, 7)
    page.set_viewport_size({"width": 390, "height": 6000})
    wait_idle(page)
    assert not page.evaluate(OVERFLOWS)
    screenshot(page, "train-phone")
    page.set_viewport_size({"width": 1400, "height": 1800})
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert chart_count(page) == 7
    screenshot(page, "train")
    before = page.locator("[data-testid='stMetricValue']").first.inner_text()

    page.get_by_label("Hidden activation").click()
    page.get_by_role("option", name="tanh", exact=True).click()
    metric = "[data-testid='stMetricValue']"
    changed = "([selector, old]) => document.querySelector(selector).innerText !== old"
    page.wait_for_function(changed, arg=[metric, before], timeout=120_000)
    wait_for_charts(page, 7)

    assert "act=tanh" in page.url
    assert page.locator("[data-testid='stException']").count() == 0
    assert chart_count(page) == 7
    assert page.locator("[data-testid='stMetricValue']").first.inner_text() != before
    screenshot(page, "train-tanh")


def test_the_link_beside_the_weights_steps_through_the_trained_network(server, page):
    page.goto(f"{server}/?epochs=2000")
    wait_for_charts(page, 7)
    page.locator("[data-testid='stMain'] [data-testid='stPageLink'] a").click()
    page.wait_for_url("**/backprop?net=train")
    wait_idle(page)
    assert page.get_by_text("the Train page's network at epoch 2,000").count() == 1
    assert page.locator("[data-testid='stException']").count() == 0


def metric_value(page, label: str) -> str:
    metric = page.locator("[data-testid='stMetric']").filter(has_text=label)
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def test_two_sessions_with_different_settings_each_see_their_own_run(server, browser):
    first, second = browser.new_context(), browser.new_context()
    try:
        a, b = first.new_page(), second.new_page()
        a.goto(f"{server}/?act=tanh&epochs=1200")
        b.goto(f"{server}/?act=relu&lr=0.01&epochs=1700")
        wait_idle(a)
        wait_idle(b)
        a.reload()
        wait_idle(a)
        assert metric_value(a, "Epochs run") == "1,200" and metric_value(b, "Epochs run") == "1,700"
        assert "act=tanh" in a.url and "act=relu" in b.url
    finally:
        first.close()
        second.close()


def test_four_sessions_training_at_once_all_finish_without_error(server, browser):
    links = [
        "/?epochs=20000",
        "/learning_rate?epochs=3000",
        "/?data=spiral&epochs=8000",
        "/activations?sets=xor",
    ]
    contexts = [browser.new_context() for _ in links]
    try:
        pages = [context.new_page() for context in contexts]
        for page, link in zip(pages, links, strict=True):
            page.goto(f"{server}{link}", wait_until="commit")
        for page in pages:
            wait_for_charts(page, 3)
            assert page.locator("[data-testid='stException']").count() == 0
            assert chart_count(page) >= 3
    finally:
        for context in contexts:
            context.close()


def open_at_once(browser, server, links):
    """One browser context (a visitor) per link, all loading at the same moment."""
    contexts = [browser.new_context() for _ in links]
    pages = [context.new_page() for context in contexts]
    for page, link in zip(pages, links, strict=True):
        page.goto(f"{server}{link}", wait_until="commit")
    return contexts, pages


def jobs_started(server_log) -> list[tuple[int, int]]:
    """(running, waiting) after each job the server's work queue started, from its log."""
    found = re.findall(r"job \d+ started: (\d+) running, (\d+) waiting", server_log.read_text())
    return [(int(running), int(waiting)) for running, waiting in found]


def test_three_visitors_share_identical_work_and_never_exceed_the_cores(
    server, browser, server_log
):
    before = len(jobs_started(server_log))
    link = "/hidden_units?widths=64,8&epochs=2500&seeds=2&lr=0.7"  # two jobs: one per width
    contexts, pages = open_at_once(browser, server, [link] * 3)
    try:
        for page in pages:
            wait_for_charts(page, 3)
            assert page.locator("[data-testid='stException']").count() == 0
        assert len(jobs_started(server_log)) - before == 2  # computed once, for all three
        links = [f"/?units=64&epochs={epochs}" for epochs in (2000, 2100, 2200)]
        more, others = open_at_once(browser, server, links)
        contexts += more
        for page in others:
            wait_for_charts(page, 3)
            assert page.locator("[data-testid='stException']").count() == 0
        started = jobs_started(server_log)[before:]
        assert max(running for running, _ in started) <= usable_cpus()
    finally:
        for context in contexts:
            context.close()


def test_a_heavy_run_waits_for_the_button_then_trains(server, page):
    page.goto(f"{server}/?epochs=100000")
    wait_idle(page)
    page.get_by_role("button", name="Run the training").click()
    wait_idle(page)
    assert metric_value(page, "Epochs run") == "100,000"
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "train-100000-epochs")


def test_a_running_study_can_be_stopped(server, page):
    page.goto(f"{server}/hidden_units?widths=500,300&epochs=3000&seeds=3")  # asks first
    wait_idle(page)
    page.get_by_role("button", name="Run the study").click()
    stop = page.get_by_role("button", name="Stop this run")
    stop.wait_for(timeout=120_000)  # shown once the sweep has run for a moment
    stop.click()
    page.get_by_text("Stopped. Press the button to run this study again.").wait_for(timeout=120_000)
    assert page.locator("[data-testid='stException']").count() == 0


def test_backprop_step_by_step_takes_steps_and_fits_a_phone(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 4400})
    page.goto(f"{server}/backprop?lr=0.1")
    wait_idle(page)
    assert page.get_by_role("heading", name="Backprop, step by step").count() == 1
    for _ in range(2):
        page.get_by_role("button", name="Take this step").click()
        wait_idle(page)
    assert metric_value(page, "Steps taken") == "2"
    assert chart_count(page) == 2  # the descent chart and the network diagram
    assert page.locator("[data-testid='stException']").count() == 0
    screenshot(page, "backprop")
    page.set_viewport_size({"width": 390, "height": 5000})
    wait_idle(page)
    assert not page.evaluate(OVERFLOWS)
    screenshot(page, "backprop-phone")
    page.close()


def test_the_server_log_has_no_traceback_or_warning(server, server_log):
    # last in this module: every test above has used this server
    log = server_log.read_text()
    assert "Local URL" in log  # the log is the server's
    for bad in ("Traceback", "Error", "WARNING", "Warning"):
        assert bad not in log, log
