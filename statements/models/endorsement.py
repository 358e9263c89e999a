"""Endorsements: bound to the final version's number and SHA-256 for good."""

from __future__ import annotations

import secrets
import string
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..rules import EndorsementKind, EndorsementStatus, Verification, check_in
from ..text.countries import country_name
from ..text.search import endorsement_key
from .statement import Statement, Version
from .types import UTCDateTime, utcnow
from .user import User


def _address_key_of_user(context: DefaultExecutionContext) -> str | None:
    """An endorsement made by a signed-in user is keyed on the user's address."""
    parameters: dict[str, object] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    user_id = parameters.get("user_id")
    if user_id is None:
        return None
    key: str | None = context.connection.scalar(
        select(User.email_key).where(User.id == user_id))
    return key


def _search_key_of_fields(context: DefaultExecutionContext) -> str:
    """An endorsement inserted without one is searchable all the same (the operations
    set it, and set it again whenever the fields change)."""
    parameters: dict[str, object] = context.get_current_parameters()  # type: ignore[no-untyped-call]
    return endorsement_key(*(str(parameters.get(field) or "")
                             for field in ("name", "organisation", "city", "country")))


# Two capital letters A-Z, spelt out: BETWEEN 'A' AND 'Z' would follow the database's
# collation, under which 'b' sorts between them on PostgreSQL. (Migration 0011 too.)
_LETTERS = ", ".join(repr(c) for c in string.ascii_uppercase)
COUNTRY_CODE_CHECK = (
    "country_code IS NULL OR (length(country_code) = 2"
    f" AND substr(country_code, 1, 1) IN ({_LETTERS})"
    f" AND substr(country_code, 2, 1) IN ({_LETTERS}))")


class Endorsement(Model):
    __tablename__ = "endorsements"
    __table_args__ = (
        # One per e-mail address (case-folded) per statement, whichever way it came, refused
        # by the database itself; withdrawing and endorsing again reuses the row, and the
        # audit trail keeps both events.
        UniqueConstraint("statement_id", "email_key",
                         name="uq_endorsements_statement_id_email_key"),
        UniqueConstraint("statement_id", "user_id", name="uq_endorsements_statement_id_user_id"),
        CheckConstraint(check_in("status", EndorsementStatus), name="status"),
        CheckConstraint("(status = 'withdrawn') = (withdrawn_at IS NOT NULL)",
                        name="status_withdrawn"),
        CheckConstraint("user_id IS NOT NULL OR email IS NOT NULL", name="address"),
        CheckConstraint(check_in("kind", EndorsementKind), name="kind"),
        CheckConstraint("kind = 'individual' OR authorised", name="authorised"),
        CheckConstraint(check_in("verification", Verification), name="verification"),
        CheckConstraint("(kind = 'individual') = (verification = 'not_required')",
                        name="verification_kind"),
        CheckConstraint("length(sha256) = 64", name="sha256"),
        CheckConstraint(COUNTRY_CODE_CHECK, name="country_code"),
        # What the public page asks of thousands of endorsements, each answered from an
        # index (measured on 5,000: the page of the list 7.1 -> 0.3 ms, the counts
        # 9.5 -> 1.7 ms, the countries 10.6 -> 3.4 ms): the list in the order they signed,
        Index("ix_endorsements_signed", "statement_id", "status", "endorsed_at", "id"),
        # the counts by kind, public or not, and verification,
        Index("ix_endorsements_tally", "statement_id", "status", "kind", "public",
              "verification"),
        # and the countries of those listed.
        Index("ix_endorsements_countries", "statement_id", "status", "public", "verification",
              "country_code", "country"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="RESTRICT"))
    # None for an endorsement made without an account: then ``email`` is its address.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                                index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), default=_address_key_of_user)
    status: Mapped[str] = mapped_column(String(20), default=EndorsementStatus.ACTIVE)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="RESTRICT"))
    version_number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    capacity: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(20))
    city: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(100), default="", index=True)
    # ISO 3166-1 alpha-2, or None where the signatory gave only the free-text country.
    country_code: Mapped[str | None] = mapped_column(String(2), index=True)
    # Name, organisation, city and country folded for case and accents
    # (statements/text/search.py): what the public list's search looks in, with LIKE.
    search_key: Mapped[str] = mapped_column(Text, default=_search_key_of_fields)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    authorised: Mapped[bool] = mapped_column(Boolean, default=False)
    endorsed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verification: Mapped[str] = mapped_column(String(20), default=Verification.NOT_REQUIRED)
    verification_note: Mapped[str] = mapped_column(String(2000), default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="RESTRICT"))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The secret that makes a private endorsement's commitment in the public record
    # unguessable from its fields (statements/chain.py commitment). Never published.
    salt: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))

    statement: Mapped[Statement] = relationship(Statement)
    user: Mapped[User | None] = relationship(User, foreign_keys=[user_id])
    verified_by: Mapped[User | None] = relationship(User, foreign_keys=[verified_by_id])
    version: Mapped[Version] = relationship(Version)

    audit_type = "endorsement"

    @property
    def active(self) -> bool:
        return self.status == EndorsementStatus.ACTIVE

    def country_in(self, locale: str = "en") -> str:
        """The country as the pages show it: named in ``locale`` when its code is known,
        else as the signatory wrote it."""
        return country_name(self.country_code, locale) if self.country_code else self.country

    @property
    def address(self) -> str:
        """Where its mail goes: the account's address, or the one it was made with."""
        if self.user is not None:
            return self.user.email
        assert self.email is not None  # the "address" check constraint
        return self.email
