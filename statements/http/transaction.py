"""Whether this request's writes are kept or discarded: the flags and the rollback that
the request cycle (``cycle``) and the error answers (``problems``) share."""

from __future__ import annotations

import logging

from flask import g
from sqlalchemy.exc import SQLAlchemyError

from ..database import begin_write
from ..extensions import db

log = logging.getLogger(__name__)
_KEEP = "statements_keep_writes"


def keep_writes() -> None:
    """Commit this request's writes even though its answer is a refusal (4xx)."""
    setattr(g, _KEEP, True)


def writes_kept() -> bool:
    return bool(g.get(_KEEP, False))


def discard_writes() -> None:
    """Roll back everything this request wrote so far."""
    forget_transaction()


def lock_for_writing() -> None:
    """For a view that did its expensive work first (``hooks.LOCK_LATER``): end what it
    read, and begin the write transaction holding the lock. What was loaded before must be
    loaded again, and checked again, under the lock."""
    db.session.rollback()
    begin_write()


def end_read() -> None:
    """End a read transaction (a long-lived stream between polls), so the next read sees
    what others committed meanwhile and no snapshot is held open."""
    db.session.rollback()


def forget_transaction() -> None:
    """Roll back what can be rolled back over a connection that may be gone."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.warning("rollback failed", exc_info=True)
