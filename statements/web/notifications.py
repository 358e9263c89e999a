"""Following a statement, and the one-click unsubscribe link every notification carries
(RFC 8058: a mail program POSTs ``List-Unsubscribe=One-Click`` to it, without a cookie or
a form, so it is exempt from CSRF — the signed link itself is the proof; opening it shows
what it would do and changes nothing, as mail scanners open links)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..extensions import csrf
from ..http.identity import page_user, signed_in_user
from ..http.paths import referrer_path
from ..i18n import _
from ..models import Statement
from ..operations import notifications as ops
from ..read.lookups import statement_or_404
from . import Page, bp


@bp.app_template_global("following")
def following(statement: Statement) -> bool:
    return ops.is_following(page_user(), statement)


@bp.post("/statements/<slug>/subscription")
@login_required
def follow(slug: str) -> Response:
    user = signed_in_user()
    statement = statement_or_404(slug, user)
    if request.form.get("follow") == "no":
        ops.unfollow(user, statement)
        flash(_("You no longer follow “%(title)s”.", title=statement.title), "success")
    else:
        ops.follow(user, statement)
        flash(_("You follow “%(title)s”: we will e-mail you at each change of its status.",
                title=statement.title), "success")
    return redirect(referrer_path() or url_for("web.statement", slug=slug))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Page:
    if request.method != "POST":  # opening the link (GET, HEAD) changes nothing
        return render_template("auth/unsubscribe.html", what=ops.unsubscription(token),
                               token=token, done=False)
    return render_template("auth/unsubscribe.html", what=ops.unsubscribe(token), token=token,
                           done=True)


csrf.exempt(f"{__name__}.unsubscribe")  # the one-click POST of RFC 8058 carries no token
