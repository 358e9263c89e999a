"""Confirmed accounts and endorsing without an account (issue "Formal endorsements"):
registration's link, the 403 of an unconfirmed account, POST /me/confirmation and
/confirmations, the /confirm/{token} page, endorsements confirmed by e-mail and withdrawn by
link, receipts, and PATCH /me."""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from statements.database import write_transaction
from statements.extensions import db
from statements.models import AuditEvent, ConfirmationToken, Endorsement, OutboxMessage, User
from statements.models.types import utcnow
from tests.factories import (
    PASSWORD,
    ApiClient,
    api_as,
    form_post,
    make_amendment,
    make_endorsement,
    make_statement,
    make_user,
    signed_in,
)

CONFIRM = re.compile(r"http://127\.0\.0\.1:5000/confirm/([A-Za-z0-9_-]+)")
WITHDRAW = re.compile(r"http://127\.0\.0\.1:5000/withdraw/([A-Za-z0-9_-]+)")


def mails(app: Flask, to: str | None = None) -> list[OutboxMessage]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        for row in rows:
            db.session.expunge(row)
    return [r for r in rows if to is None or r.to_address.lower() == to.lower()]


def last_link(app: Flask, to: str, pattern: re.Pattern[str] = CONFIRM) -> str:
    for message in reversed(mails(app, to)):
        found = pattern.search(message.body_text)
        if found:
            return found.group(1)
    raise AssertionError(f"no link to {to}")


def register(app: Flask, email: str = "rosa@example.org"):
    client = app.test_client()
    response = form_post(client, "/register", {
        "email": email, "name": "Rosa", "organisation": "Lima", "password": PASSWORD,
        "confirm_password": PASSWORD})
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    signed = form_post(client, "/login", {"email": email, "password": PASSWORD})
    assert signed.status_code == 302  # an unconfirmed account may sign in
    with app.app_context():
        user = db.session.execute(select(User).where(User.email == email)).scalar_one()
        db.session.expunge(user)
    return client, user


def anonymous_endorse(app: Flask, slug: str, email: str, **fields):
    body = {"kind": "individual", "name": "Ana Sánchez", "email": email, **fields}
    return ApiClient(app.test_client()).post(f"/statements/{slug}/endorsements", body)


def verify_exit(app: Flask) -> int:
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 0, result.output
    return result.exit_code


# --- accounts ------------------------------------------------------------------------------

def test_register_mails_a_link_whose_page_shows_and_whose_button_confirms(app: Flask) -> None:
    client, user = register(app)
    assert client.get("/api/v1/me").get_json()["email_confirmed"] is False
    [message] = mails(app, user.email)
    assert message.kind == "confirmation"
    token = last_link(app, user.email)
    page = client.get(f"/confirm/{token}")
    assert page.status_code == 200 and "rosa@example.org" in page.get_data(as_text=True)
    assert client.get("/api/v1/me").get_json()["email_confirmed"] is False  # opening: nothing
    other = app.test_client()  # the link works in any browser, signed in or not
    done = form_post(other, f"/confirm/{token}")
    assert done.status_code == 200 and "Confirmed" in done.get_data(as_text=True)
    assert client.get("/api/v1/me").get_json()["email_confirmed"] is True
    with app.app_context():
        row = db.session.scalars(select(ConfirmationToken)).one()
        assert len(row.token_hash) == 64 and token not in row.token_hash  # only the hash


def test_accounts_made_by_an_admin_or_the_cli_are_confirmed(app: Flask) -> None:
    admin = make_user(app, "admin")
    made = api_as(app, admin).post("/users", {"email": "n@example.org", "name": "N",
                                              "password": PASSWORD, "role": "delegate"})
    assert made.status_code == 201 and made.get_json()["email_confirmed"] is True
    assert mails(app) == []
    assert api_as(app, admin).get("/me").get_json()["email_confirmed"] is True


