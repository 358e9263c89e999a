"""Loading what a URL names, the same way for pages and the API: 404 for what is
missing or not visible to the caller, and the parent row locked when the request writes."""

from __future__ import annotations

from sqlalchemy import select

from . import permissions
from .database import for_update, is_write_transaction
from .errors import NotFound
from .extensions import db
from .models import Statement, User, Version


def statement_or_404(slug: str, viewer: User | None) -> Statement:
    query = select(Statement).where(Statement.slug == slug)
    if is_write_transaction():
        query = for_update(query)
    statement = db.session.execute(query).scalar_one_or_none()
    if statement is None or not permissions.can_view(viewer, statement):
        raise NotFound(f"There is no statement {slug!r}, or it is not published yet.")
    return statement


def version_or_404(statement: Statement, number: object) -> Version:
    if isinstance(number, str):
        number = int(number) if number.isdigit() else None
    if not isinstance(number, int) or isinstance(number, bool):
        raise NotFound(f"Version numbers are whole numbers: {number!r}.")
    version = db.session.execute(
        select(Version).where(Version.statement_id == statement.id, Version.number == number)
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(f"Statement {statement.slug!r} has no version {number}.")
    return version
