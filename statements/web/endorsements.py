"""Endorsing (the exact final text and its hash beside the form), withdrawing, and the
moderators' views of the record: the audit trail and the full record."""

from __future__ import annotations

import json
from collections.abc import Mapping

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response as WerkzeugResponse

from ..errors import InvalidState, NotFound
from ..http.cycle import attempt
from ..http.identity import page_user, signed_in_user
from ..http.transaction import lock_for_writing
from ..i18n import _, current_locale
from ..models import Statement, User
from ..operations.confirmations import request_endorsement
from ..operations.endorsements import endorse as endorse_statement
from ..operations.endorsements import (
    my_endorsement,
    prepare_endorsement,
    withdraw_endorsement,
)
from ..read.audit_names import audit_rows
from ..read.lookups import statement_or_404
from ..read.queries import all_endorsements
from ..read.record import audit_trail, full_record
from ..rules import RULES
from ..rules import is_published as published
from ..text.countries import country_names
from . import Page, bp

# redirect() gives Werkzeug's Response, of which Flask's is a subclass.


def _render(statement: Statement, user: User | None, form: Mapping[str, str] | None = None,
            errors: dict[str, str] | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("endorsements/endorse.html", statement=statement,
                           final=statement.head, mine=my_endorsement(statement, user),
                           form=form, errors=errors or {}, user=user,
                           countries=country_names(current_locale())), status


def _entry(form: Mapping[str, str]) -> dict[str, object]:
    return {"kind": form.get("kind") or None, "name": form.get("name", ""),
            "organisation": form.get("organisation", ""), "capacity": form.get("capacity", ""),
            "city": form.get("city", ""), "country": form.get("country", ""),
            "country_code": form.get("country_code") or None,
            "public": form.get("public") == "yes", "authorised": form.get("authorised") == "yes",
            "sha256": form.get("sha256") or None}


@bp.route("/s/<slug>/endorse", methods=["GET", "POST"])
def endorse(slug: str) -> Page:
    user = page_user()
    statement = statement_or_404(slug, user)
    if user is None:
        return _endorse_without_account(slug, statement)
    RULES["endorse"].require_who(user, statement)
    if not published(statement):  # the API's answer too: 409, not open for endorsement
        RULES["endorse"].require_open(statement)
    if request.method == "GET":
        return _render(statement, user)
    form = request.form
    checked = attempt(lambda: prepare_endorsement(user, statement, **_entry(form)))
    if checked.refused:
        return _render(statement, user, form, checked.errors, checked.status)
    entry = checked.result()
    lock_for_writing()  # (hooks.LOCK_LATER) the checks above waited for no other writer
    statement = statement_or_404(slug, user)
    outcome = attempt(lambda: endorse_statement(user, statement, entry=entry))
    if outcome.refused:
        return _render(statement, user, form, outcome.errors, outcome.status)
    flash(_("Thank you: your endorsement is recorded. A signed receipt is on its way to your "
            "e-mail address."), "success")
    return redirect(url_for("web.endorse", slug=slug))


def _endorse_without_account(slug: str, statement: Statement) -> Page:
    """A signed-out visitor endorses with name and e-mail; it counts once they use the link
    e-mailed to that address ("check your inbox" either way, so nobody learns who signed)."""
    if request.method == "GET":
        return _render(statement, None)
    form = request.form
    lock_for_writing()  # (hooks.LOCK_LATER)
    statement = statement_or_404(slug, None)
    outcome = attempt(lambda: request_endorsement(statement, email=form.get("email", ""),
                                                  **_entry(form)))
    if outcome.refused:
        return _render(statement, None, form, outcome.errors, outcome.status)
    return render_template("endorsements/check_inbox.html", statement=statement,
                           email=form.get("email", "").strip())


@bp.post("/s/<slug>/endorsement/withdraw")
@login_required
def withdraw(slug: str) -> WerkzeugResponse:
    user = signed_in_user()
    statement = statement_or_404(slug, user)
    RULES["withdraw_endorsement"].require_who(user, statement)
    outcome = attempt(lambda: withdraw_endorsement(user, statement), (NotFound, InvalidState))
    if outcome.refused:
        flash(outcome.detail, "error")
    else:
        flash(_("Your endorsement is withdrawn. It stays in the record, off the public list."),
              "success")
    return redirect(url_for("web.endorse", slug=slug))


def _moderated(slug: str) -> Statement:
    user = signed_in_user()
    statement = statement_or_404(slug, user)
    RULES["read_record"].require_who(user, statement)
    return statement


@bp.get("/statements/<slug>/audit")
@login_required
def audit(slug: str) -> str:
    statement = _moderated(slug)
    return render_template("endorsements/audit.html", statement=statement,
                           rows=audit_rows(statement, audit_trail(statement)))


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
