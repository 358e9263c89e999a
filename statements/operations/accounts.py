"""Accounts: creating users, profiles, passwords, roles, API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..errors import Duplicate, Invalid
from ..extensions import db
from ..i18n import LOCALES, _, _l  # LOCALES: the interface's languages (API.md)
from ..models import ApiToken, OutboxMessage, User, email_key
from ..models.types import utcnow
from ..rules import RULES, SYSTEM, Actor, Role
from .audit import record
from .confirmations import send_account_confirmation
from .fields import text_field, validate_email
from .letters import CONFIRMATION, send_already_registered
from .passwords import hash_password, password_problem, verify_password

TOKEN_PREFIX = "st_"
DEFAULT_TOKEN_DAYS = 90  # a bearer token ends by itself after this many days
ROLE_MESSAGE = _l("Choose a role: delegate, moderator or admin.")


def create_user(actor: Actor | None, *, email: object, name: object, password: object,
                organisation: object = "", role: object = "delegate") -> User:
    """Create an account.

    ``actor`` says who asks: an admin, ``SYSTEM`` (the operator at the server's shell,
    recorded as the system), or None for open sign-up (the new user is the actor).
    """
    if actor is not None:
        RULES["manage_users"].require_who(actor)
    via = "registration" if actor is None else "cli" if actor is SYSTEM else "admin"
    errors: dict[str, str] = {}
    email_s = validate_email(errors, email)
    name_s = text_field(errors, "name", name, required=True)
    organisation_s = text_field(errors, "organisation", organisation, required=False)
    problem = password_problem(password)
    if problem:
        errors["password"] = problem
    if not isinstance(role, str) or role not in set(Role):
        errors["role"] = ROLE_MESSAGE
    if errors:
        raise Invalid(errors=errors)
    key = email_key(email_s)
    if db.session.execute(select(User.id).where(User.email_key == key)).first():
        raise Duplicate(_("An account with this e-mail address already exists."),
                        errors={"email": _("This e-mail address is taken.")})
    now = utcnow()
    # An admin (or the operator) vouches for the address; one's own sign-up must prove it.
    user = User(email=email_s, email_key=key, name=name_s, organisation=organisation_s,
                role=str(role), password_hash=hash_password(str(password)), auth_epoch=0,
                created_at=now, email_confirmed_at=None if actor is None else now,
                notifications=True)
    try:
        with db.session.begin_nested():
            db.session.add(user)
            db.session.flush()
    except IntegrityError as exc:  # a concurrent request took the address first
        raise Duplicate(_("An account with this e-mail address already exists."),
                        errors={"email": _("This e-mail address is taken.")}) from exc
    record(user if via == "registration" else actor, "user.create", user, after=user.role,
           via=via)
    if actor is None:
        send_account_confirmation(user)
    return user


def register(*, email: object, name: object, password: object,
             organisation: object = "") -> User | None:
    """Open sign-up: a new, unconfirmed account, or None when the address has one already.
    Either way a message goes to the address (a confirmation link, or "you already have an
    account"), and the caller answers both alike, so registering reveals nobody."""
    try:
        with db.session.begin_nested():
            return create_user(None, email=email, name=name, password=password,
                               organisation=organisation)
    except Duplicate:
        # The same work as making the account, so that the time taken does not tell.
        hash_password(str(password))
        existing = db.session.execute(select(User).where(
            User.email_key == email_key(str(email).strip()))).scalar_one_or_none()
        if existing is not None and not _mailed_lately(existing.email):
            send_already_registered(existing)
        return None


REGISTRATION_MAILS_PER_HOUR = 3


def _mailed_lately(address: str) -> bool:
    """Whether this address had its fill of confirmation mail within the hour: then a
    registration with it sends nothing more (the page says the same either way), so the
    form cannot be used to flood somebody's inbox."""
    since = utcnow() - timedelta(hours=1)
    sent = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.to_address == address, OutboxMessage.kind == CONFIRMATION,
        OutboxMessage.created_at > since)) or 0
    return sent >= REGISTRATION_MAILS_PER_HOUR


UNCHANGED: object = object()


def update_profile(actor: User, user: User, *, name: object = UNCHANGED,
                   organisation: object = UNCHANGED, locale: object = UNCHANGED,
                   notifications: object = UNCHANGED) -> User:
    """Change what is given (``UNCHANGED`` leaves a field as it is): 422 for a bad one,
    with every bad field named."""
    RULES["edit_account"].require_who(actor, user)
    errors: dict[str, str] = {}
    name_s = user.name if name is UNCHANGED else text_field(errors, "name", name,
                                                            required=True)
    organisation_s = user.organisation if organisation is UNCHANGED else text_field(
        errors, "organisation", organisation, required=False)
    if locale is not UNCHANGED and locale is not None and locale not in LOCALES:
        errors["locale"] = _("Choose one of %(locales)s, or null.", locales=", ".join(LOCALES))
    if notifications is not UNCHANGED and not isinstance(notifications, bool):
        errors["notifications"] = _("notifications must be true or false.")
    if errors:
        raise Invalid(errors=errors)
    if (name_s, organisation_s) != (user.name, user.organisation):
        record(actor, "user.update", user, before=user.name, after=name_s,
               organisation=organisation_s)
        user.name, user.organisation = name_s, organisation_s
    if locale is not UNCHANGED and locale != user.locale:
        record(actor, "user.locale", user, before=user.locale, after=locale)
        user.locale = str(locale) if locale is not None else None
    if notifications is not UNCHANGED and notifications != user.notifications:
        record(actor, "user.notifications", user, before=user.notifications,
               after=notifications)
        user.notifications = bool(notifications)
    db.session.flush()
    return user


def change_password(actor: User, user: User, *, current: object, new: object,
                    confirm: object | None = None) -> User:
    """Change the password and end every other session and token of the user."""
    RULES["change_password"].require_who(actor, user)
    errors: dict[str, str] = {}
    if not isinstance(current, str) or not verify_password(user.password_hash, current):
        errors["current_password"] = _("Your current password is not right.")
    problem = password_problem(new)
    if problem:
        errors["new_password"] = problem
    elif confirm is not None and confirm != new:
        errors["confirm_password"] = _("The two new passwords differ.")
    if errors:
        raise Invalid(errors=errors)
    user.password_hash = hash_password(str(new))
    user.auth_epoch += 1
    now = utcnow()
    for token in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ):
        token.revoked_at = now
    record(actor, "user.password_change", user, before=user.auth_epoch - 1, after=user.auth_epoch)
    db.session.flush()
    return user


def set_role(actor: Actor, user: User, role: object) -> User:
    RULES["manage_users"].require_who(actor)
    if not isinstance(role, str) or role not in set(Role):
        raise Invalid(errors={"role": ROLE_MESSAGE})
    if user.role != role:
        record(actor, "user.role_change", user, before=user.role, after=role)
        user.role = str(role)
        db.session.flush()
    return user


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new bearer token; the plain token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    days = int(current_app.config.get("API_TOKEN_DAYS", DEFAULT_TOKEN_DAYS))
    row = ApiToken(user_id=user.id, user=user, token_hash=hash_token(token),
                   auth_epoch=user.auth_epoch, created_at=now,
                   expires_at=now + timedelta(days=days))
    db.session.add(row)
    record(user, "token.issue", row)
    return token, row


def revoke_token(actor: User, token: ApiToken) -> None:
    RULES["edit_account"].require_who(actor, token)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(actor, "token.revoke", token)
        db.session.flush()


def find_token(token: str) -> ApiToken | None:
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    ).scalar_one_or_none()
    return row if row is not None and row.active else None
