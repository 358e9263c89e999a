"""Read-only questions about the data that pages and the API both ask."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from ..chain import GENESIS
from ..exports.model import Published, Signatory
from ..extensions import db
from ..models import (
    Amendment,
    Endorsement,
    RecordEvent,
    Statement,
    User,
    Version,
    VersionAmendment,
)
from ..models.types import utcnow
from ..rules import (
    PUBLISHED,
    RULES,
    AmendmentStatus,
    EndorsementKind,
    EndorsementStatus,
    Verification,
)
from ..signing import sign_document
from ..text.attribution import Span, attribute
from ..text.countries import COUNTRY_CODES, as_country_code, country_name
from ..text.normalise import UNSTORABLE
from ..text.search import ESCAPE, like_anywhere, like_country, search_key

# The endorsements that count: confirmed and not withdrawn.
COUNTED = Endorsement.status == EndorsementStatus.ACTIVE


def statement_counts(statement: Statement) -> dict[str, Any]:
    """`counts` as the contract has it: amendments per status, active endorsements
    (confirmed, not withdrawn)."""
    amendments = {str(status): 0 for status in AmendmentStatus}
    for status, n in db.session.execute(
        select(Amendment.status, func.count()).where(Amendment.statement_id == statement.id)
        .group_by(Amendment.status)
    ):
        amendments[status] = n
    endorsements = db.session.scalar(select(func.count()).select_from(Endorsement).where(
        Endorsement.statement_id == statement.id, COUNTED)) or 0
    verification = {str(v): 0 for v in (Verification.PENDING, Verification.VERIFIED,
                                         Verification.REJECTED)}
    for state, n in db.session.execute(
        select(Endorsement.verification, func.count()).where(
            Endorsement.statement_id == statement.id, COUNTED,
            Endorsement.verification != Verification.NOT_REQUIRED)
        .group_by(Endorsement.verification)
    ):
        verification[state] = n
    return {"amendments": amendments, "endorsements": endorsements,
            "verification": verification}


def _shown(statement: Statement) -> list[Verification]:
    """The verifications the public list shows: none needed or verified (or, where the
    statement lists them, still pending)."""
    shown = [Verification.NOT_REQUIRED, Verification.VERIFIED]
    if statement.list_unverified:
        shown.append(Verification.PENDING)
    return shown


def listed(statement: Statement) -> ColumnElement[bool]:
    """Which endorsements the public list shows: public, not withdrawn, and either needing
    no verification or verified (or, where the statement lists them, still pending)."""
    return and_(Endorsement.statement_id == statement.id, COUNTED,
                Endorsement.public.is_(True), Endorsement.verification.in_(_shown(statement)))


@dataclass(frozen=True)
class Tally:
    """A statement's counted endorsements (confirmed, not withdrawn): per kind, public or
    not; how many the public list shows; how many await verification."""

    by_kind: dict[str, int]
    listed: int
    pending: int


def tally(statement: Statement) -> Tally:
    """The :class:`Tally`, from one grouped query."""
    shown = set(_shown(statement))
    by_kind, shown_n, pending = dict.fromkeys(map(str, EndorsementKind), 0), 0, 0
    for kind, public, verification, n in db.session.execute(
        select(Endorsement.kind, Endorsement.public, Endorsement.verification, func.count())
        .where(Endorsement.statement_id == statement.id, COUNTED)
        .group_by(Endorsement.kind, Endorsement.public, Endorsement.verification)
    ):
        by_kind[kind] += n
        shown_n += n if public and verification in shown else 0
        pending += n if verification == Verification.PENDING else 0
    return Tally(by_kind, shown_n, pending)


@dataclass(frozen=True)
class SignatoryFilter:
    """The public list's filters: by kind; by country, an ISO 3166-1 code ("AT") or a name
    as the signatories wrote it ("Österreich" finds "ÖSTERREICH"); by a part of the name,
    organisation, city or country. Names are compared by their search keys
    (statements/text/search.py), ignoring case and accents in every script, on every
    database: never by the database's own lower(), which SQLite knows only for ASCII."""

    kind: str = ""
    country: str = ""
    name: str = ""

    def apply(self, query: Select[tuple[Endorsement]]) -> Select[tuple[Endorsement]]:
        country, name = _searchable(self.country), _searchable(self.name)
        if self.kind in set(EndorsementKind):
            query = query.where(Endorsement.kind == self.kind)
        if search_key(country):
            query = query.where(_of_country(country))
        if search_key(name):
            query = query.where(Endorsement.search_key.like(like_anywhere(name),
                                                            escape=ESCAPE))
        return query

    def chooses(self, value: str) -> bool:
        """Whether ``value``, one of the page's list of countries, is the chosen one."""
        return bool(search_key(self.country)) and _country_value(self.country) == \
            _country_value(value)


