"""What arrives by e-mail, used in a real browser: registering and confirming, endorsing
without an account and confirming from the message (read from a real SMTP server on
127.0.0.1), and a moderator verifying an organisation's endorsement so that the public
page lists it as verified."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import sign_in
from tests.conftest import make_app
from tests.factories import make_endorsement, make_statement, make_user
from tests.smtp import SmtpServer

LINK = re.compile(r"(http://127\.0\.0\.1:5000/confirm/[A-Za-z0-9_-]+)")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def live_app(database_url: str, tmp_path: Path, smtp: SmtpServer):
    return make_app(database_url, tmp_path / "instance", MAIL_URL=smtp.url())


def link_in(smtp: SmtpServer, count: int, to: str) -> str:
    """The confirmation link in the newest of ``count`` messages, which must be to ``to``;
    as a path on the server under test (PUBLIC_URL is the default in tests)."""
    received = smtp.wait_for(count)[-1]
    assert received.rcpt_tos == [to]
    body = received.message.get_body(("plain",))
    assert body is not None
    found = LINK.search(body.get_content())
    assert found, body.get_content()
    return urlsplit(found.group(1)).path


def test_register_and_confirm_from_the_message(page, live_app, smtp: SmtpServer) -> None:
    moderator = make_user(live_app, "moderator")
    make_statement(live_app, moderator, title="A draft for the city session")
    page.goto("/register")
    page.get_by_label("E-mail address").fill("nia@example.org")
    page.get_by_label("Your name").fill("Nia Chen")
    page.get_by_label("Organisation").fill("昆明")
    page.locator("#f-password").fill("long enough pw")
    page.get_by_label("Password again").fill("long enough pw")
    page.get_by_role("button", name="Create account").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    path = link_in(smtp, 1, "nia@example.org")
    # Signed in but unconfirmed: the draft is not listed yet.
    sign_in(page, "nia@example.org", "long enough pw")
    page.goto("/statements")
    assert page.get_by_text("A draft for the city session").count() == 0
    page.goto(path)  # opening the link shows what it confirms, and changes nothing
    assert page.get_by_role("heading", name="Confirm", exact=True).is_visible()
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", name="Confirmed").is_visible()
    page.goto("/statements")
    assert page.get_by_text("A draft for the city session").first.is_visible()


def test_endorse_without_an_account_and_confirm_from_the_message(page, live_app,
                                                                 smtp: SmtpServer) -> None:
    slug = make_statement(live_app, status="endorsing")
    page.goto(f"/s/{slug}/endorse")
    page.get_by_label("in my own name").check()
    page.locator("#f-email").fill("ana@example.org")
    page.get_by_label("Name of the signatory").fill("Ana Sánchez")
    page.locator("#f-city").fill("São Paulo")
    page.get_by_role("button", name=re.compile("Endorse version")).click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    page.goto(f"/s/{slug}")
    assert page.get_by_text("Ana Sánchez").count() == 0  # unconfirmed: neither shown nor counted
    page.goto(link_in(smtp, 1, "ana@example.org"))
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", name="Confirmed").is_visible()
    page.goto(f"/s/{slug}")
    assert page.locator(".who", has_text="Ana Sánchez").is_visible()
    # The receipt followed the confirmation.
    receipt = smtp.wait_for(2)[-1]
    assert receipt.rcpt_tos == ["ana@example.org"]
    assert "Receipt" in str(receipt.message["Subject"])


def test_a_moderator_verifies_an_organisation_and_it_shows_verified(page, live_app) -> None:
    moderator = make_user(live_app, "moderator", email="mod@example.org")
    mayor = make_user(live_app, email="office@kunming.example", name="Li Ming")
    slug = make_statement(live_app, moderator, status="endorsing")
    make_endorsement(live_app, slug, mayor, kind="government", organisation="City of Kunming")
    page.goto(f"/s/{slug}")
    assert page.locator(".who", has_text="Li Ming").count() == 0  # pending: not yet listed
    assert page.get_by_text("awaits verification").is_visible()
    sign_in(page, "mod@example.org")
    page.goto(f"/statements/{slug}")
    page.get_by_role("link", name="Verification").click()
    entry = page.locator(".verification-queue li", has_text="Li Ming")
    assert entry.get_by_text("kunming.example").is_visible()
    entry.get_by_label(re.compile("Note")).fill("Confirmed with the mayor's office.")
    entry.get_by_role("button", name="Verify").click()
    assert page.get_by_text("City of Kunming): verified").is_visible()
    page.goto(f"/s/{slug}")
    listed = page.locator("li", has=page.locator(".who", has_text="Li Ming"))
    assert listed.locator(".verified").inner_text() == "verified"
