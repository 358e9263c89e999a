"""Failed sign-ins, kept in the database so the limit holds across server processes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime


class SignInThrottle(Model):
    """One row per case-folded e-mail address ever tried (known or not).

    It exists so that concurrent attempts on one address can lock it (``FOR UPDATE``)
    and count that address's failures one after the other.
    """

    __tablename__ = "sign_in_throttles"

    email_key: Mapped[str] = mapped_column(String(254), primary_key=True)


class SignInFailure(Model):
    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email_key: Mapped[str] = mapped_column(
        ForeignKey("sign_in_throttles.email_key", ondelete="RESTRICT"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
