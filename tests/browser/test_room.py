"""The session in the room, in a real browser: pages follow the event stream by themselves,
and the projector follows the moderator."""

from __future__ import annotations

import re

from tests.browser.conftest import sign_in
from tests.factories import SAMPLE_TEXT, api_as, make_statement, make_user


def test_the_queue_and_the_projector_update_by_themselves(browser, live_server, live_app,
                                                          tmp_path) -> None:
    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator, status="amending")
    desk = browser.new_context(base_url=live_server.url)
    room = browser.new_context(base_url=live_server.url, viewport={"width": 1280,
                                                                   "height": 720})
    try:
        queue = desk.new_page()
        sign_in(queue, moderator.email)
        queue.goto(f"/statements/{slug}/amendments")
        screen = room.new_page()
        sign_in(screen, make_user(live_app).email)
        screen.goto(f"/statements/{slug}/projector")
        assert screen.locator("ol.numbered li").count() > 3
        # A delegate proposes elsewhere; the moderator's queue shows it without a reload.
        api_as(live_app, make_user(live_app)).post(f"/statements/{slug}/amendments", {
            "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "Shorter."})
        queue.get_by_role("link", name="A1").first.wait_for(timeout=8_000)
        # The moderator puts A1 on the screen; the room's page follows.
        api_as(live_app, moderator).put(f"/statements/{slug}/projector",
                                        {"show": "amendment", "amendment": 1})
        screen.locator(".projector__label").wait_for(timeout=8_000)
        assert "A1" in screen.locator(".projector__label").inner_text()
        assert screen.locator("ins.diff-ins").first.inner_text().strip() == "city"
        screen.screenshot(path=str(tmp_path / "projector.png"))
        assert not queue.locator("#live-notice").count()
    finally:
        desk.close()
        room.close()


def test_a_second_moderators_queue_follows_an_accept(browser, live_server, live_app) -> None:
    """Two moderators, two browsers: one accepts A1, the other's queue shows it decided
    without a reload."""
    first, second = make_user(live_app, "moderator"), make_user(live_app, "moderator")
    slug = make_statement(live_app, first, status="amending")
    added = api_as(live_app, make_user(live_app, "admin")).post(
        f"/statements/{slug}/moderators", {"user_id": second.id})
    assert added.status_code == 200
    api_as(live_app, make_user(live_app)).post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "Shorter."})
    desks = [browser.new_context(base_url=live_server.url) for _ in range(2)]
    try:
        accepting, watching = (desk.new_page() for desk in desks)
        for page, who in ((accepting, first), (watching, second)):
            sign_in(page, who.email)
            page.goto(f"/statements/{slug}/amendments")
            assert page.get_by_role("button", name="Accept A1").is_visible()
        watching.evaluate("window.notReloaded = true")
        accepting.get_by_role("button", name="Accept A1").click()
        assert accepting.get_by_text("A1 is merged as version 2.").is_visible()
        # The other moderator's queue: A1 leaves the open list for the decided one.
        watching.get_by_role("button", name="Accept A1").wait_for(state="detached",
                                                                   timeout=5_000)
        assert watching.locator("#live-region").get_by_text("merged").first.is_visible()
        assert watching.evaluate("window.notReloaded") is True
    finally:
        for desk in desks:
            desk.close()


def test_the_public_count_follows_endorsements(page, live_app) -> None:
    """A reader of the public page sees the count grow as others endorse, while what they
    were typing in the search field stays as it was."""
    slug = make_statement(live_app, make_user(live_app, "moderator"), status="endorsing")
    page.goto(f"/s/{slug}")
    total = page.locator('#live-counts [data-live-value="endorsements.count"]')
    assert total.inner_text() == "0"
    search = page.get_by_label("Name")
    search.fill("Ada")
    page.evaluate("window.notReloaded = true")
    api_as(live_app, make_user(live_app, name="Ada Lovelace")).post(
        f"/statements/{slug}/endorsements", {"kind": "individual", "name": "Ada Lovelace"})
    # The total comes with the event itself (within the stream's 2 s)...
    page.locator('#live-counts [data-live-value="endorsements.count"]',
                 has_text=re.compile(r"^1$")).wait_for(timeout=3_000)
    # ...the per-kind count and the sentence about the list from the page, fetched again.
    page.locator('#live-counts [data-live-value="individual"]',
                 has_text=re.compile(r"^1$")).wait_for(timeout=5_000)
    assert page.locator('#live-counts [data-live-value="listed"]').inner_text().startswith(
        "1 listed")
    assert search.input_value() == "Ada"
    assert search.evaluate("field => field === document.activeElement")
    assert page.evaluate("window.notReloaded") is True


def test_the_projector_follows_project_this_in_large_type(browser, live_server,
                                                          live_app) -> None:
    """At 1920×1080 the room reads at least 28 px body text; the moderator's "Project this"
    on the amendment page puts that amendment on the screen, and on the queue back again."""
    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator, status="amending")
    api_as(live_app, make_user(live_app)).post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "Shorter."})
    desk = browser.new_context(base_url=live_server.url)
    room = browser.new_context(base_url=live_server.url,
                               viewport={"width": 1920, "height": 1080})
    try:
        screen = room.new_page()
        sign_in(screen, make_user(live_app).email)
        screen.goto(f"/statements/{slug}/projector")
        size = screen.locator("ol.numbered .lt").first.evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 28, size
        moderator_page = desk.new_page()
        sign_in(moderator_page, moderator.email)
        moderator_page.goto(f"/statements/{slug}/amendments/1")
        moderator_page.get_by_role("button", name="Project this").click()
        screen.locator(".projector__label").wait_for(timeout=8_000)
        assert "A1" in screen.locator(".projector__label").inner_text()
        changed = screen.locator("ins.diff-ins").first
        assert changed.inner_text().strip() == "city"
        assert changed.evaluate("e => parseFloat(getComputedStyle(e).fontSize)") >= 28
    finally:
        desk.close()
        room.close()
