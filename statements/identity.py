"""Who is asking: Flask-Login's session cookie for pages, bearer tokens for the API."""

from __future__ import annotations

from flask import Flask

from .extensions import db, login_manager
from .models import User


def load_session_user(session_id: str) -> User | None:
    """Session ids are ``"{user id}:{auth epoch}"``: a password change ends old sessions."""
    user_id, _, epoch = session_id.partition(":")
    if not user_id.isdigit() or not epoch.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.auth_epoch != int(epoch):
        return None
    return user


def init_identity(app: Flask) -> None:
    login_manager.user_loader(load_session_user)
    login_manager.login_view = None
