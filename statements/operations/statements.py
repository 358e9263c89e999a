"""Statements: creating one (with version 1), its details, its moderators, new versions."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..errors import Duplicate, Invalid, StaleVersion
from ..extensions import db
from ..i18n import _, _n
from ..models import Statement, StatementModerator, User, Version
from ..models.statement import SLUG_MAX, SLUG_PATTERN
from ..models.types import utcnow
from ..rules import RULES, StatementStatus, VersionSource
from ..text.diff import diff_texts, diffs_to_json
from ..text.normalise import sha256_hex
from .audit import record
from .fields import (
    body_text,
    domains_field,
    instant_field,
    integer_field,
    text_field,
    time_zone_field,
)
from .notifications import tell_conflicts


def slugify(title: str) -> str:
    """A URL slug from a title: accents folded, anything else joined by hyphens.

    Titles in scripts without a Latin form give an empty slug; the caller then falls back
    to "statement".
    """
    decomposed = unicodedata.normalize("NFKD", title)
    folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug[:60].rstrip("-")


def _slug_taken(slug: str) -> bool:
    found = db.session.execute(select(Statement.id).where(Statement.slug == slug)).first()
    return found is not None


def _free_slug(base: str) -> str:
    base = base or "statement"
    if not _slug_taken(base):
        return base
    n = 2
    while _slug_taken(f"{base}-{n}"):
        n += 1
    return f"{base}-{n}"


SLUG_ATTEMPTS = 20


def _insert_with_free_slug(actor: User, chosen: str | None, wanted: str, *, title: str,
                           occasion: str) -> Statement:
    """Insert the statement under ``chosen`` (409 if taken) or else the first free slug from
    ``wanted``. Nothing locks a slug that does not exist yet, so two requests may pick the
    same one at once (on PostgreSQL): the unique key refuses the second, which then takes
    the next free slug, or answers 409 for a slug it was given."""
    for _attempt in range(SLUG_ATTEMPTS):
        slug = chosen or _free_slug(wanted)
        if chosen is not None and _slug_taken(chosen):
            raise Duplicate(_("The slug %(slug)s is taken.", slug=repr(chosen)),
                            errors={"slug": _("This slug is taken.")})
        statement = Statement(slug=slug, title=title, occasion=occasion,
                              status=StatementStatus.DRAFT, head_number=1, time_zone="UTC",
                              created_at=utcnow(), created_by_id=actor.id, created_by=actor)
        try:
            with db.session.begin_nested():
                db.session.add(statement)
                db.session.flush()
        except IntegrityError:  # rolled back to the savepoint: the statement is gone again
            continue
        return statement
    raise Duplicate(_("Another statement took this title's address at the same moment; "
                      "please try again."), errors={"slug": _("This slug is taken.")})


def create_statement(actor: User, *, title: object, text: object, slug: object = None,
                     occasion: object = "") -> Statement:
    RULES["create_statement"].require_who(actor)
    errors: dict[str, str] = {}
    title_s = text_field(errors, "title", title, required=True, limit=300)
    occasion_s = text_field(errors, "occasion", occasion, required=False, limit=300)
    text_s = body_text(errors, "text", text)
    slug_s = None
    if slug is not None and slug != "":
        if not isinstance(slug, str) or not SLUG_PATTERN.match(slug) or len(slug) > SLUG_MAX:
            errors["slug"] = _n("Slug must be lower-case letters, digits and single hyphens, "
                                "at most %(num)d character.",
                                "Slug must be lower-case letters, digits and single hyphens, "
                                "at most %(num)d characters.", SLUG_MAX)
        else:
            slug_s = slug
    if errors:
        raise Invalid(errors=errors)
    statement = _insert_with_free_slug(actor, slug_s, slugify(title_s), title=title_s,
                                       occasion=occasion_s)
    statement.moderator_links.append(StatementModerator(user_id=actor.id, user=actor,
                                                        added_at=utcnow(), added_by_id=actor.id))
    record(actor, "statement.create", statement, statement_id=statement.id, after=statement.slug)
    _append_version(statement, actor, text_s, number=1, kind=VersionSource.IMPORT,
                    message="First version")
    return statement


def next_version(statement: Statement, author: User, text: str, *, kind: str, message: str = "",
                 **audit: Any) -> Version:
    """Append the version after the head. The caller holds the statement's write lock, so the
    number is free; the unique key (statement, number) is the database's refusal otherwise."""
    RULES["edit_text"].require_open(statement)  # no version is ever added once final
    return _append_version(statement, author, text, number=statement.head_number + 1, kind=kind,
                           message=message, **audit)


