"""Who follows which statement: an e-mail to each follower at every change of its status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime, utcnow


class Subscription(Model):
    __tablename__ = "subscriptions"

    # One row per follower and statement: following twice is following once.
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="RESTRICT"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
