"""The outbox: e-mail queued in the transaction of the change that causes it."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime, utcnow


class OutboxMessage(Model):
    """One message to send. It is written with the change that causes it, so a request
    that rolls back leaves no message behind; it is sent after the commit
    (``statements.mail``) and stays until sent, retried with a growing delay. Rows are kept
    once sent (``sent_at``), as the record of what went out.

    ``message_id`` is made once, when queued: a delivery retried after a lost answer
    sends the same Message-ID, so a receiving system can tell it from a new message.
    While a process is sending it, ``next_attempt_at`` is its claim on the row: a time in
    the future, so no other process takes the message until the attempt has ended or
    that claim has run out."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("message_id", name="uq_outbox_messages_message_id"),
        CheckConstraint("attempts >= 0", name="attempts"),
        # What delivery asks: the unsent messages that are due, oldest first.
        Index("ix_outbox_messages_due", "sent_at", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Extra headers (List-Unsubscribe, …) as a JSON object of name to value.
    headers_json: Mapped[str] = mapped_column(Text, default="{}")
    kind: Mapped[str] = mapped_column(String(40))  # "confirmation", "receipt", …
    message_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # every one, the last too
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))

    @property
    def headers(self) -> dict[str, str]:
        return dict(json.loads(self.headers_json or "{}"))
