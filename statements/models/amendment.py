"""Amendments proposed by delegates, their supporters, comments and earlier forms."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..rules import DECIDED, AmendmentStatus, check_in
from .statement import Statement, Version
from .types import UTCDateTime, utcnow
from .user import User

# Each status fixes which decision columns are filled: the database refuses, say, a merged
# amendment without the version it produced, or a proposed one that carries a decision.
STATUS_COLUMNS = (
    "(status = 'proposed' AND decided_by_id IS NULL AND decided_at IS NULL"
    " AND result_version_id IS NULL AND withdrawn_at IS NULL)"
    " OR (status = 'withdrawn' AND withdrawn_at IS NOT NULL AND decided_by_id IS NULL"
    " AND result_version_id IS NULL)"
    " OR (status = 'rejected' AND decided_by_id IS NOT NULL AND decided_at IS NOT NULL"
    " AND result_version_id IS NULL AND withdrawn_at IS NULL)"
    " OR (status IN ('merged', 'merged_modified') AND decided_by_id IS NOT NULL"
    " AND decided_at IS NOT NULL AND result_version_id IS NOT NULL AND withdrawn_at IS NULL)"
)


# A vote is recorded whole (all three counts) or not at all, and counts no one negatively.
VOTE = ("(vote_for IS NULL AND vote_against IS NULL AND vote_abstain IS NULL) OR "
        "(vote_for >= 0 AND vote_against >= 0 AND vote_abstain >= 0)")


class Amendment(Model):
    __tablename__ = "amendments"
    __table_args__ = (
        UniqueConstraint("statement_id", "number", name="uq_amendments_statement_id_number"),
        CheckConstraint("number >= 1", name="number"),
        CheckConstraint(check_in("status", AmendmentStatus), name="status"),
        CheckConstraint(STATUS_COLUMNS, name="status_columns"),
        CheckConstraint(VOTE, name="vote"),
        CheckConstraint("first_line >= 1 AND last_line >= first_line", name="lines"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="RESTRICT"),
                                              index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="proposed")
    base_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="RESTRICT"))
    proposer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    rationale: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    patch: Mapped[str] = mapped_column(Text)
    first_line: Mapped[int] = mapped_column(Integer)
    last_line: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str] = mapped_column(Text, default="")
    result_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("versions.id", ondelete="RESTRICT"))
    # The room's vote, when the moderator recorded one with the decision.
    vote_for: Mapped[int | None] = mapped_column(Integer)
    vote_against: Mapped[int | None] = mapped_column(Integer)
    vote_abstain: Mapped[int | None] = mapped_column(Integer)
    # When the proposer was told that a merge left this amendment no longer applying
    # cleanly; cleared when it is brought up to date, so that each time is told once.
    conflict_told_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    statement: Mapped[Statement] = relationship(Statement)
    base_version: Mapped[Version] = relationship(Version, foreign_keys=[base_version_id],
                                                 lazy="joined")
    result_version: Mapped[Version | None] = relationship(Version,
                                                          foreign_keys=[result_version_id])
    proposer: Mapped[User] = relationship(User, foreign_keys=[proposer_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(User, foreign_keys=[decided_by_id])
    supporter_links: Mapped[list[AmendmentSupporter]] = relationship(
        order_by="AmendmentSupporter.created_at", lazy="selectin")
    comments: Mapped[list[AmendmentComment]] = relationship(
        order_by="AmendmentComment.id", lazy="select", viewonly=True)
    revisions: Mapped[list[AmendmentRevision]] = relationship(
        order_by="AmendmentRevision.id", lazy="select", viewonly=True)

    audit_type = "amendment"

    @property
    def label(self) -> str:
        return f"A{self.number}"

    @property
    def decided(self) -> bool:
        return self.status in DECIDED

    @property
    def vote(self) -> dict[str, int] | None:
        if self.vote_for is None or self.vote_against is None or self.vote_abstain is None:
            return None
        return {"for": self.vote_for, "against": self.vote_against,
                "abstain": self.vote_abstain}

    @property
    def withdrawn(self) -> bool:
        return self.status == AmendmentStatus.WITHDRAWN

    @property
    def behind_head(self) -> bool:
        """Based on a version older than the statement's newest."""
        return self.base_version.number != self.statement.head_number

    @property
    def supporters(self) -> list[User]:
        return [link.user for link in self.supporter_links]


class AmendmentSupporter(Model):
    __tablename__ = "amendment_supporters"

    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="RESTRICT"),
                                              primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"),
                                         primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(User, lazy="joined")


class AmendmentComment(Model):
    __tablename__ = "amendment_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="RESTRICT"),
                                              index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship(User, lazy="joined")

    audit_type = "comment"


class AmendmentRevision(Model):
    """An earlier form of an amendment, kept when its proposer brought it up to date."""

    __tablename__ = "amendment_revisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="RESTRICT"),
                                              index=True)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="RESTRICT"))
    text: Mapped[str] = mapped_column(Text)
    patch: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    base_version: Mapped[Version] = relationship(Version, lazy="joined")


class VersionAmendment(Model):
    """Which amendment(s) a version merged."""

    __tablename__ = "version_amendments"

    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="RESTRICT"),
                                            primary_key=True)
    amendment_id: Mapped[int] = mapped_column(ForeignKey("amendments.id", ondelete="RESTRICT"),
                                              primary_key=True, index=True)
    amendment_number: Mapped[int] = mapped_column(Integer)
