"""Answers kept for retried API requests (the ``Idempotency-Key`` header)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime, utcnow


class IdempotentAnswer(Model):
    """The first successful answer to a POST that carried an Idempotency-Key, stored in the
    same transaction as the change it answers: a retry with the same key gets this answer
    back and writes nothing new, whether or not the first answer reached the client."""

    __tablename__ = "idempotent_answers"
    __table_args__ = (
        UniqueConstraint("caller", "key", name="uq_idempotent_answers_caller_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    caller: Mapped[str] = mapped_column(String(40))  # "user:<id>" or "anonymous"
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
