"""Proving an address: the links e-mailed to confirm an account, to confirm an endorsement
made without an account, and to withdraw that endorsement.

A token is random, shown once (in the e-mail), stored as its SHA-256, used once, and
lasts 7 days (a withdrawal link lasts as long as endorsement is open). Using a token
locks its row first, so two requests with one token confirm once; the second answers as
the first did and changes nothing."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..database import for_update
from ..errors import InvalidState, NotFound, TooManyAttempts
from ..extensions import db
from ..i18n import _, _l, _n
from ..models import ConfirmationToken, Endorsement, Statement, TokenPurpose, User, email_key
from ..models.types import utcnow
from ..rules import RULES, EndorsementStatus
from .audit import record
from .endorsements import activate, check_entry, fill, of_address
from .fields import validate_email
from .letters import send_account_link, send_endorsement_link

LINK_DAYS = 7
RESENDS_PER_HOUR = 3
UNKNOWN_LINK = _l("This link is unknown or has expired (links last 7 days).")


def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(purpose: TokenPurpose, *, user: User | None = None,
          endorsement: Endorsement | None = None, requested: bool = False,
          expires: bool = True) -> str:
    """A new link token; only its hash is kept."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(ConfirmationToken(
        token_hash=hash_link_token(token), purpose=str(purpose), user=user,
        user_id=user.id if user is not None else None, endorsement=endorsement,
        endorsement_id=endorsement.id if endorsement is not None else None,
        requested=requested, created_at=now,
        expires_at=now + timedelta(days=LINK_DAYS) if expires else None))
    db.session.flush()
    return token


def send_account_confirmation(user: User, *, requested: bool = False) -> None:
    send_account_link(user, issue(TokenPurpose.ACCOUNT, user=user, requested=requested))


def resend_account_confirmation(actor: User) -> None:
    """A new link for the caller's own address: 409 if it is confirmed already, 429 after
    3 within an hour."""
    locked = db.session.execute(for_update(select(User).where(User.id == actor.id))).scalar_one()
    if locked.email_confirmed:
        raise InvalidState(_("Your e-mail address is already confirmed."))
    since = utcnow() - timedelta(hours=1)
    recent = list(db.session.scalars(select(ConfirmationToken.created_at).where(
        ConfirmationToken.user_id == locked.id, ConfirmationToken.requested.is_(True),
        ConfirmationToken.created_at > since).order_by(ConfirmationToken.created_at)))
    if len(recent) >= RESENDS_PER_HOUR:
        wait = (recent[0] + timedelta(hours=1) - utcnow()).total_seconds()
        raise TooManyAttempts(_n("%(num)d link was sent within the hour: wait before asking "
                                 "for another.",
                                 "%(num)d links were sent within the hour: wait before "
                                 "asking for another.", RESENDS_PER_HOUR),
                              retry_after=int(wait) + 1)
    send_account_confirmation(locked, requested=True)


def request_endorsement(statement: Statement, *, email: object, kind: object, name: object,
                        organisation: object = "", capacity: object = "", city: object = "",
                        country: object = "", public: object = True, authorised: object = False,
                        sha256: object = None, country_code: object = None) -> None:
    """Endorse without an account: the endorsement waits, unconfirmed (counted and shown
    nowhere), for the link e-mailed to ``email``. Whether that address has endorsed already
    is said only in that e-mail, never in the answer."""
    errors: dict[str, str] = {}
    address = validate_email(errors, email)
    entry = check_entry(statement, kind=kind, name=name, organisation=organisation,
                        capacity=capacity, city=city, country=country, public=public,
                        authorised=authorised, sha256=sha256, country_code=country_code,
                        errors=errors)
    key = email_key(address)
    existing = of_address(statement, key)
    if existing is not None and existing.active:
        send_endorsement_link(existing, None, issue(TokenPurpose.WITHDRAWAL,
                                                    endorsement=existing, expires=False))
        return
    endorsement = existing or Endorsement(statement_id=statement.id, statement=statement,
                                          email_key=key, user_id=None, email=address)
    if endorsement.user_id is None:
        endorsement.email = address
    fill(endorsement, statement, entry, endorsement.address)
    endorsement.status = EndorsementStatus.UNCONFIRMED
    try:
        with db.session.begin_nested():
            db.session.add(endorsement)
            db.session.flush()
    except IntegrityError:  # a request from the same address made it a moment ago
        return
    # In the audit trail only (not a change to the statement's public record).
    record(None, "endorsement.request", endorsement, statement_id=statement.id,
           after=endorsement.version_number, kind=endorsement.kind)
    send_endorsement_link(endorsement, issue(TokenPurpose.ENDORSEMENT, endorsement=endorsement),
                          issue(TokenPurpose.WITHDRAWAL, endorsement=endorsement,
                                expires=False))


