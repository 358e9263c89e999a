"""API.md: /auth/tokens, /me, /users, with the contract's status codes and order of checks."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from statements.extensions import db
from statements.models import ApiToken, AuditEvent, SignInFailure, User
from tests.factories import PASSWORD, api_as, auth, form_post, make_user, signed_in


def _token(client: FlaskClient, email: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/tokens", json={"email": email, "password": password})


def test_token_for_right_password(app: Flask, client: FlaskClient) -> None:
    user = make_user(app, email="Ana@Example.org")
    response = _token(client, "ana@example.org")  # e-mail matched regardless of case
    assert response.status_code == 201
    body = response.get_json()
    assert body["token"].startswith("st_")
    assert body["user"] == {"id": user.id, "email": "Ana@Example.org", "name": user.name,
                            "organisation": "Testville", "role": "delegate",
                            "email_confirmed": True, "locale": None, "notifications": True}
    with app.app_context():  # only the hash is stored
        stored = db.session.scalars(select(ApiToken.token_hash)).all()
        assert body["token"] not in stored and len(stored) == 1


def test_wrong_password_and_unknown_email_answer_alike(app: Flask, client: FlaskClient) -> None:
    make_user(app, email="ana@example.org")
    wrong = _token(client, "ana@example.org", "not the password")
    unknown = _token(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.mimetype == "application/problem+json"
    assert wrong.get_json()["detail"] == unknown.get_json()["detail"]


def test_token_body_errors(client: FlaskClient) -> None:
    assert client.post("/api/v1/auth/tokens", data="{", content_type="application/json"
                       ).status_code == 400
    response = client.post("/api/v1/auth/tokens", json={"email": 5})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"email", "password"}


def test_five_failures_then_429_even_with_the_right_password(app: Flask,
                                                             client: FlaskClient) -> None:
    make_user(app, email="ana@example.org")
    for _ in range(5):
        assert _token(client, "ana@example.org", "wrong password!").status_code == 401
    blocked = _token(client, "ANA@example.org")  # same address, other case, right password
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    assert blocked.mimetype == "application/problem+json"
    with app.app_context():  # a throttled attempt does not extend the window
        assert db.session.scalar(select(func.count()).select_from(SignInFailure)) == 5


def test_unknown_addresses_are_throttled_too(client: FlaskClient) -> None:
    for _ in range(5):
        assert _token(client, "ghost@example.org", "whatever pass").status_code == 401
    assert _token(client, "ghost@example.org", "whatever pass").status_code == 429


def test_a_success_clears_the_count(app: Flask, client: FlaskClient) -> None:
    make_user(app, email="ana@example.org")
    for _ in range(4):
        _token(client, "ana@example.org", "wrong password!")
    assert _token(client, "ana@example.org").status_code == 201
    for _ in range(4):
        assert _token(client, "ana@example.org", "wrong password!").status_code == 401
    assert _token(client, "ana@example.org").status_code == 201


def test_other_addresses_are_not_affected(app: Flask, client: FlaskClient) -> None:
    make_user(app, email="ana@example.org")
    for _ in range(6):
        _token(client, "mallory@example.org", "wrong password!")
    assert _token(client, "ana@example.org").status_code == 201


def test_login_form_shares_the_count(app: Flask, client: FlaskClient) -> None:
    make_user(app, email="ana@example.org")
    for _ in range(3):
        _token(client, "ana@example.org", "wrong password!")
    for _ in range(2):
        response = form_post(client, "/login", {"email": "ana@example.org",
                                                "password": "wrong password!"})
        assert response.status_code == 401
    assert _token(client, "ana@example.org").status_code == 429
    response = form_post(client, "/login", {"email": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)


def test_delete_current_token(app: Flask, client: FlaskClient) -> None:
    make_user(app, email="ana@example.org")
    token = _token(client, "ana@example.org").get_json()["token"]
    assert client.get("/api/v1/me", headers=auth(token)).status_code == 200
    assert client.delete("/api/v1/auth/tokens/current", headers=auth(token)).status_code == 204
    response = client.get("/api/v1/me", headers=auth(token))
    assert response.status_code == 401
    assert client.delete("/api/v1/auth/tokens/current").status_code == 401


def test_me(app: Flask, client: FlaskClient) -> None:
    user = make_user(app, "moderator")
    api = api_as(app, user)
    body = api.get("/me").get_json()
    assert body == {"id": user.id, "email": user.email, "name": user.name,
                    "organisation": user.organisation, "role": "moderator",
                    "email_confirmed": True, "locale": None, "notifications": True}
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=auth("st_forged")).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401


def test_session_cookie_reads_the_api_but_never_writes(app: Flask) -> None:
    admin = make_user(app, "admin")
    browser = signed_in(app, admin)
    assert browser.get("/api/v1/me").get_json()["id"] == admin.id
    response = browser.post("/api/v1/users", json={"email": "new@example.org", "name": "New",
                                                   "password": "long enough pw"})
    assert response.status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_admin_creates_users(app: Flask) -> None:
    admin_user = make_user(app, "admin")
    admin = api_as(app, admin_user)
    response = admin.post("/users", {"email": "Mo@Example.org", "name": "Mo",
                                     "organisation": "Lyon", "password": "long enough pw",
                                     "role": "moderator"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "Mo@Example.org" and body["role"] == "moderator"
    assert body["organisation"] == "Lyon" and isinstance(body["id"], int)
    taken = admin.post("/users", {"email": "mo@example.org", "name": "Mo 2",
                                  "password": "long enough pw", "role": "delegate"})
    assert taken.status_code == 409
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "user.create", AuditEvent.object_id == str(body["id"]))).one()
        assert event.actor_id == admin_user.id and event.after == "moderator"


def test_create_user_invalid_fields(app: Flask) -> None:
    admin = api_as(app, make_user(app, "admin"))
    response = admin.post("/users", {"email": "not-an-address", "name": "",
                                     "password": "short", "role": "overlord"})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"email", "name", "password", "role"}
    response = admin.post("/users", {"email": "a@b.org", "name": ["x"], "password": 1234567890123})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"name", "password"}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_create_user_order_of_checks(app: Flask, client: FlaskClient) -> None:
    # 401 before the body is even looked at
    assert client.post("/api/v1/users", data="{", content_type="application/json"
                       ).status_code == 401
    delegate = api_as(app, make_user(app, "delegate"))
    # 403 before 400/422
    assert delegate.post("/users", data="{", content_type="application/json").status_code == 403
    assert delegate.post("/users", {"email": "x"}).status_code == 403
    admin = api_as(app, make_user(app, "admin"))
    assert admin.post("/users", data="{", content_type="application/json").status_code == 400
    assert admin.post("/users", data="[1]", content_type="application/json").status_code == 422


def test_email_is_shown_only_to_the_user_and_admins(app: Flask) -> None:
    from statements.read.serialise import user_json

    ana, bob = make_user(app), make_user(app)
    admin = make_user(app, "admin")
    assert "email" in user_json(ana, ana)
    assert "email" in user_json(ana, admin)
    assert "email" not in user_json(ana, bob)
    assert "email" not in user_json(ana, None)
