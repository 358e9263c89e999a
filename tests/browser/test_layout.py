"""The base layout, as a keyboard user meets it."""

from __future__ import annotations


def test_home_page_renders_and_skip_link_moves_focus_to_main(page) -> None:
    response = page.goto("/")
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text().startswith("Draft, amend and endorse")

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.locator(".skip-link").is_visible()  # shown when focused, not only to screen readers

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.url.endswith("#main")


def test_pages_obey_the_content_security_policy(page) -> None:
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    page.goto("/")
    page.goto("/no-such-page")
    assert violations == []


WIDEST = """() => [...document.querySelectorAll('body *')].filter(
    el => el.getBoundingClientRect().right > 391 && !el.closest('ol.numbered')).slice(0, 6)
    .map(el => el.tagName + '.' + el.className + ' '
              + Math.round(el.getBoundingClientRect().right))"""


def test_no_page_scrolls_sideways_on_a_phone(browser, live_server, live_app) -> None:
    """At 390 px every page fits its width: only the numbered source may scroll, inside
    its own box (its lines never re-wrap, so numbers stay the same on every screen)."""
    from tests.browser.conftest import sign_in
    from tests.factories import SAMPLE_TEXT, api_as, make_endorsement, make_statement, make_user

    moderator = make_user(live_app, "moderator")
    long_line = "A line of the statement that is as long as a source line may be: eighty code " \
                "points, then more words that wrap to the next numbered line of the source."
    text = SAMPLE_TEXT + "\n" + long_line + "\n"
    amending = make_statement(live_app, moderator, status="amending", text=text, title="Phone")
    api_as(live_app, make_user(live_app)).post(f"/statements/{amending}/amendments", {
        "base": 1, "text": text.replace("urban", "city"), "rationale": "Shorter."})
    public = make_statement(live_app, moderator, status="endorsing", text=text,
                            title="Phone published")
    make_endorsement(live_app, public, make_user(live_app, name="Ана Кузнецова"),
                     city="São Paulo", country="Brazil", capacity="Mayor")
    context = browser.new_context(base_url=live_server.url,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, moderator.email)
        wide = {}
        for path in ("/", "/statements", f"/statements/{amending}",
                     f"/statements/{amending}/amendments", f"/statements/{amending}/amendments/1",
                     f"/statements/{amending}/edit", f"/statements/{amending}/history",
                     f"/statements/{amending}/compare", f"/statements/{amending}/settings",
                     f"/s/{public}", f"/s/{public}/endorse", "/account"):
            page.goto(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                wide[path] = (width, page.evaluate(WIDEST))
        assert wide == {}
    finally:
        context.close()
