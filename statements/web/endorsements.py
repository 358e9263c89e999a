"""Endorsing (the exact final text and its hash beside the form), withdrawing, and the
moderators' views of the record: the audit trail and the full record."""

from __future__ import annotations

import json

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from .. import permissions
from ..errors import Duplicate, Invalid, InvalidState, NotAllowed, NotFound
from ..extensions import db
from ..identity import signed_in_user
from ..lookups import statement_or_404
from ..models import Statement, User
from ..operations.endorsements import endorse as endorse_statement
from ..operations.endorsements import my_endorsement, withdraw_endorsement
from ..queries import all_endorsements
from ..record import audit_trail, full_record
from . import bp

Page = Response | str | tuple[str, int]


def _render(statement: Statement, user: User, form=None, errors=None, status: int = 200):
    return render_template("endorsements/endorse.html", statement=statement,
                           final=statement.head, mine=my_endorsement(statement, user),
                           form=form, errors=errors or {}, user=user), status


@bp.route("/s/<slug>/endorse", methods=["GET", "POST"])
@login_required
def endorse(slug: str) -> Page:
    user = signed_in_user()
    statement = statement_or_404(slug, user)
    if statement.status not in permissions.PUBLISHED:
        raise NotFound(f"There is no published statement {slug!r}.")
    if request.method == "GET":
        return _render(statement, user)
    form = request.form
    try:
        endorse_statement(
            user, statement, kind=form.get("kind") or None, name=form.get("name", ""),
            organisation=form.get("organisation", ""), capacity=form.get("capacity", ""),
            city=form.get("city", ""), country=form.get("country", ""),
            public=form.get("public") == "yes", authorised=form.get("authorised") == "yes",
            sha256=form.get("sha256") or None)
    except (Invalid, InvalidState, Duplicate) as exc:
        db.session.rollback()
        return _render(statement, user, form, exc.errors or {"form": exc.detail}, exc.status)
    db.session.commit()
    flash("Thank you: your endorsement is recorded.", "success")
    return redirect(url_for("web.endorse", slug=slug))


@bp.post("/s/<slug>/endorsement/withdraw")
@login_required
def withdraw(slug: str) -> Response:
    user = signed_in_user()
    statement = statement_or_404(slug, user)
    try:
        withdraw_endorsement(user, statement)
    except (NotFound, InvalidState) as exc:
        db.session.rollback()
        flash(exc.detail, "error")
        return redirect(url_for("web.endorse", slug=slug))
    db.session.commit()
    flash("Your endorsement is withdrawn. It stays in the record, off the public list.",
          "success")
    return redirect(url_for("web.endorse", slug=slug))


def _moderated(slug: str) -> Statement:
    user = signed_in_user()
    statement = statement_or_404(slug, user)
    if not permissions.is_moderator_of(user, statement):
        raise NotAllowed("Only this statement's moderators and admins read its full record.")
    return statement


@bp.get("/statements/<slug>/audit")
@login_required
def audit(slug: str) -> str:
    statement = _moderated(slug)
    return render_template("endorsements/audit.html", statement=statement,
                           events=audit_trail(statement))


@bp.get("/statements/<slug>/record")
@login_required
def record_page(slug: str) -> str:
    statement = _moderated(slug)
    return render_template("endorsements/record.html", statement=statement,
                           record=full_record(statement),
                           endorsements=all_endorsements(statement))


@bp.get("/statements/<slug>/record.json")
@login_required
def record_json(slug: str) -> Response:
    statement = _moderated(slug)
    body = json.dumps(full_record(statement), ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{statement.slug}-record.json"')
    return response
