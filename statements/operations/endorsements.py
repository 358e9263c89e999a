"""Endorsing the final text, and withdrawing an endorsement while endorsement is open."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..database import for_update, lock_rows
from ..errors import Duplicate, Invalid, InvalidState, NotFound
from ..extensions import db
from ..i18n import _, _l
from ..models import Endorsement, Statement, User
from ..models.types import utcnow
from ..read.lookups import parse_number
from ..read.verification import address_domain, at_trusted_domain
from ..rules import RULES, EndorsementKind, EndorsementStatus, Verification, status_words
from ..text.countries import COUNTRY_CODES, country_name
from ..text.search import endorsement_key
from .audit import record
from .fields import text_field
from .letters import send_receipt

TEXT_FIELDS = (("name", 200, _l("Name")), ("organisation", 200, _l("Organisation")),
               ("capacity", 200, _l("Capacity")), ("city", 200, _l("City")),
               ("country", 100, _l("Country")))


def _mine(statement: Statement, user: User) -> Endorsement | None:
    """The endorsement of the user's address: made signed in, or without an account from the
    same address (case-folded)."""
    return of_address(statement, user.email_key)


def of_address(statement: Statement, key: str, *, lock: bool = True) -> Endorsement | None:
    query = select(Endorsement).where(Endorsement.statement_id == statement.id,
                                      Endorsement.email_key == key)
    return db.session.execute(for_update(query) if lock else query).scalar_one_or_none()


@dataclass(frozen=True)
class Entry:
    """An endorsement's fields as checked, before they are written."""

    kind: str
    fields: dict[str, str]
    public: bool
    authorised: bool
    country_code: str | None = None
    seen: str | None = None  # the SHA-256 of the text the signer saw, when given


def check_entry(statement: Statement, *, kind: object, name: object, organisation: object,
                capacity: object, city: object, country: object, public: object,
                authorised: object, sha256: object, country_code: object = None,
                errors: dict[str, str] | None = None) -> Entry:
    """422 for a bad field, then 409 unless the statement is open for endorsement and the
    text the signer saw (``sha256``, when given) is the final one."""
    errors = {} if errors is None else errors
    if not isinstance(kind, str) or kind not in set(EndorsementKind):
        errors["kind"] = _("Say whom you endorse for: yourself, an organisation, or a local "
                           "or regional government.")
    values = {"name": name, "organisation": organisation, "capacity": capacity, "city": city,
              "country": country}
    clean = {field: text_field(errors, field, values[field], required=field == "name",
                               limit=limit, label=label)
             for field, limit, label in TEXT_FIELDS}
    code = check_country_code(errors, country_code)
    if code is not None and not clean["country"]:
        clean["country"] = country_name(code)  # for what knows only the text (the exports)
    if not isinstance(public, bool):
        errors["public"] = _("public must be true or false.")
    if not isinstance(authorised, bool):
        errors["authorised"] = _("authorised must be true or false.")
    elif kind in (EndorsementKind.ORGANISATION, EndorsementKind.GOVERNMENT) \
            and authorised is not True:
        errors["authorised"] = _("Confirm that you are authorised to endorse on behalf of "
                                 "the organisation or government.")
    if sha256 is not None and not isinstance(sha256, str):
        errors["sha256"] = _("sha256 must be the hex SHA-256 of the text you endorse.")
    if errors:
        raise Invalid(errors=errors)
    seen = sha256.lower() if isinstance(sha256, str) else None  # a non-string was refused above
    check_final(statement, seen)
    return Entry(str(kind), clean, bool(public), bool(authorised), code, seen)


def check_final(statement: Statement, seen: str | None) -> None:
    """409 unless the statement is open for endorsement and the text the signer saw
    (``seen``, its SHA-256, when given) is the final one."""
    RULES["endorse"].require_open(statement)
    final = statement.head_ref
    if seen is not None and seen != final.sha256:
        raise InvalidState(
            _("The text you saw (SHA-256 %(seen)s) is not the final text (version %(number)s, "
              "SHA-256 %(sha256)s): read the final text and endorse it.",
              seen=seen[:64], number=final.number, sha256=final.sha256),
            sha256=final.sha256, version=final.number)