def _append_version(statement: Statement, author: User, text: str, *, number: int, kind: str,
                    message: str, **audit: Any) -> Version:
    version = Version(statement_id=statement.id, number=number, text=text,
                      sha256=sha256_hex(text), author_id=author.id, author=author,
                      created_at=utcnow(), message=message, source_kind=kind)
    db.session.add(version)
    statement.head_number = number
    db.session.flush()
    record(author, "version.create", version, statement_id=statement.id,
           before=number - 1 if number > 1 else None, after=number, source=kind,
           sha256=version.sha256, **audit)
    return version


def create_version(actor: User, statement: Statement, *, text: object, base: object,
                   message: object = "") -> Version:
    """A direct edit by a moderator, refused if it did not start from the head."""
    edit_text = RULES["edit_text"]
    edit_text.require_who(actor, statement)
    errors: dict[str, str] = {}
    text_s = body_text(errors, "text", text)
    base_n = integer_field(errors, "base", base, label=_("Base version"))
    message_s = text_field(errors, "message", message, required=False, limit=500)
    if errors:
        raise Invalid(errors=errors)
    edit_text.require_open(statement)
    head = statement.head
    if base_n != head.number:
        base_version = version_by_number(statement, base_n)
        if base_version is None:
            raise Invalid(errors={"base": _("There is no version %(number)s.",
                                            number=base_n)})
        raise StaleVersion(
            _("You started from version %(started)s, but version %(head)s has been saved "
              "since. Review what changed and save again against the newest version.",
              started=base_n, head=head.number),
            head_number=head.number, diffs=diffs_to_json(diff_texts(base_version.text, head.text)))
    if text_s == head.text:
        raise Invalid(_("The text is the same as version %(number)s: nothing to save.",
                        number=head.number),
                      errors={"text": _("This text is the same as the newest version.")})
    version = next_version(statement, actor, text_s, kind=VersionSource.EDIT, message=message_s)
    tell_conflicts(statement, actor)
    return version


def version_by_number(statement: Statement, number: int) -> Version | None:
    return db.session.execute(
        select(Version).where(Version.statement_id == statement.id, Version.number == number)
    ).scalar_one_or_none()


UNSET: Any = object()


def update_details(actor: User, statement: Statement, *, title: object = UNSET,
                   occasion: object = UNSET, amending_until: object = UNSET,
                   endorsing_until: object = UNSET, time_zone: object = UNSET,
                   trusted_domains: object = UNSET, list_unverified: object = UNSET,
                   now: datetime | None = None) -> Statement:
    """PATCH semantics: only the fields given change."""
    RULES["edit_details"].require_who(actor, statement)
    now = now or utcnow()
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if title is not UNSET:
        changes["title"] = text_field(errors, "title", title, required=True, limit=300)
    if occasion is not UNSET:
        changes["occasion"] = text_field(errors, "occasion", occasion, required=False, limit=300)
    if time_zone is not UNSET:
        changes["time_zone"] = time_zone_field(errors, "time_zone", time_zone)
    for field, value in (("amending_until", amending_until), ("endorsing_until", endorsing_until)):
        if value is not UNSET:
            changes[field] = instant_field(errors, field, value)
            new = changes[field]
            if new is not None and new <= now and new != getattr(statement, field):
                errors[field] = _("The deadline must be in the future.")
    if trusted_domains is not UNSET:
        changes["trusted_domains"] = domains_field(errors, "trusted_domains", trusted_domains)
    if list_unverified is not UNSET:
        if isinstance(list_unverified, bool):
            changes["list_unverified"] = list_unverified
        else:
            errors["list_unverified"] = _("Say true or false.")
    if errors:
        raise Invalid(errors=errors)
    # Sending a field unchanged is no change: a form posts every field it shows.
    changes = {k: v for k, v in changes.items() if v != getattr(statement, k)}
    RULES["edit_details"].require_open(statement)
    for fields, action in ((("title", "occasion"), "edit_title"),
                           (("amending_until",), "set_amending_deadline"),
                           (("endorsing_until",), "set_endorsing_deadline")):
        if any(field in changes for field in fields):
            RULES[action].require_open(statement)
    for field, value in changes.items():
        old = getattr(statement, field)
        if field == "trusted_domains":
            statement.trusted_domains_json = json.dumps(value)
        else:
            setattr(statement, field, value)
        record(actor, f"statement.{field}", statement, statement_id=statement.id,
               before=_audit_value(old), after=_audit_value(value))
    db.session.flush()
    return statement


def _audit_value(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool | list):
        return json.dumps(value)[:255]
    return str(value)[:255]


def add_moderator(actor: User, statement: Statement, user: User) -> Statement:
    RULES["add_moderator"].require_who(actor, statement)
    if any(link.user_id == user.id for link in statement.moderator_links):
        return statement
    statement.moderator_links.append(StatementModerator(user_id=user.id, user=user,
                                                        added_at=utcnow(), added_by_id=actor.id))
    record(actor, "statement.moderator_add", statement, statement_id=statement.id,
           after=user.id)
    db.session.flush()
    return statement
