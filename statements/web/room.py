"""The room's screen: the projector page, large type, following the moderator."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from ..http.cycle import attempt
from ..http.identity import page_user
from ..http.paths import referrer_path
from ..i18n import _
from ..models import Statement
from ..operations.amendments import amendment_or_404
from ..operations.projector import set_projector
from ..read.live import last_seq, projector_state
from ..read.lookups import parse_number, statement_or_404
from ..rules import RULES
from ..text.lines import number_lines
from . import bp
from .amendments import _lines_label, excerpt


@bp.app_template_global("events_url")
def events_url(statement: Statement) -> str:
    """The statement's event stream from the state this page shows: a change committed
    between rendering the page and the browser opening the stream is not missed."""
    return url_for("api.events", slug=statement.slug, since=last_seq(statement.id))


@bp.post("/statements/<slug>/projector")
@login_required
def project(slug: str) -> Response:
    """A moderator's "Project this": the room's screen shows the amendment (or the text)."""
    statement = statement_or_404(slug, page_user())
    user = RULES["project"].require_who(page_user(), statement)
    form = request.form
    outcome = attempt(lambda: set_projector(user, statement, show=form.get("show"),
                                            amendment=parse_number(form.get("amendment"))))
    if outcome.refused:
        flash(outcome.detail, "error")
    elif form.get("show") == "amendment":
        label = "A" + str(form.get("amendment"))
        flash(_("The room's screen now shows %(label)s.", label=label), "success")
    else:
        flash(_("The room's screen now shows the text."), "success")
    return redirect(referrer_path() or url_for("web.amendments", slug=slug))


@bp.get("/statements/<slug>/projector")
def projector(slug: str) -> str:
    viewer = page_user()
    statement = statement_or_404(slug, viewer)
    state = projector_state(statement)
    head = statement.head
    lines = number_lines(head.text)
    amendment = tracked = None
    # Amendments are for confirmed accounts: anyone else sees the text instead.
    if state["show"] == "amendment" and not RULES["read_amendments"].permits(viewer):
        state = {**state, "show": "text", "amendment": None}
    if state["show"] == "amendment" and state["amendment"] is not None:
        amendment = amendment_or_404(statement, state["amendment"])
        tracked = excerpt(amendment.base_version.text, amendment.text, amendment.first_line,
                          amendment.last_line)
    if state["show"] == "lines" and state["lines"]:
        first, last = state["lines"]
        lines = lines[first - 1:last]
    return render_template("statements/projector.html", statement=statement, state=state,
                           head=head, lines=lines, amendment=amendment, tracked=tracked,
                           lines_label=_lines_label)
