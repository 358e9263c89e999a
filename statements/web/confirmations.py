"""The pages a link in an e-mail opens: confirming an account or an endorsement, and
withdrawing an endorsement made without an account. Opening a link shows what it would do
and changes nothing (mail scanners open links); its button's POST does it."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..errors import InvalidState, TooManyAttempts
from ..http.cycle import attempt
from ..http.identity import signed_in_user
from ..http.paths import safe_next
from ..i18n import _
from ..operations.confirmations import (
    confirm,
    preview,
    resend_account_confirmation,
    withdraw_by_link,
    withdrawal_preview,
)
from ..rules import EndorsementStatus
from . import Page, bp


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_link(token: str) -> Page:
    if request.method == "GET":
        return render_template("auth/confirm.html", what=preview(token), token=token,
                               done=False)
    return render_template("auth/confirm.html", what=confirm(token), token=token, done=True)


@bp.route("/withdraw/<token>", methods=["GET", "POST"])
def withdraw_link(token: str) -> Page:
    if request.method == "GET":
        endorsement = withdrawal_preview(token)
        state = "withdrawn" if endorsement.status == EndorsementStatus.WITHDRAWN else "ask"
        return render_template("endorsements/withdraw.html", endorsement=endorsement,
                               token=token, state=state)
    endorsement = withdraw_by_link(token)
    state = "withdrawn" if endorsement.status == EndorsementStatus.WITHDRAWN else "dropped"
    return render_template("endorsements/withdraw.html", endorsement=endorsement, token=token,
                           state=state)


@bp.post("/account/confirmation")
@login_required
def resend_confirmation() -> Response:
    user = signed_in_user()
    outcome = attempt(lambda: resend_account_confirmation(user), (InvalidState, TooManyAttempts))
    if outcome.refused:
        flash(outcome.detail, "error")
    else:
        flash(_("A new confirmation link is on its way to %(email)s.", email=user.email),
              "success")
    return redirect(safe_next(request.form.get("next")) or url_for("web.account"))
