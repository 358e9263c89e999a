"""Sign-in pages: /login with ?next=, CSRF, registration, the account page."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from statements.extensions import db
from statements.models import ApiToken, OutboxMessage, User
from statements.web.auth import safe_next
from tests.factories import (
    PASSWORD,
    api_as,
    auth,
    csrf_token,
    form_post,
    make_user,
    signed_in,
    token_for,
)


@pytest.mark.parametrize("target", [
    "//evil.example", "//evil.example/path", "/\\evil.example", "/\\/evil.example",
    "https://evil.example", "javascript:alert(1)", "http:/evil.example", "evil.example",
    "/path\r\nSet-Cookie: x=1", "/path\nLocation: //evil", "/\tpath", "", None,
])
def test_unsafe_next_is_refused(target: str | None) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/s/paris-2026", "/account?tab=1", "/a/b#frag"])
def test_site_paths_are_kept(target: str) -> None:
    assert safe_next(target) == target


def test_form_post_without_csrf_token_is_400(app: Flask, client: FlaskClient) -> None:
    user = make_user(app)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": "forged"})
    assert response.status_code == 400


def test_sign_in_honours_a_safe_next_only(app: Flask, client: FlaskClient) -> None:
    user = make_user(app)
    response = form_post(client, "/login?next=/account", {"email": user.email,
                                                          "password": PASSWORD},
                         token_from="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    client = app.test_client()
    response = form_post(client, "/login?next=//evil.example", {"email": user.email,
                                                                "password": PASSWORD},
                         token_from="/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_wrong_password_shows_the_message(app: Flask, client: FlaskClient) -> None:
    user = make_user(app)
    response = form_post(client, "/login", {"email": user.email, "password": "nope nope nope"})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Wrong e-mail address or password." in html
    assert f'value="{user.email}"' in html  # what was typed is kept
    assert client.get("/account").status_code == 302  # still signed out


def test_account_needs_sign_in(client: FlaskClient) -> None:
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/account")


def test_register_makes_an_unconfirmed_delegate_and_says_check_your_inbox(
        app: Flask, client: FlaskClient) -> None:
    response = form_post(client, "/register", {
        "email": "new@example.org", "name": "Nia", "organisation": "Kunming",
        "password": "long enough pw", "confirm_password": "long enough pw"})
    assert response.status_code == 200
    assert "Check your inbox" in response.get_data(as_text=True)
    assert client.get("/api/v1/me").status_code == 401  # not signed in by registering
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert (user.role, user.organisation) == ("delegate", "Kunming")
        assert user.password_hash.startswith("$argon2id$")
        assert not user.email_confirmed
        (message,) = db.session.scalars(select(OutboxMessage)).all()
        assert message.to_address == "new@example.org" and "/confirm/" in message.body_text


def test_register_answers_a_taken_address_exactly_as_a_new_one(app: Flask,
                                                               client: FlaskClient) -> None:
    """The page reveals nobody's account; the e-mail to the address says which it was."""
    make_user(app, email="taken@example.org", name="Tam")
    fresh = form_post(client, "/register", {
        "email": "fresh@example.org", "name": "X", "password": "long enough pw",
        "confirm_password": "long enough pw"})
    taken = form_post(app.test_client(), "/register", {
        "email": "TAKEN@example.org", "name": "X", "password": "long enough pw",
        "confirm_password": "long enough pw"})
    assert taken.status_code == fresh.status_code == 200
    assert (taken.get_data(as_text=True).replace("TAKEN@example.org", "@")
            == fresh.get_data(as_text=True).replace("fresh@example.org", "@"))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 2
        letter = db.session.execute(select(OutboxMessage).where(
            OutboxMessage.to_address == "taken@example.org")).scalar_one()
        assert "already has an account" in letter.body_text and "/confirm/" not in \
            letter.body_text
        assert "Tam" in letter.body_text


