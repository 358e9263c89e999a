"""The public record of a published statement, and the keys that sign it (API.md, "The
public record"): anyone can fetch both and check them without trusting this server."""

from __future__ import annotations

from flask import Response, abort, jsonify

from ..http.identity import page_user
from ..read.lookups import statement_or_404
from ..read.public_record import public_record
from ..rules import is_published
from ..signing import published_keys
from . import bp


@bp.get("/s/<slug>/record.json")
def public_record_json(slug: str) -> Response:
    statement = statement_or_404(slug, page_user())
    if not is_published(statement):
        abort(404)
    response = jsonify(public_record(statement))
    response.headers["Content-Disposition"] = f'inline; filename="{slug}-record.json"'
    return response


@bp.get("/.well-known/statements-keys.json")
def signing_keys() -> Response:
    response = jsonify(published_keys())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
