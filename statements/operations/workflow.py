"""A statement's life: draft → amending → reviewing → final → endorsing → closed,
and reviewing → amending. Deadlines close amending and endorsing by themselves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, or_, select

from .. import permissions
from ..database import for_update
from ..errors import Invalid, InvalidState, NotAllowed
from ..extensions import db
from ..models import STATUSES, Amendment, Statement, User
from ..models.types import utcnow
from .audit import record

MOVES: dict[str, tuple[str, ...]] = {
    "draft": ("amending",),
    "amending": ("reviewing",),
    "reviewing": ("amending", "final"),
    "final": ("endorsing",),
    "endorsing": ("closed",),
    "closed": (),
}
TEXT_EDITABLE = frozenset({"draft", "amending", "reviewing"})
FROZEN = frozenset({"final", "endorsing", "closed"})



def allowed_moves(statement: Statement) -> tuple[str, ...]:
    return MOVES[statement.status]


def describe_moves(status: str) -> str:
    moves = MOVES[status]
    if not moves:
        return f"A {status} statement cannot move any more."
    return f"From {status} it can move to: {', '.join(moves)}."


def transition(actor: User, statement: Statement, to: object) -> Statement:
    if not permissions.can_move(actor, statement):
        raise NotAllowed("Only this statement's moderators and admins move its workflow.")
    if not isinstance(to, str) or to not in STATUSES:
        raise Invalid(errors={"to": f"Status must be one of: {', '.join(STATUSES)}."})
    if to not in MOVES[statement.status]:
        raise InvalidState(f"Cannot move from {statement.status} to {to}. "
                           + describe_moves(statement.status))
    if to == "final":
        undecided = db.session.scalar(select(func.count()).select_from(Amendment).where(
            Amendment.statement_id == statement.id, Amendment.status == "proposed"))
        if undecided:
            raise InvalidState(f"{undecided} amendment(s) are still undecided: accept, reject "
                               "or have them withdrawn before the text becomes final.")
    before = statement.status
    statement.status = to
    record(actor, "statement.transition", statement, statement_id=statement.id,
           before=before, after=to,
           **({"version": statement.head_number} if to == "final" else {}))
    db.session.flush()
    return statement


def _due(now: datetime):
    return or_(
        and_(Statement.status == "amending", Statement.amending_until <= now),
        and_(Statement.status == "endorsing", Statement.endorsing_until <= now),
    )


def any_deadline_due(now: datetime | None = None) -> bool:
    """A cheap, unlocked look: has any deadline passed without its status moving?"""
    return db.session.execute(select(Statement.id).where(_due(now or utcnow())).limit(1)
                              ).first() is not None


def close_due_deadlines(now: datetime | None = None) -> list[Statement]:
    """Record the status every passed deadline implies. Call inside a write transaction:
    the rows are locked and re-checked, so two requests never record one deadline twice."""
    now = now or utcnow()
    moved = []
    for statement in db.session.scalars(for_update(select(Statement).where(_due(now)))):
        before = statement.status
        statement.status = "reviewing" if before == "amending" else "closed"
        deadline = statement.amending_until if before == "amending" else statement.endorsing_until
        record(None, "statement.deadline", statement, statement_id=statement.id, before=before,
               after=statement.status, deadline=deadline.isoformat())
        moved.append(statement)
    db.session.flush()
    return moved
