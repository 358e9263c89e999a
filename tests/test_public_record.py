"""The public record: a hash chain of every change, signed, checkable from outside.

The chain is recomputed here by an independent implementation (a few lines of hashlib and
json, not the product's code); every kind of direct tampering makes `flask verify` fail;
concurrent writers leave one unbroken chain; tools/verify_record.py checks a live server."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask
from sqlalchemy import text

from statements.extensions import db
from tests.factories import (
    SAMPLE_TEXT,
    api_as,
    make_amendment,
    make_endorsement,
    make_statement,
    make_user,
)
from tests.live import LiveServer

ROOT = Path(__file__).resolve().parent.parent


def _independent_chain(events: list[dict]) -> str:
    """API.md's definition, written again from the contract."""
    prev = "0" * 64
    for n, event in enumerate(events, start=1):
        assert event["seq"] == n and event["prev"] == prev
        body = json.dumps({"seq": event["seq"], "at": event["at"], "type": event["type"],
                           "data": event["data"]}, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False).encode("utf-8")
        prev = hashlib.sha256(prev.encode() + b"\n" + body).hexdigest()
        assert event["hash"] == prev, n
    return prev


def _b64(text_: str) -> bytes:
    return base64.urlsafe_b64decode(text_ + "=" * (-len(text_) % 4))


@pytest.fixture
def published(app: Flask) -> str:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    proposer = make_user(app, name="Chen Wei")
    make_amendment(app, slug, proposer, text=SAMPLE_TEXT.replace("urban", "city"))
    api = api_as(app, moderator)
    assert api.post(f"/statements/{slug}/amendments/1/accept",
                    {"vote": {"for": 9, "against": 1, "abstain": 0}}).status_code == 200
    for step in ("reviewing", "final", "endorsing"):
        assert api.post(f"/statements/{slug}/transitions", {"to": step}).status_code == 200
    make_endorsement(app, slug, make_user(app, name="São Paulo"), city="São Paulo")
    make_endorsement(app, slug, make_user(app, name="Private Person"), public=False)
    kunming = make_endorsement(app, slug, make_user(app, name="昆明市"), kind="government")
    # On behalf of a government: pending until a moderator verifies it.
    assert api.post(f"/statements/{slug}/endorsements/{kunming}/verification",
                    {"decision": "verified", "note": "Called the city hall."}).status_code == 200
    leaver = make_user(app, name="Leaves Later")
    make_endorsement(app, slug, leaver)
    assert api_as(app, leaver).delete(f"/statements/{slug}/endorsements/mine"
                                      ).status_code == 204
    return slug


def test_the_record_recomputes_independently_and_is_signed(app: Flask, client,
                                                           published: str) -> None:
    record = client.get(f"/s/{published}/record.json").get_json()
    head = _independent_chain(record["events"])
    assert record["head"] == head and record["slug"] == published
    keys = client.get("/.well-known/statements-keys.json").get_json()["keys"]
    assert keys[0]["kty"] == "OKP" and keys[0]["crv"] == "Ed25519"
    key = next(k for k in keys if k["kid"] == record["signature"]["kid"])
    assert record["signature"]["alg"] == "EdDSA"
    Ed25519PublicKey.from_public_bytes(_b64(key["x"])).verify(
        _b64(record["signature"]["value"]), head.encode("ascii"))
    types = [e["type"] for e in record["events"]]
    assert types[:3] == ["created", "version", "status"]
    assert "amendment_proposed" in types and "amendment_decided" in types
    decided = next(e["data"] for e in record["events"] if e["type"] == "amendment_decided")
    assert decided == {"number": 1, "status": "merged", "version": 2, "note": "",
                       "vote": {"for": 9, "against": 1, "abstain": 0}}


