"""Amendment pages: propose (with a live tracked-changes preview), the amendment itself,
the moderation queue, conflict resolution, bringing an amendment up to date, attribution."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache, partial
from os.path import commonprefix
from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..errors import BadRequest, MergeConflict, StaleVersion
from ..extensions import db
from ..http.cycle import attempt
from ..http.identity import page_user, signed_in_user
from ..http.transaction import lock_for_writing
from ..i18n import _
from ..models import Amendment, Statement, User, Version
from ..operations import amendments as ops
from ..read.lookups import (
    parse_number,
    statement_for_amendments,
    statement_or_404,
    version_or_404,
)
from ..read.memo import Digest, Digests, Memo
from ..read.queries import attribution
from ..read.standing import merge_onto_head, merge_plan, open_amendments, standing, standings
from ..rules import RULES, AmendmentStatus
from ..text.diff import DiffTooComplex, diff_html, diff_texts
from ..text.lines import Line, lines_touched, number_lines
from ..text.merge import Conflict, merge_resolving
from ..text.paragraphs import paragraphs, replace_paragraph
from . import Page, bp
from .drafts import keeping_drafts, restored_draft


def _load(slug: str, number: int) -> tuple[User, Statement, Amendment]:
    user = signed_in_user()
    statement = statement_for_amendments(slug, user)
    return user, statement, ops.amendment_or_404(statement, number)


def _back(statement: Statement, amendment: Amendment | None = None) -> Response:
    if amendment is None:
        return redirect(url_for("web.amendments", slug=statement.slug))
    return redirect(url_for("web.amendment", slug=statement.slug, number=amendment.number))


def excerpt(base: str, amended: str, first: int, last: int,
            lines: list[Line] | None = None) -> str:
    """Tracked changes of just the lines an amendment touches (all its changes lie there,
    so what precedes and follows them is the same in both texts). ``lines``: base's
    numbered lines, when the caller has them already."""
    lines = number_lines(base) if lines is None else lines
    start = lines[first - 1].start
    end = lines[last - 1].end
    tail = len(base) - end
    return diff_html(diff_texts(base[start:end], amended[start:len(amended) - tail]))


def _lines_label(first: int, last: int) -> str:
    if first == last:
        return _("line %(number)s", number=first)
    return _("lines %(first)s–%(last)s", first=first, last=last)


# --- proposing ----------------------------------------------------------------------------

def _proposal(statement: Statement,
              form: Mapping[str, str]) -> tuple[Version, int | None, str, str]:
    """The base version, chosen paragraph (None: the whole text), the edited piece and the
    whole amended text, from the propose form."""
    base = version_or_404(statement, form.get("base", str(statement.head_number)))
    raw = form.get("paragraph", "")
    index = parse_number(raw)
    edited = form.get("text")
    pieces = paragraphs(base.text)
    if index is not None and index >= len(pieces):
        index = None
    if edited is None:
        edited = pieces[index].text if index is not None else base.text
    edited = edited.replace("\r\n", "\n").replace("\r", "\n")
    whole = replace_paragraph(base.text, index, edited) if index is not None else edited
    return base, index, edited, whole


def _preview(base: Version, index: int | None, whole: str) -> dict[str, object]:
    """Tracked changes of the paragraph being amended (for the whole text: of the paragraphs
    the change touches), to read beside the editor, and the lines the change touches."""
    try:
        lines = lines_touched(base.text, diff_texts(base.text, whole))
        around = _paragraphs_changed(base.text, whole, index)
        if around is None:
            return {"html": "", "lines": _("No change yet.")}
        start, end = around
        html = diff_html(diff_texts(base.text[start:end],
                                    whole[start:len(whole) - (len(base.text) - end)]))
    except DiffTooComplex:
        return {"html": "", "lines": str(ops.TOO_COMPLEX)}
    return {"html": html, "lines": _lines_label(*lines) if lines else _("No change yet.")}


def _paragraphs_changed(base: str, whole: str, index: int | None) -> tuple[int, int] | None:
    """``base[start:end]``: the chosen paragraph, or the paragraphs around everything that
    differs (None when nothing does). Outside it both texts are the same."""
    pieces = paragraphs(base)
    if index is not None:
        return pieces[index].start, pieces[index].end
    same_start = len(commonprefix([base, whole]))
    if same_start == len(base) == len(whole):
        return None
    room = min(len(base), len(whole)) - same_start
    same_end = min(len(commonprefix([base[::-1], whole[::-1]])), room)
    first, last = same_start, len(base) - same_end
    return (max((p.start for p in pieces if p.start <= first), default=0),
            min((p.end for p in pieces if p.end >= last), default=len(base)))


@bp.route("/statements/<slug>/amendments/new", methods=["GET", "POST"])
@keeping_drafts
@login_required
def propose_amendment(slug: str) -> Page:
    user = signed_in_user()
    statement = statement_for_amendments(slug, user)
    RULES["propose"].require_who(user, statement)
    restored = restored_draft(slug, user) if request.method == "GET" else None
    form = restored or (request.form if request.method == "POST" else request.args)
    base, index, edited, whole = _proposal(statement, form)
    context: dict[str, object] = {
        "statement": statement, "base": base, "index": index, "edited": edited,
        "paragraphs": paragraphs(base.text), "rationale": form.get("rationale", ""),
        "amended": _amended_paragraphs(statement, base),
        "errors": {}, "preview": None, "restored": restored is not None}
    if request.method == "GET" and "paragraph" not in form and "whole" not in form:
        return render_template("amendments/choose.html", **context)
    if request.method == "GET" or form.get("action") == "preview":
        if request.method == "POST" or index is not None or restored:
            context["preview"] = _preview(base, index, whole)
        return render_template("amendments/propose.html", **context)
    def store() -> Amendment:
        prepared = ops.prepare_proposal(statement, base=base.number, text=whole,
                                        rationale=form.get("rationale"))
        lock_for_writing()
        return ops.propose(user, statement_for_amendments(slug, user), prepared=prepared)

    outcome = attempt(store)
    if outcome.refused:
        context["errors"] = outcome.errors_under("text")
        context["preview"] = _preview(base, index, whole)
        return render_template("amendments/propose.html", **context), outcome.status
    amendment = outcome.result()
    where = _lines_label(amendment.first_line, amendment.last_line)
    flash(_("Amendment %(label)s proposed (%(lines)s).", label=amendment.label, lines=where),
          "success")
    return _back(statement, amendment)


@bp.post("/statements/<slug>/amendments/preview")
@login_required
def amendment_preview(slug: str) -> Response:
    """The live preview's JSON: the same diff code as the record, so they never differ."""
    statement = statement_for_amendments(slug, signed_in_user())
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest(_("Send a JSON object with base, paragraph and text."))
    form = {k: str(v) for k, v in body.items() if k in {"base", "paragraph", "text"}}
    base, index, _edited, whole = _proposal(statement, form)
    return jsonify(_preview(base, index, whole))


