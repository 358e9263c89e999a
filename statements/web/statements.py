"""Statement pages: list, create, read, edit (with stale-edit recovery), history, compare,
workflow, details and moderators."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from .. import permissions
from ..errors import Invalid, InvalidState, NotAllowed, StaleVersion
from ..extensions import db
from ..identity import page_user
from ..lookups import parse_number, statement_or_404, version_or_404
from ..models import Statement, User, Version, email_key
from ..operations import statements as ops
from ..operations.fields import zone_names
from ..operations.workflow import FROZEN, TEXT_EDITABLE, transition
from ..queries import visible_statements
from ..text.diff import diff_html, diff_texts
from ..text.lines import number_lines
from ..text.merge import three_way_merge
from . import bp

Page = Response | str | tuple[str, int]


@bp.get("/statements")
def statements() -> str:
    return render_template("statements/list.html", statements=visible_statements(page_user()))


@bp.route("/statements/new", methods=["GET", "POST"])
@login_required
def new_statement() -> Page:
    user = page_user()
    if not permissions.can_create_statement(user):
        raise NotAllowed("Only moderators and admins create statements.")
    if request.method == "GET":
        return render_template("statements/new.html", form={}, errors={})
    form = request.form
    try:
        statement = ops.create_statement(user, title=form.get("title"), text=form.get("text"),
                                         slug=form.get("slug") or None,
                                         occasion=form.get("occasion", ""))
    except (Invalid, InvalidState) as exc:
        db.session.rollback()
        return render_template("statements/new.html", form=form, errors=exc.errors), exc.status
    db.session.commit()
    flash("Statement created as version 1. It is a draft: only signed-in people see it.",
          "success")
    return redirect(url_for("web.statement", slug=statement.slug))


@bp.get("/statements/<slug>")
def statement(slug: str) -> str:
    user = page_user()
    st = statement_or_404(slug, user)
    head = st.head
    return render_template("statements/show.html", statement=st, version=head, head=head,
                           lines=number_lines(head.text), user=user)


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
    user = page_user()
    st = statement_or_404(slug, user)
    if not permissions.can_edit_text(user, st):
        raise NotAllowed("Only this statement's moderators and admins edit its text.")
    if st.status not in TEXT_EDITABLE:
        raise InvalidState(f"The statement is {st.status}: its text is frozen for good.")
    head = st.head
    if request.method == "GET":
        return render_template("statements/edit.html", statement=st, text=head.text,
                               base=head.number, message="", errors={}, stale=None)
    form = request.form
    text, message = form.get("text", ""), form.get("message", "")
    try:
        version = ops.create_version(user, st, text=text, base=_int(form.get("base")),
                                     message=message)
    except StaleVersion as exc:
        db.session.rollback()
        return _stale_page(st, text, message, _int(form.get("base")), exc), 409
    except Invalid as exc:
        db.session.rollback()
        return render_template("statements/edit.html", statement=st, text=text,
                               base=form.get("base"), message=message, errors=exc.errors,
                               error=exc.detail, stale=None), 422
    db.session.commit()
    flash(f"Saved as version {version.number}.", "success")
    return redirect(url_for("web.statement", slug=st.slug))


def _int(value: object) -> int | None:
    return parse_number(value)


def _stale_page(st: Statement, text: str, message: str, base: int | None,
                exc: StaleVersion) -> str:
    """Nothing typed is lost: the editor's text stays in the form, what changed meanwhile is
    shown, and where the editor's changes merge cleanly onto the newest version, that
    merged text is offered too."""
    head = st.head
    base_version = ops.version_by_number(st, base) if base else None
    merged = None
    if base_version is not None:
        result = three_way_merge(base_version.text, head.text, text.replace("\r\n", "\n"))
        merged = result.text if result.clean and result.text != head.text else None
    meanwhile = diff_html(diff_texts(base_version.text, head.text)) if base_version else ""
    return render_template("statements/edit.html", statement=st, text=text, base=head.number,
                           message=message, errors={}, error=exc.detail,
                           stale={"from": base, "to": head.number, "meanwhile": meanwhile,
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
    to = request.form.get("to", "")
    if to == "final" and request.form.get("confirm") != "yes":
        flash("Tick the box to confirm: once final, the text can never change again.", "error")
        return redirect(url_for("web.statement", slug=slug))
    try:
        transition(user, st, to)
    except (InvalidState, Invalid) as exc:
        db.session.rollback()
        flash(exc.detail, "error")
        return redirect(url_for("web.statement", slug=slug))
    db.session.commit()
    flash(f"The statement is now {to}.", "success")
    return redirect(url_for("web.statement", slug=slug))


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
    if not permissions.can_edit_details(user, st):
        raise NotAllowed("Only this statement's moderators and admins change its details.")
    if request.method == "GET":
        return render_template("statements/settings.html", statement=st, form=None, errors={})
    form = request.form
    zone = form.get("time_zone") or st.time_zone
    zone_ok = zone in zone_names()
    fields: dict[str, object] = {"time_zone": zone}
    if st.status not in FROZEN:
        fields.update(title=form.get("title", ""), occasion=form.get("occasion", ""))
    if st.status in {"draft", "amending"}:
        fields["amending_until"] = _local_to_iso(form.get("amending_until"),
                                                 zone if zone_ok else "UTC")
    if st.status != "closed":
        fields["endorsing_until"] = _local_to_iso(form.get("endorsing_until"),
                                                  zone if zone_ok else "UTC")
    try:
        ops.update_details(user, st, **fields)
    except (Invalid, InvalidState) as exc:
        db.session.rollback()
        return render_template("statements/settings.html", statement=st, form=form,
                               errors=exc.errors or {"form": exc.detail}), exc.status
    db.session.commit()
    flash("Details saved.", "success")
    return redirect(url_for("web.statement", slug=slug))


@bp.route("/statements/<slug>/moderators", methods=["GET", "POST"])
@login_required
def moderators(slug: str) -> Page:
    user = page_user()
    st = statement_or_404(slug, user)
    if not permissions.can_assign_moderators(user):
        raise NotAllowed("Only admins assign moderators.")
    if request.method == "POST":
        email = request.form.get("email", "")
        found = db.session.execute(select(User).where(User.email_key == email_key(email))
                                   ).scalar_one_or_none()
        if found is None:
            return render_template("statements/moderators.html", statement=st, email=email,
                                   errors={"email": "No account has this e-mail address."}), 422
        ops.add_moderator(user, st, found)
        db.session.commit()
        flash(f"{found.name} now moderates this statement.", "success")
        return redirect(url_for("web.moderators", slug=slug))
    return render_template("statements/moderators.html", statement=st, email="", errors={})
