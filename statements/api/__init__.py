"""The JSON API under /api/v1: parse a body, call the same operation as the page, serialise."""

from flask import Blueprint

from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# The API authenticates writes by bearer token, never by cookie, so CSRF cannot reach it.
csrf.exempt(bp)

from . import (  # noqa: E402,F401  (registers the routes)
    accounts,
    amendments,
    endorsements,
    live,
    openapi,
    statements,
)
