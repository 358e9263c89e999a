"""One transaction per request, committed in one place.

Every unsafe request takes the write lock before it reads (``hooks``); views and
operations only flush. After the view has built its answer, that answer's status decides:
below 400 the transaction commits, otherwise it rolls back, so a failed request leaves
nothing behind. A view that refuses a form and shows it again calls :func:`attempt`, which
discards what the operation did; a refusal that must still count something (a wrong
password) says so with :func:`keep_writes`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import Response, request
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError

from ..database import is_write_transaction
from ..errors import DatabaseUnavailable, DomainError, Invalid, InvalidState
from ..extensions import db
from ..mail import deliver_after_response
from . import idempotency
from .problems import answer
from .transaction import discard_writes, forget_transaction, writes_kept

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What an operation gave a form: its result, or the refusal to show on the form."""

    value: T | None = None
    error: DomainError | None = None

    @property
    def refused(self) -> bool:
        return self.error is not None

    @property
    def status(self) -> int:
        return self.error.status if self.error is not None else 200

    @property
    def detail(self) -> str:
        return self.error.detail if self.error is not None else ""

    @property
    def errors(self) -> dict[str, str]:
        """Messages per field; a refusal about no field in particular is under "form"."""
        return self.errors_under("form")

    def errors_under(self, field: str) -> dict[str, str]:
        """Messages per field, a refusal about no field in particular under ``field``."""
        if self.error is None:
            return {}
        return self.error.errors or {field: self.error.detail}

    def result(self) -> T:
        assert self.value is not None, "result() of a refused outcome"
        return self.value


def attempt(operation: Callable[[], T],
            refusals: tuple[type[DomainError], ...] = (Invalid, InvalidState)) -> Outcome[T]:
    """Run one operation for a form. A refusal a person can act on (a bad field, the wrong
    phase, a stale base) comes back to be shown on the page, with its writes discarded;
    anything else (403, 404) goes to the error page as it would from any view."""
    try:
        return Outcome(value=operation())
    except refusals as exc:
        discard_writes()
        return Outcome(error=exc)


# The answer was built, but the commit's outcome is unknown: never claim nothing was saved.
COMMIT_UNKNOWN = ("The connection to the database broke while saving: the change may or may "
                  "not have been saved. Reload to see, or repeat the request with the same "
                  "Idempotency-Key, which is always safe.")


def finish_transaction(response: Response) -> Response:
    """After every request: commit a write whose answer succeeded, else roll it back. The
    answer was serialised before this, so nothing is reloaded over a broken connection."""
    try:
        if not is_write_transaction():
            if response.status_code >= 400:  # refused before its write lock (LOCK_LATER)
                response = _first_answer(response)
            # A read can still have committed mail of its own: the deadline it caught up on
            # (http.hooks) tells the statement's followers.
            deliver_after_response(response)
            return response
        if response.status_code >= 400 and not writes_kept():
            db.session.rollback()
            return _first_answer(response)
        try:
            idempotency.keep(response)
        except IntegrityError:  # a concurrent retry with the same key kept its answer first
            db.session.rollback()
            return idempotency.answer_kept_first() or answer(InvalidState(
                "A request with this Idempotency-Key is being answered; try again."))
        db.session.commit()
        deliver_after_response(response)  # the mail it queued: sent once the answer is out
    except (OperationalError, InterfaceError):
        log.warning("database fault while committing %s %s", request.method, request.path,
                    exc_info=True)
        forget_transaction()
        return answer(DatabaseUnavailable(COMMIT_UNKNOWN))
    return response


def _first_answer(refusal: Response) -> Response:
    """A retry (same Idempotency-Key) refused because its first attempt got there first,
    still running when the retry looked for its answer (a write that checks before its
    lock, ``hooks.LOCK_LATER``, does not wait for it): the first attempt's answer, as if it
    had waited. Any other refusal as it is."""
    if not idempotency.pending():
        return refusal
    db.session.rollback()  # a fresh look: the first attempt committed after this one began
    return idempotency.answer_kept_first() or refusal
