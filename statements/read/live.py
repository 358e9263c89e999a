"""What the room sees: the live events of a statement, read from its public record, and
the projector's state (itself an event of the record, so it reaches every server)."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import func, select

from ..extensions import db
from ..models import Endorsement, RecordEvent, Statement
from ..rules import EndorsementStatus

# Record events → the stream's events (API.md "Live session"). Others (a comment, a
# moderator added, details) change nothing the room watches.
AMENDMENT_STATUS = {"amendment_proposed": "proposed", "amendment_supported": "proposed",
                    "amendment_unsupported": "proposed", "amendment_rebased": "proposed",
                    "amendment_withdrawn": "withdrawn"}


# The endorsements that count: confirmed and not withdrawn.
COUNTED = Endorsement.status == EndorsementStatus.ACTIVE


def active_endorsements(statement_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Endorsement).where(
        Endorsement.statement_id == statement_id, COUNTED)) or 0


# The count sent for an endorsement event, worked out once for every stream of this
# process that sends that event (each an up-to-date count as of that event or later).
_counted: OrderedDict[str, int] = OrderedDict()  # by the event's hash
_counted_lock = threading.Lock()


def _count_at(event: RecordEvent) -> int:
    key = event.hash
    with _counted_lock:
        found = _counted.get(key)
    if found is None:
        found = active_endorsements(event.statement_id)
        with _counted_lock:
            _counted[key] = found
            while len(_counted) > 256:  # noqa: PLR2004
                _counted.popitem(last=False)
    return found


def live_event(event: RecordEvent, *, sees_amendments: bool) -> tuple[str, dict[str, Any]] | None:
    """The stream's (type, data) for a record event, or None when it is not for this caller
    or not something the room watches."""
    data = json.loads(event.data_json)
    if event.type == "status":
        return "status", {"status": data["to"]}
    if event.type == "version":
        return "version", {"number": data["number"], "sha256": data["sha256"]}
    if event.type in {"endorsed", "endorsement_withdrawn"}:
        return "endorsements", {"count": _count_at(event)}
    if event.type == "projector":
        return "projector", data
    if not sees_amendments:
        return None
    if event.type == "amendment_decided":
        return "amendment", {"number": data["number"], "status": data["status"]}
    if event.type in AMENDMENT_STATUS:
        return "amendment", {"number": data["number"], "status": AMENDMENT_STATUS[event.type],
                             "change": event.type.removeprefix("amendment_")}
    return None


def events_after(statement_id: int, seq: int) -> list[RecordEvent]:
    return list(db.session.scalars(select(RecordEvent).where(
        RecordEvent.statement_id == statement_id, RecordEvent.seq > seq)
        .order_by(RecordEvent.seq)))


def last_seq(statement_id: int) -> int:
    return db.session.scalar(select(func.max(RecordEvent.seq)).where(
        RecordEvent.statement_id == statement_id)) or 0


def projector_state(statement: Statement) -> dict[str, Any]:
    """What the room's screen shows: the last projector event, or the newest text."""
    last = db.session.scalar(select(RecordEvent.data_json).where(
        RecordEvent.statement_id == statement.id, RecordEvent.type == "projector")
        .order_by(RecordEvent.seq.desc()).limit(1))
    if last is None:
        return {"show": "text", "amendment": None, "lines": None,
                "version": statement.head_number}
    state: dict[str, Any] = json.loads(last)
    return state
