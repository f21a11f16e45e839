"""The app in a real browser: headless Chromium driving a `streamlit run` server."""

import pytest

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
def server(tmp_path_factory):
    require_chromium()
    with streamlit_server(tmp_path_factory.mktemp("server") / "streamlit.log") as url:
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
    page = browser.new_page(viewport={"width": 1600, "height": 1800})
    yield page
    page.close()


def chart_count(page) -> int:
    return page.locator("[data-testid='stVegaLiteChart']").count()


def test_train_page_redraws_its_charts_when_a_setting_changes(server, page):
    page.goto(f"{server}/?epochs=2000")
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    assert chart_count(page) == 9
    screenshot(page, "train")
    before = page.locator("[data-testid='stMetricValue']").first.inner_text()

    page.get_by_label("Hidden activation").click()
    page.get_by_role("option", name="tanh", exact=True).click()
    wait_idle(page)

    assert "act=tanh" in page.url
    assert page.locator("[data-testid='stException']").count() == 0
    assert chart_count(page) == 9
    assert page.locator("[data-testid='stMetricValue']").first.inner_text() != before
    screenshot(page, "train-tanh")
