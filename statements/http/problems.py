"""The one place that turns domain errors into HTTP: ``application/problem+json``
(RFC 9457) under ``/api/`` and an HTML error page everywhere else. Every error answer
rolls the session back, so a failed request leaves the database as it was."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..errors import DatabaseUnavailable, DomainError, Invalid
from ..i18n import _, _l, current_locale, in_language
from ..text.diff import DiffTooComplex
from .paths import referrer_path
from .transaction import discard_writes, forget_transaction, writes_kept

log = logging.getLogger(__name__)


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


@contextmanager
def _language() -> Iterator[None]:
    """The language of an error answer. Choosing it may need the signed-in user, from the
    database that has just failed: then the answer is in English."""
    try:
        locale: str | None = current_locale()
    except SQLAlchemyError:
        forget_transaction()
        locale = None
    with in_language(locale):
        yield


def answer(error: DomainError, **page: Any) -> Response:
    """The answer to a refused request: problem+json under /api/, else an error page
    (``page`` adds to what the page shows)."""
    if not writes_kept():
        discard_writes()
    with _language():
        return _answer(error, **page)


def _answer(error: DomainError, **page: Any) -> Response:
    if wants_problem_json():
        return problem_response(error.problem(), error.status, error.headers())
    try:
        html = render_template("errors/error.html", status=error.status, title=str(error.title),
                               detail=error.detail, problem=error.problem(), **page)
    except SQLAlchemyError:  # the page's navigation needs the database that just failed
        forget_transaction()
        title = escape(str(error.title))
        html = (f"<!doctype html><title>{error.status} {title}</title>"
                f"<h1>{title}</h1><p>{escape(error.detail)}</p>")
    response = Response(html, status=error.status, mimetype="text/html")
    for name, value in error.headers().items():
        response.headers[name] = value
    return response


# Werkzeug's own errors, in the language of the request (where a view gave no words).
HTTP_WORDS = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    404: (_l("Not found"), _l("There is nothing at this address. Check it, or start from "
                              "the list of statements.")),
    405: (_l("Method not allowed"), _l("This address does not take this kind of request.")),
    413: (_l("Request body too large"), _l("The request is larger than this server takes.")),
}


def _http_error(exc: HTTPException) -> Response:
    error = DomainError(exc.description)
    error.status = exc.code or 500
    error.title = exc.name
    error.code = exc.name.lower().replace(" ", "-")
    if exc.code in HTTP_WORDS and exc.description == type(exc).description:
        title, detail = HTTP_WORDS[exc.code]
        error.title, error.detail = str(title), str(detail)
    page: dict[str, Any] = {}
    if isinstance(exc, CSRFError):
        error.title = _("This form could not be sent")
        error.detail = _("Nothing was saved: the form's security token (its CSRF token) was "
                         "missing or had expired. It protects you from other sites sending "
                         "forms in your name.")
        back = referrer_path() or request.path
        page = {"sign_in_next": back} if not current_user.is_authenticated else {
            "retry_path": back}
    response = answer(error, **page)
    for name, value in (exc.get_headers() or []):
        if name.lower() not in {"content-type", "content-length"}:
            response.headers[name] = value
    return response


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    with _language():
        return _internal_error()


def _internal_error() -> Response:
    error = DomainError(_("Something went wrong on our side. Nothing was saved; please try "
                          "again."))
    error.status, error.code, error.title = 500, "internal", _("Internal error")
    return answer(error)


def _database_fault(exc: Exception) -> Response:
    """The database does not answer, or the connection broke before the commit: 503 with
    Retry-After, and nothing was saved (the commit never ran)."""
    log.warning("database fault on %s %s: %s", request.method, request.path, exc)
    forget_transaction()
    with _language():
        return answer(DatabaseUnavailable(_("The database is not answering right now, so "
                                            "nothing was saved. Please try again in a few "
                                            "seconds.")))


def _too_complex(exc: DiffTooComplex) -> Response:
    """Two texts too different to compare within the diff's budget, wherever they met."""
    return answer(Invalid(_("These texts are too different to compare exactly: propose or "
                            "compare the change in smaller parts.")))


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, answer)
    app.register_error_handler(DiffTooComplex, _too_complex)
    app.register_error_handler(OperationalError, _database_fault)
    app.register_error_handler(InterfaceError, _database_fault)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
