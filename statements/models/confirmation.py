"""Links e-mailed to prove an address: confirming an account, confirming an endorsement
made without an account, and withdrawing that endorsement. Only each token's SHA-256 is
stored; the token itself is in the e-mail alone."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..rules import check_in
from .endorsement import Endorsement
from .types import UTCDateTime, utcnow
from .user import User


class TokenPurpose(StrEnum):
    ACCOUNT = "account"
    ENDORSEMENT = "endorsement"
    WITHDRAWAL = "withdrawal"


class ConfirmationToken(Model):
    __tablename__ = "confirmation_tokens"
    __table_args__ = (
        CheckConstraint(check_in("purpose", TokenPurpose), name="purpose"),
        CheckConstraint("(purpose = 'account') = (user_id IS NOT NULL)", name="account_user"),
        CheckConstraint("(purpose = 'account') = (endorsement_id IS NULL)",
                        name="endorsement_target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                                index=True)
    endorsement_id: Mapped[int | None] = mapped_column(
        ForeignKey("endorsements.id", ondelete="RESTRICT"), index=True)
    # True when the user asked for this link again (POST /me/confirmation): counted for
    # the limit of new links an hour.
    requested: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # None: valid as long as what it acts on allows (a withdrawal link).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship(User)
    endorsement: Mapped[Endorsement | None] = relationship(Endorsement)
