"""Tokens, the caller, and accounts (API.md: /auth/tokens, /me, /users)."""

from __future__ import annotations

from flask import Response, jsonify

from ..errors import Invalid, NotSignedIn
from ..http.identity import api_token, require_api_user
from ..http.transaction import keep_writes
from ..operations.accounts import (
    UNCHANGED,
    create_user,
    issue_token,
    revoke_token,
    update_profile,
)
from ..operations.confirmations import confirm, resend_account_confirmation
from ..operations.sign_in import WRONG_CREDENTIALS, sign_in
from ..read.serialise import iso, user_json
from ..rules import RULES
from . import bp
from .body import json_body


@bp.post("/auth/tokens")
def create_token() -> tuple[Response, int]:
    body = json_body()
    email, password = body.get("email"), body.get("password")
    errors = {f: "Required, as a string." for f, v in (("email", email), ("password", password))
              if not isinstance(v, str) or not v}
    if errors:
        raise Invalid(errors=errors)
    assert isinstance(email, str) and isinstance(password, str)  # refused above otherwise
    user = sign_in(email, password)
    if user is None:
        keep_writes()  # the failure counts even though this request fails
        raise NotSignedIn(WRONG_CREDENTIALS)
    token, row = issue_token(user)
    return jsonify({"token": token, "expires_at": iso(row.expires_at),
                    "user": user_json(user, user)}), 201


@bp.delete("/auth/tokens/current")
def delete_current_token() -> tuple[str, int]:
    user = require_api_user()
    token = api_token()
    if token is None:
        raise NotSignedIn("Only a bearer token can be revoked here.")
    revoke_token(user, token)
    return "", 204


@bp.get("/me")
def me() -> Response:
    user = require_api_user()
    return jsonify(user_json(user, user))


@bp.patch("/me")
def update_me() -> Response:
    user = require_api_user()
    RULES["edit_account"].require_who(user, user)
    body = json_body()
    fields = {k: body[k] if k in body else UNCHANGED
              for k in ("name", "organisation", "locale", "notifications")}
    update_profile(user, user, **fields)
    return jsonify(user_json(user, user))


@bp.post("/me/confirmation")
def resend_confirmation() -> tuple[Response, int]:
    user = require_api_user()
    resend_account_confirmation(user)
    return jsonify({"status": "sent"}), 202


@bp.post("/confirmations")
def use_confirmation() -> Response:
    body = json_body()
    token = body.get("token")
    if not isinstance(token, str) or not token:
        raise Invalid(errors={"token": "Required: the token from the link in the e-mail."})
    return jsonify(confirm(token).json())


@bp.post("/users")
def create_account() -> tuple[Response, int]:
    actor = require_api_user()
    RULES["manage_users"].require_who(actor)
    body = json_body()
    user = create_user(actor, email=body.get("email"), name=body.get("name"),
                       organisation=body.get("organisation", ""), password=body.get("password"),
                       role=body.get("role", "delegate"))
    return jsonify(user_json(user, actor)), 201
