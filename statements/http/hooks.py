"""What every request goes through: the body limit, the write lock, the one commit,
security headers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from ..database import begin_write, write_transaction
from ..errors import TooLarge
from ..extensions import db
from ..operations.workflow import any_deadline_due, close_due_deadlines
from .cycle import finish_transaction
from .idempotency import replay_or_expect

REFUSED_BODY = "statements.refused_body"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Most of a refused body we read and discard so the client, still sending, gets to
# read our answer instead of a reset connection. Past this we just close.
DRAIN_LIMIT = 64 * 1024 * 1024

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def _refuse_large_body() -> None:
    """413 from Content-Length alone, before anything reads the body; a body sent without
    one (chunked) is read up to the limit and refused as soon as it goes past it."""
    limit = int(current_app.config["MAX_BODY_BYTES"])
    length = request.content_length
    if length is not None and length > limit:
        request.environ[REFUSED_BODY] = True
        raise TooLarge(f"The request body is {length} bytes; the limit is {limit} bytes.")
    if length is None and request.method in UNSAFE_METHODS:
        # Werkzeug stops at MAX_CONTENT_LENGTH without a word: it hands back the first
        # ``limit`` bytes and refuses only a further read. Read once, cached for the view,
        # then look for one byte more.
        request.get_data(cache=True)
        try:
            more = request.stream.read(1)
        except RequestEntityTooLarge:
            more = b"x"
        if more:
            request.environ[REFUSED_BODY] = True
            raise TooLarge(f"The request body is larger than the limit of {limit} bytes.")


def _catch_up_deadlines() -> None:
    """The first request after a deadline records the status it implies, in a write
    transaction of its own, so that this very answer and every later one show it."""
    if request.endpoint in {None, "static", "web.healthz"}:
        return
    if any_deadline_due():  # on a connection of its own: the request's is untouched
        db.session.rollback()  # nothing should have been read yet; a write begins clean
        with write_transaction():
            close_due_deadlines()


# POSTs that only compute an answer (a preview) and write nothing: no lock for them.
READ_ONLY_POSTS = frozenset({"web.amendment_preview"})
# Writes whose expensive part (an amendment's diff; an endorsement's checks) is done first,
# unlocked: the view takes the lock itself (transaction.lock_for_writing), so no other write
# waits for it, and checks again under the lock what another writer could have changed.
LOCK_LATER = frozenset({"api.propose", "web.propose_amendment", "api.create_endorsement",
                        "web.endorse"})


def _take_write_lock() -> None:
    if request.method in UNSAFE_METHODS and request.endpoint not in READ_ONLY_POSTS | LOCK_LATER:
        begin_write()


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["STATEMENTS_ENV"] == "production":
        # Production is served over HTTPS only (SECURE_COOKIES): browsers should never try
        # plain HTTP again, for a year.
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.environ.get(REFUSED_BODY):
        headers["Connection"] = "close"
    return response


def register_request_hooks(app: Flask) -> None:
    """Must run before extensions add their own hooks: the size check comes first."""
    # Flask's default config already holds the key (None), so setdefault would do nothing:
    # this is what refuses a chunked body (no Content-Length) once it passes the limit.
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_BODY_BYTES"]
    app.before_request(_refuse_large_body)
    app.before_request(_catch_up_deadlines)
    app.before_request(_take_write_lock)
    app.before_request(replay_or_expect)  # under the write lock: a retry waits for the first
    app.after_request(_security_headers)
    app.after_request(finish_transaction)


class DrainRefusedBody:
    """WSGI middleware: after answering a refused body, read and discard it."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        result = self.app(environ, start_response)
        if not environ.get(REFUSED_BODY):
            return result
        return _DrainAfter(result, environ)


class _DrainAfter:
    def __init__(self, result: Iterable[bytes], environ: dict[str, Any]) -> None:
        self.result = result
        self.environ = environ

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.result)

    def close(self) -> None:
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            _drain(self.environ)


def _drain(environ: dict[str, Any]) -> None:
    stream = environ.get("wsgi.input")
    try:
        remaining = min(int(environ.get("CONTENT_LENGTH") or 0), DRAIN_LIMIT)
    except ValueError:
        return
    if stream is None:
        return
    try:
        while remaining > 0:
            chunk = stream.read(min(65536, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
    except OSError:
        pass
