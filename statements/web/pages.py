"""Pages that belong to no single area: the home page and the health check."""

from __future__ import annotations

from flask import Response, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..http.problems import problem_response
from ..http.transaction import discard_writes
from . import bp


@bp.get("/")
def home() -> str:
    return render_template("home.html")


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
