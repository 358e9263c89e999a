"""Amendments, their support, comments, rebase and decisions, and attribution (API.md)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select

from ..errors import Invalid
from ..extensions import db
from ..http.identity import api_user, require_api_user
from ..http.transaction import lock_for_writing
from ..models import Amendment, Statement, User
from ..operations import amendments as ops
from ..read.lookups import statement_for_amendments, statement_or_404, version_or_404
from ..read.memo import Digests
from ..read.queries import attribution
from ..read.serialise import amendment_json, comment_json, person, version_json
from ..read.standing import standing, standings
from ..rules import RULES, AmendmentStatus
from . import bp
from .body import json_body


def _load(slug: str, rule: str | None = None) -> tuple[User, Statement]:
    """The caller (401) and the statement (404), and the rule's role part (403)."""
    actor = require_api_user()
    statement = statement_for_amendments(slug, actor)
    if rule is not None:
        RULES[rule].require_who(actor, statement)
    return actor, statement


def _load_amendment(slug: str, number: str,
                    rule: str | None = None) -> tuple[User, Statement, Amendment]:
    actor, statement = _load(slug)
    amendment = ops.amendment_or_404(statement, number)
    if rule is not None:
        RULES[rule].require_who(actor, amendment)
    return actor, statement, amendment


def _with_standing(amendment: Amendment) -> dict[str, Any]:
    return amendment_json(amendment, standing(amendment))


@bp.post("/statements/<slug>/amendments")
def propose(slug: str) -> tuple[Response, int, dict[str, str]]:
    actor, statement = _load(slug, "propose")
    body = json_body()
    prepared = ops.prepare_proposal(statement, base=body.get("base"), text=body.get("text"),
                                    patch=body.get("patch"), rationale=body.get("rationale"))
    lock_for_writing()
    amendment = ops.propose(actor, statement_or_404(slug, actor), prepared=prepared)
    return (jsonify(_with_standing(amendment)), 201,
            {"Location": f"/api/v1/statements/{slug}/amendments/{amendment.number}"})


@bp.get("/statements/<slug>/amendments")
def list_amendments(slug: str) -> Response:
    _, statement = _load(slug)
    status = request.args.get("status")
    if status is not None and status not in set(AmendmentStatus):
        raise Invalid(errors={"status": "Status must be one of: "
                                        + ", ".join(AmendmentStatus) + "."})
    query = select(Amendment).where(Amendment.statement_id == statement.id)
    if status:
        query = query.where(Amendment.status == status)
    items = db.session.scalars(query.order_by(Amendment.number)).all()
    # Only open amendments have a standing: those listed here are all of them (as
    # open_amendments would load them again), or, filtered on another status, none.
    digests = Digests()
    standing_of = {} if status not in {None, AmendmentStatus.PROPOSED} else standings(
        statement, digests=digests, amendments=sorted(
            (a for a in items if a.status == AmendmentStatus.PROPOSED),
            key=lambda a: (a.first_line, a.number)))
    return jsonify({"items": [amendment_json(a, standing_of.get(a.number), digests=digests)
                              for a in items]})


@bp.get("/statements/<slug>/amendments/<number>")
def get_amendment(slug: str, number: str) -> Response:
    _, _, amendment = _load_amendment(slug, number)
    return jsonify(_with_standing(amendment))


@bp.post("/statements/<slug>/amendments/<number>/support")
def support(slug: str, number: str) -> Response:
    actor, _, amendment = _load_amendment(slug, number, "support")
    ops.support(actor, amendment)
    return jsonify(_with_standing(amendment))


@bp.delete("/statements/<slug>/amendments/<number>/support")
def unsupport(slug: str, number: str) -> tuple[str, int]:
    actor, _, amendment = _load_amendment(slug, number, "unsupport")
    ops.unsupport(actor, amendment)
    return "", 204


@bp.get("/statements/<slug>/amendments/<number>/comments")
def list_comments(slug: str, number: str) -> Response:
    _, _, amendment = _load_amendment(slug, number)
    return jsonify({"items": [comment_json(c) for c in amendment.comments]})


@bp.post("/statements/<slug>/amendments/<number>/comments")
def add_comment(slug: str, number: str) -> tuple[Response, int]:
    actor, _, amendment = _load_amendment(slug, number, "comment")
    note = ops.comment(actor, amendment, json_body().get("body"))
    return jsonify(comment_json(note)), 201


@bp.post("/statements/<slug>/amendments/<number>/rebase")
def rebase(slug: str, number: str) -> Response:
    actor, _, amendment = _load_amendment(slug, number, "rebase")
    ops.rebase(actor, amendment, text=json_body().get("text"))
    return jsonify(_with_standing(amendment))


@bp.post("/statements/<slug>/amendments/<number>/withdraw")
def withdraw(slug: str, number: str) -> Response:
    actor, _, amendment = _load_amendment(slug, number, "withdraw")
    ops.withdraw(actor, amendment)
    return jsonify(amendment_json(amendment))


@bp.post("/statements/<slug>/amendments/<number>/accept")
def accept(slug: str, number: str) -> Response:
    actor, _, amendment = _load_amendment(slug, number, "accept")
    body = json_body()
    version = ops.accept(actor, amendment, note=body.get("note", ""), text=body.get("text"),
                         base=body.get("base"), vote=body.get("vote"))
    return jsonify({"amendment": amendment_json(amendment),
                    "version": version_json(version, with_text=True)})


@bp.post("/statements/<slug>/amendments/<number>/reject")
def reject(slug: str, number: str) -> Response:
    actor, _, amendment = _load_amendment(slug, number, "reject")
    body = json_body()
    ops.reject(actor, amendment, note=body.get("note"), vote=body.get("vote"))
    return jsonify(amendment_json(amendment))


@bp.get("/statements/<slug>/attribution")
def get_attribution(slug: str) -> Response:
    viewer = api_user()
    statement = statement_or_404(slug, viewer)
    raw = request.args.get("version")
    number = version_or_404(statement, raw).number if raw else statement.head_number
    spans = attribution(statement, number)
    return jsonify({"version": number, "spans": [
        {"text": s.text, "version": s.origin.version, "amendment": s.origin.amendment,
         "author": person(s.origin.author)} for s in spans]})
