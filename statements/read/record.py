"""The full record of a statement, for its moderators: every version with its text, every
amendment with its decision and comments, every endorsement (withdrawn ones too), and the
audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Amendment, AuditEvent, Statement, Version
from ..rules import SYSTEM
from .queries import all_endorsements
from .serialise import (
    amendment_json,
    comment_json,
    endorsement_json,
    iso,
    person,
    statement_json,
    version_json,
)


def audit_trail(statement: Statement) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.statement_id == statement.id).order_by(AuditEvent.id)))


def audit_json(event: AuditEvent) -> dict[str, Any]:
    return {"id": event.id, "at": iso(event.at), "actor": person(event.actor),
            "action": event.action, "object": {"type": event.object_type, "id": event.object_id},
            "before": event.before, "after": event.after, "details": event.details}


def full_record(statement: Statement) -> dict[str, Any]:
    versions = db.session.scalars(select(Version).where(Version.statement_id == statement.id)
                                  .order_by(Version.number))
    amendments = db.session.scalars(select(Amendment).where(
        Amendment.statement_id == statement.id).order_by(Amendment.number))
    return {
        "statement": statement_json(statement, SYSTEM),
        "versions": [version_json(v, with_text=True) for v in versions],
        "amendments": [
            {**amendment_json(a), "comments": [comment_json(c) for c in a.comments],
             "earlier_forms": [{"base": r.base_version.number, "text": r.text,
                                "patch": r.patch, "replaced_at": iso(r.replaced_at)}
                               for r in a.revisions]}
            for a in amendments
        ],
        "endorsements": [endorsement_json(e, full=True) for e in all_endorsements(statement)],
        "audit": [audit_json(e) for e in audit_trail(statement)],
    }
