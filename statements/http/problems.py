"""The one place that turns domain errors into HTTP: ``application/problem+json``
(RFC 9457) under ``/api/`` and an HTML error page everywhere else. Every error answer
rolls the session back, so a failed request leaves the database as it was."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import DomainError
from .cycle import discard_writes, writes_kept

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


def _answer(error: DomainError) -> Response:
    if not writes_kept():
        discard_writes()
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
