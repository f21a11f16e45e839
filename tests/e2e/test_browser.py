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


PAGES = {
    "learning_rate": "Learning-rate study",
    "hidden_units": "Hidden-units study",
    "activations": "Activations study",
    "gradient_vanishing": "Gradient vanishing",
}


def test_a_deep_link_on_a_fresh_server_runs_through_the_entry_point(server, page):
    # the server's very first session: Streamlit's legacy pages/ router must not take it
    page.goto(f"{server}/gradient_vanishing?epochs=100&seeds=1")
    wait_idle(page)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "Learning-rate study" in nav and "streamlit app" not in nav
    assert page.get_by_role("heading", name="Gradient vanishing").count() == 1


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_with_its_charts_and_no_exception(server, page, path):
    page.goto(f"{server}/{path}?epochs=300&seeds=2")
    wait_idle(page)
    assert page.get_by_role("heading", name=PAGES[path]).count() == 1
    assert page.locator("[data-testid='stException']").count() == 0
    assert chart_count(page) >= 3
    screenshot(page, path)


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
