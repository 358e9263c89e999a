"""Who is asking: Flask-Login's session cookie for pages, bearer tokens for the API.

The API takes the cookie for reads only: a write must carry a bearer token, so a page
on another site cannot make a signed-in browser write through the API (no CSRF there).
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_login import current_user

from ..errors import NotSignedIn
from ..extensions import login_manager
from ..models import ApiToken, User
from ..operations.accounts import find_token
from ..operations.sessions import session_user

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def load_session_user(session_id: str) -> User | None:
    """Session ids name a server-side session (``"{user id}:{secret}"``): signing out or a
    password change ends it, and with it every copy of its cookies."""
    return session_user(session_id)


def init_identity(app: Flask) -> None:
    login_manager.user_loader(load_session_user)


def page_user() -> User | None:
    return current_user if current_user.is_authenticated else None


def signed_in_user() -> User:
    """The user of a page behind @login_required, which has already sent anyone else to
    sign in."""
    user = page_user()
    if user is None:
        raise NotSignedIn("Sign in first.")
    return user


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


def api_token() -> ApiToken | None:
    """The token this API request carries; 401 if it carries one that does not work."""
    if "api_token" not in g:
        token = _bearer()
        row = find_token(token) if token else None
        if token is not None and row is None:
            raise NotSignedIn("The bearer token is unknown, revoked or expired.")
        if request.headers.get("Authorization") and token is None:
            raise NotSignedIn("Use 'Authorization: Bearer <token>'.")
        g.api_token = row
    carried: ApiToken | None = g.api_token
    return carried


def api_user() -> User | None:
    """The API caller: the token's user, or for reads only the signed-in session."""
    token = api_token()
    if token is not None:
        return token.user
    if request.method in SAFE_METHODS:
        return page_user()
    return None


def require_api_user() -> User:
    user = api_user()
    if user is None:
        if request.method not in SAFE_METHODS and page_user() is not None:
            raise NotSignedIn("API writes need 'Authorization: Bearer <token>'; "
                              "the browser session is accepted for reads only.")
        raise NotSignedIn("Sign in: send 'Authorization: Bearer <token>'.")
    return user