def test_an_unconfirmed_account_reads_what_the_public_reads_and_may_not_act(
        app: Flask) -> None:
    """Drafts, amendments and comments are for confirmed accounts: anyone may register,
    so an address nobody has proven reads only what the public reads."""
    moderator = make_user(app, "moderator")
    proposer = make_user(app)
    slug = make_statement(app, moderator, status="amending")
    make_amendment(app, slug, proposer)
    unconfirmed = make_user(app, confirmed=False)
    api = api_as(app, unconfirmed)
    # A draft is a 404 to them, word for word as a statement that does not exist.
    for path in (f"/statements/{slug}", f"/statements/{slug}/versions/1"):
        draft, missing = api.get(path), api.get(path.replace(slug, "no-such-statement"))
        assert draft.status_code == missing.status_code == 404, path
        assert draft.get_json()["detail"].replace(slug, "x") == \
            missing.get_json()["detail"].replace("no-such-statement", "x")
        assert "confirm your e-mail address" in draft.get_json()["detail"]
    # Amendments and comments are refused before anything is looked up (for any slug).
    for path in (f"/statements/{slug}/amendments", f"/statements/{slug}/amendments/1",
                 f"/statements/{slug}/amendments/1/comments",
                 "/statements/no-such-statement/amendments"):
        answer = api.get(path)
        assert answer.status_code == 403, path
        assert "/api/v1/me/confirmation" in answer.get_json()["detail"]
    assert slug not in {s["slug"] for s in api.get("/statements").get_json()["items"]}
    browser = signed_in(app, unconfirmed)
    assert browser.get(f"/statements/{slug}").status_code == 404
    for path in (f"/statements/{slug}/amendments", f"/statements/{slug}/amendments/1"):
        assert browser.get(path).status_code == 403, path
    assert api_as(app, proposer).get(f"/statements/{slug}/amendments/1").status_code == 200
    answers = [
        api.post(f"/statements/{slug}/amendments", {"base": 1, "text": "New.\n",
                                                   "rationale": "Why."}),
        api.post(f"/statements/{slug}/amendments/1/support"),
        api.post(f"/statements/{slug}/amendments/1/comments", {"body": "Hm."}),
    ]
    endorsing = make_statement(app, moderator, status="endorsing", title="Another one")
    answers.append(api.post(f"/statements/{endorsing}/endorsements", {"kind": "individual"}))
    for answer in answers:
        assert answer.status_code == 403
        assert "/api/v1/me/confirmation" in answer.get_json()["detail"]
    page = signed_in(app, unconfirmed).get(f"/s/{endorsing}/endorse")
    assert page.status_code == 403 and "Send the link again" in page.get_data(as_text=True)
    # What the public reads, an unconfirmed account reads too.
    assert api.get(f"/statements/{endorsing}").status_code == 200
    assert browser.get(f"/statements/{endorsing}").status_code == 200
    assert endorsing in {s["slug"] for s in api.get("/statements").get_json()["items"]}


def test_resending_the_link(app: Flask) -> None:
    client, user = register(app)
    browser = signed_in(app, user)
    api = api_as(app, user)
    for _ in range(3):
        assert api.post("/me/confirmation").status_code == 202
    refused = api.post("/me/confirmation")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert len(mails(app, user.email)) == 4  # registration's and three more
    # The page's button gives the same refusal as a message.
    response = form_post(browser, "/account/confirmation", token_from="/account")
    assert response.status_code == 302
    form_post(browser, f"/confirm/{last_link(app, user.email)}")
    assert api.post("/me/confirmation").status_code == 409
    assert api.get("/me").get_json()["email_confirmed"] is True


def test_tokens_are_single_use_expire_and_unknown_ones_are_404(app: Flask) -> None:
    _, user = register(app)
    anyone = ApiClient(app.test_client())
    token = last_link(app, user.email)
    assert anyone.post("/confirmations", {"token": "nonsense"}).status_code == 404
    assert app.test_client().get("/confirm/nonsense").status_code == 404
    assert anyone.post("/confirmations", {}).status_code == 422
    first = anyone.post("/confirmations", {"token": token})
    assert first.status_code == 200 and first.get_json() == {"confirmed": "account"}
    again = anyone.post("/confirmations", {"token": token})
    assert again.status_code == 200 and again.get_json() == {"confirmed": "account"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "user.confirm")) == 1
    _, late = register(app, "late@example.org")
    late_token = last_link(app, late.email)
    with app.app_context(), write_transaction():
        db.session.execute(update(ConfirmationToken).where(
            ConfirmationToken.user_id == late.id).values(expires_at=utcnow() - timedelta(1)))
    assert anyone.post("/confirmations", {"token": late_token}).status_code == 404
    assert app.test_client().get(f"/confirm/{late_token}").status_code == 404


