"""The session in the room, in a real browser: pages follow the event stream by themselves,
and the projector follows the moderator."""

from __future__ import annotations

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