def check_country_code(errors: dict[str, str], value: object) -> str | None:
    """An ISO 3166-1 alpha-2 code as it is written ("FR"), or None when none is given;
    anything else is an error on ``country_code``."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value in COUNTRY_CODES:
        return value
    errors["country_code"] = _("Choose a country from the list: country_code must be an "
                               "ISO 3166-1 alpha-2 code in capitals, such as FR.")
    return None


def fill(endorsement: Endorsement, statement: Statement, entry: Entry, address: str) -> None:
    """Bind the endorsement to the final version with the entry's fields; its verification
    starts from the address it belongs to."""
    final = statement.head_ref
    endorsement.version_id = final.id
    endorsement.version_number, endorsement.sha256 = final.number, final.sha256
    for field, value in entry.fields.items():
        setattr(endorsement, field, value)
    endorsement.country_code = entry.country_code
    endorsement.search_key = endorsement_key(endorsement.name, endorsement.organisation,
                                             endorsement.city, endorsement.country)
    endorsement.kind = entry.kind
    endorsement.verification = _verification_at_first(entry.kind, address, statement)
    endorsement.verification_note, endorsement.verified_by_id = "", None
    endorsement.verified_by = None
    endorsement.verified_at = utcnow() if endorsement.verification == Verification.VERIFIED \
        else None
    endorsement.public, endorsement.authorised = entry.public, entry.authorised
    endorsement.endorsed_at, endorsement.withdrawn_at = utcnow(), None


def activate(actor: User | None, endorsement: Endorsement, *, renewed: bool) -> Endorsement:
    """Make it count: active, in the audit trail and the public record (``endorsed``), and
    a signed receipt on its way to its address."""
    _count(endorsement)
    db.session.flush()
    return _recorded(actor, endorsement, renewed=renewed)


def _count(endorsement: Endorsement) -> None:
    # The statement's lock first, then the time: endorsements then take their place in the
    # public list (by time) in the order their events take in the record (by seq).
    with db.session.no_autoflush:  # not this endorsement, half changed (say, withdrawn)
        lock_rows(select(Statement.id).where(Statement.id == endorsement.statement_id))
    endorsement.status = EndorsementStatus.ACTIVE
    endorsement.endorsed_at, endorsement.withdrawn_at = utcnow(), None


def _recorded(actor: User | None, endorsement: Endorsement, *, renewed: bool) -> Endorsement:
    event = record(actor, "endorsement.renew" if renewed else "endorsement.create", endorsement,
                   statement_id=endorsement.statement_id, after=endorsement.version_number,
                   sha256=endorsement.sha256, kind=endorsement.kind, public=endorsement.public)
    assert event is not None  # the public record carries every endorsement
    send_receipt(endorsement, event.hash)
    return endorsement


def prepare_endorsement(actor: User, statement: Statement, **fields: Any) -> Entry:
    """Everything an endorsement needs checked that can be checked before the write lock
    (the fields, the phase, the text seen, an endorsement already made): the refusals come
    without waiting for other writers, and the writer holds the lock for the write alone.
    :func:`endorse` checks again, under the lock, what another writer could have changed."""
    entry = _entry_of(actor, statement, **fields)
    _refuse_a_second(of_address(statement, actor.email_key, lock=False))
    return entry


def _entry_of(actor: User, statement: Statement, *, kind: object, name: object = None,
              organisation: object = None, capacity: object = "", city: object = "",
              country: object = "", public: object = True, authorised: object = False,
              sha256: object = None, country_code: object = None) -> Entry:
    RULES["endorse"].require_who(actor, statement)
    return check_entry(
        statement, kind=kind, name=actor.name if name is None else name,
        organisation=actor.organisation if organisation is None else organisation,
        capacity=capacity, city=city, country=country, public=public, authorised=authorised,
        sha256=sha256, country_code=country_code)


def _refuse_a_second(existing: Endorsement | None) -> None:
    if existing is not None and existing.active:
        raise Duplicate(_("You have already endorsed this statement."))


def endorse(actor: User, statement: Statement, *, entry: Entry | None = None,
            **fields: Any) -> Endorsement:
    """Endorse the final version; ``sha256``, when given, must be the text the signer saw.
    With ``entry`` (from :func:`prepare_endorsement`, before this transaction took the
    lock), only what could have changed since is checked again."""
    if entry is None:
        entry = _entry_of(actor, statement, **fields)  # "already endorsed": looked for below
    else:
        RULES["endorse"].require_who(actor, statement)
        check_final(statement, entry.seen)
    existing = _mine(statement, actor)
    _refuse_a_second(existing)
    endorsement = existing or Endorsement(statement_id=statement.id, statement=statement,
                                          email_key=actor.email_key)
    # An endorsement made without an account from this address becomes the account's.
    endorsement.user_id, endorsement.user, endorsement.email = actor.id, actor, None
    fill(endorsement, statement, entry, actor.email)
    _count(endorsement)  # signed in with a confirmed address: it counts at once
    try:
        with db.session.begin_nested():
            db.session.add(endorsement)
            db.session.flush()
    except IntegrityError as exc:  # the database's own refusal of a second endorsement
        raise Duplicate(_("You have already endorsed this statement.")) from exc
    return _recorded(actor, endorsement, renewed=existing is not None)


def _verification_at_first(kind: str, email: str, statement: Statement) -> Verification:
    """Individuals need no verification; on behalf of an organisation or a government it
    is pending, unless the signer's confirmed address is at (or under) a trusted domain."""
    if kind == EndorsementKind.INDIVIDUAL:
        return Verification.NOT_REQUIRED
    if at_trusted_domain(address_domain(email), statement):
        return Verification.VERIFIED
    return Verification.PENDING


