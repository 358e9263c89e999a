"""Endorsements and the full record (API.md)."""

from __future__ import annotations

from flask import Response, jsonify, request

from .. import permissions
from ..errors import NotAllowed
from ..extensions import db
from ..identity import api_user, require_api_user
from ..lookups import statement_or_404
from ..operations.endorsements import endorse, withdraw_endorsement
from ..queries import all_endorsements, public_endorsements
from ..record import full_record
from ..serialise import endorsement_json
from . import bp
from .body import json_body

FIELDS = ("kind", "name", "organisation", "capacity", "city", "country", "public",
          "authorised", "sha256")


@bp.post("/statements/<slug>/endorsements")
def create_endorsement(slug: str) -> tuple[Response, int]:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    body = json_body()
    given = {k: body[k] for k in FIELDS if k in body}
    given.setdefault("kind", None)
    endorsement = endorse(actor, statement, **given)
    db.session.commit()
    return jsonify(endorsement_json(endorsement)), 201


@bp.get("/statements/<slug>/endorsements")
def list_endorsements(slug: str) -> Response:
    viewer = api_user()
    statement = statement_or_404(slug, viewer)
    if request.args.get("all") not in (None, "", "0"):
        if not permissions.is_moderator_of(viewer, statement):
            raise NotAllowed("Only this statement's moderators see every endorsement.")
        items = all_endorsements(statement)
        return jsonify({"count": len(items),
                        "items": [endorsement_json(e, full=True) for e in items]})
    count, items = public_endorsements(statement)
    return jsonify({"count": count, "items": [endorsement_json(e) for e in items]})


@bp.delete("/statements/<slug>/endorsements/mine")
def withdraw_mine(slug: str) -> tuple[str, int]:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    withdraw_endorsement(actor, statement)
    db.session.commit()
    return "", 204


@bp.get("/statements/<slug>/record")
def record(slug: str) -> Response:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    if not permissions.is_moderator_of(actor, statement):
        raise NotAllowed("Only this statement's moderators and admins read the full record.")
    return jsonify(full_record(statement))
