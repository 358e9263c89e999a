"""Amendment pages through the test client, without JavaScript."""

from __future__ import annotations

import os
import re
from urllib.parse import quote, unquote

from flask import Flask
from sqlalchemy import select

from statements.extensions import db
from statements.models import Amendment, Version
from tests.factories import (
    SAMPLE_TEXT,
    api_as,
    csrf_token,
    form_post,
    make_statement,
    make_user,
    signed_in,
)

PARAGRAPH_3 = ("We commit to protect and restore urban ecosystems, and to report on our progress "
               "every two years.")


def _setup(app: Flask):
    moderator = make_user(app, "moderator", name="Mo")
    delegate = make_user(app, name="Dee")
    slug = make_statement(app, moderator, status="amending")
    return slug, moderator, delegate


def test_choose_a_paragraph_preview_and_propose(app: Flask) -> None:
    slug, _, delegate = _setup(app)
    client = signed_in(app, delegate)
    choose = client.get(f"/statements/{slug}/amendments/new").get_data(as_text=True)
    assert "Amend this paragraph" in choose and "edit the whole text" in choose
    page = client.get(f"/statements/{slug}/amendments/new?base=1&paragraph=2")
    assert PARAGRAPH_3 in page.get_data(as_text=True)
    edited = PARAGRAPH_3.replace("every two years", "every year")
    preview = form_post(client, f"/statements/{slug}/amendments/new", {
        "base": "1", "paragraph": "2", "text": edited, "rationale": "More often",
        "action": "preview"}, token_from=f"/statements/{slug}/amendments/new?paragraph=2")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert '<del class="diff-del">two years.</del>' in html and "line 7" in html
    response = form_post(client, f"/statements/{slug}/amendments/new", {
        "base": "1", "paragraph": "2", "text": edited, "rationale": "More often",
        "action": "propose"}, token_from=f"/statements/{slug}/amendments/new?paragraph=2")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/statements/{slug}/amendments/1"
    with app.app_context():
        amendment = db.session.scalars(select(Amendment)).one()
        assert amendment.text == SAMPLE_TEXT.replace("every two years", "every year")
    shown = client.get(f"/statements/{slug}/amendments/1").get_data(as_text=True)
    assert "A1 — line 7" in shown and "More often" in shown


def test_preview_endpoint_answers_json_and_writes_nothing(app: Flask) -> None:
    slug, _, delegate = _setup(app)
    client = signed_in(app, delegate)
    token = client.get(f"/statements/{slug}/amendments/new?paragraph=2").get_data(as_text=True)
    csrf = token.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = client.post(f"/statements/{slug}/amendments/preview",
                           json={"base": 1, "paragraph": 2, "text": "Short."},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 200
    body = response.get_json()
    assert '<ins class="diff-ins">Short.</ins>' in body["html"] and body["lines"] == "lines 6–7"
    assert client.post(f"/statements/{slug}/amendments/preview", json={"text": "x"}
                       ).status_code == 400  # no CSRF token


def test_propose_errors_keep_what_was_typed(app: Flask) -> None:
    slug, _, delegate = _setup(app)
    client = signed_in(app, delegate)
    response = form_post(client, f"/statements/{slug}/amendments/new", {
        "base": "1", "paragraph": "2", "text": "Something new", "rationale": "",
        "action": "propose"}, token_from=f"/statements/{slug}/amendments/new?paragraph=2")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Rationale must not be empty." in html and "Something new" in html


def test_support_withdraw_comment_buttons(app: Flask) -> None:
    slug, _, delegate = _setup(app)
    api_as(app, delegate).post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "Plain words"})
    other = signed_in(app, make_user(app, name="Ola"))
    page = f"/statements/{slug}/amendments/1"
    form_post(other, f"{page}/support", token_from=page)
    assert "Withdraw my support" in other.get(page).get_data(as_text=True)
    form_post(other, f"{page}/comments", {"body": "Agreed."}, token_from=page)
    assert "Agreed." in other.get(page).get_data(as_text=True)
    mine = signed_in(app, delegate)
    assert "Support A1" not in mine.get(page).get_data(as_text=True)
    form_post(mine, f"{page}/withdraw", token_from=page)
    assert "Withdrawn by the proposer" in mine.get(page).get_data(as_text=True)


