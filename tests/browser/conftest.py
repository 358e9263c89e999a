"""Real-browser tests: Playwright driving Debian's chromium against the app on 127.0.0.1.

On a machine without chromium (or without Playwright) these tests are skipped with
the reason; under CI (CI=true) a missing browser is a failure, never a skip.
Playwright's own browser download is never used: it cannot work on these machines.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.factories import PASSWORD
from tests.live import LiveServer
from tests.needs import unavailable

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _settle_after_clicks(locator_class: type) -> None:
    """A click that follows a link or sends a form returns once the new page is committed,
    not loaded: an assertion that does not wait (``is_visible()``, ``count()``,
    ``all_inner_texts()``) could then read a half-parsed page and fail although the page is
    right (CI saw it twice). Every click here also waits for the page it leads to to load;
    a click that leads nowhere (a script's button) returns as before."""
    click = locator_class.click
    if getattr(click, "settles", False):
        return

    def click_and_settle(self, *args, **kwargs):
        click(self, *args, **kwargs)
        self.page.wait_for_load_state()

    click_and_settle.settles = True  # type: ignore[attr-defined]
    locator_class.click = click_and_settle


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import Locator, sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -r requirements-dev.txt)")
    _settle_after_clicks(Locator)
    executable = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not executable:
        unavailable("no chromium on this machine (Debian: apt-get install chromium); "
                     "`bash .ci/run` installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(database_url: str, tmp_path: Path):
    return make_app(database_url, tmp_path / "instance")


@pytest.fixture
def live_server(live_app, browser) -> Iterator[LiveServer]:
    from statements.extensions import db

    with LiveServer(live_app) as server:
        yield server
    with live_app.app_context():
        db.engine.dispose()


@pytest.fixture
def page(browser, live_server: LiveServer):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def no_js_page(browser, live_server):
    """A page with JavaScript off: every action must work without it."""
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False,
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email)
    page.locator("#f-password").fill(password)
    page.get_by_role("button", name="Sign in").click()
