"""Endorsements and the full record (API.md)."""

from __future__ import annotations

from flask import Response, jsonify, request

from ..errors import DomainError, Invalid, NotFound
from ..http.identity import api_user, require_api_user
from ..http.transaction import lock_for_writing
from ..operations.confirmations import request_endorsement
from ..operations.endorsements import (
    decide_verification,
    endorse,
    my_endorsement,
    prepare_endorsement,
    withdraw_endorsement,
)
from ..read.lookups import statement_or_404
from ..read.public_record import receipt
from ..read.queries import SignatoryFilter, all_endorsements, public_endorsements
from ..read.record import full_record
from ..read.serialise import endorsement_json
from ..rules import RULES, EndorsementKind
from . import bp
from .body import json_body

FIELDS = ("kind", "name", "organisation", "capacity", "city", "country", "country_code",
          "public", "authorised", "sha256")


@bp.post("/statements/<slug>/endorsements")
def create_endorsement(slug: str) -> tuple[Response, int]:
    actor = api_user()
    if actor is None:
        return _endorse_without_account(slug)
    statement = statement_or_404(slug, actor)
    RULES["endorse"].require_who(actor, statement)
    body = json_body()
    given = {k: body[k] for k in FIELDS if k in body}
    given.setdefault("kind", None)
    entry = prepare_endorsement(actor, statement, **given)
    lock_for_writing()
    endorsement = endorse(actor, statement_or_404(slug, actor), entry=entry)
    return jsonify(endorsement_json(endorsement)), 201


def _endorse_without_account(slug: str) -> tuple[Response, int]:
    """With ``email`` and ``name``: the same 202 whether or not that address endorsed
    already (only its e-mail says which); without ``email``, 401."""
    try:
        body = json_body()
    except DomainError:
        require_api_user()  # 401 first: without an account only a good body is read
        raise
    if "email" not in body:
        require_api_user()  # 401, with the reason
    lock_for_writing()  # (hooks.LOCK_LATER) nothing to check before it here
    statement = statement_or_404(slug, None)
    given = {k: body[k] for k in FIELDS if k in body}
    given.setdefault("kind", None)
    given.setdefault("name", None)
    request_endorsement(statement, email=body["email"], **given)
    return jsonify({"status": "pending_confirmation"}), 202


@bp.get("/statements/<slug>/endorsements")
def list_endorsements(slug: str) -> Response:
    viewer = api_user()
    every = request.args.get("all") not in (None, "", "0")
    if every and viewer is None:
        require_api_user()  # 401 before anything else: the full list needs a signed-in caller
    statement = statement_or_404(slug, viewer)
    if every:
        RULES["list_all_endorsements"].require_who(viewer, statement)
        items = all_endorsements(statement)
        return jsonify({"count": len(items),
                        "items": [endorsement_json(e, full=True) for e in items]})
    kind = request.args.get("kind", "")
    if kind and kind not in set(EndorsementKind):
        raise Invalid(errors={"kind": "Choose individual, organisation or government."})
    filters = SignatoryFilter(kind=kind, country=request.args.get("country", "").strip()[:100],
                              name=request.args.get("q", "").strip()[:200])
    count, items = public_endorsements(statement, filters)
    return jsonify({"count": count, "items": [endorsement_json(e) for e in items]})


@bp.post("/statements/<slug>/endorsements/<id>/verification")
def verify(slug: str, id: str) -> Response:  # noqa: A002  (the contract names it id)
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    RULES["verify_endorsement"].require_who(actor, statement)
    body = json_body()
    found = decide_verification(actor, statement, id,
                                decision=body.get("decision"), note=body.get("note", ""))
    return jsonify(endorsement_json(found, full=True))


@bp.get("/statements/<slug>/endorsements/mine/receipt")
def my_receipt(slug: str) -> Response:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    mine = my_endorsement(statement, actor)
    if mine is None:
        raise NotFound("You have no active endorsement of this statement.")
    return jsonify(receipt(mine))


@bp.delete("/statements/<slug>/endorsements/mine")
def withdraw_mine(slug: str) -> tuple[str, int]:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    RULES["withdraw_endorsement"].require_who(actor, statement)
    withdraw_endorsement(actor, statement)
    return "", 204


@bp.get("/statements/<slug>/record")
def record(slug: str) -> Response:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    RULES["read_record"].require_who(actor, statement)
    return jsonify(full_record(statement))
