"""Building the public record of statements that existed before it (migration 0007).

Their audit trail is replayed in order, each row becoming the event a live change makes
(statements/operations/chain.py says which). This works on the migration's own connection
with plain SQL, not the ORM models, so that later migrations may change the models
without breaking this one; where the audit row does not say everything (the text of an
amendment when it was proposed), the row as it stands now is used.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app

from ..chain import GENESIS, canonical, commitment, event_hash
from ..signing import SigningKey
from ..text.normalise import sha256_hex


def _row(bind: sa.Connection, table: str, key: Any) -> dict[str, Any] | None:
    found = bind.execute(sa.text(f"SELECT * FROM {table} WHERE id = :id"),  # noqa: S608
                         {"id": int(key)}).mappings().first()
    return dict(found) if found is not None else None


def _person(bind: sa.Connection, user_id: Any) -> dict[str, Any] | None:
    user = _row(bind, "users", user_id) if user_id is not None else None
    return None if user is None else {"id": user["id"], "name": user["name"],
                                      "organisation": user["organisation"]}


def _event(bind: sa.Connection, audit: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    action, key = audit["action"], audit["object_id"]
    before, after = audit["before"], audit["after"]
    details = audit["details"] if isinstance(audit["details"], dict) else json.loads(
        audit["details"] or "{}")
    kind, _, verb = action.partition(".")
    if action == "statement.create":
        row = _row(bind, "statements", key)
        return ("created", {"title": row["title"], "occasion": row["occasion"]}) if row else None
    if action in {"statement.transition", "statement.deadline"}:
        data = {"from": before, "to": after}
        if "deadline" in details:
            data["deadline"] = details["deadline"]
        return "status", data
    if action == "statement.moderator_add":
        return "moderator_added", {"user": _person(bind, after)}
    if kind == "statement":
        return "details", {"field": verb, "value": after}
    if action == "version.create":
        row = _row(bind, "versions", key)
        if row is None:
            return None
        merged = [details["amendment"]] if "amendment" in details else []
        return "version", {"number": row["number"], "sha256": row["sha256"],
                           "author": _person(bind, row["author_id"]),
                           "message": row["message"],
                           "source": {"kind": row["source_kind"], "amendments": merged}}
    if kind == "amendment" and verb == "comment":
        row = _row(bind, "amendment_comments", key)
        return ("amendment_commented", {"number": details.get("amendment"), "id": int(key),
                                        "sha256": sha256_hex(row["body"]) if row else None})
    if kind == "amendment":
        row = _row(bind, "amendments", key)
        if row is None:
            return None
        if verb in {"propose", "rebase"}:
            base = _row(bind, "versions", row["base_version_id"])
            return (f"amendment_{'proposed' if verb == 'propose' else 'rebased'}", {
                "number": row["number"], "base": base["number"] if base else None,
                "sha256": sha256_hex(row["text"])})
        if verb in {"support", "unsupport", "withdraw"}:
            name = {"support": "supported", "unsupport": "unsupported",
                    "withdraw": "withdrawn"}[verb]
            return f"amendment_{name}", {"number": row["number"]}
        result = _row(bind, "versions", row["result_version_id"]) \
            if row["result_version_id"] else None
        vote = None if row.get("vote_for") is None else {
            "for": row["vote_for"], "against": row["vote_against"],
            "abstain": row["vote_abstain"]}
        return "amendment_decided", {"number": row["number"], "status": verb,
                                     "version": result["number"] if result else None,
                                     "note": row["decision_note"], "vote": vote}
    if kind == "endorsement":
        row = _row(bind, "endorsements", key)
        if row is None:
            return None
        if verb == "withdraw":
            return "endorsement_withdrawn", {"id": row["id"]}
        fields = {k: row[k] for k in ("name", "organisation", "capacity", "kind", "city",
                                      "country")}
        fields["country_code"] = None
        bound = {"id": row["id"], "version": row["version_number"], "sha256": row["sha256"]}
        if row["public"]:
            return "endorsed", {**bound, **fields}
        return "endorsed", {**bound, "commitment": commitment(fields, row["salt"])}
    return None


def replay_audit_trail(bind: sa.Connection) -> None:
    key = SigningKey(Ed25519PrivateKey.from_private_bytes(current_app.config["SIGNING_SEED"]))
    heads: dict[int, tuple[int, str]] = {}
    audits = bind.execute(sa.text(
        "SELECT * FROM audit_events WHERE statement_id IS NOT NULL ORDER BY id")).mappings()
    for audit in [dict(a) for a in audits]:
        found = _event(bind, audit)
        if found is None:
            continue
        type_, data = found
        data = json.loads(canonical(data))
        seq, prev = heads.get(audit["statement_id"], (0, GENESIS))
        at = audit["at"]
        when = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        stamp = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).isoformat(
            timespec="microseconds")
        digest = event_hash(prev, seq + 1, stamp, type_, data)
        bind.execute(sa.text(
            "INSERT INTO record_events (statement_id, seq, at, type, data_json, prev, hash, "
            "kid, signature) VALUES (:statement_id, :seq, :at, :type, :data, :prev, :hash, "
            ":kid, :signature)"), {
                "statement_id": audit["statement_id"], "seq": seq + 1, "at": stamp,
                "type": type_, "data": canonical(data).decode(), "prev": prev, "hash": digest,
                "kid": key.kid, "signature": key.sign(digest.encode("ascii"))["value"]})
        heads[audit["statement_id"]] = (seq + 1, digest)