# --- reading and the queue ----------------------------------------------------------------

@bp.get("/statements/<slug>/amendments")
@login_required
def amendments(slug: str) -> str:
    user = signed_in_user()
    statement = statement_for_amendments(slug, user)
    every = db.session.scalars(select(Amendment).where(Amendment.statement_id == statement.id)
                               .order_by(Amendment.first_line, Amendment.number)).all()
    # What open_amendments would load again (the same order), loaded once; and each text
    # digested once for the kept standings, plan and excerpts.
    proposed = [a for a in every if a.status == AmendmentStatus.PROPOSED]
    digests = Digests()
    standing_of = standings(statement, amendments=proposed, digests=digests)
    open_ones = _filtered([a for a in every if not a.decided], standing_of, request.args)
    decided = sorted((a for a in every if a.decided), key=lambda a: a.number)
    plan = merge_plan(statement, standing_of, amendments=proposed, digests=digests) \
        if RULES["merge_all_clean"].allows(user, statement) else []
    proposers = sorted({a.proposer.name for a in every if not a.decided})
    return render_template(
        "amendments/queue.html", statement=statement, open=open_ones, decided=decided,
        standings=standing_of, user=user, lines_label=cache(_lines_label), plan=plan,
        clean_count=sum(1 for step in plan if step.merges), proposers=proposers,
        filters=request.args, changes=_excerpts(open_ones, digests))


