"""The one way operations write the audit trail."""

from __future__ import annotations

from typing import Any

from ..database import insert_row
from ..extensions import db
from ..models import AuditEvent, RecordEvent
from ..models.types import utcnow
from ..rules import Actor
from .chain import record_event


def _identify(subject: Any) -> tuple[str, str]:
    if getattr(subject, "id", None) is None:
        db.session.flush()  # the subject needs its id before the trail can name it
    kind = getattr(subject, "audit_type", None) or subject.__tablename__.rstrip("s")
    return kind, str(subject.id)


def record(actor: Actor | None, action: str, subject: Any, *, statement_id: int | None = None,
           before: Any = None, after: Any = None, **details: Any) -> RecordEvent | None:
    """Append who (``actor``; None or ``SYSTEM`` for the system) did ``action`` to ``subject``,
    and the public record's event for it: that event comes back (None for an action the
    public record does not carry).

    ``subject`` is a model instance; ``before`` and
    ``after`` are the identifiers the action moved between (a status, a version number).
    """
    object_type, object_id = _identify(subject)
    when = utcnow()
    insert_row(
        AuditEvent,
        at=when,
        actor_id=actor.id if actor is not None else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        statement_id=statement_id,
        before=None if before is None else str(before),
        after=None if after is None else str(after),
        details=details,
    )
    if statement_id is None:
        return None
    return record_event(action, subject, statement_id=statement_id, before=before,
                        after=after, details=details, when=when)