def test_queue_merge_all_clean_and_resolve_a_conflict(app: Flask) -> None:
    slug, moderator, delegate = _setup(app)
    dee = api_as(app, delegate)
    ola = api_as(app, make_user(app, name="Ola"))
    dee.post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("every two years", "every year"),
        "rationale": "Yearly"})
    ola.post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("every two years", "each year"),
        "rationale": "Each"})
    dee.post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "City"})
    client = signed_in(app, moderator)
    queue = client.get(f"/statements/{slug}/amendments").get_data(as_text=True)
    assert queue.count("applies cleanly") >= 3 and "overlaps" in queue
    # The preview says what will happen: the count is what merges (it said 3, merged 2).
    assert "Merge 2 amendments" in queue
    assert "A2 will be skipped: it overlaps a change merged just before it (A1)" in queue
    response = form_post(client, f"/statements/{slug}/amendments/merge-clean",
                         token_from=f"/statements/{slug}/amendments")
    assert response.status_code == 302
    summary = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Merged A3, A1 as version(s) 2–3." in summary and "Not merged: A2" in summary
    with app.app_context():
        statuses = dict(db.session.execute(select(Amendment.number, Amendment.status)).all())
        assert statuses == {1: "merged", 2: "proposed", 3: "merged"}  # A2 conflicts with A1
    resolve = client.get(f"/statements/{slug}/amendments/2/resolve").get_data(as_text=True)
    assert "Where A2 conflicts with version 3" in resolve
    resolved = SAMPLE_TEXT.replace("every two years", "each and every year").replace(
        "urban", "city")
    response = form_post(client, f"/statements/{slug}/amendments/2/resolve", {
        "text": resolved, "base": "3", "note": "Both"},
        token_from=f"/statements/{slug}/amendments/2/resolve")
    assert response.status_code == 302
    with app.app_context():
        head = db.session.scalars(select(Version).order_by(Version.number.desc())).first()
        assert head.number == 4 and head.text == resolved
        assert db.session.scalars(select(Amendment.status).where(Amendment.number == 2)
                                  ).one() == "merged_modified"
    history = client.get(f"/statements/{slug}/history").get_data(as_text=True)
    assert "amendment A2" in history


def test_reject_from_the_amendment_page(app: Flask) -> None:
    slug, moderator, delegate = _setup(app)
    api_as(app, delegate).post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "City"})
    client = signed_in(app, moderator)
    page = f"/statements/{slug}/amendments/1"
    form_post(client, f"{page}/reject", {"note": ""}, token_from=page)
    assert "Note must not be empty" in client.get(page).get_data(as_text=True)
    form_post(client, f"{page}/reject", {"note": "Out of scope"}, token_from=page)
    html = client.get(page).get_data(as_text=True)
    assert "Out of scope" in html and "badge--rejected" in html


def test_rebase_page(app: Flask) -> None:
    slug, moderator, delegate = _setup(app)
    dee = api_as(app, delegate)
    dee.post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "City"})
    api_as(app, moderator).post(f"/statements/{slug}/versions", {
        "text": SAMPLE_TEXT.replace("Paris", "Paris, France"), "base": 1})
    client = signed_in(app, delegate)
    page = client.get(f"/statements/{slug}/amendments/1").get_data(as_text=True)
    assert "Bring up to date with version 2" in page
    form_post(client, f"/statements/{slug}/amendments/1/rebase",
              token_from=f"/statements/{slug}/amendments/1/rebase")
    with app.app_context():
        assert db.session.scalars(select(Amendment)).one().base_version.number == 2
    assert signed_in(app, moderator).get(f"/statements/{slug}/amendments/1/rebase"
                                          ).status_code == 403


def test_attribution_page(app: Flask) -> None:
    slug, moderator, delegate = _setup(app)
    api_as(app, delegate).post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "City"})
    api_as(app, moderator).post(f"/statements/{slug}/amendments/1/accept")
    html = signed_in(app, delegate).get(f"/statements/{slug}/attribution").get_data(as_text=True)
    assert '<sup class="origin-tag">A1 Dee</sup>' in html


