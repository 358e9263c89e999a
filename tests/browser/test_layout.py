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