def _together(calls: list) -> list:
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_ten_concurrent_uses_of_one_token_confirm_once(app: Flask) -> None:
    _, user = register(app)
    token = last_link(app, user.email)
    answers = _together([
        (lambda: ApiClient(app.test_client()).post("/confirmations", {"token": token}))
        for _ in range(10)])
    assert [a.status_code for a in answers] == [200] * 10
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "user.confirm")) == 1


# --- endorsing without an account ----------------------------------------------------------

def _public_view(app: Flask, slug: str) -> tuple[int, int, list[str]]:
    anyone = ApiClient(app.test_client())
    listed = anyone.get(f"/statements/{slug}/endorsements").get_json()["count"]
    counted = anyone.get(f"/statements/{slug}").get_json()["counts"]["endorsements"]
    events = app.test_client().get(f"/s/{slug}/record.json").get_json()["events"]
    return listed, counted, [e["type"] for e in events if e["type"].startswith("endorse")]


def test_endorsing_without_an_account_counts_once_confirmed(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="endorsing")
    assert ApiClient(app.test_client()).post(f"/statements/{slug}/endorsements",
                                             {"kind": "individual"}).status_code == 401
    answer = anonymous_endorse(app, slug, "Ana@Example.org", city="São Paulo",
                               country_code="BR")
    assert answer.status_code == 202 and answer.get_json() == {"status": "pending_confirmation"}
    [message] = mails(app, "ana@example.org")
    with app.app_context():
        head = db.session.scalars(select(Endorsement)).one().version
        sha, title = head.sha256, head.statement.title
    assert sha in message.body_text and title in message.body_text
    assert "Version: 1" in message.body_text and WITHDRAW.search(message.body_text)
    assert _public_view(app, slug) == (0, 0, [])  # invisible until confirmed
    every = api_as(app, moderator).get(f"/statements/{slug}/endorsements?all=1").get_json()
    assert [e["status"] for e in every["items"]] == ["unconfirmed"]
    assert "ana@example.org" not in json.dumps(every).lower()
    verify_exit(app)
    token = last_link(app, "ana@example.org")
    page = app.test_client().get(f"/confirm/{token}").get_data(as_text=True)
    assert sha in page and title in page
    assert _public_view(app, slug) == (0, 0, [])  # the page alone confirms nothing
    confirmed = ApiClient(app.test_client()).post("/confirmations", {"token": token})
    assert confirmed.get_json() == {"confirmed": "endorsement", "statement": slug}
    assert _public_view(app, slug) == (1, 1, ["endorsed"])
    listed = ApiClient(app.test_client()).get(f"/statements/{slug}/endorsements").get_json()
    assert [(e["country_code"], e["country"]) for e in listed["items"]] == [("BR", "Brazil")]
    receipt = mails(app, "ana@example.org")[-1]
    assert receipt.kind == "receipt" and sha in receipt.body_text
    events = app.test_client().get(f"/s/{slug}/record.json").get_json()["events"]
    assert events[-1]["hash"] in receipt.body_text
    proof = json.loads(receipt.body_text[receipt.body_text.index("{"):])
    assert proof["event_hash"] == events[-1]["hash"] and proof["endorsement"]["city"] == \
        "São Paulo"
    # The same address again: the same 202, one endorsement, and an e-mail saying so.
    again = anonymous_endorse(app, slug, "ana@EXAMPLE.org")
    assert again.status_code == 202 and again.get_json() == {"status": "pending_confirmation"}
    assert "already endorsed" in mails(app, "ana@example.org")[-1].body_text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Endorsement)) == 1
    verify_exit(app)


