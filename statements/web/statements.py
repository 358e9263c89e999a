"""Statement pages: list, create, read, edit (with stale-edit recovery), history, compare,
workflow, details and moderators."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal, TypedDict
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..errors import StaleVersion
from ..extensions import db
from ..http.cycle import attempt
from ..http.identity import page_user
from ..i18n import _
from ..models import Statement, User, Version, email_key
from ..operations import statements as ops
from ..operations.fields import zone_names
from ..operations.workflow import transition
from ..read.lookups import parse_number, statement_or_404, version_or_404
from ..read.queries import visible_statements
from ..read.standing import open_amendments
from ..rules import IRREVERSIBLE, RULES, StatementStatus, status_words
from ..text.diff import diff_html, diff_texts
from ..text.lines import number_lines
from ..text.merge import three_way_merge
from . import Page, bp


@bp.get("/statements")
def statements() -> str:
    return render_template("statements/list.html", statements=visible_statements(page_user()))


@bp.route("/statements/new", methods=["GET", "POST"])
@login_required
def new_statement() -> Page:
    user = RULES["create_statement"].require_who(page_user())
    if request.method == "GET":
        return render_template("statements/new.html", form={}, errors={})
    form = request.form
    outcome = attempt(lambda: ops.create_statement(
        user, title=form.get("title"), text=form.get("text"), slug=form.get("slug") or None,
        occasion=form.get("occasion", "")))
    if outcome.refused:
        return render_template("statements/new.html", form=form,
                               errors=outcome.errors), outcome.status
    flash(_("Statement created as version 1. It is a draft: only signed-in people see it."),
          "success")
    return redirect(url_for("web.statement", slug=outcome.result().slug))


@bp.get("/statements/<slug>")
def statement(slug: str) -> str:
    user = page_user()
    st = statement_or_404(slug, user)
    head = st.head
    pending = open_amendments(st) if user is not None else []
    touched = {n for a in pending if a.base_version_id == head.id
               for n in range(a.first_line, a.last_line + 1)}
    return render_template("statements/show.html", statement=st, version=head, head=head,
                           lines=number_lines(head.text), user=user, pending=pending,
                           touched=touched)


@bp.get("/statements/<slug>/versions/<int:number>")
def version(slug: str, number: int) -> str:
    user = page_user()
    st = statement_or_404(slug, user)
    v = version_or_404(st, number)
    return render_template("statements/show.html", statement=st, version=v, head=st.head,
                           lines=number_lines(v.text), user=user)


@bp.route("/statements/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str) -> Page:
    """A direct edit. The form carries the version the editor ``started`` from and the
    ``base`` they last reviewed: a save against an older base is refused and shows what
    changed meanwhile, and a save that would undo those changes says so and lists them
    until the editor confirms it. No button ever saves old text over a newer version."""
    user = page_user()
    st = statement_or_404(slug, user)
    user = RULES["edit_text"].require(user, st)
    head = st.head
    if request.method == "GET":
        return render_template("statements/edit.html", statement=st, text=head.text,
                               base=head.number, started=head.number, message="", errors={},
                               stale=None, undoing=None)
    form = request.form
    text, message = form.get("text", "").replace("\r\n", "\n"), form.get("message", "")
    base, started = _int(form.get("base")), _int(form.get("started"))
    undone = _undone(st, started, base, text) if form.get("undo") != "yes" else None
    if undone is not None:
        return render_template("statements/edit.html", statement=st, text=text, base=base,
                               started=started, message=message, errors={}, stale=None,
                               undoing=undone), 409
    outcome = attempt(lambda: ops.create_version(user, st, text=text, base=base,
                                                 message=message))
    if isinstance(outcome.error, StaleVersion):
        return _stale_page(st, text, message, started or base, outcome.error), 409
    if outcome.refused:
        return render_template("statements/edit.html", statement=st, text=text, base=base,
                               started=started, message=message, errors=outcome.errors,
                               error=outcome.detail, stale=None, undoing=None), outcome.status
    flash(_("Saved as version %(number)s.", number=outcome.result().number), "success")
    return redirect(url_for("web.statement", slug=st.slug))


def _int(value: object) -> int | None:
    return parse_number(value)


def _undone(st: Statement, started: int | None, base: int | None,
            text: str) -> dict[str, Any] | None:
    """When the editor started before ``base`` (they saw a stale-edit warning) and their text
    against ``base`` would take back changes made since ``started``: what it would undo."""
    if started is None or base is None or started >= base or base != st.head_number:
        return None
    origin = ops.version_by_number(st, started)
    head = st.head
    if origin is None:
        return None
    kept = three_way_merge(origin.text, head.text, text)
    if kept.clean and kept.text == text:
        return None  # every change made meanwhile is still in the text
    return {"from": started, "to": head.number,
            "meanwhile": diff_html(diff_texts(origin.text, head.text)),
            "saving": diff_html(diff_texts(head.text, text)),
            "merged": kept.text if kept.clean and kept.text != head.text else None}


def _stale_page(st: Statement, text: str, message: str, started: int | None,
                exc: StaleVersion) -> str:
    """Nothing typed is lost: the editor's text stays in the form, what changed meanwhile is
    shown, and where the editor's changes merge cleanly onto the newest version, that
    merged text is offered too. The form now names the newest version as its base, and
    still the version the editor started from, so saving checks what it would undo."""
    head = st.head
    origin = ops.version_by_number(st, started) if started else None
    merged = None
    if origin is not None:
        result = three_way_merge(origin.text, head.text, text)
        merged = result.text if result.clean and result.text != head.text else None
    meanwhile = diff_html(diff_texts(origin.text, head.text)) if origin else ""
    return render_template("statements/edit.html", statement=st, text=text, base=head.number,
                           started=started, message=message, errors={}, error=exc.detail,
                           undoing=None,
                           stale={"from": started, "to": head.number, "meanwhile": meanwhile,
                                  "merged": merged})


@bp.get("/statements/<slug>/history")
def history(slug: str) -> str:
    user = page_user()
    st = statement_or_404(slug, user)
    versions = db.session.scalars(select(Version).where(Version.statement_id == st.id)
                                  .order_by(Version.number.desc())).all()
    return render_template("statements/history.html", statement=st, versions=versions)


@bp.get("/statements/<slug>/compare")
def compare(slug: str) -> Page:
    user = page_user()
    st = statement_or_404(slug, user)
    head = st.head.number
    a = _int(request.args.get("from")) or max(1, head - 1)
    b = _int(request.args.get("to")) or head
    va, vb = version_or_404(st, a), version_or_404(st, b)
    diffs = diff_texts(va.text, vb.text)
    return render_template("statements/compare.html", statement=st, a=va, b=vb,
                           tracked=diff_html(diffs), changed=any(op != 0 for op, _ in diffs),
                           numbers=range(1, head + 1))


@bp.post("/statements/<slug>/transitions")
@login_required
def move(slug: str) -> Response:
    user = page_user()
    st = statement_or_404(slug, user)
    user = RULES["move"].require_who(user, st)
    to = request.form.get("to", "")
    if to in IRREVERSIBLE and request.form.get("confirm") != "yes":
        flash(_("Tick the box to confirm: %(warning)s",
                warning=IRREVERSIBLE[StatementStatus(to)][0]), "error")
        return redirect(url_for("web.statement", slug=slug))
    outcome = attempt(lambda: transition(user, st, to))
    if outcome.refused:
        flash(outcome.detail, "error")
    else:
        flash(_("The statement is now %(status)s.", status=status_words(to)), "success")
    return redirect(url_for("web.statement", slug=slug))


class DetailFields(TypedDict, total=False):
    """What the settings form hands ``update_details``: only the fields it showed."""

    title: str
    occasion: str
    amending_until: str | None
    endorsing_until: str | None
    time_zone: str


DEADLINE_FIELDS: tuple[tuple[Literal["amending_until", "endorsing_until"], str], ...] = (
    ("amending_until", "set_amending_deadline"), ("endorsing_until", "set_endorsing_deadline"))


def _local_to_iso(value: str | None, zone: str) -> str | None:
    """A datetime-local field (no offset) read in the statement's own time zone."""
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return value  # let the operation say what is wrong with it
    if naive.tzinfo is not None:
        return naive.isoformat()
    return naive.replace(tzinfo=ZoneInfo(zone)).isoformat()