@dataclass(frozen=True)
class Confirmed:
    """What a link confirmed: an account, or an endorsement of a statement."""

    what: str
    statement: str | None = None
    endorsement: Endorsement | None = None
    user: User | None = None

    def json(self) -> dict[str, str]:
        body = {"confirmed": self.what}
        if self.statement is not None:
            body["statement"] = self.statement
        return body


def _found(token: object, purposes: set[TokenPurpose], *, lock: bool) -> ConfirmationToken:
    if not isinstance(token, str) or not token or len(token) > 200:
        raise NotFound(UNKNOWN_LINK)
    query = select(ConfirmationToken).where(
        ConfirmationToken.token_hash == hash_link_token(token))
    row = db.session.execute(for_update(query) if lock else query).scalar_one_or_none()
    if row is None or row.purpose not in purposes:
        raise NotFound(UNKNOWN_LINK)
    if row.used_at is None and row.expires_at is not None and row.expires_at <= utcnow():
        raise NotFound(UNKNOWN_LINK)
    return row


def _what(row: ConfirmationToken) -> Confirmed:
    if row.purpose == TokenPurpose.ACCOUNT:
        return Confirmed("account", user=row.user)
    endorsement = row.endorsement
    assert endorsement is not None  # the "endorsement_target" check constraint
    return Confirmed("endorsement", endorsement.statement.slug, endorsement=endorsement)


def preview(token: object) -> Confirmed:
    """What a confirmation link would confirm, changing nothing (mail scanners open links);
    404 for an unknown or expired one."""
    return _what(_found(token, {TokenPurpose.ACCOUNT, TokenPurpose.ENDORSEMENT}, lock=False))


def confirm(token: object) -> Confirmed:
    """Use a confirmation link: the account's address is confirmed, or the endorsement
    becomes active (in the record, with a receipt). A link already used answers the same and
    changes nothing; 404 for an unknown or expired one."""
    row = _found(token, {TokenPurpose.ACCOUNT, TokenPurpose.ENDORSEMENT}, lock=True)
    what = _what(row)
    if row.used_at is not None:
        return what
    if what.user is not None:
        user = db.session.execute(for_update(select(User).where(
            User.id == what.user.id))).scalar_one()
        if not user.email_confirmed:
            user.email_confirmed_at = utcnow()
            record(user, "user.confirm", user)
    elif what.endorsement is not None:
        endorsement = db.session.execute(for_update(select(Endorsement).where(
            Endorsement.id == what.endorsement.id))).scalar_one()
        if endorsement.status == EndorsementStatus.UNCONFIRMED:
            RULES["endorse"].require_open(endorsement.statement)
            renewed = db.session.scalar(select(func.count()).select_from(
                ConfirmationToken).where(ConfirmationToken.endorsement_id == endorsement.id,
                                         ConfirmationToken.purpose == TokenPurpose.ENDORSEMENT,
                                         ConfirmationToken.used_at.is_not(None)))
            activate(endorsement.user, endorsement, renewed=bool(renewed))
    row.used_at = utcnow()
    db.session.flush()
    return what


def withdrawal_preview(token: object) -> Endorsement:
    row = _found(token, {TokenPurpose.WITHDRAWAL}, lock=False)
    assert row.endorsement is not None
    return row.endorsement


def withdraw_by_link(token: object) -> Endorsement:
    """The endorser without an account withdraws through the link in their e-mail: while
    endorsement is open (409 after); an endorsement not active is left as it is."""
    row = _found(token, {TokenPurpose.WITHDRAWAL}, lock=True)
    assert row.endorsement is not None
    endorsement = db.session.execute(for_update(select(Endorsement).where(
        Endorsement.id == row.endorsement.id))).scalar_one()
    RULES["withdraw_endorsement"].require_open(endorsement.statement)
    if endorsement.status == EndorsementStatus.ACTIVE:
        endorsement.withdrawn_at, endorsement.status = utcnow(), EndorsementStatus.WITHDRAWN
        db.session.flush()
        record(endorsement.user, "endorsement.withdraw", endorsement,
               statement_id=endorsement.statement_id, before=endorsement.version_number)
    elif endorsement.status == EndorsementStatus.UNCONFIRMED:
        # Never counted or shown: it is simply dropped from what can be confirmed.
        for pending in db.session.scalars(select(ConfirmationToken).where(
                ConfirmationToken.endorsement_id == endorsement.id,
                ConfirmationToken.purpose == TokenPurpose.ENDORSEMENT,
                ConfirmationToken.used_at.is_(None))):
            pending.used_at = utcnow()
        db.session.flush()
    return endorsement
