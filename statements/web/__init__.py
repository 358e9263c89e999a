"""HTML pages: parse a form, call one operation, commit, redirect or render."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from . import amendments, auth, display, pages, statements  # noqa: E402,F401  (routes)