def test_twice_before_confirming_is_one_endorsement(app: Flask) -> None:
    slug = make_statement(app, status="endorsing")
    assert anonymous_endorse(app, slug, "b@example.org").status_code == 202
    assert anonymous_endorse(app, slug, "B@example.org", name="Bea").status_code == 202
    with app.app_context():
        [row] = db.session.scalars(select(Endorsement)).all()
        assert row.name == "Bea" and row.status == "unconfirmed" and row.user_id is None


def test_an_address_that_endorsed_without_an_account_cannot_endorse_again_signed_in(
        app: Flask) -> None:
    slug = make_statement(app, status="endorsing")
    user = make_user(app, email="mayor@example.org")
    anonymous_endorse(app, slug, "MAYOR@example.org")
    ApiClient(app.test_client()).post("/confirmations",
                                      {"token": last_link(app, "mayor@example.org")})
    again = api_as(app, user).post(f"/statements/{slug}/endorsements", {"kind": "individual"})
    assert again.status_code == 409


def test_a_signed_in_endorsement_takes_over_an_unconfirmed_one_of_its_address(
        app: Flask) -> None:
    slug = make_statement(app, status="endorsing")
    user = make_user(app, email="c@example.org")
    anonymous_endorse(app, slug, "c@example.org")
    made = api_as(app, user).post(f"/statements/{slug}/endorsements", {"kind": "individual"})
    assert made.status_code == 201
    with app.app_context():
        [row] = db.session.scalars(select(Endorsement)).all()
        assert row.user_id == user.id and row.status == "active"
    verify_exit(app)


def test_validation_without_an_account(app: Flask) -> None:
    slug = make_statement(app, status="endorsing")
    bad = anonymous_endorse(app, slug, "not an address", kind="organisation", name="")
    assert bad.status_code == 422
    assert {"email", "name", "authorised"} <= set(bad.get_json()["errors"])
    closed = make_statement(app, status="closed", title="Closed one")
    assert anonymous_endorse(app, closed, "d@example.org").status_code == 409
    draft = make_statement(app, status="draft", title="Draft one")
    assert anonymous_endorse(app, draft, "d@example.org").status_code == 404
    assert mails(app) == []


def test_trusted_domains_apply_to_the_confirmed_address(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="endorsing")
    assert api_as(app, moderator).patch(f"/statements/{slug}",
                                        {"trusted_domains": ["paris.fr"]}).status_code == 200
    anonymous_endorse(app, slug, "maire@ville.paris.fr", kind="government",
                      organisation="Ville de Paris", authorised=True)
    ApiClient(app.test_client()).post("/confirmations",
                                      {"token": last_link(app, "maire@ville.paris.fr")})
    [item] = ApiClient(app.test_client()).get(
        f"/statements/{slug}/endorsements").get_json()["items"]
    assert item["verification"] == "verified"


def test_twenty_concurrent_confirmations_all_land(app: Flask) -> None:
    slug = make_statement(app, status="endorsing")
    addresses = [f"p{i}@example.org" for i in range(20)]
    for address in addresses:
        assert anonymous_endorse(app, slug, address, name=f"Person {address}").status_code == 202
    tokens = [last_link(app, address) for address in addresses]
    answers = _together([
        (lambda t=t: ApiClient(app.test_client()).post("/confirmations", {"token": t}))
        for t in tokens])
    assert [a.status_code for a in answers] == [200] * 20
    listed, counted, events = _public_view(app, slug)
    assert (listed, counted, len(events)) == (20, 20, 20)
    assert len([m for m in mails(app) if m.kind == "receipt"]) == 20
    verify_exit(app)


