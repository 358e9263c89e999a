"""`flask --app wsgi verify`: check the database against itself and against each
statement's signed public record. Every kind of direct tampering a review tried — a text
byte, a text rewritten with its hash, an endorsement re-bound, changed or deleted, the
head or status moved back, events or audit rows deleted or rewritten — is named here."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..chain import commitment, first_broken_link, replay_public_list
from ..extensions import db
from ..models import AuditEvent, Endorsement, RecordEvent, Statement, Version
from ..operations.chain import EVENTS, endorsement_fields
from ..read.queries import public_endorsements
from ..rules import EndorsementStatus, StatementStatus
from ..signing import current_key, key_id, verify
from ..text.normalise import sha256_hex


def _public_keys() -> dict[str, bytes]:
    keys = [current_key().public, *current_app.config["RETIRED_SIGNING_KEYS"]]
    return {key_id(raw): raw for raw in keys}


def check_versions() -> tuple[int, list[str]]:
    problems = []
    versions = db.session.scalars(select(Version).order_by(Version.statement_id, Version.number))
    count = 0
    for version in versions:
        count += 1
        actual = sha256_hex(version.text)
        if actual != version.sha256:
            problems.append(f"statement {version.statement.slug} version {version.number}: "
                            f"stored SHA-256 {version.sha256}, text hashes to {actual}")
    return count, problems


def check_endorsement_binding() -> tuple[int, list[str]]:
    problems = []
    count = 0
    for endorsement in db.session.scalars(select(Endorsement).order_by(Endorsement.id)):
        count += 1
        version = endorsement.version
        where = f"statement {version.statement.slug} endorsement {endorsement.id}"
        if endorsement.version_number != version.number:
            problems.append(f"{where}: bound to version {endorsement.version_number} but "
                            f"stored against version {version.number}")
        if endorsement.sha256 != sha256_hex(version.text):
            problems.append(f"{where}: SHA-256 {endorsement.sha256} is not that of version "
                            f"{version.number}'s text")
    return count, problems


def check_record(statement: Statement) -> list[str]:
    """The statement's chain holds, every event is signed by one of the service's keys, and
    the tables say what the chain says."""
    where = f"statement {statement.slug}"
    events = list(db.session.scalars(select(RecordEvent).where(
        RecordEvent.statement_id == statement.id).order_by(RecordEvent.seq)))
    dicts = [event.as_dict() for event in events]
    broken = first_broken_link(dicts)
    if broken is not None:
        return [f"{where}: record broken at {broken}"]
    problems: list[str] = []
    keys = _public_keys()
    for event in events:
        public = keys.get(event.kid)
        if public is None or not verify(public, event.signature, event.hash.encode("ascii")):
            problems.append(f"{where}: record event {event.seq} is not signed by this "
                            "service's key")
            break
    problems += _tables_against_record(statement, dicts)
    shown = [endorsement_fields(e) for e in public_endorsements(statement)[1]]
    if replay_public_list(dicts) != shown:
        problems.append("the public list is not the one its record adds up to")
    problems += _audit_against_record(statement, dicts)
    return [f"{where}: {p}" if not p.startswith(where) else p for p in problems]


def _tables_against_record(statement: Statement, events: list[dict[str, Any]]) -> list[str]:
    problems = []
    recorded = {e["data"]["number"]: e["data"]["sha256"] for e in events
                if e["type"] == "version"}
    stored = {v.number: v.sha256 for v in db.session.scalars(
        select(Version).where(Version.statement_id == statement.id))}
    if recorded != stored:
        changed = sorted(n for n in set(recorded) | set(stored)
                         if recorded.get(n) != stored.get(n))
        problems.append(f"versions {changed} differ from the record")
    if recorded and statement.head_number != max(recorded):
        problems.append(f"head is version {statement.head_number}, the record says "
                        f"{max(recorded)}")
    moves = [e["data"]["to"] for e in events if e["type"] == "status"]
    status = moves[-1] if moves else StatementStatus.DRAFT
    if statement.status != status:
        problems.append(f"status is {statement.status}, the record says {status}")
    last: dict[int, dict[str, Any]] = {}
    for each in events:
        if each["type"] in {"endorsed", "endorsement_withdrawn"}:
            last[each["data"]["id"]] = {"type": each["type"], "data": dict(each["data"])}
        elif each["type"] == "verification" and each["data"]["id"] in last:
            last[each["data"]["id"]]["data"]["verification"] = each["data"]["decision"]
    rows = {e.id: e for e in db.session.scalars(
        select(Endorsement).where(Endorsement.statement_id == statement.id))}
    for missing in sorted(set(last) - set(rows)):
        problems.append(f"endorsement {missing} is in the record but not in the database")
    for endorsement_id, row in sorted(rows.items()):
        latest = last.get(endorsement_id)
        if latest is None:
            if row.status != EndorsementStatus.UNCONFIRMED:  # never confirmed: never public
                problems.append(f"endorsement {endorsement_id} is not in the record")
        elif (latest["type"] == "endorsed") != row.active:
            problems.append(f"endorsement {endorsement_id} is "
                            f"{'active' if row.active else 'withdrawn'}, the record says "
                            "otherwise")
        elif latest["type"] == "endorsed" and latest["data"] != _endorsed_data(
                row, with_verification="verification" in latest["data"]):
            problems.append(f"endorsement {endorsement_id} differs from the record")
    return problems


def _endorsed_data(row: Endorsement, *, with_verification: bool = True) -> dict[str, Any]:
    """What the record's last ``endorsed`` event of this row must say. Events recorded
    before verification existed (built by migration 0007) carry no verification."""
    bound = {"id": row.id, "version": row.version_number, "sha256": row.sha256}
    if with_verification:
        bound["verification"] = row.verification
    fields = endorsement_fields(row)
    return {**bound, **fields} if row.public else {
        **bound, "commitment": commitment(fields, row.salt)}


def _audit_against_record(statement: Statement, events: list[dict[str, Any]]) -> list[str]:
    """Every audited change to the statement made one event: deleted or invented audit rows
    show as a different sequence of kinds of change."""
    audited = [a.action for a in db.session.scalars(select(AuditEvent).where(
        AuditEvent.statement_id == statement.id).order_by(AuditEvent.id)) if a.action in EVENTS]
    # What the projector shows is not a change to the statement: it has no audit row.
    events = [e for e in events if e["type"] != "projector"]
    if len(audited) != len(events):
        return [f"the audit trail has {len(audited)} change(s), the record {len(events)}"]
    kinds = Counter(action.split(".")[0] for action in audited)
    recorded = Counter(_family(e["type"]) for e in events)
    if kinds != recorded:
        return ["the audit trail and the record disagree on what changed"]
    return []


def _family(event_type: str) -> str:
    if event_type.startswith("amendment"):
        return "amendment"
    if event_type.startswith("endorse") or event_type == "verification":
        return "endorsement"
    return "version" if event_type == "version" else "statement"


def all_problems() -> tuple[str, list[str]]:
    versions, problems = check_versions()
    endorsements, more = check_endorsement_binding()
    problems += more
    statements = list(db.session.scalars(select(Statement).order_by(Statement.id)))
    for statement in statements:
        problems += check_record(statement)
    summary = (f"Checked {versions} version(s) and {endorsements} endorsement(s).\n"
               f"Checked the public records of {len(statements)} statement(s).")
    return summary, problems

