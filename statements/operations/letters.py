"""The e-mails the service sends about addresses and endorsements: confirmation links, the
endorsement's confirmation (with its withdrawal link) and the receipt. They are queued in
the change's transaction (statements/mail) and sent whatever the recipient's
notification setting: none of them is a notification."""

from __future__ import annotations

import json

from flask import current_app

from ..mail import queue_mail
from ..models import Endorsement, Statement, User
from ..read.public_record import receipt

CONFIRMATION = "confirmation"
RECEIPT = "receipt"


def link(path: str) -> str:
    """An address on the site, from PUBLIC_URL (never a request's Host header)."""
    return str(current_app.config["PUBLIC_URL"]).rstrip("/") + path


def confirm_link(token: str) -> str:
    return link(f"/confirm/{token}")


def withdraw_link(token: str) -> str:
    return link(f"/withdraw/{token}")


def send_account_link(user: User, token: str) -> None:
    queue_mail(user.email, "Confirm your e-mail address", "\n".join([
        f"Hello {user.name},",
        "",
        "Please confirm that this is your e-mail address, so that you can propose and "
        "support amendments, comment and endorse:",
        "",
        confirm_link(token),
        "",
        "The link works once and for 7 days. If you did not make an account, ignore this "
        "message.",
    ]) + "\n", kind=CONFIRMATION)


def _text_lines(statement: Statement, endorsement: Endorsement) -> list[str]:
    return [f"Statement: {statement.title}",
            f"Version: {endorsement.version_number}",
            f"SHA-256 of the text: {endorsement.sha256}"]


def send_endorsement_link(endorsement: Endorsement, confirm: str | None, withdraw: str) -> None:
    """The link that makes an endorsement made without an account count (``confirm``), or,
    when this address has already endorsed (``confirm`` None), a note saying so: the answer
    to the request is the same either way, so only the address's owner learns which."""
    statement = endorsement.statement
    if confirm is None:
        body = [
            "Someone (probably you) asked to endorse a statement with this e-mail address, "
            "which has already endorsed it. Nothing has changed.",
            "",
            *_text_lines(statement, endorsement),
            "",
            "To withdraw the endorsement of this address while endorsement is open:",
            withdraw_link(withdraw),
        ]
        subject = f"You have already endorsed “{statement.title}”"
    else:
        body = [
            f"Please confirm your endorsement as {endorsement.name}:",
            "",
            *_text_lines(statement, endorsement),
            "",
            "Confirm it (it counts and shows only once confirmed; the link lasts 7 days):",
            confirm_link(confirm),
            "",
            "To withdraw it later, while endorsement is open:",
            withdraw_link(withdraw),
            "",
            "If you did not ask to endorse this statement, ignore this message: nothing "
            "happens without the link.",
        ]
        subject = f"Confirm your endorsement of “{statement.title}”"
    queue_mail(endorsement.address, subject, "\n".join(body) + "\n", kind=CONFIRMATION)


def send_receipt(endorsement: Endorsement) -> None:
    """The signed receipt of an endorsement that has just become active (its ``endorsed``
    record event must exist already)."""
    statement = endorsement.statement
    proof = receipt(endorsement)
    body = [
        f"Thank you: your endorsement is recorded as {endorsement.name}"
        + (f" ({endorsement.organisation})" if endorsement.organisation else "") + ".",
        "",
        *_text_lines(statement, endorsement),
        f"Entry: {endorsement.kind}, {'listed publicly' if endorsement.public else 'not listed'}"
        f", verification {endorsement.verification}",
        f"Record event: {proof['event_hash']}",
        f"Public page: {link(f'/s/{statement.slug}')}",
        "",
        "Your signed receipt (keep it: it proves what you endorsed and when):",
        "",
        json.dumps(proof, ensure_ascii=False, indent=2, sort_keys=True),
    ]
    queue_mail(endorsement.address, f"Receipt: your endorsement of “{statement.title}”",
               "\n".join(body) + "\n", kind=RECEIPT)
