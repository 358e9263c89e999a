"""Typed text outlives a sign-in that ended (signed out in another tab, a password changed
elsewhere): a proposal sent without a live sign-in is kept in this browser's session, and
the form shows it again, unsent, once its author has signed in. No JavaScript needed; with
it, static/js/amend.js also keeps a copy in the browser while the delegate types."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeSerializer

from ..http.identity import page_user
from ..i18n import _
from ..models import User
from . import Page, bp

KEY = "amendment_draft"
FIELDS = ("base", "paragraph", "text", "rationale")
# The session is a cookie: past this a browser would drop it, and the draft with it.
COOKIE_BUDGET = 3500  # and room for the message flashed with it
KEPT_SECONDS = 3600


def keeping_drafts(view: Callable[[str], Page]) -> Callable[[str], Page]:
    """Put before @login_required on a form's view: what was sent without a live sign-in
    is kept rather than dropped on the way to the sign-in page."""
    @wraps(view)
    def keep(slug: str) -> Page:
        if request.method == "POST" and page_user() is None:
            return _keep(slug, request.form)
        return view(slug)
    return keep


def restored_draft(slug: str, user: User) -> dict[str, str] | None:
    """The draft this user's sign-in lost on this statement, once (it leaves the session)."""
    draft = session.get(KEY)
    if not isinstance(draft, dict) or draft.get("slug") != slug:
        return None
    if draft.get("owner") != str(user.id):
        return None  # another person's, on a shared browser: not shown, kept for its owner
    session.pop(KEY)
    if time.time() - float(draft.get("at", 0)) > KEPT_SECONDS:
        return None
    return {field: str(draft.get(field, "")) for field in FIELDS}


def _author_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="statements.draft-author")


@bp.app_template_global("draft_author")
def draft_author() -> str:
    """The form's signed note of who is typing: signing out (in another tab, say) clears
    the session's own, and a draft must only ever go back to its author."""
    user = page_user()
    return str(_author_signer().dumps(user.id)) if user is not None else ""


def _author_of(form: Mapping[str, str]) -> str | None:
    """Who typed this form, from its signed note; None when the form does not say."""
    try:
        author = _author_signer().loads(form.get("author", ""))
    except BadSignature:
        return None
    return str(author) if isinstance(author, int) else None


def _fits(values: dict[str, Any]) -> bool:
    interface = current_app.session_interface
    if not isinstance(interface, SecureCookieSessionInterface):
        return True  # a server-side session: no cookie to outgrow
    serializer = interface.get_signing_serializer(current_app)
    return serializer is not None and len(serializer.dumps(values)) <= COOKIE_BUDGET


def _keep(slug: str, form: Mapping[str, str]) -> Page:
    draft = {field: form.get(field, "") for field in FIELDS}
    again = url_for("web.propose_amendment", slug=slug, base=draft["base"] or None,
                    paragraph=draft["paragraph"] or None,
                    whole=None if draft["paragraph"] else 1)
    sign_in = url_for("web.login", next=again)
    owner = _author_of(form)
    kept = {"slug": slug, "owner": owner, "at": time.time(), **draft}
    if owner is None or not _fits({**session, KEY: kept}):
        # Too long for the session cookie, or of no known author (so not to be handed to
        # whoever signs in next): shown back to be copied, never silently dropped.
        return render_template("amendments/signed_out.html", draft=draft,
                               sign_in=sign_in), 401
    session[KEY] = kept
    flash(_("Your sign-in had ended, so the amendment was not sent. Sign in again: what you "
            "typed is kept and shown back to you."), "warning")
    return redirect(sign_in)
