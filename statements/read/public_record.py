"""The public record as it is published: every event of a statement's chain, its head
and the service's signature of the head; and a signed receipt for one endorsement."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..chain import GENESIS
from ..extensions import db
from ..models import Endorsement, RecordEvent, Statement
from ..signing import sign_document, sign_head
from .serialise import endorsement_json


def events_of(statement: Statement) -> list[RecordEvent]:
    return list(db.session.scalars(select(RecordEvent).where(
        RecordEvent.statement_id == statement.id).order_by(RecordEvent.seq)))


def public_record(statement: Statement) -> dict[str, Any]:
    events = [event.as_dict() for event in events_of(statement)]
    head = events[-1]["hash"] if events else GENESIS
    return {"slug": statement.slug, "title": statement.title, "events": events,
            "head": head, "signature": sign_head(head)}


def receipt(endorsement: Endorsement, proof: str | None = None) -> dict[str, Any]:
    """What the endorser keeps: what they endorsed, when, and the record event that proves
    it (the last ``endorsed`` event of their endorsement: ``proof``, the hash of the event
    just appended, or else looked up), signed."""
    if proof is None:
        proof = db.session.scalar(select(RecordEvent.hash).where(
            RecordEvent.statement_id == endorsement.statement_id,
            RecordEvent.type == "endorsed").order_by(RecordEvent.seq.desc()).where(
            RecordEvent.data_json.contains(f'"id":{endorsement.id},')).limit(1))
    body: dict[str, Any] = {
        "slug": endorsement.statement.slug, "version": endorsement.version_number,
        "sha256": endorsement.sha256, "endorsement": endorsement_json(endorsement),
        "event_hash": proof}
    body["signature"] = sign_document(body)
    return body
