"""Read-only questions about the data that pages and the API both ask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from . import permissions
from .extensions import db
from .models import AMENDMENT_STATUSES, Amendment, Statement, User, Version, VersionAmendment
from .text.attribution import Span, attribute


def statement_counts(statement: Statement) -> dict[str, Any]:
    """`counts` as the contract has it: amendments per status, endorsements not withdrawn."""
    amendments = {status: 0 for status in AMENDMENT_STATUSES}
    for status, n in db.session.execute(
        select(Amendment.status, func.count()).where(Amendment.statement_id == statement.id)
        .group_by(Amendment.status)
    ):
        amendments[status] = n
    return {"amendments": amendments, "endorsements": 0}


@dataclass(frozen=True)
class Origin:
    """Where a span of text came from: the version that introduced it, the amendment that
    version merged (if any), and the person whose words they are."""

    version: int
    amendment: int | None
    author: User


def attribution(statement: Statement, upto: int) -> list[Span[Origin]]:
    """Each span of version ``upto`` with the version, amendment and person that introduced
    it. Words an amendment brought in are its proposer's, not the merging moderator's."""
    versions = db.session.scalars(select(Version).where(
        Version.statement_id == statement.id, Version.number <= upto).order_by(Version.number))
    merged = {link.version_id: link.amendment_id for link in db.session.scalars(
        select(VersionAmendment).join(Version).where(Version.statement_id == statement.id))}
    proposers = {a.id: a for a in db.session.scalars(
        select(Amendment).where(Amendment.id.in_(set(merged.values()))))} if merged else {}
    tagged = []
    for version in versions:
        amendment = proposers.get(merged.get(version.id, -1))
        author = amendment.proposer if amendment is not None else version.author
        tagged.append((version.text, Origin(version.number,
                                            amendment.number if amendment else None, author)))
    return attribute(tagged)


def visible_statements(viewer: User | None) -> list[Statement]:
    query = select(Statement).order_by(Statement.created_at.desc(), Statement.id.desc())
    if viewer is None:
        query = query.where(Statement.status.in_(permissions.PUBLISHED))
    return list(db.session.scalars(query))
