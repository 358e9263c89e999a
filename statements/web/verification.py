"""The moderators' verification queue: who may speak for an organisation or government."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..http.cycle import attempt
from ..http.identity import signed_in_user
from ..i18n import _
from ..operations.endorsements import decide_verification
from ..read.lookups import statement_or_404
from ..read.verification import verification_queue
from ..rules import RULES, status_words
from . import bp


@bp.get("/statements/<slug>/verification")
@login_required
def verification(slug: str) -> str:
    user = signed_in_user()
    statement = statement_or_404(slug, user)
    RULES["verify_endorsement"].require_who(user, statement)
    return render_template("endorsements/verification.html", statement=statement,
                           queue=verification_queue(statement), active="verification")


@bp.post("/statements/<slug>/verification/<int:endorsement_id>")
@login_required
def verify(slug: str, endorsement_id: int) -> Response:
    user = signed_in_user()
    statement = statement_or_404(slug, user)
    RULES["verify_endorsement"].require_who(user, statement)
    decision = request.form.get("decision", "")
    outcome = attempt(lambda: decide_verification(user, statement, endorsement_id,
                                                  decision=decision,
                                                  note=request.form.get("note", "")))
    if outcome.refused:
        flash(" ".join(outcome.errors.values()), "error")
    else:
        found = outcome.result()
        flash(_("%(name)s (%(organisation)s): %(verification)s.", name=found.name,
                organisation=found.organisation,
                verification=status_words(found.verification)), "success")
    return redirect(url_for("web.verification", slug=slug))
