"""Loading what a URL names, the same way for pages and the API: 404 for what is
missing or not visible to the caller, and the parent row locked when the request writes."""

from __future__ import annotations

import re

from sqlalchemy import select

from ..database import for_update, is_write_transaction
from ..errors import NotFound
from ..extensions import db
from ..models import Statement, User, Version
from ..models.statement import SLUG_MAX, SLUG_PATTERN
from ..models.types import MAX_INTEGER
from ..rules import can_view

_NUMBER = re.compile(r"[0-9]{1,10}")


def parse_number(value: object) -> int | None:
    """A version, amendment or page number from a URL or form: ASCII digits within the
    database's integer range, else None (never an error deeper down)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= MAX_INTEGER else None
    if isinstance(value, str) and _NUMBER.fullmatch(value) and int(value) <= MAX_INTEGER:
        return int(value)
    return None


def statement_or_404(slug: str, viewer: User | None) -> Statement:
    if not SLUG_PATTERN.fullmatch(slug) or len(slug) > SLUG_MAX:
        raise NotFound(f"There is no statement {slug!r}.")
    query = select(Statement).where(Statement.slug == slug)
    if is_write_transaction():
        query = for_update(query)
    statement = db.session.execute(query).scalar_one_or_none()
    if statement is None or not can_view(viewer, statement):
        raise NotFound(f"There is no statement {slug!r}, or it is not published yet.")
    return statement


def version_or_404(statement: Statement, number: object) -> Version:
    given, number = number, parse_number(number)
    if number is None:
        raise NotFound(f"Statement {statement.slug!r} has no version {given!r}.")
    version = db.session.execute(
        select(Version).where(Version.statement_id == statement.id, Version.number == number)
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(f"Statement {statement.slug!r} has no version {number}.")
    return version
