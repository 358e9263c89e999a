"""A statement's life: draft → amending → reviewing → final → endorsing → closed,
and reviewing → amending. Deadlines close amending and endorsing by themselves."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select

from ..database import OneRowRead, for_update
from ..errors import Invalid, InvalidState
from ..extensions import db
from ..i18n import _
from ..models import Amendment, Statement, User
from ..models.types import utcnow
from ..rules import RULES, AmendmentStatus, StatementStatus, move_refusal, status_words
from .audit import record
from .notifications import tell_followers


def transition(actor: User, statement: Statement, to: object) -> Statement:
    move = RULES["move"]
    move.require_who(actor, statement)
    if not isinstance(to, str) or to not in set(StatementStatus):
        raise Invalid(errors={"to": _(
            "Choose a status: %(draft)s, %(amending)s, %(reviewing)s, %(final)s, "
            "%(endorsing)s or %(closed)s.",
            **{str(status): status_words(status) for status in StatementStatus})})
    move.require_open(statement)
    target = StatementStatus(to)
    undecided = db.session.scalar(select(func.count()).select_from(Amendment).where(
        Amendment.statement_id == statement.id,
        Amendment.status == AmendmentStatus.PROPOSED)) if target == StatementStatus.FINAL else 0
    refusal = move_refusal(statement, target, undecided or 0)
    if refusal is not None:
        raise InvalidState(refusal)
    before = statement.status
    statement.status = target
    record(actor, "statement.transition", statement, statement_id=statement.id,
           before=before, after=to,
           **({"version": statement.head_number} if target == StatementStatus.FINAL else {}))
    db.session.flush()
    tell_followers(statement, actor, before, target)
    return statement


def deadline_passed(now: datetime | ColumnElement[Any]) -> ColumnElement[bool]:
    """A statement whose deadline has passed without its status moving yet."""
    return or_(
        and_(Statement.status == StatementStatus.AMENDING, Statement.amending_until <= now),
        and_(Statement.status == StatementStatus.ENDORSING, Statement.endorsing_until <= now),
    )


# The time a prepared query is asked at, bound at each execution as ``now``.
NOW = bindparam("now", type_=Statement.__table__.c.endorsing_until.type)


@functools.cache
def _any_due_query() -> Select[tuple[int]]:
    """Built once: every request asks it (see http.hooks)."""
    return select(Statement.id).where(deadline_passed(NOW)).limit(1)


def any_deadline_due(now: datetime | None = None) -> bool:
    """A cheap, unlocked look: has any deadline passed without its status moving? One
    SELECT on a connection of its own, outside the request's transaction."""
    return _any_due_read().first(db.engine, now=now or utcnow()) is not None


@functools.cache
def _any_due_read() -> OneRowRead:
    return OneRowRead(_any_due_query())


def close_due_deadlines(now: datetime | None = None) -> list[Statement]:
    """Record the status every passed deadline implies. Call inside a write transaction:
    the rows are locked and re-checked, so two requests never record one deadline twice."""
    now = now or utcnow()
    moved = []
    for statement in db.session.scalars(for_update(select(Statement).where(deadline_passed(now)))):
        before = statement.status
        amending = before == StatementStatus.AMENDING
        statement.status = StatementStatus.REVIEWING if amending else StatementStatus.CLOSED
        deadline = statement.amending_until if amending else statement.endorsing_until
        assert deadline is not None  # deadline_passed() picked the statement for this deadline
        record(None, "statement.deadline", statement, statement_id=statement.id, before=before,
               after=statement.status, deadline=deadline.isoformat())
        tell_followers(statement, None, before, StatementStatus(statement.status))
        moved.append(statement)
    db.session.flush()
    return moved
