"""Drafting in a real browser, without JavaScript: create, edit, recover from a stale edit,
compare two versions."""

from __future__ import annotations

from tests.browser.conftest import sign_in
from tests.factories import SAMPLE_TEXT, api_as, make_statement, make_user


def test_create_and_edit_a_statement(no_js_page, live_app) -> None:
    page = no_js_page
    moderator = make_user(live_app, "moderator")
    sign_in(page, moderator.email)
    page.get_by_role("link", name="New statement").first.click()
    page.get_by_label("Title").fill("Strengthening the momentum")
    page.get_by_label("Occasion").fill("Paris summit, city session")
    page.get_by_label("Text (Markdown)").fill(SAMPLE_TEXT)
    page.get_by_role("button", name="Create draft").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Strengthening the momentum"
    assert page.locator("#L3 .lt").inner_text().startswith("We, the mayors")
    page.get_by_role("link", name="Edit the text").click()
    page.get_by_label("Text (Markdown)").fill(SAMPLE_TEXT.replace("two years", "year"))
    page.get_by_label("What changed").fill("Report every year")
    page.get_by_role("button", name="Save as a new version").click()
    assert page.get_by_text("Saved as version 2.").is_visible()
    page.get_by_role("link", name="History").click()
    assert page.get_by_role("cell", name="Report every year").is_visible()


def test_recover_from_a_stale_edit(no_js_page, live_app) -> None:
    page = no_js_page
    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator)
    sign_in(page, moderator.email)
    page.goto(f"/statements/{slug}/edit")
    page.get_by_label("Text (Markdown)").fill(SAMPLE_TEXT.replace("two years", "year"))
    # Meanwhile another moderator saves version 2.
    api_as(live_app, moderator).post(f"/statements/{slug}/versions", {
        "text": SAMPLE_TEXT.replace("Paris", "Paris, France"), "base": 1})
    page.get_by_role("button", name="Save as a new version").click()
    assert "version 2 has been saved since" in page.get_by_role("alert").inner_text()
    assert "every year" in page.get_by_label("Text (Markdown)").input_value()
    assert page.locator(".stale ins.diff-ins").first.inner_text().strip() == "France,"
    page.get_by_role("button", name="Save my changes combined with version 2").click()
    assert page.get_by_text("Saved as version 3.").is_visible()
    numbered = page.locator("ol.numbered").inner_text()
    assert "Paris, France" in numbered and "every year" in numbered


def test_compare_two_versions(no_js_page, live_app) -> None:
    page = no_js_page
    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator)
    api = api_as(live_app, moderator)
    api.post(f"/statements/{slug}/versions", {"text": SAMPLE_TEXT.replace("protect", "protect "
                                              "and restore"), "base": 1})
    api.post(f"/statements/{slug}/versions", {"text": SAMPLE_TEXT + "\nA third paragraph.\n",
                                              "base": 2})
    sign_in(page, make_user(live_app).email)
    page.goto(f"/statements/{slug}")
    page.get_by_role("link", name="Compare").click()
    page.get_by_label("From version", exact=True).select_option("1")
    page.get_by_label("to version", exact=True).select_option("3")
    page.get_by_role("button", name="Compare").click()
    inserted = page.locator(".tracked ins.diff-ins").all_inner_texts()
    assert any("A third paragraph." in text for text in inserted)
    assert page.locator(".tracked del.diff-del").count() == 0


def test_two_moderators_the_main_button_never_reverts_the_other(browser, live_server,
                                                                  live_app, tmp_path) -> None:
    """Two moderators, each in a tab: B saves, A saves and is refused (stale), A presses the
    form's main button as it stands. B's change survives; A is shown what would be undone."""
    first, second = make_user(live_app, "moderator"), make_user(live_app, "moderator")
    slug = make_statement(live_app, first)
    api_as(live_app, make_user(live_app, "admin")).post(f"/statements/{slug}/moderators",
                                                        {"user_id": second.id})
    tabs = []
    for user in (first, second):
        context = browser.new_context(base_url=live_server.url)
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        sign_in(tab, user.email)
        tab.goto(f"/statements/{slug}/edit")
        tabs.append((context, tab))
    (context_a, tab_a), (context_b, tab_b) = tabs
    try:
        tab_b.get_by_label("Text (Markdown)").fill(SAMPLE_TEXT.replace("Paris", "Paris, France"))
        tab_b.get_by_role("button", name="Save as a new version").click()
        assert tab_b.get_by_text("Saved as version 2.").is_visible()
        tab_a.get_by_label("Text (Markdown)").fill(SAMPLE_TEXT.replace("two years", "year"))
        tab_a.get_by_role("button", name="Save as a new version").click()
        assert "version 2 has been saved since" in tab_a.get_by_role("alert").inner_text()
        tab_a.get_by_role("button", name="Save as a new version").click()
        assert tab_a.get_by_role("heading", name="Saving this would undo changes made since "
                                                 "version 1").is_visible()
        tab_a.screenshot(path=str(tmp_path / "stale-undo-warning.png"), full_page=True)
        head = api_as(live_app, first).get(f"/statements/{slug}").get_json()["head"]
        assert head["number"] == 2 and "Paris, France" in head["text"]
        tab_a.get_by_role("button", name="Keep their changes: save mine combined with "
                                         "version 2").click()
        assert tab_a.get_by_text("Saved as version 3.").is_visible()
        head = api_as(live_app, first).get(f"/statements/{slug}").get_json()["head"]
        assert "Paris, France" in head["text"] and "every year" in head["text"]
    finally:
        context_a.close()
        context_b.close()
