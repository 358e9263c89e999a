"""Sending what the outbox holds, at least once and, while processes keep their claims,
once only.

Messages go through two short transactions, a batch's claim and its attempts' outcome
(a failed attempt's on its own), with nothing held in between: no lock is held while the
mail server talks, so a slow server never holds up a request (on SQLite the write lock is
the whole database's). The claim moves the rows' ``next_attempt_at`` a few minutes ahead
under the write lock (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so two senders take
different rows without waiting; SQLite: ``BEGIN IMMEDIATE`` serialises them), so no other
process takes them meanwhile. Then each is sent; then the batch's sent ones are marked
sent, a failed one has its next attempt put off (``backoff``). A process that dies in
between leaves claims that run out, and those messages are sent again, with the same
Message-ID.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import cast

from flask import Flask, Response, current_app, g
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..database import is_write_transaction, write_transaction
from ..extensions import db
from ..models import OutboxMessage
from ..models.types import utcnow
from .message import compose, envelope_sender, recipient
from .transport import MailServerUnreachable, open_transport

log = logging.getLogger(__name__)

# How long a claim keeps other senders off a message: far longer than an attempt can take
# (each SMTP step times out after 10 s).
CLAIM = timedelta(minutes=5)
# Messages claimed (and then marked sent) in one transaction each: a burst of mail costs
# two write transactions per batch, not per message. A batch's attempts fit in its claim.
CLAIM_BATCH = 8
# Seconds to wait after the first, second, third and every later failed attempt.
BACKOFF_SECONDS = (30, 120, 600, 3600)
MAX_ERROR = 500
# After a request: its own messages and a few more that are due; the rest is for
# `send-mail`.
AFTER_REQUEST_EXTRA = 10
_QUEUED = "statements_mail_queued"


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt (1 for the first), plus up to 10 %
    so that messages that failed together do not all come back in the same second."""
    seconds = BACKOFF_SECONDS[min(max(attempts, 1), len(BACKOFF_SECONDS)) - 1]
    return timedelta(seconds=seconds * random.uniform(1.0, 1.1))  # noqa: S311 (not a secret)


@dataclass(frozen=True)
class _Claimed:
    id: int
    attempts: int
    to_address: str
    subject: str
    body_text: str
    body_html: str | None
    headers: dict[str, str]
    message_id: str
    created_at: datetime


def deliver_pending(limit: int = 100) -> tuple[int, int]:
    """Send up to ``limit`` due messages; answer (sent, failed) of this run. Stops early
    when the mail server cannot be reached at all: the rest stay due for the next run.
    Needs an app context, and must not run inside a write transaction (it takes the
    write lock itself, in transactions of its own)."""
    return _deliver(limit)


def unsent() -> tuple[int, datetime | None]:
    """How many messages are not sent yet, and when the next of them is due."""
    with Session(db.engine) as session:
        count, due = session.execute(
            select(func.count(), func.min(OutboxMessage.next_attempt_at))
            .where(OutboxMessage.sent_at.is_(None))).one()
    return int(count), due


def note_queued() -> None:
    """Remember, for this request, that it queued a message (see deliver_after_response)."""
    setattr(g, _QUEUED, g.get(_QUEUED, 0) + 1)


def deliver_after_response(response: Response) -> None:
    """Called by the request cycle once it has committed. If this request queued mail,
    then once the answer has been sent (``call_on_close``) the app's courier thread
    delivers it: the request is neither slower nor able to fail because of the mail
    server, and neither is the next request on the same keep-alive connection (a browser
    following a redirect). What fails there is logged and waits for the next run."""
    try:
        queued = int(g.pop(_QUEUED, 0))
        if queued:
            # The app itself, not the proxy: the request's context is gone by then.
            courier = _courier(current_app._get_current_object())  # type: ignore[attr-defined]
            response.call_on_close(lambda: courier.deliver(queued))
    except Exception:
        log.exception("could not arrange delivery after the request; send-mail will send it")


_COURIERS = threading.Lock()


def _courier(app: Flask) -> _Courier:
    with _COURIERS:
        courier = app.extensions.get("statements_mail")
        if courier is None:
            courier = app.extensions["statements_mail"] = _Courier(app)
        return cast(_Courier, courier)


