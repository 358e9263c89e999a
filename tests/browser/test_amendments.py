"""Amendments in a real browser: propose with the live preview (JavaScript), support,
merge from the queue and resolve a conflict (without JavaScript)."""

from __future__ import annotations

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, SAMPLE_TEXT, api_as, make_statement, make_user


def test_propose_with_the_live_preview(page, live_app) -> None:
    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator, status="amending")
    sign_in(page, make_user(live_app, name="Dee").email)
    page.goto(f"/statements/{slug}")
    page.get_by_role("link", name="Propose an amendment").click()
    page.get_by_role("link", name="Amend this paragraph (3)").click()
    editor = page.get_by_label("Paragraph 3, as you propose it")
    editor.fill(editor.input_value().replace("every two years", "every year"))
    # The preview follows the typing, without pressing any button.
    page.locator("#preview del.diff-del").wait_for()
    assert page.locator("#preview del.diff-del").inner_text() == "two years."
    assert page.locator("#preview-lines").inner_text() == "line 7"
    page.get_by_label("Rationale").fill("Report more often")
    page.get_by_role("button", name="Propose amendment").click()
    assert page.get_by_text("Amendment A1 proposed (line 7).").is_visible()
    assert page.get_by_role("heading", name="A1 — line 7").is_visible()


def test_preview_button_without_javascript(no_js_page, live_app) -> None:
    page = no_js_page
    slug = make_statement(live_app, make_user(live_app, "moderator"), status="amending")
    sign_in(page, make_user(live_app).email)
    page.goto(f"/statements/{slug}/amendments/new?paragraph=2")
    editor = page.get_by_label("Paragraph 3, as you propose it")
    editor.fill(editor.input_value().replace("urban", "city"))
    page.get_by_role("button", name="Preview changes").click()
    assert page.locator("#preview ins.diff-ins").inner_text() == "city"
    assert "city" in page.get_by_label("Paragraph 3, as you propose it").input_value()


def test_support_then_merge_from_the_queue(no_js_page, live_app) -> None:
    page = no_js_page
    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator, status="amending")
    dee = make_user(live_app, name="Dee")
    api_as(live_app, dee).post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "Plain"})
    sign_in(page, make_user(live_app, name="Ola").email)
    page.goto(f"/statements/{slug}/amendments/1")
    page.get_by_role("button", name="Support A1").click()
    assert page.get_by_text("You support A1.").is_visible()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, moderator.email)
    page.goto(f"/statements/{slug}/amendments")
    assert page.get_by_text("applies cleanly").first.is_visible()
    page.get_by_role("button", name="Accept A1").click()
    assert page.get_by_text("A1 is merged as version 2.").is_visible()
    page.goto(f"/statements/{slug}")
    assert "city ecosystems" in page.locator("ol.numbered").inner_text()


def test_resolve_a_conflict(no_js_page, live_app) -> None:
    page = no_js_page
    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator, status="amending")
    dee = api_as(live_app, make_user(live_app, name="Dee"))
    dee.post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("every two years", "every year"),
        "rationale": "Yearly"})
    dee.post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("every two years", "each year"),
        "rationale": "Each"})
    mod = api_as(live_app, moderator)
    mod.post(f"/statements/{slug}/amendments/1/accept")
    sign_in(page, moderator.email)
    page.goto(f"/statements/{slug}/amendments")
    assert page.get_by_text("conflicts with the current text").is_visible()
    page.get_by_role("link", name="Resolve the conflict").click()
    assert page.get_by_role("heading", name="Where A2 conflicts with version 2").is_visible()
    editor = page.locator("#f-text")
    assert editor.input_value() == SAMPLE_TEXT.replace("every two years", "every year")
    editor.fill(SAMPLE_TEXT.replace("every two years", "each and every year"))
    page.get_by_label("Note for the record").fill("Both wordings")
    page.get_by_role("button", name="Accept A2 with these changes").click()
    assert page.get_by_text("A2 is merged with changes as version 3.").is_visible()


