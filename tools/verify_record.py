#!/usr/bin/env python3
"""Check a published statement from outside, trusting nothing the server says about itself.

    python3 tools/verify_record.py https://statements.example.org/s/<slug>

It fetches the statement's public record, the service's keys, the exact source of the final
text and the JSON export, and checks: that every event links to the one before by its
SHA-256, that the service's Ed25519 key signed the record's head (and the export), that the
final text hashes to what the record and the export say, and that the export's signatories
are exactly those the record's events add up to. It needs only Python's standard library
and the `cryptography` package. Exit 0 with a short report, or 1 naming what failed first.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
import urllib.request
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

PUBLIC_FIELDS = ("name", "organisation", "capacity", "kind", "city", "country",
                 "country_code")


class Failed(Exception):
    pass


def fetch(url: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise Failed(f"not a web address: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": "verify_record/1"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (checked above)
        return bytes(response.read())


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def check_signature(keys: dict[str, bytes], signature: dict[str, str], message: bytes,
                    what: str) -> None:
    if signature.get("alg") != "EdDSA" or signature.get("kid") not in keys:
        raise Failed(f"{what}: signed by an unknown key {signature.get('kid')!r}")
    try:
        Ed25519PublicKey.from_public_bytes(keys[signature["kid"]]).verify(
            unb64(signature["value"]), message)
    except (InvalidSignature, ValueError) as exc:
        raise Failed(f"{what}: the signature does not match") from exc


def check_chain(events: list[dict[str, Any]]) -> str:
    prev = "0" * 64
    for expected, event in enumerate(events, start=1):
        if event["seq"] != expected:
            raise Failed(f"event {expected} is missing (found seq {event['seq']})")
        if event["prev"] != prev:
            raise Failed(f"event {expected}: prev is not the hash of event {expected - 1}")
        body = canonical({k: event[k] for k in ("seq", "at", "type", "data")})
        actual = hashlib.sha256(prev.encode("ascii") + b"\n" + body).hexdigest()
        if event["hash"] != actual:
            raise Failed(f"event {expected}: its hash does not match its contents")
        prev = actual
    return prev


def replay(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The public list the events add up to: public endorsements not withdrawn, needing no
    verification or verified (or pending, while the statement lists those), in the order
    they last endorsed."""
    entries: dict[int, list[Any]] = {}
    list_unverified = False
    for event in events:
        data, kind = event["data"], event["type"]
        if kind == "endorsed":
            entries.pop(data["id"], None)
            if "commitment" not in data:
                entries[data["id"]] = [event["seq"], {k: data.get(k) for k in PUBLIC_FIELDS},
                                       data.get("verification", "not_required")]
        elif kind == "endorsement_withdrawn":
            entries.pop(data["id"], None)
        elif kind == "verification" and data["id"] in entries:
            entries[data["id"]][2] = data["decision"]
        elif kind == "details" and data.get("field") == "list_unverified":
            list_unverified = json.loads(data["value"])
    shown = {"not_required", "verified"} | ({"pending"} if list_unverified else set())
    return [entry[1] for entry in sorted(entries.values(), key=lambda e: e[0])
            if entry[2] in shown]


def verify(page_url: str) -> list[str]:
    page_url = page_url.rstrip("/")
    site = page_url.split("/s/", 1)[0]
    record = json.loads(fetch(page_url + "/record.json"))
    keys = {k["kid"]: unb64(k["x"]) for k in json.loads(
        fetch(site + "/.well-known/statements-keys.json"))["keys"]
        if k.get("kty") == "OKP" and k.get("crv") == "Ed25519"}
    events = record["events"]
    head = check_chain(events)
    if record["head"] != head:
        raise Failed("the record's head is not the hash of its last event")
    check_signature(keys, record["signature"], head.encode("ascii"), "the record")
    report = [f"chain of {len(events)} event(s) holds; head {head}",
              f"head signed by key {record['signature']['kid']}"]
    source = fetch(page_url + "/source.md")
    export = json.loads(fetch(page_url + "/export.json"))
    text_hash = hashlib.sha256(source).hexdigest()
    versions = [e["data"] for e in events if e["type"] == "version"]
    final = versions[-1] if versions else None
    if final is None or final["sha256"] != text_hash or final["number"] != export["version"]:
        raise Failed("the final text's SHA-256 is not the last version in the record")
    if export["sha256"] != text_hash or export["text"].encode("utf-8") != source:
        raise Failed("the export's text is not the exact source the record names")
    if export.get("record_head") is not None and export["record_head"] != head:
        raise Failed("the export names another record head")
    if "signature" in export:
        check_signature(keys, export["signature"],
                        canonical({k: v for k, v in export.items() if k != "signature"}),
                        "the export")
    report.append(f"final text: version {final['number']}, SHA-256 {text_hash}")
    listed = replay(events)
    exported = [{k: s.get(k) for k in PUBLIC_FIELDS} for s in export["signatories"]]
    if listed != exported:
        raise Failed(f"the export lists {len(exported)} signatories; the record's events "
                     f"add up to {len(listed)}, or to others")
    report.append(f"{len(listed)} public signatories, exactly as the record adds up")
    return report


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    try:
        for line in verify(argv[1]):
            print("OK  " + line)
    except Failed as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError) as exc:
        print(f"FAILED: could not read the published record: {exc}", file=sys.stderr)
        return 1
    print("The published statement checks out.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