# (base, amendment, first line, last line) -> the queue's tracked changes of its lines.
_EXCERPTS: Memo[tuple[Digest, Digest, int, int], str] = Memo(8_000_000, weigh=len)


def _excerpts(amendments: list[Amendment], digest: Digests) -> dict[int, str]:
    """Each amendment's `excerpt`, kept per process under its texts (neither changes), and
    each base's lines numbered once."""
    lines: dict[int, list[Line]] = {}

    def make(amendment: Amendment) -> str:
        base = amendment.base_version
        if base.id not in lines:
            lines[base.id] = number_lines(base.text)
        return excerpt(base.text, amendment.text, amendment.first_line, amendment.last_line,
                       lines[base.id])

    return {a.number: _EXCERPTS.get_or_make(
                (digest(a.base_version.text), digest(a.text), a.first_line, a.last_line),
                partial(make, a))
            for a in amendments}


def _filtered(amendments: list[Amendment], standing_of: dict[int, Any],
              args: Mapping[str, str]) -> list[Amendment]:
    """The queue's filters: applies cleanly or conflicts, a line range, a proposer; always
    in the order of the lines they touch."""
    shown = amendments
    if args.get("standing") in {"clean", "conflicting"}:
        clean = args["standing"] == "clean"
        shown = [a for a in shown if standing_of[a.number].applies_cleanly == clean]
    first, last = parse_number(args.get("from")), parse_number(args.get("to"))
    if first is not None:
        shown = [a for a in shown if a.last_line >= first]
    if last is not None:
        shown = [a for a in shown if a.first_line <= last]
    if args.get("proposer"):
        shown = [a for a in shown if a.proposer.name == args["proposer"]]
    return sorted(shown, key=lambda a: (a.first_line, a.number))


def _amended_paragraphs(statement: Statement, base: Version) -> dict[int, list[str]]:
    """For each paragraph of ``base``, the open amendments on ``base`` that touch it."""
    found: dict[int, list[str]] = {}
    pieces = paragraphs(base.text)
    starts = [line.start for line in number_lines(base.text)]
    for amendment in open_amendments(statement):
        if amendment.base_version_id != base.id:
            continue
        start = starts[amendment.first_line - 1]
        end = starts[amendment.last_line] if amendment.last_line < len(starts) else len(base.text)
        for piece in pieces:
            if piece.start < end and start <= piece.end:
                found.setdefault(piece.index, []).append(amendment.label)
    return found


@bp.get("/statements/<slug>/amendments/<int:number>")
@login_required
def amendment(slug: str, number: int) -> str:
    user, statement, found = _load(slug, number)
    return render_template(
        "amendments/show.html", statement=statement, amendment=found, user=user,
        standing=standing(found), lines_label=_lines_label,
        tracked=excerpt(found.base_version.text, found.text, found.first_line,
                        found.last_line))


# --- actions ------------------------------------------------------------------------------

def _vote(form: Mapping[str, str]) -> object:
    """The tally from a decide form's three number fields: None when all are empty; else
    what was typed, for the operation to check (a missing or odd count is 422)."""
    counts = {side: form.get(f"vote_{side}", "").strip() for side in ("for", "against",
                                                                      "abstain")}
    if not any(counts.values()):
        return None
    return {side: parse_number(value) if parse_number(value) is not None else value
            for side, value in counts.items()}


def _act(slug: str, number: int, rule: str, action: Callable[[User, Amendment], object],
         done: Callable[[str], str]) -> Response:
    """``done``: what to say once it is done, given the amendment's label."""
    user, statement, found = _load(slug, number)
    RULES[rule].require_who(user, found)
    outcome = attempt(lambda: action(user, found))
    if outcome.refused:
        flash("; ".join(outcome.errors.values()), "error")
    else:
        flash(done(found.label), "success")
    return _back(statement, found)


