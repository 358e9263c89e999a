"""Appending to a statement's public record: every change the audit trail records about a
statement becomes an event of its hash chain, in the same transaction (one source of truth:
operations write the audit trail, and the trail feeds the chain)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from ..chain import GENESIS, canonical, commitment, event_hash
from ..database import insert_row, lock_rows
from ..extensions import db
from ..models import Amendment, Endorsement, RecordEvent, Statement, User
from ..models import Version as VersionRow
from ..signing import current_key
from ..text.normalise import sha256_hex


def _person(user: User | None) -> dict[str, Any] | None:
    return None if user is None else {"id": user.id, "name": user.name,
                                      "organisation": user.organisation}


def endorsement_fields(endorsement: Endorsement) -> dict[str, Any]:
    """What the record says of an endorsement when it is public, and commits to when not."""
    return {"name": endorsement.name, "organisation": endorsement.organisation,
            "capacity": endorsement.capacity, "kind": endorsement.kind,
            "city": endorsement.city, "country": endorsement.country,
            "country_code": endorsement.country_code}


def _endorsed(endorsement: Endorsement) -> dict[str, Any]:
    bound = {"id": endorsement.id, "version": endorsement.version_number,
             "sha256": endorsement.sha256, "verification": endorsement.verification}
    fields = endorsement_fields(endorsement)
    if endorsement.public:
        return {**bound, **fields}
    return {**bound, "commitment": commitment(fields, endorsement.salt)}


def _version(version: VersionRow, details: dict[str, Any]) -> dict[str, Any]:
    merged = [details["amendment"]] if "amendment" in details else []
    return {"number": version.number, "sha256": version.sha256,
            "author": _person(version.author), "message": version.message,
            "source": {"kind": version.source_kind, "amendments": merged}}


def _decided(amendment: Amendment) -> dict[str, Any]:
    version = amendment.result_version
    return {"number": amendment.number, "status": str(amendment.status),
            "version": version.number if version is not None else None,
            "note": amendment.decision_note, "vote": amendment.vote}


Event = tuple[str, dict[str, Any]]
Mapper = Callable[[Any, Any, Any, dict[str, Any]], Event]

# Audit action → the record's event. Actions not here (sign-ins, tokens, accounts) are
# about people, not statements, and stay in the audit trail only.
EVENTS: dict[str, Mapper] = {
    "statement.create": lambda s, before, after, d: (
        "created", {"title": s.title, "occasion": s.occasion}),
    "version.create": lambda v, before, after, d: ("version", _version(v, d)),
    "statement.transition": lambda s, before, after, d: (
        "status", {"from": before, "to": after}),
    "statement.deadline": lambda s, before, after, d: (
        "status", {"from": before, "to": after, "deadline": d.get("deadline")}),
    "statement.moderator_add": lambda s, before, after, d: (
        "moderator_added", {"user": _person(db.session.get(User, after))}),
    "amendment.propose": lambda a, before, after, d: ("amendment_proposed", {
        "number": a.number, "base": a.base_version.number, "sha256": sha256_hex(a.text)}),
    "amendment.support": lambda a, before, after, d: (
        "amendment_supported", {"number": a.number}),
    "amendment.unsupport": lambda a, before, after, d: (
        "amendment_unsupported", {"number": a.number}),
    "amendment.comment": lambda c, before, after, d: ("amendment_commented", {
        "number": d["amendment"], "id": c.id, "sha256": sha256_hex(c.body)}),
    "amendment.withdraw": lambda a, before, after, d: (
        "amendment_withdrawn", {"number": a.number}),
    "amendment.rebase": lambda a, before, after, d: ("amendment_rebased", {
        "number": a.number, "base": a.base_version.number, "sha256": sha256_hex(a.text)}),
    "amendment.merged": lambda a, before, after, d: ("amendment_decided", _decided(a)),
    "amendment.merged_modified": lambda a, before, after, d: ("amendment_decided",
                                                              _decided(a)),
    "amendment.rejected": lambda a, before, after, d: ("amendment_decided", _decided(a)),
    "endorsement.create": lambda e, before, after, d: ("endorsed", _endorsed(e)),
    "endorsement.renew": lambda e, before, after, d: ("endorsed", _endorsed(e)),
    "endorsement.withdraw": lambda e, before, after, d: (
        "endorsement_withdrawn", {"id": e.id}),
    "endorsement.verification": lambda e, before, after, d: (
        "verification", {"id": e.id, "decision": after}),
}


def _details(field: str) -> Mapper:
    def event(statement: Statement, before: Any, after: Any, details: dict[str, Any]) -> Event:
        return "details", {"field": field, "value": after}
    return event


for _field in ("title", "occasion", "amending_until", "endorsing_until", "time_zone",
               "trusted_domains", "list_unverified"):
    EVENTS[f"statement.{_field}"] = _details(_field)


def stamp(when: datetime) -> str:
    """An event's time as the record writes it: UTC, with microseconds and an offset."""
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def record_event(action: str, subject: Any, *, statement_id: int, before: Any, after: Any,
                 details: dict[str, Any], when: datetime) -> RecordEvent | None:
    """The chain's event for an audited change, appended; None for an action the public
    record does not carry."""
    mapper = EVENTS.get(action)
    if mapper is None:
        return None
    type_, data = mapper(subject, before, after, details)
    return append(statement_id, type_, data, stamp(when))


def append(statement_id: int, type_: str, data: dict[str, Any], at: str) -> RecordEvent:
    """Add the next event to the statement's chain. The statement's row is locked first
    (PostgreSQL; SQLite's writer holds the database), so two writers queue and each links
    to the event the other stored; the unique (statement, seq) is the last line."""
    lock_rows(select(Statement.id).where(Statement.id == statement_id))
    last = db.session.execute(
        select(RecordEvent.seq, RecordEvent.hash).where(RecordEvent.statement_id == statement_id)
        .order_by(RecordEvent.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last is not None else (1, GENESIS)
    data = _plain(data)
    digest = event_hash(prev, seq, at, type_, data)
    signature = current_key().sign(digest.encode("ascii"))
    return insert_row(RecordEvent, statement_id=statement_id, seq=seq, at=at, type=type_,
                      data_json=canonical(data).decode("utf-8"), prev=prev, hash=digest,
                      kid=signature["kid"], signature=signature["value"])


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """JSON's own types only (a status enum becomes its string), as it will be hashed."""
    loaded: dict[str, Any] = json.loads(canonical(data))
    return loaded