@bp.route("/statements/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str) -> Page:
    user = page_user()
    st = statement_or_404(slug, user)
    user = RULES["edit_details"].require_who(user, st)
    if request.method == "GET":
        return render_template("statements/settings.html", statement=st, form=None, errors={})
    form = request.form
    zone = form.get("time_zone") or st.time_zone
    zone_ok = zone in zone_names()
    fields: DetailFields = {"time_zone": zone}
    # Only the fields the page showed are sent: those whose rule is open now.
    if RULES["edit_title"].is_open(st):
        fields.update({"title": form.get("title", ""), "occasion": form.get("occasion", "")})
    for field, action in DEADLINE_FIELDS:
        if RULES[action].is_open(st):
            fields[field] = _local_to_iso(form.get(field), zone if zone_ok else "UTC")
    outcome = attempt(lambda: ops.update_details(user, st, **fields))
    if outcome.refused:
        return render_template("statements/settings.html", statement=st, form=form,
                               errors=outcome.errors), outcome.status
    flash(_("Details saved."), "success")
    return redirect(url_for("web.statement", slug=slug))


@bp.route("/statements/<slug>/moderators", methods=["GET", "POST"])
@login_required
def moderators(slug: str) -> Page:
    user = page_user()
    st = statement_or_404(slug, user)
    user = RULES["add_moderator"].require_who(user, st)
    if request.method == "POST":
        email = request.form.get("email", "")
        found = db.session.execute(select(User).where(User.email_key == email_key(email))
                                   ).scalar_one_or_none()
        if found is None:
            unknown = {"email": _("No account has this e-mail address.")}
            return render_template("statements/moderators.html", statement=st, email=email,
                                   errors=unknown), 422
        ops.add_moderator(user, st, found)
        flash(_("%(name)s now moderates this statement.", name=found.name), "success")
        return redirect(url_for("web.moderators", slug=slug))
    return render_template("statements/moderators.html", statement=st, email="", errors={})
