"""The e-mails the service sends about addresses and endorsements: confirmation links, the
endorsement's confirmation (with its withdrawal link) and the receipt. They are queued in
the change's transaction (statements/mail) and sent whatever the recipient's
notification setting: none of them is a notification."""

from __future__ import annotations

import json
import logging

from flask import current_app, has_request_context

from ..errors import Invalid
from ..i18n import _, current_locale, in_language
from ..mail import queue_mail
from ..models import Endorsement, Statement, User
from ..read.public_record import receipt
from ..rules import status_words

log = logging.getLogger(__name__)

CONFIRMATION = "confirmation"
RECEIPT = "receipt"


def link(path: str) -> str:
    """An address on the site, from PUBLIC_URL (never a request's Host header)."""
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + path


def confirm_link(token: str) -> str:
    return link(f"/confirm/{token}")


def withdraw_link(token: str) -> str:
    return link(f"/withdraw/{token}")


def _requester(user: User | None) -> str | None:
    """The language of a letter to the person making this very request: their own, or the
    page's."""
    if user is not None and user.locale:
        return user.locale
    return current_locale() if has_request_context() else None


def send_account_link(user: User, token: str) -> None:
    with in_language(_requester(user)):
        queue_mail(user.email, _("Confirm your e-mail address"), "\n".join([
            _("Hello %(name)s,", name=user.name),
            "",
            _("Please confirm that this is your e-mail address, so that you can propose and "
              "support amendments, comment and endorse:"),
            "",
            confirm_link(token),
            "",
            _("The link works once and for 7 days. If you did not make an account, ignore "
              "this message."),
        ]) + "\n", kind=CONFIRMATION)


def send_already_registered(user: User) -> None:
    """The answer to a registration with an address that has an account already: the page
    says the same as for a new account, so only the address's owner learns which."""
    with in_language(_requester(user)):
        queue_mail(user.email, _("You already have an account"), "\n".join([
            _("Hello %(name)s,", name=user.name),
            "",
            _("Someone (probably you) asked to register with this e-mail address, which "
              "already has an account. Nothing has changed. Sign in here:"),
            "",
            link("/login"),
            "",
            _("If it was not you, ignore this message."),
        ]) + "\n", kind=CONFIRMATION)


def _text_lines(statement: Statement, endorsement: Endorsement) -> list[str]:
    return [_("Statement: %(title)s", title=statement.title),
            _("Version: %(number)s", number=endorsement.version_number),
            _("SHA-256 of the text: %(sha256)s", sha256=endorsement.sha256)]


def send_endorsement_link(endorsement: Endorsement, confirm: str | None, withdraw: str) -> None:
    """The link that makes an endorsement made without an account count (``confirm``), or,
    when this address has already endorsed (``confirm`` None), a note saying so: the answer
    to the request is the same either way, so only the address's owner learns which."""
    statement = endorsement.statement
    with in_language(_requester(endorsement.user)):
        if confirm is None:
            body = [
                _("Someone (probably you) asked to endorse a statement with this e-mail "
                  "address, which has already endorsed it. Nothing has changed."),
                "",
                *_text_lines(statement, endorsement),
                "",
                _("To withdraw the endorsement of this address while endorsement is open:"),
                withdraw_link(withdraw),
            ]
            subject = _("You have already endorsed “%(title)s”", title=statement.title)
        else:
            body = [
                _("Please confirm your endorsement as %(name)s:", name=endorsement.name),
                "",
                *_text_lines(statement, endorsement),
                "",
                _("Confirm it (it counts and shows only once confirmed; the link lasts 7 "
                  "days):"),
                confirm_link(confirm),
                "",
                _("To withdraw it later, while endorsement is open:"),
                withdraw_link(withdraw),
                "",
                _("If you did not ask to endorse this statement, ignore this message: nothing "
                  "happens without the link."),
            ]
            subject = _("Confirm your endorsement of “%(title)s”", title=statement.title)
        queue_mail(endorsement.address, subject, "\n".join(body) + "\n", kind=CONFIRMATION)


def send_receipt(endorsement: Endorsement, event_hash: str) -> None:
    """The signed receipt of an endorsement that has just become active: ``event_hash`` is
    its ``endorsed`` record event's."""
    statement = endorsement.statement
    proof = receipt(endorsement, event_hash)
    with in_language(_requester(endorsement.user)):
        who = (_("%(name)s (%(organisation)s)", name=endorsement.name,
                 organisation=endorsement.organisation)
               if endorsement.organisation else endorsement.name)
        listed = _("listed publicly") if endorsement.public else _("not listed")
        body = [
            _("Thank you: your endorsement is recorded as %(who)s.", who=who),
            "",
            *_text_lines(statement, endorsement),
            _("Entry: %(kind)s, %(listed)s, verification %(verification)s",
              kind=status_words(endorsement.kind), listed=listed,
              verification=status_words(endorsement.verification)),
            _("Record event: %(hash)s", hash=proof["event_hash"]),
            _("Public page: %(url)s", url=link(f"/s/{statement.slug}")),
            "",
            _("Your signed receipt (keep it: it proves what you endorsed and when):"),
            "",
            json.dumps(proof, ensure_ascii=False, indent=2, sort_keys=True),
        ]
        queue_mail(endorsement.address,
                   _("Receipt: your endorsement of “%(title)s”", title=statement.title),
                   "\n".join(body) + "\n", kind=RECEIPT)


# --- notifications: each can be turned off, and carries RFC 8058 one-click unsubscribe ----

NOTIFICATION = "notification"


def send_notification(user: User, subject: str, lines: list[str], *, why: str,
                      unsubscribe: str, stop: str) -> None:
    """A notification to ``user`` (already written in their language, see
    :func:`notification_language`), saying ``why`` they receive it and how to ``stop``
    through the one-click ``unsubscribe`` address (also in List-Unsubscribe, for mail
    programs that offer the button themselves)."""
    url = link(f"/unsubscribe/{unsubscribe}")
    body = [*lines, "", "-- ", why, f"{stop}: {url}",
            _("Or turn off every notification on your account page: %(url)s",
              url=link("/account"))]
    try:
        queue_mail(user.email, subject, "\n".join(body) + "\n", kind=NOTIFICATION, headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        })
    except Invalid:
        # An address no mail can reach (an account an admin made with a typo) must never
        # stop someone else's change, nor show them that address: that one is not told.
        log.warning("notification not queued: no e-mail can be sent to user %s", user.id)


def notification_language(user: User) -> str | None:
    """A notification goes to someone other than the person acting: in their own language,
    else English (never the actor's)."""
    return user.locale