def test_decide_with_the_rooms_vote_and_project_it(app: Flask) -> None:
    from tests.factories import make_amendment

    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    first = make_amendment(app, slug, make_user(app))
    second = make_amendment(app, slug, make_user(app), text="# Another title\n\nShort.\n")
    desk = signed_in(app, moderator)
    page = desk.get(f"/statements/{slug}/amendments/{first}").get_data(as_text=True)
    assert "The room&#39;s vote (optional)" in page or "The room's vote (optional)" in page
    assert "Project this" in page
    projected = form_post(desk, f"/statements/{slug}/projector",
                          {"show": "amendment", "amendment": str(first)},
                          token_from=f"/statements/{slug}/amendments/{first}")
    assert projected.status_code == 302
    assert api_as(app, moderator).get(f"/statements/{slug}/projector").get_json()[
        "amendment"] == first
    bad = form_post(desk, f"/statements/{slug}/amendments/{first}/accept",
                    {"vote_for": "12", "vote_against": "x", "vote_abstain": ""},
                    token_from=f"/statements/{slug}/amendments/{first}")
    assert "vote" in desk.get(bad.headers["Location"]).get_data(as_text=True).lower()
    form_post(desk, f"/statements/{slug}/amendments/{first}/accept",
              {"vote_for": "12", "vote_against": "3", "vote_abstain": "1"},
              token_from=f"/statements/{slug}/amendments/{first}")
    form_post(desk, f"/statements/{slug}/amendments/{second}/reject", {"note": "No."},
              token_from=f"/statements/{slug}/amendments/{second}")
    api = api_as(app, moderator)
    assert api.get(f"/statements/{slug}/amendments/{first}").get_json()["decision"][
        "vote"] == {"for": 12, "against": 3, "abstain": 1}
    rejected = api.get(f"/statements/{slug}/amendments/{second}").get_json()["decision"]
    assert rejected["vote"] is None and rejected["note"] == "No."
    # A delegate cannot move the room's screen.
    other = signed_in(app, make_user(app))
    assert form_post(other, f"/statements/{slug}/projector", {"show": "text"},
                     token_from=f"/statements/{slug}").status_code == 403


def test_the_statement_page_marks_what_open_amendments_touch(app: Flask) -> None:
    from tests.factories import make_amendment

    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    make_amendment(app, slug, make_user(app), text=SAMPLE_TEXT.replace("urban", "city"))
    page = signed_in(app, make_user(app)).get(f"/statements/{slug}").get_data(as_text=True)
    assert "Open amendments" in page and 'href="#L6"' in page
    assert '<li id="L6" class="touched">' in page and '<li id="L3" class="touched">' not in page
    api_as(app, make_user(app)).post(f"/statements/{slug}/amendments/1/support")
    shown = signed_in(app, moderator).get(f"/statements/{slug}/amendments/1")
    assert shown.status_code == 200


def test_the_queue_filters_and_the_chooser_says_what_is_amended(app: Flask) -> None:
    from tests.factories import make_amendment

    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    ana, bo = make_user(app, name="Ana"), make_user(app, name="Bo")
    make_amendment(app, slug, ana, text=SAMPLE_TEXT.replace("every two years", "every year"))
    make_amendment(app, slug, bo, text=SAMPLE_TEXT.replace("every two years", "each year"))
    make_amendment(app, slug, bo, text=SAMPLE_TEXT.replace("mayors", "leaders"))
    api_as(app, moderator).post(f"/statements/{slug}/versions", {
        "base": 1, "text": SAMPLE_TEXT.replace("every two years", "twice a decade")})
    desk = signed_in(app, moderator)

    def shown(query: str) -> list[str]:
        page = desk.get(f"/statements/{slug}/amendments?{query}").get_data(as_text=True)
        return re.findall(r'<h3><a href="[^"]+/amendments/\d+">(A\d+)</a>', page)

    assert shown("") == ["A3", "A1", "A2"]  # in the order of their lines
    assert shown("standing=clean") == ["A3"]
    assert shown("standing=conflicting") == ["A1", "A2"]
    assert shown("proposer=Bo") == ["A3", "A2"]
    assert shown("from=4&to=99") == ["A1", "A2"]
    assert shown("from=1&to=3") == ["A3"]
    chooser = signed_in(app, make_user(app)).get(
        f"/statements/{slug}/amendments/new?base=1").get_data(as_text=True)
    assert "Already amended by A1, A2" in chooser and "Already amended by A3" in chooser


