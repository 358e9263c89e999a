"""A statement, its moderators and its immutable versions."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model, db
from ..rules import StatementStatus, VersionSource, check_in
from .types import UTCDateTime, utcnow
from .user import User

if TYPE_CHECKING:
    from .amendment import VersionAmendment


# A slug names a statement in every URL: lower-case ASCII letters and digits in runs joined
# by single hyphens, at most SLUG_MAX characters. Anything else names no statement.
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80


class Statement(Model):
    __tablename__ = "statements"
    __table_args__ = (
        CheckConstraint(check_in("status", StatementStatus), name="status"),
        CheckConstraint("head_number >= 1", name="head_number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    occasion: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    # The newest version's number, kept with the statement so that the row every writer
    # locks also says which number comes next (the unique key is the last line of defence).
    head_number: Mapped[int] = mapped_column(Integer, default=1)
    amending_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    endorsing_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # E-mail domains whose confirmed addresses verify an organisation's or government's
    # endorsement at once (JSON list, e.g. ["paris.fr"]); and whether unverified ones are
    # listed publicly meanwhile.
    trusted_domains_json: Mapped[str] = mapped_column(Text, default="[]")
    list_unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    created_by: Mapped[User] = relationship(User, foreign_keys=[created_by_id])
    moderator_links: Mapped[list[StatementModerator]] = relationship(
        back_populates="statement", order_by="StatementModerator.added_at", lazy="selectin")
    versions: Mapped[list[Version]] = relationship(
        order_by="Version.number", lazy="select", viewonly=True)

    audit_type = "statement"

    @property
    def trusted_domains(self) -> list[str]:
        domains: list[str] = json.loads(self.trusted_domains_json or "[]")
        return domains

    @property
    def moderators(self) -> list[User]:
        return [link.user for link in self.moderator_links]

    @property
    def head(self) -> Version:
        """The newest version. Versions never change, so it is looked up once per
        ``head_number`` and session (a new version moves ``head_number``)."""
        kept = self.__dict__.get("_head")
        if kept is not None and kept[0] == self.head_number and kept[1] in db.session:
            return kept[1]  # type: ignore[no-any-return]
        version = db.session.execute(
            select(Version).where(Version.statement_id == self.id,
                                  Version.number == self.head_number)
        ).scalar_one()
        self.__dict__["_head"] = (self.head_number, version)
        return version

    @property
    def head_ref(self) -> VersionRef:
        """The newest version's id, number and hash without its text (what an endorsement
        is bound to): from :attr:`head` when loaded, else one narrow query, once per
        ``head_number``."""
        kept = self.__dict__.get("_head")
        if kept is not None and kept[0] == self.head_number and kept[1] in db.session:
            return VersionRef(kept[1].id, kept[1].number, kept[1].sha256)
        ref = self.__dict__.get("_head_ref")
        if ref is None or ref.number != self.head_number:
            row = db.session.execute(
                select(Version.id, Version.number, Version.sha256)
                .where(Version.statement_id == self.id, Version.number == self.head_number)
            ).one()
            ref = self.__dict__["_head_ref"] = VersionRef(row[0], row[1], row[2])
        return ref

    def __repr__(self) -> str:
        return f"<Statement {self.slug} {self.status}>"


@dataclass(frozen=True)
class VersionRef:
    id: int
    number: int
    sha256: str


class StatementModerator(Model):
    __tablename__ = "statement_moderators"

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statements.id", ondelete="RESTRICT"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    statement: Mapped[Statement] = relationship(back_populates="moderator_links")
    user: Mapped[User] = relationship(User, foreign_keys=[user_id], lazy="joined")


class Version(Model):
    """One immutable state of a statement's text."""

    __tablename__ = "versions"
    __table_args__ = (
        UniqueConstraint("statement_id", "number", name="uq_versions_statement_id_number"),
        CheckConstraint("number >= 1", name="number"),
        CheckConstraint(check_in("source_kind", VersionSource), name="source_kind"),
        CheckConstraint("length(sha256) = 64", name="sha256"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    message: Mapped[str] = mapped_column(String(500), default="")
    source_kind: Mapped[str] = mapped_column(String(20))

    statement: Mapped[Statement] = relationship(Statement)
    author: Mapped[User] = relationship(User, lazy="joined")

    audit_type = "version"

    merged_links: Mapped[list[VersionAmendment]] = relationship(
        "VersionAmendment", lazy="selectin", viewonly=True)

    def __repr__(self) -> str:
        return f"<Version {self.statement_id}#{self.number}>"


@event.listens_for(Version, "before_update")
def _immutable(_mapper: object, _connection: object, target: Version) -> None:
    raise RuntimeError(f"version {target.number} is immutable")
