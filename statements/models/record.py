"""The public record: each statement's events in a hash chain (statements/chain.py)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class RecordEvent(Model):
    """One event of a statement's record, stored in the transaction of the change it
    records, under the statement's write lock: ``(statement, seq)`` is unique, so the
    chain can neither fork nor skip. Rows are never changed (the ORM and, from the
    migration on, database triggers refuse it). ``at`` and ``data`` are kept exactly as
    hashed; ``signature`` is the service's Ed25519 signature of ``hash`` when it was
    appended, so that rewriting the chain needs the signing key too."""

    __tablename__ = "record_events"
    __table_args__ = (
        UniqueConstraint("statement_id", "seq", name="uq_record_events_statement_id_seq"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="RESTRICT"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(40))
    data_json: Mapped[str] = mapped_column(Text)
    prev: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    kid: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))

    @property
    def data(self) -> Any:
        return json.loads(self.data_json)

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "type": self.type, "data": self.data,
                "prev": self.prev, "hash": self.hash}


@event.listens_for(RecordEvent, "before_update")
@event.listens_for(RecordEvent, "before_delete")
def _permanent(_mapper: object, _connection: object, target: RecordEvent) -> None:
    raise RuntimeError(f"record event {target.seq} is permanent")
