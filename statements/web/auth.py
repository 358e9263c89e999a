"""Signing in and out, registration, and the account page."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..errors import Invalid, TooManyAttempts
from ..extensions import db, login_manager
from ..http.cycle import attempt
from ..http.identity import signed_in_user
from ..http.paths import safe_next
from ..http.transaction import keep_writes
from ..i18n import _, current_locale, forget_choice, in_language
from ..models import ApiToken
from ..operations.accounts import change_password, revoke_token, update_profile
from ..operations.accounts import register as register_account
from ..operations.sessions import end_session, start_session
from ..operations.sign_in import WRONG_CREDENTIALS, sign_in
from . import bp


@login_manager.unauthorized_handler
def _sign_in_first() -> Response:
    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]] | str:
    next_path = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(next_path or url_for("web.home"))
        return render_template("auth/login.html", next_path=next_path, email="")
    email = request.form.get("email", "")
    outcome = attempt(lambda: sign_in(email, request.form.get("password", "")),
                      (TooManyAttempts,))
    if outcome.error is not None:
        return render_template("auth/login.html", next_path=next_path, email=email,
                               error=outcome.detail), 429, outcome.error.headers()
    keep_writes()  # a failure is counted even though this request fails
    user = outcome.value
    if user is None:
        return render_template("auth/login.html", next_path=next_path, email=email,
                               error=WRONG_CREDENTIALS), 401
    start_session(user)
    login_user(user, remember=request.form.get("remember") == "on")
    flash(_("Signed in as %(name)s.", name=user.name), "success")
    return redirect(next_path or url_for("web.home"))


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        end_session(current_user.session_id)
    logout_user()
    flash(_("Signed out."), "success")
    return redirect(url_for("web.home"))


@bp.route("/register", methods=["GET", "POST"])
def register() -> Response | tuple[str, int] | str:
    if not current_app.config["OPEN_REGISTRATION"]:
        abort(404)
    if request.method == "GET":
        return render_template("auth/register.html", form={}, errors={})
    form = request.form

    def register_user() -> bool:
        if form.get("password") != form.get("confirm_password"):
            raise Invalid(errors={"confirm_password": _("The two passwords differ.")})
        register_account(email=form.get("email"), name=form.get("name"),
                         organisation=form.get("organisation", ""),
                         password=form.get("password"))
        return True

    outcome = attempt(register_user)  # a bad field shows on the form
    if outcome.refused:
        return render_template("auth/register.html", form=form,
                               errors=outcome.errors), outcome.status
    # The same page whether the address was new or had an account: the e-mail says which.
    return render_template("auth/registered.html", email=form.get("email", "").strip())


def _tokens() -> list[ApiToken]:
    return [t for t in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == current_user.id,
                               ApiToken.revoked_at.is_(None)).order_by(ApiToken.created_at)
    ) if t.active]


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | tuple[str, int] | str:
    if request.method == "GET":
        return render_template("auth/account.html", form=current_user, errors={},
                               tokens=_tokens())
    user = signed_in_user()
    locale = request.form.get("locale") or None
    outcome = attempt(lambda: update_profile(
        user, user, name=request.form.get("name"),
        organisation=request.form.get("organisation", ""), locale=locale,
        notifications=request.form.get("notifications") == "yes"))
    if outcome.refused:
        return render_template("auth/account.html", form=request.form, errors=outcome.errors,
                               tokens=_tokens()), outcome.status
    with in_language(locale or current_locale()):  # said in the language just chosen
        flash(_("Profile saved."), "success")
    # The saved language applies from now on, over an earlier choice from the menu.
    return forget_choice(redirect(url_for("web.account")))


@bp.post("/account/password")
@login_required
def account_password() -> Response | tuple[str, int]:
    user = signed_in_user()
    outcome = attempt(lambda: change_password(user, user,
                                              current=request.form.get("current_password"),
                                              new=request.form.get("new_password"),
                                              confirm=request.form.get("confirm_password")))
    if outcome.refused:
        return render_template("auth/account.html", form=user, errors=outcome.errors,
                               tokens=_tokens()), outcome.status
    # Put in words first: the language may be the signed-in user's, and ``user`` is the
    # current_user proxy, which login_user below makes refer to itself for this request.
    changed = _("Password changed. Your other sessions and API tokens have been signed out.")
    # This browser begins a new session; every other session and token has ended.
    start_session(user)
    login_user(user)
    flash(changed, "success")
    return redirect(url_for("web.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def account_revoke_token(token_id: int) -> Response:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    revoke_token(signed_in_user(), token)
    flash(_("Token revoked."), "success")
    return redirect(url_for("web.account"))