class _Courier:
    """One background sender per app and process, so that a burst of requests does not
    start a burst of threads: requests that queue mail while it runs add to its count,
    and it goes round again."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._owed = 0
        self._running = False

    def deliver(self, queued: int) -> None:
        with self._lock:
            self._owed += queued
            if self._running:
                return
            self._running = True
        try:
            threading.Thread(target=self._run, name="statements-mail", daemon=True).start()
        except RuntimeError:  # no thread to be had: send-mail will send it
            log.exception("could not start the e-mail courier")
            with self._lock:
                self._running = False

    def _run(self) -> None:
        # The first round waits for the rest of a burst; a later one has gathered while
        # the one before it sent.
        gather = float(self.app.config.get("MAIL_GATHER_SECONDS", 0))
        if gather > 0:
            time.sleep(gather)
        while True:
            with self._lock:
                owed, self._owed = self._owed, 0
                if not owed:
                    self._running = False
                    return
            try:
                with self.app.app_context():
                    _deliver(owed + AFTER_REQUEST_EXTRA)
            except Exception:
                log.exception("e-mail delivery after a request failed; the messages wait "
                              "for the next attempt (flask send-mail)")


def _deliver(limit: int) -> tuple[int, int]:
    if is_write_transaction():
        raise RuntimeError("deliver_pending() must run outside a write transaction")
    sender = current_app.config["MAIL_FROM"]
    transport = open_transport(current_app.config, current_app.instance_path)
    sent = failed = 0
    with Session(db.engine) as session:
        try:
            while sent + failed < limit:
                claimed = _claim(session, min(CLAIM_BATCH, limit - sent - failed))
                if not claimed:
                    break
                done: list[int] = []
                unreachable = False
                try:
                    for n, one in enumerate(claimed):
                        try:
                            transport.send(_composed(sender, one), envelope_sender(sender),
                                           recipient(one.to_address))
                        except MailServerUnreachable as exc:
                            _failed(session, one, exc, release=claimed[n + 1:])
                            failed += 1
                            unreachable = True
                            break
                        except Exception as exc:
                            _failed(session, one, exc)
                            failed += 1
                            continue
                        done.append(one.id)
                finally:
                    _sent(session, done)
                    sent += len(done)
                if unreachable:
                    break
        finally:
            transport.close()
    return sent, failed


def _composed(sender: str, claimed: _Claimed) -> EmailMessage:
    return compose(sender=sender, to=claimed.to_address, subject=claimed.subject,
                   text=claimed.body_text, html=claimed.body_html, headers=claimed.headers,
                   message_id=claimed.message_id, date=claimed.created_at)


def _claim(session: Session, limit: int = 1) -> list[_Claimed]:
    """Up to ``limit`` due messages, oldest first, claimed in one transaction."""
    now = utcnow()
    with write_transaction(session):
        rows = session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).scalars().all()
        claimed = []
        for row in rows:
            row.next_attempt_at = now + CLAIM
            claimed.append(_Claimed(
                id=row.id, attempts=row.attempts, to_address=row.to_address,
                subject=row.subject, body_text=row.body_text, body_html=row.body_html,
                headers=row.headers, message_id=row.message_id, created_at=row.created_at))
        return claimed


def _sent(session: Session, ids: list[int]) -> None:
    if not ids:
        return
    with write_transaction(session):
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids))
            .values(sent_at=utcnow(), attempts=OutboxMessage.attempts + 1))


def _failed(session: Session, claimed: _Claimed, exc: Exception, *,
            release: list[_Claimed] | None = None) -> None:
    """The attempt failed: its next one is put off. The server could not be reached at all:
    the rest of the batch (``release``), not tried, is due again at once, for the next run."""
    error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
    attempts = claimed.attempts + 1
    retry_at = utcnow() + backoff(attempts)
    log.warning("e-mail %d %s failed (attempt %d), next attempt at %s: %s",
                claimed.id, claimed.message_id, attempts, retry_at.isoformat(), error)
    with write_transaction(session):
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == claimed.id)
            .values(attempts=OutboxMessage.attempts + 1, last_error=error,
                    next_attempt_at=retry_at))
        if release:
            session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_([r.id for r in release]))
                .values(next_attempt_at=utcnow()))