def test_replaying_the_record_gives_exactly_the_public_list(client, published: str) -> None:
    record = client.get(f"/s/{published}/record.json").get_json()
    listed: dict[int, dict] = {}
    for event in record["events"]:
        if event["type"] == "endorsed":
            listed.pop(event["data"]["id"], None)
            if "commitment" not in event["data"]:
                listed[event["data"]["id"]] = event["data"]
        elif event["type"] == "endorsement_withdrawn":
            listed.pop(event["data"]["id"], None)
    public = client.get(f"/api/v1/statements/{published}/endorsements").get_json()["items"]
    assert [e["name"] for e in listed.values()] == [e["name"] for e in public] == [
        "São Paulo", "昆明市"]
    raw = json.dumps(record, ensure_ascii=False)
    assert "Private Person" not in raw  # present only as a commitment
    private = [e["data"] for e in record["events"]
               if e["type"] == "endorsed" and "commitment" in e["data"]]
    assert len(private) == 1
    assert set(private[0]) == {"id", "version", "sha256", "verification", "commitment"}


def test_the_record_of_a_draft_is_not_public(app: Flask, client) -> None:
    slug = make_statement(app, status="final")
    assert client.get(f"/s/{slug}/record.json").status_code == 404


def test_a_receipt_is_signed_and_names_its_event(app: Flask, client, published: str) -> None:
    signer = make_user(app, name="Receipt Holder")
    make_endorsement(app, published, signer)
    api = api_as(app, signer)
    receipt = api.get(f"/statements/{published}/endorsements/mine/receipt").get_json()
    record = client.get(f"/s/{published}/record.json").get_json()
    event = next(e for e in record["events"] if e["hash"] == receipt["event_hash"])
    assert event["type"] == "endorsed" and event["data"]["name"] == "Receipt Holder"
    assert receipt["sha256"] == event["data"]["sha256"] and receipt["version"] == 2
    keys = {k["kid"]: k for k in client.get("/.well-known/statements-keys.json"
                                            ).get_json()["keys"]}
    signed = {k: v for k, v in receipt.items() if k != "signature"}
    Ed25519PublicKey.from_public_bytes(_b64(keys[receipt["signature"]["kid"]]["x"])).verify(
        _b64(receipt["signature"]["value"]),
        json.dumps(signed, sort_keys=True, separators=(",", ":"),
                   ensure_ascii=False).encode("utf-8"))
    assert api.delete(f"/statements/{published}/endorsements/mine").status_code == 204
    assert api.get(f"/statements/{published}/endorsements/mine/receipt").status_code == 404


GUARDED = ("versions", "audit_events", "record_events")


@pytest.fixture(autouse=True)
def _guards_back(app: Flask) -> Iterator[None]:
    """On PostgreSQL the database outlives the test: the guards a test dropped come back,
    or a later test of the guards themselves would find none (SQLite's file is the test's)."""
    yield
    with app.app_context(), db.engine.begin() as conn:
        if conn.dialect.name != "sqlite":
            for table in GUARDED:
                conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER {table}_permanent"))


def _tamper(app: Flask, *statements: str) -> None:
    """As an attacker with the database: drop the guards, then change rows."""
    with app.app_context(), db.engine.begin() as conn:
        sqlite = conn.dialect.name == "sqlite"
        for table in GUARDED:
            if sqlite:
                for op in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{op}"))
            else:
                conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER {table}_permanent"))
        for statement in statements:
            conn.execute(text(statement))


def _verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["verify"])
    return result.exit_code, result.output


TAMPERING = {
    "a version rewritten with its own hash": [
        "UPDATE versions SET text = 'Forged.', sha256 = "
        f"'{hashlib.sha256(b'Forged.').hexdigest()}' WHERE number = 2"],
    "an endorsement's field changed": ["UPDATE endorsements SET name = 'Someone else' "
                                       "WHERE name = 'São Paulo'"],
    "an endorsement re-bound to another version": [
        "UPDATE endorsements SET version_id = (SELECT id FROM versions WHERE number = 1), "
        "version_number = 1, sha256 = (SELECT sha256 FROM versions WHERE number = 1)"],
    "an endorsement deleted": ["DELETE FROM endorsements WHERE name = '昆明市'"],
    "an endorsement made private": ["UPDATE endorsements SET public = false "
                                    "WHERE name = 'São Paulo'"],
    "the status moved back": ["UPDATE statements SET status = 'amending'"],
    "the head moved back": ["UPDATE statements SET head_number = 1"],
    "a record event deleted": ["DELETE FROM record_events WHERE seq = 3"],
    "the last record event deleted": [
        "DELETE FROM record_events WHERE seq = (SELECT max(seq) FROM record_events)"],
    "record events reordered": ["UPDATE record_events SET seq = seq + 1000 WHERE seq = 2",
                                "UPDATE record_events SET seq = 2 WHERE seq = 3",
                                "UPDATE record_events SET seq = 3 WHERE seq = 1002"],
    "a record event's data rewritten": [
        "UPDATE record_events SET data_json = replace(data_json, 'São Paulo', 'Lisboa')"],
    "audit rows deleted": ["DELETE FROM audit_events WHERE action = 'endorsement.withdraw'"],
    "one byte of a version's text": ["UPDATE versions SET text = text || ' ' "
                                     "WHERE number = 1"],
}


