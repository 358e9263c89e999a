"""Amendments, their support, comments, rebase and decisions, and attribution (API.md)."""

from __future__ import annotations

from flask import Response, jsonify, request

from .. import permissions
from ..errors import Invalid, NotAllowed
from ..extensions import db
from ..identity import api_user, require_api_user
from ..lookups import statement_or_404, version_or_404
from ..models import AMENDMENT_STATUSES, Amendment, Statement, User
from ..operations import amendments as ops
from ..queries import attribution
from ..serialise import amendment_json, comment_json, person, version_json
from . import bp
from .body import json_body


def _load(slug: str, number: str | None = None) -> tuple[User, Statement, Amendment | None]:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    return actor, statement, ops.amendment_or_404(statement, number) if number else None


def _with_standing(amendment: Amendment) -> dict:
    return amendment_json(amendment, ops.standing(amendment))


@bp.post("/statements/<slug>/amendments")
def propose(slug: str) -> tuple[Response, int, dict[str, str]]:
    actor, statement, _ = _load(slug)
    body = json_body()
    amendment = ops.propose(actor, statement, base=body.get("base"), text=body.get("text"),
                            patch=body.get("patch"), rationale=body.get("rationale"))
    db.session.commit()
    return (jsonify(_with_standing(amendment)), 201,
            {"Location": f"/api/v1/statements/{slug}/amendments/{amendment.number}"})


@bp.get("/statements/<slug>/amendments")
def list_amendments(slug: str) -> Response:
    _, statement, _ = _load(slug)
    status = request.args.get("status")
    if status is not None and status not in AMENDMENT_STATUSES:
        raise Invalid(errors={"status": "Status must be one of: "
                                        + ", ".join(AMENDMENT_STATUSES) + "."})
    query = db.select(Amendment).where(Amendment.statement_id == statement.id)
    if status:
        query = query.where(Amendment.status == status)
    items = db.session.scalars(query.order_by(Amendment.number))
    standings = ops.standings(statement)
    return jsonify({"items": [amendment_json(a, standings.get(a.number)) for a in items]})


@bp.get("/statements/<slug>/amendments/<number>")
def get_amendment(slug: str, number: str) -> Response:
    _, _, amendment = _load(slug, number)
    return jsonify(_with_standing(amendment))


@bp.post("/statements/<slug>/amendments/<number>/support")
def support(slug: str, number: str) -> Response:
    actor, _, amendment = _load(slug, number)
    ops.support(actor, amendment)
    db.session.commit()
    return jsonify(_with_standing(amendment))


@bp.delete("/statements/<slug>/amendments/<number>/support")
def unsupport(slug: str, number: str) -> tuple[str, int]:
    actor, _, amendment = _load(slug, number)
    ops.unsupport(actor, amendment)
    db.session.commit()
    return "", 204


@bp.get("/statements/<slug>/amendments/<number>/comments")
def list_comments(slug: str, number: str) -> Response:
    _, _, amendment = _load(slug, number)
    return jsonify({"items": [comment_json(c) for c in amendment.comments]})


@bp.post("/statements/<slug>/amendments/<number>/comments")
def add_comment(slug: str, number: str) -> tuple[Response, int]:
    actor, _, amendment = _load(slug, number)
    note = ops.comment(actor, amendment, json_body().get("body"))
    db.session.commit()
    return jsonify(comment_json(note)), 201


@bp.post("/statements/<slug>/amendments/<number>/rebase")
def rebase(slug: str, number: str) -> Response:
    actor, _, amendment = _load(slug, number)
    if actor.id != amendment.proposer_id:
        raise NotAllowed("Only the proposer can bring an amendment up to date.")
    ops.rebase(actor, amendment, text=json_body().get("text"))
    db.session.commit()
    return jsonify(_with_standing(amendment))


@bp.post("/statements/<slug>/amendments/<number>/withdraw")
def withdraw(slug: str, number: str) -> Response:
    actor, _, amendment = _load(slug, number)
    ops.withdraw(actor, amendment)
    db.session.commit()
    return jsonify(amendment_json(amendment))


def _moderator(actor: User, statement: Statement) -> None:
    if not permissions.is_moderator_of(actor, statement):
        raise NotAllowed("Only this statement's moderators and admins decide amendments.")


@bp.post("/statements/<slug>/amendments/<number>/accept")
def accept(slug: str, number: str) -> Response:
    actor, statement, amendment = _load(slug, number)
    _moderator(actor, statement)
    body = json_body()
    version = ops.accept(actor, amendment, note=body.get("note", ""), text=body.get("text"),
                         base=body.get("base"))
    db.session.commit()
    return jsonify({"amendment": amendment_json(amendment),
                    "version": version_json(version, with_text=True)})


@bp.post("/statements/<slug>/amendments/<number>/reject")
def reject(slug: str, number: str) -> Response:
    actor, statement, amendment = _load(slug, number)
    _moderator(actor, statement)
    ops.reject(actor, amendment, note=json_body().get("note"))
    db.session.commit()
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
