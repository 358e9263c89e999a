"""Statement pages through the test client: every action works without JavaScript."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from html import unescape

from flask import Flask
from sqlalchemy import select

from statements.database import write_transaction
from statements.extensions import db
from statements.models import Statement, User, Version
from statements.operations.statements import add_moderator
from statements.rules import SYSTEM
from tests.factories import SAMPLE_TEXT, api_as, form_post, make_statement, make_user, signed_in


def test_create_statement_through_the_form(app: Flask) -> None:
    client = signed_in(app, make_user(app, "moderator"))
    response = form_post(client, "/statements/new", {
        "title": "Kunming–Paris statement", "occasion": "Paris summit",
        "text": "First line\r\n\r\nSecond paragraph"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/statements/kunming-paris-statement"
    page = client.get("/statements/kunming-paris-statement").get_data(as_text=True)
    assert "Kunming–Paris statement" in page
    assert ('<li id="L3"><span class="ln" aria-hidden="true">3</span>'
            '<span class="lt">Second paragraph</span></li>') in page
    with app.app_context():
        assert db.session.scalars(select(Version.text)).one() == "First line\n\nSecond paragraph"


def test_new_statement_form_errors_and_permission(app: Flask) -> None:
    client = signed_in(app, make_user(app, "moderator"))
    response = form_post(client, "/statements/new", {"title": "", "text": "  "})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Title is required." in html and "Text must not be empty." in html
    delegate = signed_in(app, make_user(app))
    assert delegate.get("/statements/new").status_code == 403
    assert "New statement" not in delegate.get("/statements").get_data(as_text=True)
    assert app.test_client().get("/statements/new").status_code == 302


def test_public_sees_only_published_statements(app: Flask, client) -> None:
    moderator = make_user(app, "moderator")
    draft = make_statement(app, moderator, title="Draft one")
    public = make_statement(app, moderator, status="endorsing", title="Public one")
    assert client.get(f"/statements/{draft}").status_code == 404
    assert client.get(f"/statements/{draft}/history").status_code == 404
    assert client.get(f"/statements/{public}").status_code == 200
    listing = client.get("/statements").get_data(as_text=True)
    assert "Public one" in listing and "Draft one" not in listing


def test_statement_page_shows_the_actions_this_user_may_take(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator)
    mine = signed_in(app, moderator).get(f"/statements/{slug}").get_data(as_text=True)
    assert "Edit the text" in mine and "Open for amendments" in mine
    assert "Moderators</a>" not in mine  # only admins assign moderators
    other = signed_in(app, make_user(app, "moderator")).get(f"/statements/{slug}")
    html = other.get_data(as_text=True)
    assert "Edit the text" not in html and "Open for amendments" not in html
    admin = signed_in(app, make_user(app, "admin")).get(f"/statements/{slug}")
    assert "Moderators</a>" in admin.get_data(as_text=True)


def test_edit_and_stale_edit_recovery(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator)
    client = signed_in(app, moderator)
    # Someone else saves version 2 while this editor still has version 1 open.
    api_as(app, moderator).post(f"/statements/{slug}/versions", {
        "text": SAMPLE_TEXT.replace("Paris", "Paris, France"), "base": 1})
    mine = SAMPLE_TEXT.replace("every two years", "every year")
    response = form_post(client, f"/statements/{slug}/edit",
                         {"text": mine, "base": "1", "message": "Yearly"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "every year." in html  # what was typed is still in the form
    assert '<ins class="diff-ins">Paris, France</ins>' in html or "France" in html
    assert "Save my changes combined with version 2" in html
    merged = SAMPLE_TEXT.replace("Paris", "Paris, France").replace("every two years",
                                                                   "every year")
    response = form_post(client, f"/statements/{slug}/edit",
                         {"text": merged, "base": "2", "message": "Yearly"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Version.number)).all() == [1, 2, 3]


def test_edit_that_changes_nothing_is_refused(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator)
    client = signed_in(app, moderator)
    response = form_post(client, f"/statements/{slug}/edit", {"text": SAMPLE_TEXT, "base": "1"})
    assert response.status_code == 422
    assert "same as the newest version" in response.get_data(as_text=True)


def test_history_and_compare(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator)
    api_as(app, moderator).post(f"/statements/{slug}/versions", {
        "text": SAMPLE_TEXT.replace("restore", "restore and connect"), "base": 1,
        "message": "Connectivity"})
    client = signed_in(app, make_user(app))
    history = client.get(f"/statements/{slug}/history").get_data(as_text=True)
    assert "Connectivity" in history and "direct edit" in history and "imported" in history
    compare = client.get(f"/statements/{slug}/compare?from=1&to=2").get_data(as_text=True)
    assert '<ins class="diff-ins">and connect </ins>' in compare or \
        '<ins class="diff-ins"> and connect</ins>' in compare
    assert client.get(f"/statements/{slug}/compare?from=1&to=7").status_code == 404
    assert client.get(f"/statements/{slug}/versions/1").status_code == 200


def test_workflow_buttons_and_final_confirmation(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="reviewing")
    client = signed_in(app, moderator)
    response = form_post(client, f"/statements/{slug}/transitions", {"to": "final"},
                         token_from=f"/statements/{slug}")
    assert response.status_code == 302
    page = client.get(f"/statements/{slug}").get_data(as_text=True)
    assert "Tick the box to confirm" in page
    form_post(client, f"/statements/{slug}/transitions", {"to": "final", "confirm": "yes"},
              token_from=f"/statements/{slug}")
    with app.app_context():
        assert db.session.scalars(select(Statement.status)).one() == "final"
    response = form_post(client, f"/statements/{slug}/transitions", {"to": "draft"},
                         token_from=f"/statements/{slug}")
    assert "Cannot move from final to draft" in client.get(response.headers["Location"]
                                                           ).get_data(as_text=True)
    assert client.get(f"/statements/{slug}/edit").status_code == 409


def test_settings_deadlines_in_the_meeting_time_zone(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator)
    client = signed_in(app, moderator)
    year = datetime.now(timezone.utc).year + 1
    response = form_post(client, f"/statements/{slug}/settings", {
        "title": "Renamed", "occasion": "Paris", "time_zone": "Europe/Paris",
        "amending_until": f"{year}-06-01T18:00", "endorsing_until": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        st = db.session.scalars(select(Statement)).one()
        assert st.title == "Renamed" and st.time_zone == "Europe/Paris"
        assert st.amending_until == datetime(year, 6, 1, 16, 0, tzinfo=timezone.utc)
    page = client.get(f"/statements/{slug}").get_data(as_text=True)
    assert f"{year}-06-01 18:00 CEST (Europe/Paris)" in page
    response = form_post(client, f"/statements/{slug}/settings", {
        "title": "Renamed", "time_zone": "Nowhere/City", "amending_until": "2001-01-01T00:00"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Unknown time zone" in html and "must be in the future" in html


def test_admin_adds_a_moderator_by_email(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator)
    helper = make_user(app, email="helper@example.org", name="Helper Person")
    admin = signed_in(app, make_user(app, "admin"))
    response = form_post(admin, f"/statements/{slug}/moderators", {"email": "nobody@x.org"})
    assert response.status_code == 422
    response = form_post(admin, f"/statements/{slug}/moderators",
                         {"email": "HELPER@example.org"})
    assert response.status_code == 302
    assert "Helper Person" in admin.get(f"/statements/{slug}/moderators").get_data(as_text=True)
    assert signed_in(app, moderator).get(f"/statements/{slug}/moderators").status_code == 403
    assert "Edit the text" in signed_in(app, helper).get(f"/statements/{slug}"
                                                          ).get_data(as_text=True)


def test_hostile_markdown_never_reaches_the_page(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, text=(
        "Hello <script>alert(1)</script>\n\n[click](javascript:alert(1))\n\n"
        "<img src=x onerror=alert(1)>\n\n[data](data:text/html;base64,PHNjcmlwdD4=)\n"))
    html = signed_in(app, moderator).get(f"/statements/{slug}").get_data(as_text=True)
    rendered = html.split('class="rendered">', 1)[1].split("</div>", 1)[0]
    # Raw HTML is shown as the text it is (what is hashed is what is shown), never as
    # markup: no element carries a script or an event handler, no link a script URL.
    assert "<script" not in rendered and not re.search(r"<[^>]*onerror", rendered)
    assert "javascript:" not in rendered and "data:text" not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered


def _main_form(html: str) -> dict[str, str]:
    """The fields the edit page's main form ("Save as a new version") would send."""
    start = html.index('<form method="post" action="/statements/', html.index('class="stack card'
                                                                              ' wide"') - 200)
    form = html[start:html.index("</form>", start)]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields["text"] = unescape(re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", form, re.S)[1])
    fields.pop("csrf_token", None)
    return fields


def test_the_main_button_after_a_stale_edit_never_reverts_another_moderator(app: Flask) -> None:
    """Two tabs: B saves, A saves (refused: stale), A presses the form's main button as it
    stands. B's change survives; A is shown what saving would undo, and only an explicit
    confirmation saves A's text over it."""
    moderator_a, moderator_b = make_user(app, "moderator"), make_user(app, "moderator")
    slug = make_statement(app, moderator_a)
    with app.app_context(), write_transaction():
        statement = db.session.execute(select(Statement).where(Statement.slug == slug)
                                       ).scalar_one()
        add_moderator(SYSTEM, statement, db.session.get(User, moderator_b.id))
    tab_a, tab_b = signed_in(app, moderator_a), signed_in(app, moderator_b)
    assert tab_a.get(f"/statements/{slug}/edit").status_code == 200
    b_text = SAMPLE_TEXT.replace("Paris", "Paris, France")
    assert form_post(tab_b, f"/statements/{slug}/edit",
                     {"text": b_text, "base": "1", "started": "1"}).status_code == 302
    a_text = SAMPLE_TEXT.replace("protect and restore", "protect")
    stale = form_post(tab_a, f"/statements/{slug}/edit",
                      {"text": a_text, "base": "1", "started": "1", "message": "Shorter"})
    assert stale.status_code == 409
    again = _main_form(stale.get_data(as_text=True))
    assert again["text"] == a_text and again["base"] == "2" and again["started"] == "1"
    # A's text lacks B's "France": the main button must not silently take it back.
    warned = form_post(tab_a, f"/statements/{slug}/edit", again, token_from=f"/statements/{slug}")
    assert warned.status_code == 409
    page = warned.get_data(as_text=True)
    assert "Saving this would undo changes made since version 1" in page
    assert '<ins class="diff-ins">France,</ins>' in page or "France" in page
    with app.app_context():
        assert db.session.scalars(select(Version.number)).all() == [1, 2]
    # Bringing B's change in saves without a warning …
    kept = form_post(tab_a, f"/statements/{slug}/edit",
                     {**again, "text": a_text.replace("Paris", "Paris, France")},
                     token_from=f"/statements/{slug}")
    assert kept.status_code == 302
    # … and a deliberate undo needs the box ticked.
    confirm = _main_form(form_post(tab_a, f"/statements/{slug}/edit",
                                   {"text": SAMPLE_TEXT, "base": "3", "started": "2"},
                                   token_from=f"/statements/{slug}").get_data(as_text=True))
    assert form_post(tab_a, f"/statements/{slug}/edit", {**confirm, "undo": "yes"},
                     token_from=f"/statements/{slug}").status_code == 302
    with app.app_context():
        texts = db.session.scalars(select(Version.text).order_by(Version.number)).all()
    assert texts == [SAMPLE_TEXT, b_text, a_text.replace("Paris", "Paris, France"), SAMPLE_TEXT]


def test_the_home_page_offers_every_visitor_a_next_step(app: Flask, client) -> None:
    moderator = make_user(app, "moderator")
    endorsing = make_statement(app, moderator, status="endorsing", title="Open to endorse")
    closed = make_statement(app, moderator, status="closed", title="All done")
    amending = make_statement(app, moderator, status="amending", title="Being amended")
    home = client.get("/").get_data(as_text=True)
    assert "Open for endorsement" in home and "Closed" in home
    assert f'href="/s/{endorsing}"' in home and f'href="/s/{endorsing}/endorse"' in home
    assert f'href="/s/{closed}"' in home and f'href="/s/{closed}/endorse"' not in home
    assert amending not in home and "log in to their account" in home  # drafts: delegates
    signed = signed_in(app, make_user(app)).get("/").get_data(as_text=True)
    assert "Open for amendments" in signed
    assert f'href="/statements/{amending}/amendments/new"' in signed
    assert f'href="/statements/{endorsing}"' in signed  # the drafting record, for delegates


def test_the_statement_list_leads_the_public_to_public_pages(app: Flask, client) -> None:
    slug = make_statement(app, status="endorsing")
    listing = client.get("/statements").get_data(as_text=True)
    assert f'href="/s/{slug}"' in listing and f'href="/statements/{slug}"' not in listing
    assert f'href="/s/{slug}/endorse"' in listing


def test_closing_endorsement_asks_for_confirmation_too(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="endorsing")
    client = signed_in(app, moderator)
    page = client.get(f"/statements/{slug}").get_data(as_text=True)
    assert "I understand endorsement ends for good" in page
    form_post(client, f"/statements/{slug}/transitions", {"to": "closed"},
              token_from=f"/statements/{slug}")
    with app.app_context():
        assert db.session.scalars(select(Statement.status)).one() == "endorsing"
    form_post(client, f"/statements/{slug}/transitions", {"to": "closed", "confirm": "yes"},
              token_from=f"/statements/{slug}")
    with app.app_context():
        assert db.session.scalars(select(Statement.status)).one() == "closed"
