"""One transaction per request, committed in one place.

Every unsafe request takes the write lock before it reads (``hooks``); views and
operations only flush. After the view has built its answer, that answer's status decides:
below 400 the transaction commits, otherwise it rolls back, so a failed request leaves
nothing behind. A view that refuses a form and shows it again calls :func:`attempt`, which
discards what the operation did; a refusal that must still count something (a wrong
password) says so with :func:`keep_writes`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import Response, g

from ..database import is_write_transaction
from ..errors import DomainError, Invalid, InvalidState
from ..extensions import db

T = TypeVar("T")
_KEEP = "statements_keep_writes"


def keep_writes() -> None:
    """Commit this request's writes even though its answer is a refusal (4xx)."""
    setattr(g, _KEEP, True)


def writes_kept() -> bool:
    return bool(g.get(_KEEP, False))


def discard_writes() -> None:
    """Roll back everything this request wrote so far."""
    db.session.rollback()


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


def finish_transaction(response: Response) -> Response:
    """After every request: commit a write whose answer succeeded, else roll it back."""
    if is_write_transaction():
        if response.status_code < 400 or writes_kept():
            db.session.commit()
        else:
            db.session.rollback()
    return response