def test_the_conflict_tool_resolves_two_conflicts_one_side_each(page, live_app) -> None:
    from tests.browser.conftest import sign_in
    from tests.factories import SAMPLE_TEXT, api_as, make_statement, make_user

    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator, status="amending")
    api_as(live_app, make_user(live_app)).post(f"/statements/{slug}/amendments", {
        "base": 1, "rationale": "Stronger.",
        "text": SAMPLE_TEXT.replace("recognise", "affirm").replace("every two years",
                                                                    "every year")})
    api_as(live_app, moderator).post(f"/statements/{slug}/versions", {
        "base": 1, "text": SAMPLE_TEXT.replace("recognise", "acknowledge").replace(
            "every two years", "each year").replace("urban", "city")})
    sign_in(page, moderator.email)
    page.goto(f"/statements/{slug}/amendments/1/resolve")
    assert page.locator("fieldset.conflict").count() == 2
    page.get_by_label("Keep version 2’s words").first.check()
    page.locator("fieldset.conflict").nth(1).get_by_label("Take A1’s words").check()
    page.get_by_role("button", name="Preview the result").click()
    assert "every year" in page.get_by_label("The new version 3", exact=False).input_value()
    page.get_by_role("button", name="Accept A1 with these changes").click()
    assert page.get_by_text("A1 is merged with changes as version 3.").is_visible()
    head = api_as(live_app, moderator).get(f"/statements/{slug}").get_json()["head"]["text"]
    assert head == SAMPLE_TEXT.replace("recognise", "acknowledge").replace(
        "every two years", "every year").replace("urban", "city")


def _end_sign_ins(app, user) -> None:
    """Every sign-in of ``user`` ends elsewhere (a password change, a sign-out in another
    tab): the browser's cookie stays, but names a session that no longer works."""
    from sqlalchemy import select

    from statements.database import write_transaction
    from statements.extensions import db
    from statements.models import BrowserSession
    from statements.models.types import utcnow

    with app.app_context():
        with write_transaction():
            for row in db.session.scalars(select(BrowserSession).where(
                    BrowserSession.user_id == user.id, BrowserSession.ended_at.is_(None))):
                row.ended_at = utcnow()


def test_typed_text_survives_a_sign_in_that_ends_while_typing(page, live_app) -> None:
    slug = make_statement(live_app, make_user(live_app, "moderator"), status="amending")
    dee = make_user(live_app, name="Dee")
    sign_in(page, dee.email)
    page.goto(f"/statements/{slug}/amendments/new?base=1&paragraph=2")
    editor = page.get_by_label("Paragraph 3, as you propose it")
    editor.fill(editor.input_value().replace("every two years", "every year"))
    page.locator("#preview del.diff-del").wait_for()
    page.get_by_label("Rationale").fill("Report more often")
    _end_sign_ins(live_app, dee)
    # The next keystroke's preview finds the sign-in gone, and says so at once.
    editor.type(" Openly.")
    page.locator("#signed-out").wait_for(state="visible")
    page.get_by_role("button", name="Propose amendment").click()
    assert page.get_by_text("what you typed is kept").is_visible()
    page.get_by_label("E-mail address").fill(dee.email)
    page.locator("#f-password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.locator("#draft-restored").is_visible()
    assert "every year. Openly." in editor.input_value()
    assert page.get_by_label("Rationale").input_value() == "Report more often"
    page.get_by_role("button", name="Propose amendment").click()
    assert page.get_by_role("heading", name="A1 — line 7").is_visible()
    # Proposed: the browser's copy is gone, and the form starts afresh.
    page.goto(f"/statements/{slug}/amendments/new?base=1&paragraph=2")
    assert "Openly" not in editor.input_value()
    assert page.locator("#draft-kept").is_hidden()


def test_a_lost_session_cookie_loses_no_text_with_javascript(page, live_app) -> None:
    slug = make_statement(live_app, make_user(live_app, "moderator"), status="amending")
    dee = make_user(live_app, name="Dee")
    sign_in(page, dee.email)
    form = f"/statements/{slug}/amendments/new?base=1&paragraph=2"
    page.goto(form)
    editor = page.get_by_label("Paragraph 3, as you propose it")
    original = editor.input_value()
    editor.fill(original.replace("urban", "city"))
    page.get_by_label("Rationale").fill("Plain words")
    page.context.clear_cookies()  # the browser was restarted, say: no session at all
    page.get_by_role("button", name="Propose amendment").click()
    assert page.get_by_text("This form could not be sent").is_visible()
    sign_in(page, dee.email)
    page.goto(form)
    assert page.locator("#draft-kept").is_visible()
    assert "city ecosystems" in editor.input_value()
    assert page.get_by_label("Rationale").input_value() == "Plain words"
    page.locator("#preview ins.diff-ins").wait_for()
    page.get_by_role("button", name="Discard it and start again").click()
    assert editor.input_value() == original
    assert page.locator("#draft-kept").is_hidden()
    page.reload()
    assert editor.input_value() == original and page.locator("#draft-kept").is_hidden()
