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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -r requirements-dev.txt)")
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
