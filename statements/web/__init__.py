"""HTML pages: parse a form, call one operation, commit, redirect or render."""

from flask import Blueprint
from werkzeug.wrappers import Response

bp = Blueprint("web", __name__)
# What a page view answers: a redirect, a page, or a page with its status.
Page = Response | str | tuple[str, int]

from . import (  # noqa: E402,F401  (registers the routes)
    amendments,
    auth,
    confirmations,
    display,
    endorsements,
    notifications,
    pages,
    public,
    record,
    room,
    statements,
    verification,
)
