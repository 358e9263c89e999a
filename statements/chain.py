"""The public record's hash chain, as API.md defines it ("The public record").

Pure: standard library only, so that what is computed here is what anyone can compute.
Each event is ``{"seq", "at", "type", "data", "prev", "hash"}`` with ``seq`` 1, 2, … per
statement, ``prev`` the previous event's hash (64 zeros for the first), and
``hash = SHA-256(prev + "\\n" + canonical({"seq", "at", "type", "data"}))``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64


def canonical(value: Any) -> bytes:
    """The UTF-8 of ``json.dumps(value, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)``: one byte string for one value, in any language."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def event_hash(prev: str, seq: int, at: str, type_: str, data: Any) -> str:
    body = canonical({"seq": seq, "at": at, "type": type_, "data": data})
    return hashlib.sha256(prev.encode("ascii") + b"\n" + body).hexdigest()


def commitment(fields: Mapping[str, Any], salt: str) -> str:
    """What the record shows of a private endorsement: the SHA-256 of its fields and a
    secret salt. It proves the entry existed unchanged, and says nothing of who signed."""
    return hashlib.sha256(canonical({**fields, "salt": salt})).hexdigest()


def first_broken_link(events: Iterable[Mapping[str, Any]]) -> str | None:
    """Why the chain does not hold, naming the first event where it breaks, or None."""
    prev, expected_seq = GENESIS, 1
    for event in events:
        seq = event.get("seq")
        if seq != expected_seq:
            return f"event {expected_seq} is missing (found seq {seq} there)"
        if event.get("prev") != prev:
            return f"event {seq}: prev is not the hash of event {seq - 1}"
        actual = event_hash(prev, seq, event["at"], event["type"], event["data"])
        if event.get("hash") != actual:
            return f"event {seq}: its hash does not match its contents"
        prev, expected_seq = actual, expected_seq + 1
    return None


PUBLIC_FIELDS = ("name", "organisation", "capacity", "kind", "city", "country",
                 "country_code")


def replay_public_list(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The public signatories the record's events add up to, in the public list's order
    (by when each last endorsed): every public endorsement not withdrawn since, that needs
    no verification or was verified — or is pending, while the statement lists those."""
    entries: dict[int, tuple[int, dict[str, Any], str]] = {}
    list_unverified = False
    for event in events:
        data, kind = event["data"], event["type"]
        if kind == "endorsed":
            if "commitment" in data:
                entries.pop(data["id"], None)
            else:
                entries[data["id"]] = (event["seq"], {k: data.get(k) for k in PUBLIC_FIELDS},
                                       data.get("verification", "not_required"))
        elif kind == "endorsement_withdrawn":
            entries.pop(data["id"], None)
        elif kind == "verification" and data["id"] in entries:
            seq, fields, _ = entries[data["id"]]
            entries[data["id"]] = (seq, fields, data["decision"])
        elif kind == "details" and data.get("field") == "list_unverified":
            list_unverified = json.loads(data["value"])
    shown = {"not_required", "verified"} | ({"pending"} if list_unverified else set())
    return [fields for _, fields, state in sorted(entries.values(), key=lambda e: e[0])
            if state in shown]
