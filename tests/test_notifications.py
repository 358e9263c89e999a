"""Notifications: followers at each change of status, the proposer and supporters when an
amendment is decided, the proposer once when a change leaves their amendment conflicting —
each only to a confirmed address with notifications on, never to whoever made the change,
and each with RFC 8058 one-click unsubscribe. Also the moderators' verification queue."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import func, select

from statements.database import write_transaction
from statements.extensions import db
from statements.models import AuditEvent, Endorsement, OutboxMessage, Statement, Subscription, User
from statements.models.types import utcnow
from statements.operations.workflow import close_due_deadlines
from tests.factories import (
    SAMPLE_TEXT,
    ApiClient,
    api_as,
    form_post,
    make_amendment,
    make_endorsement,
    make_statement,
    make_user,
    signed_in,
)
from tests.test_confirmations import mails

UNSUBSCRIBE = re.compile(r"<(http://127\.0\.0\.1:5000/unsubscribe/([A-Za-z0-9_.-]+))>")


def notifications(app: Flask, to: str | None = None) -> list[OutboxMessage]:
    return [m for m in mails(app, to) if m.kind == "notification"]


def unsubscribe_token(message: OutboxMessage) -> str:
    import json

    headers = json.loads(message.headers_json)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    found = UNSUBSCRIBE.fullmatch(headers["List-Unsubscribe"])
    assert found, headers
    assert found.group(1) in message.body_text  # the same link, for people, in the text
    return found.group(2)


def subscriptions(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Subscription)) or 0


# --- following ------------------------------------------------------------------------------

def test_following_through_the_api_is_idempotent_and_needs_a_sign_in(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    reader = make_user(app)
    slug = make_statement(app, moderator)
    api = api_as(app, reader)
    assert ApiClient(app.test_client()).post(f"/statements/{slug}/subscription"
                                             ).status_code == 401
    assert api.post(f"/statements/{slug}/subscription").status_code == 204
    assert api.post(f"/statements/{slug}/subscription").status_code == 204
    assert subscriptions(app) == 1
    assert api.delete(f"/statements/{slug}/subscription").status_code == 204
    assert api.delete(f"/statements/{slug}/subscription").status_code == 204
    assert subscriptions(app) == 0
    assert api.post("/statements/no-such-statement/subscription").status_code == 404


def test_followers_hear_of_each_change_of_status_except_from_themselves(app: Flask) -> None:
    moderator = make_user(app, "moderator", email="mod@example.org")
    follower = make_user(app, email="follower@example.org")
    quiet = make_user(app, email="quiet@example.org")
    unconfirmed = make_user(app, email="new@example.org", confirmed=False)
    slug = make_statement(app, moderator)
    for user in (follower, quiet, moderator):
        assert api_as(app, user).post(f"/statements/{slug}/subscription").status_code == 204
    # An unconfirmed account cannot see the draft (404), but may follow a published
    # statement: as if it had, it follows this one, and still hears nothing.
    assert api_as(app, unconfirmed).post(f"/statements/{slug}/subscription").status_code == 404
    with app.app_context(), write_transaction():
        statement = db.session.execute(select(Statement).where(Statement.slug == slug)
                                       ).scalar_one()
        db.session.add(Subscription(statement_id=statement.id, user_id=unconfirmed.id))
    assert api_as(app, quiet).patch("/me", {"notifications": False}).status_code == 200
    mod = api_as(app, moderator)
    assert mod.post(f"/statements/{slug}/transitions", {"to": "amending"}).status_code == 200
    (news,) = notifications(app)
    assert news.to_address == "follower@example.org"  # not the mover, the muted, the unproven
    assert "is open for amendments" in news.subject
    assert f"http://127.0.0.1:5000/statements/{slug}" in news.body_text
    unsubscribe_token(news)
    # A refused move queues nothing.
    assert mod.post(f"/statements/{slug}/transitions", {"to": "closed"}).status_code == 409
    assert len(notifications(app)) == 1
    for to in ("reviewing", "final", "endorsing"):
        assert mod.post(f"/statements/{slug}/transitions", {"to": to}).status_code == 200
    subjects = [m.subject for m in notifications(app, "follower@example.org")]
    assert len(subjects) == 4 and "has its final text" in subjects[2]
    assert "is open for endorsement" in subjects[3]
    assert f"http://127.0.0.1:5000/s/{slug}" in notifications(app)[-1].body_text


def _followed_with_a_passed_deadline(app: Flask) -> None:
    """A statement in amendment with a follower, whose amendment deadline passed a minute
    ago without its status being recorded yet."""
    moderator = make_user(app, "moderator")
    follower = make_user(app, email="follower@example.org")
    slug = make_statement(app, moderator, status="amending")
    assert api_as(app, follower).post(f"/statements/{slug}/subscription").status_code == 204
    with app.app_context(), write_transaction():
        statement = db.session.execute(select(Statement).where(Statement.slug == slug)
                                       ).scalar_one()
        statement.amending_until = utcnow() - timedelta(minutes=1)


def test_a_deadline_that_closes_a_phase_tells_the_followers(app: Flask) -> None:
    _followed_with_a_passed_deadline(app)
    with app.app_context(), write_transaction():
        assert len(close_due_deadlines()) == 1
    (news,) = notifications(app, "follower@example.org")
    assert "closed for amendments" in news.subject


def test_the_follow_button_on_the_statement_page(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    reader = make_user(app)
    slug = make_statement(app, moderator)
    browser = signed_in(app, reader)
    page = browser.get(f"/statements/{slug}").get_data(as_text=True)
    assert 'aria-pressed="false"' in page and ">Follow<" in page
    response = form_post(browser, f"/statements/{slug}/subscription", {"follow": "yes"},
                         token_from=f"/statements/{slug}")
    assert response.status_code == 302 and subscriptions(app) == 1
    page = browser.get(f"/statements/{slug}").get_data(as_text=True)
    assert 'aria-pressed="true"' in page and "Following" in page
    form_post(browser, f"/statements/{slug}/subscription", {"follow": "no"},
              token_from=f"/statements/{slug}")
    assert subscriptions(app) == 0
    assert ">Follow<" not in app.test_client().get(f"/s/{slug}").get_data(as_text=True)


# --- amendments -----------------------------------------------------------------------------

EVERY_DAY = "where most people meet nature every day."


def _amend(app: Flask, slug: str, proposer: User, old: str, new: str) -> int:
    return make_amendment(app, slug, proposer, text=SAMPLE_TEXT.replace(old, new))


def test_the_proposer_and_supporters_hear_how_an_amendment_was_decided(app: Flask) -> None:
    moderator = make_user(app, "moderator", email="mod@example.org")
    proposer = make_user(app, email="proposer@example.org")
    supporter = make_user(app, email="supporter@example.org")
    muted = make_user(app, email="muted@example.org")
    slug = make_statement(app, moderator, status="amending")
    number = _amend(app, slug, proposer, "every day", "every single day")
    for user in (supporter, muted):
        assert api_as(app, user).post(f"/statements/{slug}/amendments/{number}/support"
                                      ).status_code == 200
    assert api_as(app, muted).patch("/me", {"notifications": False}).status_code == 200
    answer = api_as(app, moderator).post(
        f"/statements/{slug}/amendments/{number}/accept",
        {"note": "Agreed by the room.", "vote": {"for": 12, "against": 3, "abstain": 1}})
    assert answer.status_code == 200
    told = notifications(app)
    assert sorted(m.to_address for m in told) == ["proposer@example.org",
                                                  "supporter@example.org"]
    for message in told:
        assert message.subject.startswith(f"A{number} was merged")
        assert "Agreed by the room." in message.body_text
        assert "12 for, 3 against, 1 abstaining" in message.body_text
        assert "The text is now version 2." in message.body_text
        unsubscribe_token(message)
    assert "you proposed" in told[0].body_text or "you proposed" in told[1].body_text


def test_a_rejection_and_a_merge_with_changes_read_as_words(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    proposer = make_user(app, email="proposer@example.org")
    slug = make_statement(app, moderator, status="amending")
    first = _amend(app, slug, proposer, "every day", "every single day")
    second = _amend(app, slug, proposer, "two years", "year")
    mod = api_as(app, moderator)
    assert mod.post(f"/statements/{slug}/amendments/{first}/reject",
                    {"note": "Not now."}).status_code == 200
    assert mod.post(f"/statements/{slug}/amendments/{second}/accept", {
        "text": SAMPLE_TEXT.replace("two years", "year, in public"), "base": 1,
    }).status_code == 200
    subjects = [m.subject for m in notifications(app, "proposer@example.org")]
    assert subjects[0].startswith(f"A{first} was rejected")
    assert subjects[1].startswith(f"A{second} was merged with changes")


def test_the_proposer_is_told_once_when_a_merge_breaks_their_amendment(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    first, second, third = (make_user(app, email=f"p{i}@example.org") for i in (1, 2, 3))
    slug = make_statement(app, moderator, status="amending")
    a1 = _amend(app, slug, first, "every day", "every single day")
    a2 = _amend(app, slug, second, "every day", "each day")  # the same words as A1
    _amend(app, slug, third, "two years", "year")  # elsewhere: still applies
    mod = api_as(app, moderator)
    assert mod.post(f"/statements/{slug}/amendments/{a1}/accept", {}).status_code == 200
    (told,) = [m for m in notifications(app) if "needs an update" in m.subject]
    assert told.to_address == "p2@example.org"
    assert f"/statements/{slug}/amendments/{a2}/rebase" in told.body_text
    assert notifications(app, "p3@example.org") == []
    # Another change does not tell again while A2 stays as it was.
    head = mod.get(f"/statements/{slug}").get_json()["head"]
    assert mod.post(f"/statements/{slug}/versions", {
        "text": head["text"].replace("# Strengthening", "# Further strengthening"),
        "base": head["number"]}).status_code == 201
    assert len([m for m in notifications(app) if "needs an update" in m.subject]) == 1
    # Brought up to date, and then broken again: told again.
    head = mod.get(f"/statements/{slug}").get_json()["head"]
    rebased = head["text"].replace("every single day", "each and every day")
    assert api_as(app, second).post(f"/statements/{slug}/amendments/{a2}/rebase",
                                    {"text": rebased}).status_code == 200
    assert mod.post(f"/statements/{slug}/versions", {
        "text": head["text"].replace("every single day", "daily"), "base": head["number"]}
    ).status_code == 201
    assert len([m for m in notifications(app, "p2@example.org")
                if "needs an update" in m.subject]) == 2


def test_merging_every_clean_amendment_tells_each_broken_one_once(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    first, second = make_user(app, email="p1@example.org"), make_user(app, email="p2@example.org")
    slug = make_statement(app, moderator, status="amending")
    _amend(app, slug, first, "every day", "every single day")
    _amend(app, slug, second, "every day", "each day")
    _amend(app, slug, first, "two years", "year")
    browser = signed_in(app, moderator)
    assert form_post(browser, f"/statements/{slug}/amendments/merge-clean",
                     token_from=f"/statements/{slug}/amendments").status_code == 302
    assert len(api_as(app, moderator).get(f"/statements/{slug}/versions").get_json()[
        "items"]) == 3  # A1 and A3 merged, A2 left
    broken = [m for m in notifications(app) if "needs an update" in m.subject]
    assert [m.to_address for m in broken] == ["p2@example.org"]


# --- one-click unsubscribe ------------------------------------------------------------------

def test_one_click_unsubscribe_stops_following_without_a_cookie_or_form(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    follower = make_user(app, email="follower@example.org")
    slug = make_statement(app, moderator)
    api_as(app, follower).post(f"/statements/{slug}/subscription")
    api_as(app, moderator).post(f"/statements/{slug}/transitions", {"to": "amending"})
    token = unsubscribe_token(notifications(app)[0])
    stranger = app.test_client()
    page = stranger.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "Paris city biodiversity" in page.get_data(as_text=True)
    assert subscriptions(app) == 1  # opening the link changes nothing (mail scanners do)
    # What a mail program sends (RFC 8058): a POST with this body, no cookie, no CSRF token.
    answer = stranger.post(f"/unsubscribe/{token}", data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and subscriptions(app) == 0
    assert stranger.post(f"/unsubscribe/{token}").status_code == 200  # again: no change
    api_as(app, moderator).post(f"/statements/{slug}/transitions", {"to": "reviewing"})
    assert len(notifications(app)) == 1
    assert stranger.get(f"/unsubscribe/{token}x").status_code == 404
    assert stranger.post("/unsubscribe/not-a-token").status_code == 404


def test_unsubscribing_from_amendment_news_turns_notifications_off(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    proposer = make_user(app, email="proposer@example.org")
    slug = make_statement(app, moderator, status="amending")
    first = _amend(app, slug, proposer, "every day", "every single day")
    second = _amend(app, slug, proposer, "two years", "year")
    mod = api_as(app, moderator)
    mod.post(f"/statements/{slug}/amendments/{first}/reject", {"note": "No."})
    token = unsubscribe_token(notifications(app)[0])
    assert app.test_client().post(f"/unsubscribe/{token}",
                                  data="List-Unsubscribe=One-Click").status_code == 200
    assert api_as(app, proposer).get("/me").get_json()["notifications"] is False
    mod.post(f"/statements/{slug}/amendments/{second}/reject", {"note": "No."})
    assert len(notifications(app)) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "user.notifications")) == 1


# --- the verification queue -----------------------------------------------------------------

def test_a_moderator_verifies_from_the_queue_and_the_public_page_lists_it(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    mayor = make_user(app, email="mayor@kunming.gov.cn", name="Li Ming")
    slug = make_statement(app, moderator, status="endorsing")
    endorsement_id = make_endorsement(app, slug, mayor, kind="government",
                                      organisation="City of Kunming")
    public = app.test_client().get(f"/s/{slug}").get_data(as_text=True)
    assert "Li Ming" not in public  # pending: not listed by default
    assert signed_in(app, mayor).get(f"/statements/{slug}/verification").status_code == 403
    browser = signed_in(app, moderator)
    page = browser.get(f"/statements/{slug}/verification").get_data(as_text=True)
    assert "Li Ming" in page and "kunming.gov.cn" in page and "mayor@" not in page
    assert "<strong>1</strong> pending" in page
    path = f"/statements/{slug}/verification/{endorsement_id}"
    refused = form_post(browser, path, {"decision": "maybe"},
                        token_from=f"/statements/{slug}/verification")
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.get(Endorsement, endorsement_id).verification == "pending"
    done = form_post(browser, path, {"decision": "verified", "note": "Called the office."},
                     token_from=f"/statements/{slug}/verification")
    assert done.status_code == 302
    with app.app_context():
        found = db.session.get(Endorsement, endorsement_id)
        assert (found.verification, found.verification_note) == ("verified",
                                                                 "Called the office.")
    assert "Li Ming" in app.test_client().get(f"/s/{slug}").get_data(as_text=True)
    assert "<strong>0</strong> pending" in browser.get(
        f"/statements/{slug}/verification").get_data(as_text=True)


def test_an_address_no_mail_can_reach_never_stops_anyones_change(app: Flask) -> None:
    """An admin cannot make such an account any more; one made before (or by hand) follows
    and supports, and the moderator's moves and decisions still go through, telling the
    others and showing nobody that address."""
    moderator = make_user(app, "moderator")
    admin = make_user(app, "admin")
    refused = api_as(app, admin).post("/users", {
        "email": "typo@example..org", "name": "Typo", "password": "long enough pw",
        "role": "delegate"})
    assert refused.status_code == 422 and "email" in refused.get_json()["errors"]
    broken = make_user(app, email="ok@example.org")
    follower = make_user(app, email="follower@example.org")
    slug = make_statement(app, moderator)
    for user in (broken, follower):
        assert api_as(app, user).post(f"/statements/{slug}/subscription").status_code == 204
    with app.app_context(), write_transaction():
        db.session.get(User, broken.id).email = "typo@example..org"
    answer = api_as(app, moderator).post(f"/statements/{slug}/transitions", {"to": "amending"})
    assert answer.status_code == 200 and "typo@" not in answer.get_data(as_text=True)
    assert [m.to_address for m in notifications(app)] == ["follower@example.org"]


def test_head_on_an_unsubscribe_link_changes_nothing(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    follower = make_user(app, email="follower@example.org")
    slug = make_statement(app, moderator)
    api_as(app, follower).post(f"/statements/{slug}/subscription")
    api_as(app, moderator).post(f"/statements/{slug}/transitions", {"to": "amending"})
    token = unsubscribe_token(notifications(app)[0])
    assert app.test_client().head(f"/unsubscribe/{token}").status_code == 200
    assert subscriptions(app) == 1


def test_a_deadline_caught_up_by_a_read_sends_its_mail_right_away(app: Flask) -> None:
    """The first request after a deadline may be a GET: the followers' mail it queued is
    sent after that answer, not left for send-mail."""
    from tests.live import LiveServer
    from tests.smtp import wait_until

    _followed_with_a_passed_deadline(app)
    with LiveServer(app) as live:
        assert live.request("GET", "/api/v1/statements")[0] == 200

        def sent() -> bool:
            return all(m.sent_at is not None for m in notifications(app)) and \
                len(notifications(app)) == 1
        wait_until(sent, what="the follower's mail to be sent")