@bp.post("/statements/<slug>/amendments/<int:number>/support")
@login_required
def support_amendment(slug: str, number: int) -> Response:
    return _act(slug, number, "support", ops.support,
                lambda label: _("You support %(label)s.", label=label))


@bp.post("/statements/<slug>/amendments/<int:number>/unsupport")
@login_required
def unsupport_amendment(slug: str, number: int) -> Response:
    return _act(slug, number, "unsupport", ops.unsupport,
                lambda label: _("You no longer support %(label)s.", label=label))


@bp.post("/statements/<slug>/amendments/<int:number>/withdraw")
@login_required
def withdraw_amendment(slug: str, number: int) -> Response:
    return _act(slug, number, "withdraw", ops.withdraw,
                lambda label: _("%(label)s is withdrawn.", label=label))


@bp.post("/statements/<slug>/amendments/<int:number>/comments")
@login_required
def comment_amendment(slug: str, number: int) -> Response:
    body = request.form.get("body")
    return _act(slug, number, "comment", lambda user, a: ops.comment(user, a, body),
                lambda label: _("Comment added."))


@bp.post("/statements/<slug>/amendments/<int:number>/reject")
@login_required
def reject_amendment(slug: str, number: int) -> Response:
    note = request.form.get("note", "")
    vote = _vote(request.form)
    return _act(slug, number, "reject",
                lambda user, a: ops.reject(user, a, note=note, vote=vote),
                lambda label: _("%(label)s is rejected.", label=label))


@bp.post("/statements/<slug>/amendments/<int:number>/accept")
@login_required
def accept_amendment(slug: str, number: int) -> Response:
    user, statement, found = _load(slug, number)
    RULES["accept"].require_who(user, found)
    vote = _vote(request.form)
    outcome = attempt(lambda: ops.accept(user, found, note=request.form.get("note", ""),
                                         vote=vote))
    if outcome.refused:
        flash(outcome.detail, "error")
        if isinstance(outcome.error, MergeConflict):
            return redirect(url_for("web.resolve_amendment", slug=slug, number=number))
        return _back(statement, found)
    flash(_("%(label)s is merged as version %(number)s.", label=found.label,
            number=outcome.result().number), "success")
    if request.form.get("back") == "queue":
        return _back(statement)
    return _back(statement, found)


@bp.post("/statements/<slug>/amendments/merge-clean")
@login_required
def merge_clean(slug: str) -> Response:
    user = signed_in_user()
    statement = statement_for_amendments(slug, user)
    RULES["merge_all_clean"].require_who(user, statement)
    plan = merge_plan(statement)
    outcome = attempt(lambda: ops.merge_all_clean(user, statement))
    if outcome.refused:
        flash(outcome.detail, "error")
        return _back(statement)
    versions = outcome.value or []
    merged = [step.amendment.label for step in plan if step.merges]
    skipped = [_("%(label)s (%(reason)s)", label=step.amendment.label, reason=step.reason)
               for step in plan if not step.merges]
    if versions:
        flash(_("Merged %(labels)s as version(s) %(first)s–%(last)s.",
                labels=", ".join(merged), first=versions[0].number,
                last=versions[-1].number), "success")
    else:
        flash(_("No open amendment applies cleanly."), "warning")
    if skipped:
        flash(_("Not merged: %(amendments)s.", amendments="; ".join(skipped)), "warning")
    return _back(statement)


