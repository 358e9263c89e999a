"""Browser sessions: begun at sign-in, ended for good at sign-out or a password change."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from ..extensions import db
from ..models import BrowserSession, User
from ..models.types import utcnow


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def start_session(user: User) -> str:
    """Begin a session for ``user`` and set it on them; the id for the cookies is
    ``"{user id}:{secret}"`` (the secret itself is never stored)."""
    secret = secrets.token_urlsafe(32)
    db.session.add(BrowserSession(user_id=user.id, user=user, secret_hash=_hash(secret),
                                  auth_epoch=user.auth_epoch, created_at=utcnow()))
    db.session.flush()
    user.session_id = f"{user.id}:{secret}"
    return user.session_id


def session_user(session_id: str) -> User | None:
    """The user whose active session this id names, or None (ended, from before a password
    change, of another user, or no session at all)."""
    user_id, _, secret = session_id.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or not secret:
        return None
    found = db.session.execute(select(BrowserSession).where(
        BrowserSession.secret_hash == _hash(secret))).scalar_one_or_none()
    if found is None or not found.active or str(found.user_id) != user_id:
        return None
    found.user.session_id = session_id
    return found.user


def end_session(session_id: str | None) -> None:
    """End the session this id names, if it is still going."""
    if not session_id:
        return
    _, _, secret = session_id.partition(":")
    found = db.session.execute(select(BrowserSession).where(
        BrowserSession.secret_hash == _hash(secret))).scalar_one_or_none()
    if found is not None and found.ended_at is None:
        found.ended_at = utcnow()
        db.session.flush()