def decide_verification(actor: User, statement: Statement, endorsement_id: object, *,
                        decision: object, note: object = "") -> Endorsement:
    """A moderator verifies (or rejects) that the signer may speak for whom they sign. A
    decision may be changed later; each one is in the record."""
    rule = RULES["verify_endorsement"]
    rule.require_who(actor, statement)
    found = db.session.get(Endorsement, endorsement_id) \
        if parse_number(endorsement_id) is not None else None
    if found is None or found.statement_id != statement.id:
        raise NotFound(_("This statement has no endorsement %(id)s.",
                         id=repr(endorsement_id)))
    errors: dict[str, str] = {}
    note_s = text_field(errors, "note", note, required=False, limit=2000, label=_("Note"))
    if decision not in (Verification.VERIFIED, Verification.REJECTED):
        errors["decision"] = _("Decide %(verified)s or %(rejected)s.",
                               verified=status_words(Verification.VERIFIED),
                               rejected=status_words(Verification.REJECTED))
    if errors:
        raise Invalid(errors=errors)
    rule.require_open(statement)
    if found.kind == EndorsementKind.INDIVIDUAL:
        raise InvalidState(_("An individual endorsement needs no verification."))
    before = found.verification
    found.verification = Verification(str(decision))
    found.verification_note, found.verified_by_id, found.verified_by = note_s, actor.id, actor
    found.verified_at = utcnow()
    db.session.flush()
    record(actor, "endorsement.verification", found, statement_id=statement.id,
           before=before, after=found.verification, note=note_s)
    return found


def withdraw_endorsement(actor: User, statement: Statement) -> Endorsement:
    RULES["withdraw_endorsement"].require_who(actor, statement)
    existing = _mine(statement, actor)
    if existing is None or not existing.active:
        raise NotFound(_("You have no active endorsement of this statement."))
    RULES["withdraw_endorsement"].require_open(statement)
    existing.withdrawn_at, existing.status = utcnow(), EndorsementStatus.WITHDRAWN
    db.session.flush()
    record(actor, "endorsement.withdraw", existing, statement_id=statement.id,
           before=existing.version_number)
    return existing


def my_endorsement(statement: Statement, user: User | None) -> Endorsement | None:
    if user is None:
        return None
    found = of_address(statement, user.email_key, lock=False)
    return found if found is not None and found.active else None