@bp.route("/statements/<slug>/amendments/<int:number>/resolve", methods=["GET", "POST"])
@login_required
def resolve_amendment(slug: str, number: int) -> Page:
    """Accept with changes: the head and the amendment side by side, the editor pre-filled
    with the clean merge if there is one, else with the head to be reworded."""
    user, statement, found = _load(slug, number)
    RULES["accept_with_changes"].require_who(user, found)
    head = statement.head
    merged = merge_onto_head(found, head) if not found.decided else None
    context: dict[str, object] = {
        "statement": statement, "amendment": found, "head": head, "merged": merged,
        "errors": {}, "note": "", "base": head.number,
        "text": merged.text if merged and merged.clean else head.text,
        "amendment_tracked": excerpt(found.base_version.text, found.text,
                                     found.first_line, found.last_line)}
    if merged is not None and not merged.clean:
        context["conflicts"] = [_in_sentence(found.base_version.text, c)
                                for c in merged.conflicts]
    if request.method == "GET":
        return render_template("amendments/resolve.html", **context)
    form = request.form
    if form.get("action") == "combine" and merged is not None and not merged.clean:
        # The conflict tool: each conflict resolved as chosen, everything else merged;
        # shown as tracked changes against the head before anything is accepted.
        resolutions = [_resolution(form, i, c) for i, c in enumerate(merged.conflicts)]
        combined = merge_resolving(found.base_version.text, head.text, found.text,
                                   resolutions)
        context.update(text=combined, choices={i: form.get(f"choice-{i}", "")
                                               for i in range(len(resolutions))},
                       preview=diff_html(diff_texts(head.text, combined)))
        return render_template("amendments/resolve.html", **context)
    context.update(text=form.get("text", ""), note=form.get("note", ""))
    outcome = attempt(lambda: ops.accept(user, found, note=form.get("note", ""),
                                         text=form.get("text", ""),
                                         base=parse_number(form.get("base"))))
    if isinstance(outcome.error, StaleVersion):
        flash(outcome.detail, "error")
        return render_template("amendments/resolve.html", **context), 409
    if outcome.refused:
        context["errors"] = outcome.errors_under("text")
        return render_template("amendments/resolve.html", **context), outcome.status
    flash(_("%(label)s is merged with changes as version %(number)s.", label=found.label,
            number=outcome.result().number), "success")
    return _back(statement, found)


def _in_sentence(base: str, conflict: Conflict) -> dict[str, str]:
    """A conflict with the words around it in the base text, up to its sentence's edges."""
    before = base[max(0, conflict.start - 120):conflict.start]
    after = base[conflict.end:conflict.end + 120]
    cut = max(before.rfind(". "), before.rfind("\n"))
    before = before[cut + 1:] if cut >= 0 else "…" + before
    stop = min((i for i in (after.find(". "), after.find("\n")) if i >= 0), default=-1)
    after = after[:stop + 1] if stop >= 0 else after + "…"
    return {"before": before, "after": after, "base": conflict.base, "head": conflict.head,
            "amendment": conflict.amendment}


def _resolution(form: Mapping[str, str], index: int, conflict: Conflict) -> str:
    choice = form.get(f"choice-{index}", "amendment")
    if choice == "head":
        return conflict.head
    if choice == "own":
        return form.get(f"own-{index}", conflict.amendment).replace("\r\n", "\n")
    return conflict.amendment


@bp.route("/statements/<slug>/amendments/<int:number>/rebase", methods=["GET", "POST"])
@login_required
def rebase_amendment(slug: str, number: int) -> Page:
    """The proposer brings a pending amendment up to the newest version: in one step when it
    merges cleanly, else by editing the conflicting part."""
    user, statement, found = _load(slug, number)
    RULES["rebase"].require_who(user, found)
    head = statement.head
    merged = merge_onto_head(found, head)
    context = {"statement": statement, "amendment": found, "head": head, "merged": merged,
               "errors": {}, "text": merged.text if merged.clean else head.text}
    if request.method == "GET":
        return render_template("amendments/rebase.html", **context)
    text = request.form.get("text")
    outcome = attempt(lambda: ops.rebase(user, found, text=text))
    if isinstance(outcome.error, MergeConflict):
        flash(outcome.detail, "error")
        return render_template("amendments/rebase.html", **context), 409
    if outcome.refused:
        context.update(errors=outcome.errors_under("text"), text=text or "")
        return render_template("amendments/rebase.html", **context), outcome.status
    flash(_("%(label)s now amends version %(number)s.", label=found.label,
            number=head.number), "success")
    return _back(statement, found)


@bp.get("/statements/<slug>/attribution")
def attribution_page(slug: str) -> str:
    statement = statement_or_404(slug, page_user())
    raw = request.args.get("version")
    version = version_or_404(statement, raw) if raw else statement.head
    spans = attribution(statement, version.number)
    return render_template("amendments/attribution.html", statement=statement,
                           version=version, spans=spans)