def test_the_withdrawal_link(app: Flask) -> None:
    slug = make_statement(app, status="endorsing")
    anonymous_endorse(app, slug, "e@example.org")
    ApiClient(app.test_client()).post("/confirmations",
                                      {"token": last_link(app, "e@example.org")})
    token = last_link(app, "e@example.org", WITHDRAW)
    browser = app.test_client()
    page = browser.get(f"/withdraw/{token}")
    assert page.status_code == 200 and "Withdraw this endorsement" in page.get_data(as_text=True)
    assert _public_view(app, slug)[:2] == (1, 1)  # opening the link withdraws nothing
    done = form_post(browser, f"/withdraw/{token}")
    assert done.status_code == 200 and "It is withdrawn" in done.get_data(as_text=True)
    assert _public_view(app, slug) == (0, 0, ["endorsed", "endorsement_withdrawn"])
    assert app.test_client().get("/withdraw/nonsense").status_code == 404
    verify_exit(app)
    # Endorsing again from the address: a new link, and it counts again once used.
    anonymous_endorse(app, slug, "e@example.org")
    assert _public_view(app, slug)[:2] == (0, 0)
    verify_exit(app)
    ApiClient(app.test_client()).post("/confirmations",
                                      {"token": last_link(app, "e@example.org")})
    assert _public_view(app, slug)[:2] == (1, 1)
    verify_exit(app)


def test_the_endorse_page_offers_signed_out_visitors_the_form(app: Flask) -> None:
    slug = make_statement(app, status="endorsing")
    browser = app.test_client()
    page = browser.get(f"/s/{slug}/endorse")
    assert page.status_code == 200 and 'name="email"' in page.get_data(as_text=True)
    refused = form_post(browser, f"/s/{slug}/endorse", {"kind": "individual", "name": "F"})
    assert refused.status_code == 422 and 'name="email"' in refused.get_data(as_text=True)
    done = form_post(browser, f"/s/{slug}/endorse", {
        "kind": "individual", "name": "Fatou", "email": "f@example.org", "city": "Dakar",
        "country": "Senegal", "public": "yes"})
    assert done.status_code == 200 and "Check your inbox" in done.get_data(as_text=True)
    assert len(mails(app, "f@example.org")) == 1


# --- receipts -------------------------------------------------------------------------------

def test_a_signed_in_endorsement_mails_a_receipt_even_with_notifications_off(
        app: Flask) -> None:
    slug = make_statement(app, status="endorsing")
    user = make_user(app)
    assert api_as(app, user).patch("/me", {"notifications": False}).status_code == 200
    endorsement_id = make_endorsement(app, slug, user, capacity="Mayor")
    [receipt] = [m for m in mails(app, user.email) if m.kind == "receipt"]
    proof = json.loads(receipt.body_text[receipt.body_text.index("{"):])
    assert proof["endorsement"]["id"] == endorsement_id and proof["slug"] == slug
    assert proof["sha256"] in receipt.body_text and "Mayor" in receipt.body_text
    assert proof["signature"]["alg"] == "EdDSA"


# --- PATCH /me ------------------------------------------------------------------------------

def test_patch_me(app: Flask) -> None:
    user = make_user(app)
    api = api_as(app, user)
    assert api.patch("/me", {"locale": "de"}).status_code == 422
    assert api.patch("/me", {"notifications": "no"}).status_code == 422
    assert api.patch("/me", {"name": ""}).status_code == 422
    assert ApiClient(app.test_client()).patch("/me", {"locale": "fr"}).status_code == 401
    changed = api.patch("/me", {"locale": "fr", "notifications": False, "organisation": "X"})
    assert changed.status_code == 200
    body = changed.get_json()
    assert (body["locale"], body["notifications"], body["organisation"], body["name"]) == (
        "fr", False, "X", user.name)
    assert api.patch("/me", {"locale": None}).get_json()["locale"] is None
    assert api.get("/me").get_json()["notifications"] is False


def test_the_account_page_has_the_notifications_checkbox(app: Flask) -> None:
    user = make_user(app)
    browser = signed_in(app, user)
    assert 'name="notifications"' in browser.get("/account").get_data(as_text=True)
    form_post(browser, "/account", {"name": user.name, "organisation": ""})
    assert api_as(app, user).get("/me").get_json()["notifications"] is False
    form_post(browser, "/account", {"name": user.name, "notifications": "yes"})
    assert api_as(app, user).get("/me").get_json()["notifications"] is True


@pytest.mark.parametrize("kind", ["unconfirmed"])
def test_the_rules_name_the_unconfirmed(kind: str) -> None:
    from statements.rules import RULES, Who

    assert {a for a, r in RULES.items() if Who.CONFIRMED in r.whos} == {
            "propose", "support", "comment", "endorse", "read_drafts", "read_amendments"}
