"""Statements, versions, diffs and transitions (API.md)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy import select

from ..errors import Invalid
from ..extensions import db
from ..http.identity import api_user, require_api_user
from ..models import User, Version
from ..operations import notifications
from ..operations import statements as ops
from ..operations.workflow import transition
from ..read.lookups import parse_number, statement_or_404, version_or_404
from ..read.queries import visible_statements
from ..read.serialise import statement_json, version_json
from ..rules import RULES
from ..text.diff import diff_texts, diffs_to_json
from . import bp
from .body import json_body

PATCHABLE = ("title", "occasion", "amending_until", "endorsing_until", "time_zone",
             "trusted_domains", "list_unverified")


def _created(body: dict[str, Any], location: str) -> tuple[Response, int, dict[str, str]]:
    return jsonify(body), 201, {"Location": location}


@bp.post("/statements")
def create_statement() -> tuple[Response, int, dict[str, str]]:
    actor = require_api_user()
    RULES["create_statement"].require_who(actor)
    body = json_body()
    statement = ops.create_statement(actor, title=body.get("title"), text=body.get("text"),
                                     slug=body.get("slug"), occasion=body.get("occasion", ""))
    return _created(statement_json(statement, actor), f"/api/v1/statements/{statement.slug}")


@bp.get("/statements")
def list_statements() -> Response:
    viewer = api_user()
    return jsonify({"items": [statement_json(s, viewer) for s in visible_statements(viewer)]})


@bp.get("/statements/<slug>")
def get_statement(slug: str) -> Response:
    viewer = api_user()
    return jsonify(statement_json(statement_or_404(slug, viewer), viewer))


@bp.patch("/statements/<slug>")
def patch_statement(slug: str) -> Response:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    RULES["edit_details"].require_who(actor, statement)
    body = json_body()
    unknown = sorted(set(body) - set(PATCHABLE))
    if unknown:
        raise Invalid(errors={field: "This field cannot be changed here." for field in unknown})
    ops.update_details(actor, statement, **{k: body[k] for k in PATCHABLE if k in body})
    return jsonify(statement_json(statement, actor))


@bp.post("/statements/<slug>/moderators")
def add_moderator(slug: str) -> Response:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    RULES["add_moderator"].require_who(actor, statement)
    user_id = json_body().get("user_id")
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise Invalid(errors={"user_id": "user_id must be a whole number."})
    user = db.session.get(User, user_id) if parse_number(user_id) is not None else None
    if user is None:
        raise Invalid(errors={"user_id": f"There is no user {user_id}."})
    ops.add_moderator(actor, statement, user)
    return jsonify(statement_json(statement, actor))


@bp.post("/statements/<slug>/transitions")
def move(slug: str) -> Response:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    RULES["move"].require_who(actor, statement)
    transition(actor, statement, json_body().get("to"))
    return jsonify(statement_json(statement, actor))


@bp.post("/statements/<slug>/subscription")
def follow(slug: str) -> tuple[str, int]:
    actor = require_api_user()
    notifications.follow(actor, statement_or_404(slug, actor))
    return "", 204


@bp.delete("/statements/<slug>/subscription")
def unfollow(slug: str) -> tuple[str, int]:
    actor = require_api_user()
    notifications.unfollow(actor, statement_or_404(slug, actor))
    return "", 204


@bp.get("/statements/<slug>/versions")
def list_versions(slug: str) -> Response:
    statement = statement_or_404(slug, api_user())
    versions = db.session.scalars(select(Version).where(Version.statement_id == statement.id)
                                  .order_by(Version.number))
    return jsonify({"items": [version_json(v) for v in versions]})


@bp.get("/statements/<slug>/versions/<number>")
def get_version(slug: str, number: str) -> Response:
    statement = statement_or_404(slug, api_user())
    return jsonify(version_json(version_or_404(statement, number), with_text=True))


@bp.post("/statements/<slug>/versions")
def create_version(slug: str) -> tuple[Response, int, dict[str, str]]:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    RULES["edit_text"].require_who(actor, statement)
    body = json_body()
    if "text" not in body:
        raise Invalid(errors={"text": "The new text is required."})
    version = ops.create_version(actor, statement, text=body.get("text"), base=body.get("base"),
                                 message=body.get("message", ""))
    return _created(version_json(version, with_text=True),
                    f"/api/v1/statements/{slug}/versions/{version.number}")


@bp.get("/statements/<slug>/diff")
def diff(slug: str) -> Response:
    statement = statement_or_404(slug, api_user())
    errors = {k: "A version number is required." for k in ("from", "to")
              if parse_number(request.args.get(k)) is None}
    if errors:
        raise Invalid(errors=errors)
    a = version_or_404(statement, request.args["from"])
    b = version_or_404(statement, request.args["to"])
    diffs = diffs_to_json(diff_texts(a.text, b.text))
    return jsonify({"from": a.number, "to": b.number, "diffs": diffs})
