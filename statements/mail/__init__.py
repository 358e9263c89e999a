"""E-mail as a transactional outbox.

:func:`queue_mail` writes a message into the database in the transaction of the change
that causes it, and nothing else: if that transaction rolls back, no message was ever
there; if it commits, the message stays until it is sent. Right after a request that
queued mail and committed, the service tries to send it (``deliver_after_response``,
from the request cycle); whatever could not be sent then is retried with a growing delay
by :func:`deliver_pending`, which ``flask send-mail [--loop]`` runs. Delivery is at least
once: a message is only ever sent again if a sender died, or lost the database, between
sending it and recording that, and then with the same Message-ID.

Where mail goes is ``MAIL_URL``: ``file`` (``.eml`` files in ``instance/mail/``) or an
SMTP server (``transport``); ``MAIL_FROM`` is the sender.
"""

from __future__ import annotations

import json

from flask import current_app

from ..database import insert_row
from ..models import OutboxMessage
from ..models.types import utcnow
from .delivery import deliver_after_response, deliver_pending, note_queued, unsent
from .message import MAX_SUBJECT, check_headers, check_kind, message_id, one_line, recipient

__all__ = ["deliver_after_response", "deliver_pending", "queue_mail", "unsent"]


def queue_mail(to: str, subject: str, text: str, *, html: str | None = None, kind: str,
               headers: dict[str, str] | None = None) -> OutboxMessage:
    """Queue one message to ``to`` in the current transaction: inserted at once. Never
    commits, never sends: it goes out once the transaction commits.

    ``subject`` is put on one line and cut at 300 characters; ``headers`` are extra
    headers such as List-Unsubscribe. An address no mail can be sent to raises
    :class:`~statements.errors.Invalid` for the field ``email`` (a 422, not a message that
    would fail for ever); a header that could not be sent is a programming error
    (ValueError)."""
    extra = check_headers(headers or {})
    # What could never be sent fails this request, not later: the address (headers and
    # kind are checked here too; a subject and a body can always be written out).
    address = to.strip()
    recipient(address)
    now = utcnow()
    message = insert_row(
        OutboxMessage, to_address=address, subject=one_line(subject, MAX_SUBJECT),
        body_text=text, body_html=html,
        headers_json=json.dumps(extra, ensure_ascii=False, sort_keys=True),
        kind=check_kind(kind), message_id=message_id(current_app.config["MAIL_FROM"]),
        created_at=now, attempts=0, next_attempt_at=now)
    note_queued()
    return message
