"""One vocabulary of domain errors, and the one place that turns them into HTTP.

Operations raise these; they never know whether a browser or an API client asked.
``http/problems.py`` is the one place that turns them into answers.
"""

from __future__ import annotations

from typing import Any

from .i18n import _l


class DomainError(Exception):
    status = 400
    code = "bad-request"
    title = _l("Bad request")  # a title a person reads: in the language of the request

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        # str(): a lazily translated message is put in words now, in the request's language
        self.detail = str(detail or self.title)
        super().__init__(self.detail)
        self.extra = extra

    def problem(self) -> dict[str, Any]:
        body = {
            "type": f"urn:statements:problem:{self.code}",
            "title": str(self.title),
            "status": self.status,
            "detail": self.detail,
        }
        body.update(self.extra)
        return body

    def headers(self) -> dict[str, str]:
        return {}

    @property
    def errors(self) -> dict[str, str]:
        """Messages per form field, where the error is about particular fields."""
        errors: dict[str, str] = self.extra.get("errors", {})
        return errors


class BadRequest(DomainError):
    """The body could not be read at all (e.g. malformed JSON)."""


class NotSignedIn(DomainError):
    status, code, title = 401, "not-signed-in", _l("Not signed in")


class NotAllowed(DomainError):
    status, code, title = 403, "not-allowed", _l("Not allowed")


class NotFound(DomainError):
    status, code, title = 404, "not-found", _l("Not found")


class InvalidState(DomainError):
    """The statement's phase or the data's current state forbids this."""

    status, code, title = 409, "invalid-state", _l("Not possible in the current state")


class Duplicate(InvalidState):
    code, title = "duplicate", _l("Already exists")


class StaleVersion(InvalidState):
    """An edit started from a version that is no longer the newest."""

    code, title = "stale-version", _l("The text has changed since you started")


class MergeConflict(InvalidState):
    code, title = "merge-conflict", _l("The change conflicts with the current text")


class TooLarge(DomainError):
    status, code, title = 413, "too-large", _l("Request body too large")


class Invalid(DomainError):
    """Well-formed input that breaks a rule; ``errors`` names each bad field."""

    status, code, title = 422, "invalid", _l("Invalid input")

    def __init__(self, detail: str | None = None, errors: dict[str, str] | None = None,
                 **extra: Any) -> None:
        if errors is not None:
            errors = {field: str(message) for field, message in errors.items()}
            extra["errors"] = errors
            if detail is None:
                detail = "; ".join(f"{field}: {message}" for field, message in errors.items())
        super().__init__(detail, **extra)


class Unavailable(DomainError):
    """Something the service needs on this machine is missing (e.g. fonts for the PDF)."""

    status, code, title = 503, "unavailable", _l("Not available on this server")


class DatabaseUnavailable(Unavailable):
    """The database does not answer (or the connection broke): try again shortly."""

    code, title = "database-unavailable", _l("Database unavailable")

    def __init__(self, detail: str | None = None, retry_after: int = 5, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class TooManyAttempts(DomainError):
    status, code, title = 429, "too-many-attempts", _l("Too many attempts")

    def __init__(self, detail: str | None = None, retry_after: int = 60, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = max(1, int(retry_after))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