def _country_value(value: str) -> str:
    return as_country_code(value) or search_key(value)


def _of_country(country: str) -> ColumnElement[bool]:
    """Of this country: by its code, or by the country as written, ignoring case and
    accents. Signatories who gave no code but wrote the code or the country's (English)
    name are of that country too."""
    code = as_country_code(country)
    if code is None:
        return Endorsement.search_key.like(like_country(country), escape=ESCAPE)
    written = or_(*(Endorsement.search_key.like(like_country(as_written), escape=ESCAPE)
                    for as_written in (code, country_name(code))))
    return or_(Endorsement.country_code == code,
               and_(Endorsement.country_code.is_(None), written))


def _searchable(value: str) -> str:
    """A search term without the characters no stored text can hold (NUL, lone
    surrogates): they could match nothing, and PostgreSQL refuses them outright."""
    return UNSTORABLE.sub("", value)


def public_endorsements(statement: Statement, filters: SignatoryFilter = SignatoryFilter(),
                        *, offset: int = 0, limit: int | None = None,
                        unfiltered: int | None = None) -> tuple[int, list[Endorsement]]:
    """The public signatories (listed publicly, not withdrawn) matching ``filters``, in the
    order they signed, with how many match in all (without filters: ``unfiltered``, when
    the caller has counted them already)."""
    base = filters.apply(select(Endorsement).where(listed(statement)))
    if unfiltered is not None and filters == SignatoryFilter():
        total = unfiltered
    else:
        total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    query = base.order_by(Endorsement.endorsed_at, Endorsement.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return total, list(db.session.scalars(query))


def all_endorsements(statement: Statement) -> list[Endorsement]:
    return list(db.session.scalars(select(Endorsement).where(
        Endorsement.statement_id == statement.id).order_by(Endorsement.endorsed_at,
                                                            Endorsement.id)))


def public_countries(statement: Statement, locale: str = "en") -> list[tuple[str, str]]:
    """The countries of the public signatories as (value, name) for the page's filter, in
    the order of their names: a country known by its code is named in ``locale``; one
    given only as text is listed once however it was written (its commonest spelling,
    capitals only if no other), and not at all where it is the English name of a listed
    code, which finds it too."""
    options: dict[str, tuple[str, str]] = {}  # by the filter value's meaning
    found = db.session.execute(select(Endorsement.country_code, Endorsement.country,
                                      func.count()).where(listed(statement))
                               .group_by(Endorsement.country_code, Endorsement.country)).all()
    for code, written, _ in sorted(found, key=lambda row: (-row[2], row[1].isupper(),
                                                            row[1], row[0] or "")):
        known = code or as_country_code(written)
        if known is not None:
            options[known] = (known, country_name(known, locale))
        elif search_key(written):
            options.setdefault(search_key(written), (written, written))
    for code in COUNTRY_CODES & options.keys():
        options.pop(search_key(country_name(code)), None)
    return sorted(options.values(), key=lambda option: (search_key(option[1]), option[1]))


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
    if viewer is None or not RULES["read_drafts"].permits(viewer):
        query = query.where(Statement.status.in_(PUBLISHED))
    return list(db.session.scalars(query))


def record_head(statement: Statement) -> str:
    last = db.session.scalar(select(RecordEvent.hash).where(
        RecordEvent.statement_id == statement.id).order_by(RecordEvent.seq.desc()).limit(1))
    return last or GENESIS


def publication(statement: Statement, url: str = "") -> Published:
    """The final text and its public signatories, as every export writes them."""
    final = statement.head
    _, people = public_endorsements(statement)
    return Published(
        slug=statement.slug, title=statement.title, occasion=statement.occasion,
        version=final.number, sha256=final.sha256, text=final.text, url=url,
        exported_at=utcnow(), record_head=record_head(statement), sign=sign_document,
        signatories=[Signatory(name=e.name, organisation=e.organisation, capacity=e.capacity,
                               kind=e.kind, city=e.city, country=e.country,
                               endorsed_at=e.endorsed_at, id=e.id, version=e.version_number,
                               sha256=e.sha256, verification=e.verification,
                               country_code=e.country_code)
                     for e in people])
