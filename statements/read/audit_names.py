"""The audit trail as its readers name things: "version 3", "A2", "comment on A2", a
person's name, a status in words — never the database ids the trail stores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..i18n import _
from ..models import Amendment, AmendmentComment, AuditEvent, Endorsement, Statement, User, Version
from ..rules import AmendmentStatus, StatementStatus, Verification, status_words

# Actions whose before/after are version numbers (see the operations that record them).
VERSION_VALUES = frozenset({"version.create", "amendment.rebase", "endorsement.create",
                            "endorsement.renew", "endorsement.request",
                            "endorsement.withdraw"})
USER_VALUES = frozenset({"statement.moderator_add"})
STATUSES = frozenset(map(str, [*StatementStatus, *AmendmentStatus, *Verification]))


@dataclass(frozen=True)
class Named:
    """What an audit row's object is called, and the amendment or version it leads to."""

    text: str
    amendment: int | None = None
    version: int | None = None


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    subject: Named
    before: str
    after: str


def audit_rows(statement: Statement, events: Sequence[AuditEvent]) -> list[AuditRow]:
    versions = dict(db.session.execute(select(Version.id, Version.number).where(
        Version.statement_id == statement.id)).tuples().all())
    amendments = dict(db.session.execute(select(Amendment.id, Amendment.number).where(
        Amendment.statement_id == statement.id)).tuples().all())
    comments = dict(db.session.execute(
        select(AmendmentComment.id, Amendment.number).join(
            Amendment, Amendment.id == AmendmentComment.amendment_id)
        .where(Amendment.statement_id == statement.id)).tuples().all())
    signers = dict(db.session.execute(select(Endorsement.id, Endorsement.name).where(
        Endorsement.statement_id == statement.id)).tuples().all())
    user_ids = {int(e.after) for e in events if e.action in USER_VALUES
                and e.after is not None and e.after.isdigit()}
    users = dict(db.session.execute(select(User.id, User.name).where(
        User.id.in_(user_ids))).tuples().all()) if user_ids else {}

    def subject(event: AuditEvent) -> Named:
        key = int(event.object_id) if event.object_id.isdigit() else None
        kind = event.object_type
        if kind == "version" and key in versions:
            return Named(_("version %(number)s", number=versions[key]), version=versions[key])
        if kind == "amendment" and key in amendments:
            return Named(f"A{amendments[key]}", amendment=amendments[key])
        if kind == "comment" and key in comments:
            label = "A" + str(comments[key])
            return Named(_("comment on %(label)s", label=label), amendment=comments[key])
        if kind == "endorsement" and key in signers:
            return Named(_("endorsement by %(name)s", name=signers[key]))
        if kind == "statement":
            return Named(_("the statement"))
        return Named(f"{kind} {event.object_id}")

    def value(event: AuditEvent, raw: str | None) -> str:
        if raw is None:
            return ""
        if event.action in VERSION_VALUES and raw.isdigit():
            return _("version %(number)s", number=raw)
        if event.action in USER_VALUES and raw.isdigit():
            return users.get(int(raw), raw)
        return status_words(raw) if raw in STATUSES else raw

    return [AuditRow(e, subject(e), value(e, e.before), value(e, e.after)) for e in events]