@pytest.mark.parametrize("how", sorted(TAMPERING))
def test_every_kind_of_tampering_fails_verify(app: Flask, published: str, how: str) -> None:
    assert _verify(app)[0] == 0
    _tamper(app, *TAMPERING[how])
    code, output = _verify(app)
    assert code == 1, (how, output)
    assert "MISMATCH" in output


def test_fifty_endorsements_and_five_accepts_at_once_leave_one_chain(app: Flask,
                                                                     client) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    # Five amendments, each to a different word, so that all five merge in any order.
    for word in ("mayors", "governors", "cities", "ecosystems", "progress"):
        make_amendment(app, slug, make_user(app),
                       text=SAMPLE_TEXT.replace(word, word.upper(), 1))
    api = api_as(app, moderator)
    accepts: list[int] = []
    threads = [threading.Thread(target=lambda n=n: accepts.append(api_as(app, moderator).post(
        f"/statements/{slug}/amendments/{n}/accept", {}).status_code)) for n in range(1, 6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(accepts) == [200] * 5
    for step in ("reviewing", "final", "endorsing"):
        assert api.post(f"/statements/{slug}/transitions", {"to": step}).status_code == 200
    signers = [api_as(app, make_user(app)) for _ in range(50)]
    results: list[int] = []
    barrier = threading.Barrier(50)

    def endorse(i: int) -> None:
        barrier.wait()
        results.append(signers[i].post(f"/statements/{slug}/endorsements",
                                       {"kind": "individual"}).status_code)

    threads = [threading.Thread(target=endorse, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [201] * 50
    record = client.get(f"/s/{slug}/record.json").get_json()
    _independent_chain(record["events"])
    assert [e["seq"] for e in record["events"]] == list(range(1, len(record["events"]) + 1))
    assert sum(e["type"] == "endorsed" for e in record["events"]) == 50
    assert sum(e["type"] == "amendment_decided" for e in record["events"]) == 5
    assert _verify(app)[0] == 0


def _tool(url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "tools" / "verify_record.py"), url],
                          capture_output=True, text=True, timeout=60, check=False)


def test_the_outside_checker_passes_a_real_record_and_fails_a_tampered_one(
        app: Flask, published: str) -> None:
    with LiveServer(app) as server:
        good = _tool(f"{server.url}/s/{published}")
        assert good.returncode == 0, good.stdout + good.stderr
        assert "checks out" in good.stdout and "2 public signatories" in good.stdout
        _tamper(app, "UPDATE endorsements SET public = false WHERE name = 'São Paulo'")
        listed = _tool(f"{server.url}/s/{published}")
        assert listed.returncode == 1 and "signatories" in listed.stderr
        _tamper(app, "UPDATE record_events SET data_json = replace(data_json, '昆明市', 'X')")
        chain = _tool(f"{server.url}/s/{published}")
        assert chain.returncode == 1 and "hash does not match" in chain.stderr


def test_the_outside_checker_fails_on_a_changed_text(app: Flask, published: str) -> None:
    with LiveServer(app) as server:
        _tamper(app, "UPDATE versions SET text = text || ' ' WHERE number = 2")
        result = _tool(f"{server.url}/s/{published}")
        assert result.returncode == 1 and "SHA-256" in result.stderr
