"""API.md: statements, versions, diffs and transitions, with its status codes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import func, select

from statements.extensions import db
from statements.models import AuditEvent, Statement, Version
from statements.text.normalise import sha256_hex
from tests.factories import SAMPLE_TEXT, api_as, make_statement, make_user, signed_in


@pytest.fixture
def moderator(app: Flask):
    return make_user(app, "moderator", name="Mo Derator", organisation="Paris")


@pytest.fixture
def mod_api(app: Flask, moderator):
    return api_as(app, moderator)


def test_create_statement(app: Flask, mod_api, moderator) -> None:
    response = mod_api.post("/statements", {"title": "Déclaration de Paris",
                                            "text": "Line one\r\nLine two\r\n",
                                            "occasion": "Paris summit"})
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith("/api/v1/statements/declaration-de-paris")
    assert body["slug"] == "declaration-de-paris" and body["status"] == "draft"
    head = body["head"]
    assert head["number"] == 1 and head["text"] == "Line one\nLine two\n"
    assert head["sha256"] == sha256_hex("Line one\nLine two\n")
    assert head["source"] == {"kind": "import", "amendments": []}
    assert head["author"] == {"id": moderator.id, "name": "Mo Derator", "organisation": "Paris"}
    assert body["moderators"] == [head["author"]]
    assert body["time_zone"] == "UTC" and body["amending_until"] is None
    assert body["counts"]["endorsements"] == 0
    datetime.fromisoformat(head["created_at"]).utcoffset()  # ISO with an offset


def test_create_statement_slugs(app: Flask, mod_api) -> None:
    def slug_of(title: str) -> str:
        return mod_api.post("/statements", {"title": title, "text": "x"}).get_json()["slug"]

    assert [slug_of("Same"), slug_of("Same"), slug_of("昆明宣言")] == ["same", "same-2",
                                                                    "statement"]
    mine = mod_api.post("/statements", {"title": "T", "text": "x", "slug": "mine"})
    assert mine.status_code == 201
    taken = mod_api.post("/statements", {"title": "T", "text": "x", "slug": "mine"})
    assert taken.status_code == 409
    bad = mod_api.post("/statements", {"title": "T", "text": "x", "slug": "Not A Slug"})
    assert bad.status_code == 422 and "slug" in bad.get_json()["errors"]


def test_create_statement_checks(app: Flask, client, mod_api) -> None:
    assert client.post("/api/v1/statements", json={"title": "T", "text": "x"}).status_code == 401
    delegate = api_as(app, make_user(app))
    assert delegate.post("/statements", {"title": "T", "text": "x"}).status_code == 403
    response = mod_api.post("/statements", {"title": "", "text": 5})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"title", "text"}
    assert mod_api.post("/statements", {"title": "T", "text": "a\x00b"}).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Statement)) == 0


def test_visibility(app: Flask, client, moderator) -> None:
    draft = make_statement(app, moderator, status="draft")
    public = make_statement(app, moderator, status="endorsing")
    assert client.get(f"/api/v1/statements/{draft}").status_code == 404
    assert client.get(f"/api/v1/statements/{public}").status_code == 200
    assert [s["slug"] for s in client.get("/api/v1/statements").get_json()["items"]] == [public]
    delegate = api_as(app, make_user(app))
    assert delegate.get(f"/api/v1/statements/{draft}".removeprefix("/api/v1")).status_code == 200
    items = delegate.get("/statements").get_json()["items"]
    assert {s["slug"] for s in items} == {draft, public}
    for path in ("versions", "versions/1", "diff?from=1&to=1"):
        assert client.get(f"/api/v1/statements/{draft}/{path}").status_code == 404
        assert client.get(f"/api/v1/statements/{public}/{path}").status_code == 200
        assert delegate.get(f"/statements/{draft}/{path}").status_code == 200
    assert client.get("/api/v1/statements/nope").status_code == 404


def test_new_version_and_stale_base(app: Flask, mod_api, moderator) -> None:
    slug = make_statement(app, moderator)
    v2 = SAMPLE_TEXT.replace("every two years", "every year")
    response = mod_api.post(f"/statements/{slug}/versions", {"text": v2, "base": 1,
                                                             "message": "Yearly reports"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["number"] == 2 and body["text"] == v2 and body["message"] == "Yearly reports"
    assert body["source"]["kind"] == "edit"
    assert response.headers["Location"].endswith(f"/statements/{slug}/versions/2")
    stale = mod_api.post(f"/statements/{slug}/versions", {"text": SAMPLE_TEXT + "More.\n",
                                                          "base": 1})
    assert stale.status_code == 409
    problem = stale.get_json()
    assert problem["head_number"] == 2
    assert [-1, "two years."] in problem["diffs"] and [1, "year."] in problem["diffs"]
    same = mod_api.post(f"/statements/{slug}/versions", {"text": v2, "base": 2})
    assert same.status_code == 422
    assert mod_api.get(f"/statements/{slug}").get_json()["head"]["number"] == 2


def test_new_version_checks(app: Flask, client, mod_api, moderator) -> None:
    slug = make_statement(app, moderator)
    path = f"/statements/{slug}/versions"
    assert client.post("/api/v1" + path, json={"text": "x", "base": 1}).status_code == 401
    other_mod = api_as(app, make_user(app, "moderator"))
    assert other_mod.post(path, {"text": "x", "base": 1}).status_code == 403
    assert api_as(app, make_user(app, "admin")).post(path, {"text": "new", "base": 1}
                                                     ).status_code == 201
    assert mod_api.post(path, {"text": "x", "base": "2"}).status_code == 422
    assert mod_api.post(path, {"base": 2}).status_code == 422
    assert mod_api.post(path, {"text": "x", "base": 99}).status_code == 422
    assert mod_api.post("/statements/nope/versions", {"text": "x", "base": 1}).status_code == 404
    final = make_statement(app, moderator, status="final")
    frozen = mod_api.post(f"/statements/{final}/versions", {"text": "x", "base": 1})
    assert frozen.status_code == 409


def test_versions_list_get_and_diff(app: Flask, mod_api, moderator) -> None:
    slug = make_statement(app, moderator)
    mod_api.post(f"/statements/{slug}/versions", {"text": SAMPLE_TEXT + "\nNew paragraph.\n",
                                                  "base": 1})
    items = mod_api.get(f"/statements/{slug}/versions").get_json()["items"]
    assert [v["number"] for v in items] == [1, 2] and "text" not in items[0]
    v1 = mod_api.get(f"/statements/{slug}/versions/1").get_json()
    assert v1["text"] == SAMPLE_TEXT and v1["sha256"] == sha256_hex(SAMPLE_TEXT)
    assert mod_api.get(f"/statements/{slug}/versions/3").status_code == 404
    assert mod_api.get(f"/statements/{slug}/versions/x").status_code == 404
    d = mod_api.get(f"/statements/{slug}/diff?from=1&to=2").get_json()
    assert d["from"] == 1 and d["to"] == 2
    assert "".join(t for op, t in d["diffs"] if op != 1) == SAMPLE_TEXT
    assert [1, "\nNew paragraph.\n"] in d["diffs"]
    assert mod_api.get(f"/statements/{slug}/diff?from=1").status_code == 422
    assert mod_api.get(f"/statements/{slug}/diff?from=1&to=9").status_code == 404


def test_transitions(app: Flask, mod_api, moderator) -> None:
    slug = make_statement(app, moderator)
    path = f"/statements/{slug}/transitions"
    assert mod_api.post(path, {"to": "final"}).status_code == 409
    assert mod_api.post(path, {"to": "frozen"}).status_code == 422
    for to in ("amending", "reviewing", "amending", "reviewing", "final", "endorsing", "closed"):
        response = mod_api.post(path, {"to": to})
        assert response.status_code == 200, (to, response.get_json())
        assert response.get_json()["status"] == to
    refused = mod_api.post(path, {"to": "endorsing"})
    assert refused.status_code == 409
    assert "cannot move any more" in refused.get_json()["detail"]
    with app.app_context():
        moves = db.session.scalars(select(AuditEvent.after).where(
            AuditEvent.action == "statement.transition").order_by(AuditEvent.id)).all()
    assert moves == ["amending", "reviewing", "amending", "reviewing", "final", "endorsing",
                     "closed"]


def test_transition_permissions(app: Flask, client, moderator) -> None:
    slug = make_statement(app, moderator)
    path = f"/api/v1/statements/{slug}/transitions"
    assert client.post(path, json={"to": "amending"}).status_code == 401
    delegate = api_as(app, make_user(app))
    assert delegate.post(path.removeprefix("/api/v1"), {"to": "amending"}).status_code == 403
    # 403 comes before the body is judged
    assert delegate.post(path.removeprefix("/api/v1"), {"to": "bogus"}).status_code == 403


def test_patch_statement(app: Flask, mod_api, moderator) -> None:
    slug = make_statement(app, moderator)
    soon = (datetime.now(timezone.utc) + timedelta(days=3)).replace(microsecond=0)
    response = mod_api.patch(f"/statements/{slug}", {
        "title": "New title", "occasion": "Paris, 2026-06-01",
        "amending_until": soon.astimezone(timezone(timedelta(hours=2))).isoformat(),
        "time_zone": "Europe/Paris"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["title"] == "New title" and body["time_zone"] == "Europe/Paris"
    assert datetime.fromisoformat(body["amending_until"]) == soon
    bad = mod_api.patch(f"/statements/{slug}", {"time_zone": "Mars/Olympus",
                                                 "amending_until": "2026-01-01T10:00:00",
                                                 "endorsing_until": "yesterday"})
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"time_zone", "amending_until", "endorsing_until"}
    past = mod_api.patch(f"/statements/{slug}", {"endorsing_until": "2020-01-01T00:00:00Z"})
    assert past.status_code == 422
    assert mod_api.patch(f"/statements/{slug}", {"slug": "x"}).status_code == 422
    assert mod_api.patch(f"/statements/{slug}", {"amending_until": None}
                         ).get_json()["amending_until"] is None


def test_patch_refused_once_final_or_phase_over(app: Flask, mod_api, moderator) -> None:
    final = make_statement(app, moderator, status="final")
    assert mod_api.patch(f"/statements/{final}", {"title": "Changed"}).status_code == 409
    assert mod_api.patch(f"/statements/{final}", {"occasion": "Changed"}).status_code == 409
    later = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    assert mod_api.patch(f"/statements/{final}", {"amending_until": later}).status_code == 409
    assert mod_api.patch(f"/statements/{final}", {"endorsing_until": later}).status_code == 200
    closed = make_statement(app, moderator, status="closed")
    assert mod_api.patch(f"/statements/{closed}", {"endorsing_until": later}).status_code == 409


def test_moderators_are_added_by_admins(app: Flask, moderator, mod_api) -> None:
    slug = make_statement(app, moderator)
    helper = make_user(app, "delegate", name="Helper")
    admin = api_as(app, make_user(app, "admin"))
    assert mod_api.post(f"/statements/{slug}/moderators", {"user_id": helper.id}
                        ).status_code == 403
    assert admin.post(f"/statements/{slug}/moderators", {"user_id": "x"}).status_code == 422
    assert admin.post(f"/statements/{slug}/moderators", {"user_id": 999}).status_code == 422
    response = admin.post(f"/statements/{slug}/moderators", {"user_id": helper.id})
    assert response.status_code == 200
    assert [m["name"] for m in response.get_json()["moderators"]] == ["Mo Derator", "Helper"]
    helper_api = api_as(app, helper)
    assert helper_api.post(f"/statements/{slug}/transitions", {"to": "amending"}
                           ).status_code == 200


def test_deadline_closes_amending_on_the_first_request_after_it(app: Flask, client,
                                                                mod_api, moderator) -> None:
    slug = make_statement(app, moderator, status="amending")
    with app.app_context():
        statement = db.session.scalars(select(Statement)).one()
        statement.amending_until = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.session.commit()
    assert mod_api.get(f"/statements/{slug}").get_json()["status"] == "reviewing"
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "statement.deadline")).one()
        assert (event.actor_id, event.before, event.after) == (None, "amending", "reviewing")


def test_deadline_closes_endorsing_even_for_a_failing_write(app: Flask, client, moderator,
                                                           mod_api) -> None:
    slug = make_statement(app, moderator, status="endorsing")
    with app.app_context():
        statement = db.session.scalars(select(Statement)).one()
        statement.endorsing_until = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.session.commit()
    response = mod_api.post(f"/statements/{slug}/transitions", {"to": "bogus"})
    assert response.status_code == 422
    assert client.get(f"/api/v1/statements/{slug}").get_json()["status"] == "closed"


def test_parallel_edits_never_share_a_number(app: Flask, moderator) -> None:
    import threading

    slug = make_statement(app, moderator)
    results: list[int] = []

    def edit(i: int) -> None:
        api = api_as(app, moderator)
        head = api.get(f"/statements/{slug}").get_json()["head"]["number"]
        for _ in range(10):
            response = api.post(f"/statements/{slug}/versions",
                                {"text": f"{SAMPLE_TEXT}\nEdit by writer {i}.\n", "base": head})
            if response.status_code == 201:
                results.append(response.get_json()["number"])
                return
            head = response.get_json()["head_number"]

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [2, 3, 4, 5, 6]
    with app.app_context():
        numbers = db.session.scalars(select(Version.number).order_by(Version.number)).all()
    assert numbers == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("number", ["99999999999999999999", "²", "-1", "1e3", "0x1"])
def test_odd_numbers_in_urls_are_404_not_500(app: Flask, mod_api, moderator,
                                               number: str) -> None:
    slug = make_statement(app, moderator, status="amending")
    assert mod_api.get(f"/statements/{slug}/versions/{number}").status_code == 404
    assert mod_api.get(f"/statements/{slug}/amendments/{number}").status_code == 404
    # Not a version number at all: the diff names the field (422); the compare page falls
    # back to its default pair of versions and shows it.
    assert mod_api.get(f"/statements/{slug}/diff?from=1&to={number}").status_code == 422
    assert signed_in(app, moderator).get(
        f"/statements/{slug}/compare?from={number}").status_code == 200


def test_huge_numbers_in_bodies_are_422(mod_api, app: Flask, moderator) -> None:
    slug = make_statement(app, moderator, status="amending")
    response = mod_api.post(f"/statements/{slug}/versions", {"text": "x", "base": 10**30})
    assert response.status_code == 422 and "base" in response.get_json()["errors"]
    response = mod_api.post(f"/statements/{slug}/amendments",
                            {"text": "x", "base": 10**30, "rationale": "r"})
    assert response.status_code == 422
