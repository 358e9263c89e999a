"""``Idempotency-Key`` on the API's POSTs: a retried request gets the first answer back.

A client that lost an answer (a dropped connection, a timeout) cannot know whether its
change was made. Sending the same ``Idempotency-Key`` again is then safe: the first
successful answer was stored in the same transaction as the change, so the retry returns
it and writes nothing new. Keys are kept 24 hours per caller; the same key with a
different request is refused (422). A failed request keeps nothing, so retrying it simply
runs it again.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import Response, g, request
from sqlalchemy import delete, select

from ..errors import BadRequest, Invalid
from ..extensions import db
from ..models import IdempotentAnswer
from ..models.types import utcnow
from .identity import api_token

HEADER = "Idempotency-Key"
KEPT = timedelta(hours=24)
# A kept answer to a sign-in would hold a working bearer token in plain text in the
# database; a retried sign-in is harmless anyway (it issues a second token).
EXEMPT = frozenset({"api.create_token"})
_PENDING = "statements_idempotency"


def _applies() -> bool:
    return (request.method == "POST" and request.path.startswith("/api/")
            and request.endpoint not in EXEMPT and HEADER in request.headers)


def _caller() -> str:
    token = api_token()
    return f"user:{token.user_id}" if token is not None else "anonymous"


def _fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.query_string.decode('latin-1')}\n"
                  .encode())
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _kept(caller: str, key: str) -> IdempotentAnswer | None:
    return db.session.execute(select(IdempotentAnswer).where(
        IdempotentAnswer.caller == caller, IdempotentAnswer.key == key,
        IdempotentAnswer.created_at > utcnow() - KEPT)).scalar_one_or_none()


def _replay(kept: IdempotentAnswer) -> Response:
    response = Response(kept.body, status=kept.status, content_type=kept.content_type)
    if kept.location:
        response.headers["Location"] = kept.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def replay_or_expect() -> Response | None:
    """Before the view (holding the write lock): the kept answer for this caller's key, or
    None, noting what to keep once the view has answered."""
    if not _applies():
        return None
    key = request.headers[HEADER]
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable():
        raise BadRequest(f"{HEADER} must be 1 to 255 printable ASCII characters.")
    caller, fingerprint = _caller(), _fingerprint()
    kept = _kept(caller, key)
    if kept is not None:
        if kept.fingerprint != fingerprint:
            raise Invalid(f"This {HEADER} was used for a different request within 24 "
                          "hours: use a new key for a new request.",
                          errors={HEADER: "Already used for a different request."})
        return _replay(kept)
    setattr(g, _PENDING, (caller, key, fingerprint))
    return None


def keep(response: Response) -> None:
    """After a successful view, in its transaction: keep its answer for retries. Raises
    IntegrityError when a concurrent request with the same key kept one first."""
    pending = g.get(_PENDING)
    if pending is None or response.status_code >= 400 or response.is_streamed:
        return
    caller, key, fingerprint = pending
    db.session.execute(delete(IdempotentAnswer).where(
        IdempotentAnswer.created_at <= utcnow() - KEPT))
    db.session.add(IdempotentAnswer(
        caller=caller, key=key, fingerprint=fingerprint, status=response.status_code,
        content_type=response.content_type or "application/json",
        location=response.headers.get("Location"), body=response.get_data(as_text=True),
        created_at=utcnow()))
    db.session.flush()


def pending() -> bool:
    """Whether this request carries a key whose answer is to be kept."""
    return g.get(_PENDING) is not None


def answer_kept_first() -> Response | None:
    """After losing the race to keep an answer: the answer the other request kept."""
    pending = g.get(_PENDING)
    if pending is None:
        return None
    kept = _kept(pending[0], pending[1])
    return _replay(kept) if kept is not None and kept.fingerprint == pending[2] else None
