"""Pages that belong to no single area: the home page and the health check."""

from __future__ import annotations

from flask import Response, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..http.identity import page_user
from ..http.problems import problem_response
from ..http.transaction import discard_writes
from ..i18n import _l
from ..read.queries import visible_statements
from ..rules import StatementStatus
from . import bp

# The home page's sections, in the order a visitor needs them: what they can endorse now,
# what is being drafted, what is done.
PHASES: list[tuple[tuple[StatementStatus, ...], str, str]] = [
    ((StatementStatus.ENDORSING,), _l("Open for endorsement"),
     _l("Read the final text and add your name, or your city's or organisation's.")),
    ((StatementStatus.AMENDING,), _l("Open for amendments"),
     _l("Propose changes to the draft, line by line, and support others' proposals.")),
    ((StatementStatus.REVIEWING, StatementStatus.FINAL), _l("Being decided"),
     _l("The moderators are deciding the amendments, or the text has just become final.")),
    ((StatementStatus.DRAFT,), _l("Drafts"), _l("Being written by their moderators.")),
    ((StatementStatus.CLOSED,), _l("Closed"),
     _l("Endorsement is over; the record stays public.")),
]


@bp.get("/")
def home() -> str:
    statements = visible_statements(page_user())
    sections = [(title, hint, [s for s in statements if s.status in phases])
                for phases, title, hint in PHASES]
    return render_template("home.html", sections=[s for s in sections if s[2]])


@bp.get("/healthz")
def healthz() -> Response:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        discard_writes()
        return problem_response(
            {"type": "urn:statements:problem:unavailable", "title": "Database unavailable",
             "status": 503, "detail": "The database does not answer."},
            503,
        )
    return jsonify({"status": "ok"})
