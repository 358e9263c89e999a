"""Loading what a URL names, the same way for pages and the API: 404 for what is
missing or not visible to the caller, and the parent row locked when the request writes."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from ..database import for_update, is_write_transaction
from ..errors import NotFound
from ..extensions import db
from ..i18n import _
from ..models import Statement, User, Version
from ..models.statement import SLUG_MAX, SLUG_PATTERN
from ..models.types import MAX_INTEGER
from ..rules import RULES

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
        raise NotFound(_("There is no statement %(slug)s.", slug=repr(slug)))
    # One statement: its moderators are loaded if asked for (most requests never ask).
    query = select(Statement).where(Statement.slug == slug) \
        .options(lazyload(Statement.moderator_links))
    if is_write_transaction():
        query = for_update(query)
    statement = db.session.execute(query).scalar_one_or_none()
    drafts = RULES["read_drafts"]
    if statement is None or (drafts.is_open(statement) and not drafts.permits(viewer)):
        # A draft is a 404, exactly as a slug that does not exist, to anyone who may not
        # read drafts: what an unconfirmed account is told says nothing of this slug.
        if viewer is not None and not drafts.permits(viewer):
            raise NotFound(_("There is no statement %(slug)s, or it is not published yet. "
                             "Drafts are for confirmed accounts: confirm your e-mail "
                             "address to read them.", slug=repr(slug)))
        raise NotFound(_("There is no statement %(slug)s, or it is not published yet.",
                         slug=repr(slug)))
    return statement


def statement_for_amendments(slug: str, viewer: User | None) -> Statement:
    """The statement whose amendments and comments are asked for: 401 for nobody, 404 as
    for the statement, and 403 until the viewer's address is confirmed."""
    RULES["read_amendments"].require_who(viewer)
    statement = statement_or_404(slug, viewer)
    return statement


def version_or_404(statement: Statement, number: object) -> Version:
    given, number = number, parse_number(number)
    if number is None:
        raise NotFound(_("Statement %(slug)s has no version %(number)s.",
                         slug=repr(statement.slug), number=repr(given)))
    version = db.session.execute(
        select(Version).where(Version.statement_id == statement.id, Version.number == number)
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(_("Statement %(slug)s has no version %(number)s.",
                         slug=repr(statement.slug), number=number))
    return version
