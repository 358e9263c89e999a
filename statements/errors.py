"""One vocabulary of domain errors, and the one place that turns them into HTTP.

Operations raise these; they never know whether a browser or an API client asked.
Here each becomes ``application/problem+json`` (RFC 9457) under ``/api/`` and an
HTML error page everywhere else. Every error answer rolls the session back, so a
failed request leaves the database as it was.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    status = 400
    code = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra

    def problem(self) -> dict[str, Any]:
        body = {
            "type": f"urn:statements:problem:{self.code}",
            "title": self.title,
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
        return self.extra.get("errors", {})


class BadRequest(DomainError):
    """The body could not be read at all (e.g. malformed JSON)."""


class NotSignedIn(DomainError):
    status, code, title = 401, "not-signed-in", "Not signed in"


class NotAllowed(DomainError):
    status, code, title = 403, "not-allowed", "Not allowed"


class NotFound(DomainError):
    status, code, title = 404, "not-found", "Not found"


class InvalidState(DomainError):
    """The statement's phase or the data's current state forbids this."""

    status, code, title = 409, "invalid-state", "Not possible in the current state"


class Duplicate(InvalidState):
    code, title = "duplicate", "Already exists"


class StaleVersion(InvalidState):
    """An edit started from a version that is no longer the newest."""

    code, title = "stale-version", "The text has changed since you started"


class MergeConflict(InvalidState):
    code, title = "merge-conflict", "The change conflicts with the current text"


class TooLarge(DomainError):
    status, code, title = 413, "too-large", "Request body too large"


class Invalid(DomainError):
    """Well-formed input that breaks a rule; ``errors`` names each bad field."""

    status, code, title = 422, "invalid", "Invalid input"

    def __init__(self, detail: str | None = None, errors: dict[str, str] | None = None,
                 **extra: Any) -> None:
        if errors is not None:
            extra["errors"] = errors
            if detail is None:
                detail = "; ".join(f"{field}: {message}" for field, message in errors.items())
        super().__init__(detail, **extra)


class Unavailable(DomainError):
    """Something the service needs on this machine is missing (e.g. fonts for the PDF)."""

    status, code, title = 503, "unavailable", "Not available on this server"


class TooManyAttempts(DomainError):
    status, code, title = 429, "too-many-attempts", "Too many attempts"

    def __init__(self, detail: str | None = None, retry_after: int = 60, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = max(1, int(retry_after))

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def wants_problem_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def problem_response(body: dict[str, Any], status: int,
                     headers: dict[str, str] | None = None) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _answer(error: DomainError) -> Response:
    db.session.rollback()
    if wants_problem_json():
        return problem_response(error.problem(), error.status, error.headers())
    html = render_template("errors/error.html", status=error.status, title=error.title,
                           detail=error.detail, problem=error.problem())
    response = Response(html, status=error.status, mimetype="text/html")
    for name, value in error.headers().items():
        response.headers[name] = value
    return response


def _http_error(exc: HTTPException) -> Response:
    error = DomainError(exc.description)
    error.status = exc.code or 500
    error.title = exc.name
    error.code = exc.name.lower().replace(" ", "-")
    response = _answer(error)
    for name, value in (exc.get_headers() or []):
        if name.lower() not in {"content-type", "content-length"}:
            response.headers[name] = value
    return response


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    error = DomainError("Something went wrong on our side. Nothing was saved; please try again.")
    error.status, error.code, error.title = 500, "internal", "Internal error"
    return _answer(error)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _answer)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
