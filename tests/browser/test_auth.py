"""Signing in, registering and signing out, in a real browser."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_user


def _sign_in(page, email: str, password: str) -> None:
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_and_out_through_the_form(page, live_app, live_server) -> None:
    user = make_user(live_app, name="Ana Lima")
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    _sign_in(page, user.email, PASSWORD)
    assert page.get_by_role("status").first.inner_text() == "Signed in as Ana Lima."
    assert page.get_by_role("link", name="Ana Lima").is_visible()
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_text("Signed out.").is_visible()
    assert page.get_by_role("link", name="Sign in").is_visible()


def test_wrong_password_shows_the_message(page, live_app, live_server) -> None:
    user = make_user(live_app)
    page.goto("/login")
    _sign_in(page, user.email, "not my password")
    assert page.get_by_role("alert").inner_text() == "Wrong e-mail address or password."
    assert page.get_by_label("E-mail address").input_value() == user.email


def test_next_to_another_site_lands_on_this_one(page, live_app, live_server) -> None:
    user = make_user(live_app)
    page.goto("/login?next=//evil.example")
    _sign_in(page, user.email, PASSWORD)
    page.wait_for_load_state()
    assert urlsplit(page.url).netloc == urlsplit(live_server.url).netloc
    assert urlsplit(page.url).path == "/"


def test_register(page, live_server) -> None:
    page.goto("/")
    page.get_by_role("link", name="Register").click()
    page.get_by_label("E-mail address").fill("nia@example.org")
    page.get_by_label("Your name").fill("Nia Chen")
    page.get_by_label("Organisation").fill("昆明")
    page.locator("#f-password").fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Create account").click()
    assert "at least 10 characters" in page.get_by_role("alert").inner_text()
    page.locator("#f-password").fill("long enough pw")
    page.get_by_label("Password again").fill("long enough pw")
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    sign_in(page, "nia@example.org", "long enough pw")  # unconfirmed accounts may sign in
    page.get_by_role("link", name="Nia Chen").click()
    assert page.get_by_label("Organisation").input_value() == "昆明"