def test_the_preview_shows_the_paragraph_being_amended_not_the_whole_text(app: Flask) -> None:
    slug, _, delegate = _setup(app)
    client = signed_in(app, delegate)
    page = client.get(f"/statements/{slug}/amendments/new?base=1&paragraph=2")
    preview = page.get_data(as_text=True).split('id="preview"', 1)[1].split("</div>", 1)[0]
    # Before any change, the paragraph itself is there to read beside the editor.
    assert PARAGRAPH_3 in preview and "mayors and governors" not in preview
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))
    assert token
    answer = client.post(f"/statements/{slug}/amendments/preview", json={
        "base": 1, "paragraph": 2, "text": PARAGRAPH_3.replace("urban", "city")},
        headers={"X-CSRFToken": token.group(1)}).get_json()
    assert '<ins class="diff-ins">city</ins>' in answer["html"]
    assert "report on our progress" in answer["html"]
    assert "mayors and governors" not in answer["html"] and "Global Biodiversity" not in answer[
        "html"]
    # The whole text: only the paragraphs the change touches.
    whole = client.post(f"/statements/{slug}/amendments/preview", json={
        "base": 1, "text": SAMPLE_TEXT.replace("every day", "each day")},
        headers={"X-CSRFToken": token.group(1)}).get_json()
    assert '<del class="diff-del">every</del>' in whole["html"]
    assert "mayors and governors" in whole["html"]
    assert "urban ecosystems" not in whole["html"] and "Global Biodiversity" not in whole["html"]
    unchanged = client.post(f"/statements/{slug}/amendments/preview", json={
        "base": 1, "text": SAMPLE_TEXT}, headers={"X-CSRFToken": token.group(1)}).get_json()
    assert unchanged == {"html": "", "lines": "No change yet."}


def _end_sign_in(app: Flask, client) -> None:
    """The sign-in ends elsewhere (signed out in another tab, say); the cookie stays."""
    from statements.database import write_transaction
    from statements.operations.sessions import end_session

    with client.session_transaction() as cookie:
        session_id = cookie["_user_id"]
    with app.app_context():
        with write_transaction():
            end_session(session_id)


def _sign_in_again(client, user, next_path: str):
    from tests.factories import PASSWORD

    return form_post(client, f"/login?next={quote(next_path)}", {
        "email": user.email, "password": PASSWORD, "next": next_path})


def _form_tokens(client, path: str) -> dict[str, str]:
    """The form's CSRF token and its signed note of who is typing."""
    html = client.get(path).get_data(as_text=True)
    author = re.search(r'name="author" value="([^"]*)"', html)
    assert author and author.group(1), "no author note on the form"
    return {"csrf_token": csrf_token(client, path), "author": author.group(1)}


def test_typed_text_survives_a_sign_in_that_ended(app: Flask) -> None:
    slug, _, delegate = _setup(app)
    client = signed_in(app, delegate)
    form_page = f"/statements/{slug}/amendments/new?paragraph=2"
    tokens = _form_tokens(client, form_page)
    _end_sign_in(app, client)
    edited = PARAGRAPH_3.replace("every two years", "every year, in public")
    sent = client.post(f"/statements/{slug}/amendments/new", data={
        **tokens, "base": "1", "paragraph": "2", "text": edited,
        "rationale": "Report in the open", "action": "propose"})
    assert sent.status_code == 302
    location = sent.headers["Location"]
    assert location.startswith("/login?next=")
    with app.app_context():
        assert db.session.scalars(select(Amendment)).first() is None  # nothing was proposed
    login = client.get(location).get_data(as_text=True)
    assert "what you typed is kept" in login
    back = _sign_in_again(client, delegate, unquote(location.split("next=", 1)[1]))
    assert back.status_code == 302
    assert back.headers["Location"] == f"/statements/{slug}/amendments/new?base=1&paragraph=2"
    restored = client.get(back.headers["Location"]).get_data(as_text=True)
    assert 'id="draft-restored"' in restored
    assert "every year, in public" in restored and "Report in the open" in restored
    assert '<ins class="diff-ins">' in restored  # its tracked changes too
    assert 'data-draft-restore="no"' in restored  # the browser's copy does not overwrite it
    # Shown once: it is the form now, and proposing it works.
    again = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "every year, in public" not in again
    proposed = form_post(client, f"/statements/{slug}/amendments/new", {
        "base": "1", "paragraph": "2", "text": edited, "rationale": "Report in the open",
        "action": "propose"}, token_from=form_page)
    assert proposed.headers["Location"] == f"/statements/{slug}/amendments/1"


