"""HTML pages: parse a form, call one operation, commit, redirect or render."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from . import (  # noqa: E402,F401  (registers the routes)
    amendments,
    auth,
    display,
    endorsements,
    pages,
    public,
    statements,
)
