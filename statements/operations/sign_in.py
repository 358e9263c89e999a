"""Signing in by e-mail and password, throttled per e-mail address.

After 5 failed attempts within 15 minutes for one address (known or not), every
attempt on it, right password or not, is refused with 429 until the oldest of those
failures leaves the window. The count lives in the database, keyed by the case-folded
address and never by network address (a whole venue may sign in from one), so it
holds across every server process; the API and the /login form share it.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..database import lock_rows
from ..errors import TooManyAttempts
from ..extensions import db
from ..i18n import _l, _n
from ..models import SignInFailure, SignInThrottle, User, email_key
from ..models.types import utcnow
from ..text.normalise import UnstorableText, check_storable
from .passwords import hash_password, needs_rehash, verify_against_nothing, verify_password

# One answer for a wrong address and a wrong password alike: nobody learns who has an account.
WRONG_CREDENTIALS = _l("Wrong e-mail address or password.")
LIMIT = 5
MAX_EMAIL_LENGTH = 254  # RFC 5321, and the width of the e-mail columns
WINDOW = timedelta(minutes=15)


def _lock_address(key: str) -> None:
    """Make sure the address has its throttle row, and lock it for this transaction."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(SignInThrottle).values(email_key=key).on_conflict_do_nothing())
    lock_rows(select(SignInThrottle).where(SignInThrottle.email_key == key))


def _could_be_an_account(key: str) -> bool:
    """An address no account can have (longer than an e-mail address may be, or holding
    a NUL or a lone surrogate, which no database column takes) is never looked up."""
    try:
        check_storable(key)
    except UnstorableText:
        return False
    return 0 < len(key) <= MAX_EMAIL_LENGTH


def sign_in(email: str, password: str, now: datetime | None = None) -> User | None:
    """The user, or None for a wrong address or password (the failure is flushed:
    the caller must commit it even though it answers with an error)."""
    now = now or utcnow()
    key = email_key(email if isinstance(email, str) else "")
    if not _could_be_an_account(key):
        # No account can have this address, so there is nothing to throttle or find: the
        # same answer as any wrong address, after the same work.
        verify_against_nothing(password if isinstance(password, str) else "")
        return None
    _lock_address(key)
    db.session.execute(delete(SignInFailure).where(SignInFailure.email_key == key,
                                                   SignInFailure.at <= now - WINDOW))
    failures = db.session.scalars(
        select(SignInFailure.at)
        .where(SignInFailure.email_key == key, SignInFailure.at > now - WINDOW)
        .order_by(SignInFailure.at)
    ).all()
    if len(failures) >= LIMIT:
        wait = failures[-LIMIT] + WINDOW - now
        minutes = math.ceil(wait.total_seconds() / 60)
        raise TooManyAttempts(
            _n("Too many failed sign-in attempts for this e-mail address. Try again in "
               "%(num)d minute(s).",
               "Too many failed sign-in attempts for this e-mail address. Try again in "
               "%(num)d minute(s).", minutes),
            retry_after=math.ceil(wait.total_seconds()),
        )
    user = db.session.execute(select(User).where(User.email_key == key)).scalar_one_or_none()
    password = password if isinstance(password, str) else ""
    if user is None:
        verify_against_nothing(password)
    elif verify_password(user.password_hash, password):
        db.session.execute(delete(SignInFailure).where(SignInFailure.email_key == key))
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        db.session.flush()
        return user
    db.session.add(SignInFailure(email_key=key, at=now))
    db.session.flush()
    return None