def test_a_kept_draft_is_shown_only_to_its_author(app: Flask) -> None:
    slug, _, delegate = _setup(app)
    other = make_user(app, name="Someone else")
    client = signed_in(app, delegate)
    tokens = _form_tokens(client, f"/statements/{slug}/amendments/new?paragraph=2")
    client.post("/logout", data={"csrf_token": tokens["csrf_token"]})  # signed out elsewhere
    kept = client.post(f"/statements/{slug}/amendments/new", data={
        **tokens, "base": "1", "paragraph": "2", "text": "Private words",
        "rationale": "Mine", "action": "propose"})
    assert kept.status_code == 302  # kept for its author
    back = _sign_in_again(client, other, f"/statements/{slug}/amendments/new?paragraph=2")
    page = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "Private words" not in page and 'id="draft-restored"' not in page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    back = _sign_in_again(client, delegate, f"/statements/{slug}/amendments/new?paragraph=2")
    assert "Private words" in client.get(back.headers["Location"]).get_data(as_text=True)


def test_a_draft_of_no_known_author_is_shown_back_not_kept(app: Flask) -> None:
    """A form without its author note (or with a forged one) is never kept for whoever
    signs in next: the text comes back at once, to copy."""
    slug, _, delegate = _setup(app)
    client = signed_in(app, delegate)
    tokens = _form_tokens(client, f"/statements/{slug}/amendments/new?paragraph=2")
    _end_sign_in(app, client)
    for author in ("", "forged.note"):
        sent = client.post(f"/statements/{slug}/amendments/new", data={
            **tokens, "author": author, "base": "1", "paragraph": "2",
            "text": "Words to copy", "rationale": "Mine", "action": "propose"})
        assert sent.status_code == 401 and "Words to copy" in sent.get_data(as_text=True)


def test_a_draft_too_long_for_the_cookie_is_shown_back_to_copy(app: Flask) -> None:
    slug, _, delegate = _setup(app)
    client = signed_in(app, delegate)
    tokens = _form_tokens(client, f"/statements/{slug}/amendments/new?base=1&whole=1")
    _end_sign_in(app, client)
    long_text = SAMPLE_TEXT + "".join(f"\nClause {n}: {os.urandom(24).hex()}.\n"
                                      for n in range(80))
    sent = client.post(f"/statements/{slug}/amendments/new", data={
        **tokens, "base": "1", "text": long_text, "rationale": "Many clauses",
        "action": "propose"})
    assert sent.status_code == 401
    html = sent.get_data(as_text=True)
    assert "copy it from below" in html and "Clause 79" in html and "Many clauses" in html
    assert "/login?next=" in html
    with client.session_transaction() as cookie:
        assert "amendment_draft" not in cookie


def test_statuses_read_as_words_and_earlier_forms_as_tracked_changes(app: Flask) -> None:
    slug, moderator, delegate = _setup(app)
    dee = api_as(app, delegate)
    dee.post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "Plain"})
    dee.post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("every day", "each day"), "rationale": "Each"})
    mod = api_as(app, moderator)
    assert mod.post(f"/statements/{slug}/amendments/1/accept", {
        "text": SAMPLE_TEXT.replace("urban", "town"), "base": 1}).status_code == 200
    assert dee.post(f"/statements/{slug}/amendments/2/rebase", {
        "text": SAMPLE_TEXT.replace("urban", "town").replace("every day", "each day")
    }).status_code == 200
    client = signed_in(app, moderator)
    for path in (f"/statements/{slug}/amendments/1", f"/statements/{slug}/amendments",
                 f"/statements/{slug}/audit"):
        html = client.get(path).get_data(as_text=True)
        assert "merged with changes" in html, path
        assert not re.search(r">[^<]*merged_modified[^<]*<", html.replace(
            "<code>amendment.merged_modified</code>", "")), path
    earlier = client.get(f"/statements/{slug}/amendments/2").get_data(as_text=True)
    forms = earlier.split("Earlier forms", 1)[1].split("<h3>", 1)[0]
    assert "Against version 1" in forms
    assert '<del class="diff-del">every</del>' in forms and "@@" not in forms