def test_register_errors_are_shown_per_field_and_nothing_is_written(app: Flask,
                                                                    client: FlaskClient) -> None:
    response = form_post(client, "/register", {
        "email": "x@example.org", "name": "", "password": "short", "confirm_password": "short"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Name is required." in html and "at least 10 characters" in html
    response = form_post(client, "/register", {
        "email": "y@example.org", "name": "Y", "password": "long enough pw",
        "confirm_password": "different pw!"})
    assert "The two passwords differ." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_registration_can_be_closed(app: Flask, client: FlaskClient) -> None:
    app.config["OPEN_REGISTRATION"] = False
    assert client.get("/register").status_code == 404
    assert "Register" not in client.get("/login").get_data(as_text=True)


def test_logout_needs_post_with_csrf(app: Flask) -> None:
    client = signed_in(app, make_user(app))
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200
    assert form_post(client, "/logout", token_from="/account").status_code == 302
    assert client.get("/account").status_code == 302


def test_profile_edit(app: Flask) -> None:
    user = make_user(app)
    client = signed_in(app, user)
    response = form_post(client, "/account", {"name": "Ana Lima", "organisation": "São Paulo"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).organisation == "São Paulo"
    response = form_post(client, "/account", {"name": "  ", "organisation": ""})
    assert response.status_code == 422
    assert "Name is required." in response.get_data(as_text=True)


def test_password_change_ends_other_sessions_and_tokens(app: Flask) -> None:
    user = make_user(app)
    here, elsewhere = signed_in(app, user), signed_in(app, user)
    api = api_as(app, user)
    assert api.get("/me").status_code == 200
    response = form_post(here, "/account/password", {
        "current_password": PASSWORD, "new_password": "a brand new pw",
        "confirm_password": "a brand new pw"}, token_from="/account")
    assert response.status_code == 302
    assert here.get("/account").status_code == 200  # this session carries on
    assert elsewhere.get("/account").status_code == 302  # the other one has ended
    assert api.get("/me").status_code == 401
    with app.app_context():
        assert all(t.revoked_at is not None for t in db.session.scalars(select(ApiToken)))
    signed_in(app, user, "a brand new pw")


def test_password_change_refuses_a_wrong_current_password(app: Flask) -> None:
    user = make_user(app)
    client = signed_in(app, user)
    response = form_post(client, "/account/password", {
        "current_password": "not it at all", "new_password": "a brand new pw",
        "confirm_password": "a brand new pw"}, token_from="/account")
    assert response.status_code == 422
    assert "current password is not right" in response.get_data(as_text=True)
    signed_in(app, user)  # the old password still works


def test_tokens_are_listed_and_revocable_on_the_account_page(app: Flask) -> None:
    user = make_user(app)
    api = api_as(app, user)
    client = signed_in(app, user)
    assert "Revoke" in client.get("/account").get_data(as_text=True)
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    token = csrf_token(client, "/account")
    assert client.post(f"/account/tokens/{token_id}/revoke",
                       data={"csrf_token": token}).status_code == 302
    assert api.get("/me").status_code == 401
    other = signed_in(app, make_user(app))
    assert other.post(f"/account/tokens/{token_id}/revoke",
                      data={"csrf_token": csrf_token(other, "/account")}).status_code == 404


def test_navigation_shows_what_the_role_may_do(app: Flask, client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "Sign in" in html and "Sign out" not in html
    html = signed_in(app, make_user(app, "admin")).get("/").get_data(as_text=True)
    assert "Sign out" in html and "(admin)" in html


def test_session_cookie_flags(app: Flask) -> None:
    user = make_user(app)
    client = app.test_client()
    response = form_post(client, "/login", {"email": user.email, "password": PASSWORD,
                                            "remember": "on"})
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    remember = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session, remember):
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _cookie(response, name: str) -> str:
    header = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "="))
    return header.split(";", 1)[0].split("=", 1)[1]


def test_signing_out_ends_the_session_and_its_remember_cookie_for_good(app: Flask) -> None:
    user = make_user(app)
    browser = app.test_client()
    response = form_post(browser, "/login", {"email": user.email, "password": PASSWORD,
                                             "remember": "on"})
    assert response.status_code == 302
    session, remember = _cookie(response, "session"), _cookie(response, "remember_token")
    # Someone copies both cookies; then the owner signs out.
    thief_session, thief_remember = app.test_client(), app.test_client()
    thief_session.set_cookie("session", session)
    thief_remember.set_cookie("remember_token", remember)
    assert thief_session.get("/account").status_code == 200
    assert form_post(browser, "/logout", token_from="/account").status_code == 302
    assert browser.get("/account").status_code == 302  # signed out here
    assert thief_session.get("/account").status_code == 302  # and the copy no longer works
    assert thief_remember.get("/account").status_code == 302
    # Signing in again is a new session, which works.
    assert signed_in(app, user).get("/account").status_code == 200


def test_api_tokens_expire_and_the_account_page_says_when(app: Flask) -> None:
    from datetime import timedelta

    from statements.models import ApiToken
    from statements.models.types import utcnow

    user = make_user(app)
    token = token_for(app, user)
    api = app.test_client()
    assert api.get("/api/v1/me", headers=auth(token)).status_code == 200
    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        assert timedelta(days=89) < row.expires_at - utcnow() <= timedelta(days=90)
        expiry = row.expires_at.strftime("%Y-%m-%d")
    assert expiry in signed_in(app, user).get("/account").get_data(as_text=True)
    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert api.get("/api/v1/me", headers=auth(token)).status_code == 401
    answer = app.test_client().post("/api/v1/auth/tokens", json={"email": user.email,
                                                                 "password": PASSWORD})
    assert answer.status_code == 201 and answer.get_json()["expires_at"] > utcnow().isoformat()


def test_production_answers_carry_hsts(tmp_path, database_url: str) -> None:
    from tests.conftest import make_app

    production = make_app(database_url, tmp_path / "prod", STATEMENTS_ENV="production",
                          SECRET_KEY="k" * 40, PUBLIC_URL="https://statements.example.org",
                          SIGNING_KEY="a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=")
    headers = production.test_client().get("/healthz").headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    development = make_app(database_url, tmp_path / "dev")
    assert "Strict-Transport-Security" not in development.test_client().get("/healthz").headers


def test_a_form_without_its_token_explains_itself_and_offers_to_sign_in(app: Flask) -> None:
    slug_page = "/statements"
    signed_out = app.test_client()
    response = signed_out.post("/logout", headers={"Referer": f"http://localhost{slug_page}"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This form could not be sent" in page and "Nothing was saved" in page
    assert 'href="/login?next=/statements"' in page
    # Signed in, the page offers the form again instead; a foreign referrer is ignored.
    browser = signed_in(app, make_user(app))
    again = browser.post("/account", data={"name": "X"},
                         headers={"Referer": "https://elsewhere.example/phish"})
    assert again.status_code == 400
    html = again.get_data(as_text=True)
    assert 'href="/account"' in html and "elsewhere.example" not in html
    api = app.test_client().post("/api/v1/auth/tokens", json={})
    assert api.mimetype == "application/problem+json"  # the API needs no CSRF token at all


def test_registering_a_taken_address_again_and_again_mails_it_three_times_an_hour(
        app: Flask) -> None:
    make_user(app, email="taken@example.org")
    answers = [form_post(app.test_client(), "/register", {
        "email": "taken@example.org", "name": "X", "password": "long enough pw",
        "confirm_password": "long enough pw"}) for _ in range(6)]
    assert {a.status_code for a in answers} == {200}  # the page never changes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.to_address == "taken@example.org")) == 3
