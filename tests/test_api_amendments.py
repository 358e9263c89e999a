"""API.md: amendments, support, comments, rebase, decisions, attribution."""

from __future__ import annotations

import threading

import pytest
from diff_match_patch import diff_match_patch
from flask import Flask
from sqlalchemy import func, select

from statements.extensions import db
from statements.models import Amendment, AmendmentRevision, AuditEvent, Version
from statements.text.diff import apply_patch_exact
from tests.factories import SAMPLE_TEXT, ApiClient, api_as, make_statement, make_user

P1 = "We, the mayors and governors gathered in Paris"
EDIT_A = SAMPLE_TEXT.replace("most people", "nearly everyone")
EDIT_B = SAMPLE_TEXT.replace("every two years", "every year")


@pytest.fixture
def setup(app: Flask):
    moderator = make_user(app, "moderator", name="Mo")
    delegate = make_user(app, name="Dee", organisation="São Paulo")
    slug = make_statement(app, moderator, status="amending")
    return {"slug": slug, "mod": api_as(app, moderator), "dee": api_as(app, delegate),
            "other": api_as(app, make_user(app, name="Ola")), "moderator": moderator,
            "delegate": delegate}


def _propose(api: ApiClient, slug: str, text: str, base: int = 1, rationale: str = "Because"):
    return api.post(f"/statements/{slug}/amendments",
                    {"base": base, "text": text, "rationale": rationale})


def test_propose_with_text(setup) -> None:
    slug, dee = setup["slug"], setup["dee"]
    response = _propose(dee, slug, EDIT_A, rationale="Say it plainly")
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/statements/{slug}/amendments/1")
    assert body["number"] == 1 and body["status"] == "proposed" and body["base"] == 1
    assert body["proposer"]["name"] == "Dee" and body["rationale"] == "Say it plainly"
    assert body["text"] == EDIT_A and body["decision"] is None and body["supporters"] == []
    assert apply_patch_exact(SAMPLE_TEXT, body["patch"]) == EDIT_A
    assert "".join(t for op, t in body["diffs"] if op != 1) == SAMPLE_TEXT
    assert "".join(t for op, t in body["diffs"] if op != -1) == EDIT_A
    assert body["lines"] == [4, 4]
    assert body["applies_cleanly"] is True and body["overlaps"] == []
    assert _propose(dee, slug, EDIT_B).get_json()["number"] == 2


def test_propose_with_a_patch(setup) -> None:
    dmp = diff_match_patch()
    patch = dmp.patch_toText(dmp.patch_make(SAMPLE_TEXT, EDIT_B))
    response = setup["dee"].post(f"/statements/{setup['slug']}/amendments",
                                 {"base": 1, "patch": patch, "rationale": "Yearly"})
    assert response.status_code == 201
    assert response.get_json()["text"] == EDIT_B


def test_propose_refusals(app: Flask, setup, client) -> None:
    slug, dee = setup["slug"], setup["dee"]
    path = f"/statements/{slug}/amendments"
    assert client.post("/api/v1" + path, json={"base": 1, "text": EDIT_A, "rationale": "r"}
                       ).status_code == 401
    cases = [
        ({"base": 1, "text": EDIT_A, "patch": "@@ -1 +1 @@", "rationale": "r"}, "patch"),
        ({"base": 1, "rationale": "r"}, "text"),
        ({"base": 9, "text": EDIT_A, "rationale": "r"}, "base"),
        ({"base": "1", "text": EDIT_A, "rationale": "r"}, "base"),
        ({"base": 1, "text": SAMPLE_TEXT, "rationale": "r"}, "text"),
        ({"base": 1, "text": EDIT_A, "rationale": ""}, "rationale"),
        ({"base": 1, "patch": "@@ -1,5 +1,5 @@\n-XXXXX\n+YYYYY\n", "rationale": "r"}, "patch"),
        ({"base": 1, "patch": "not a patch", "rationale": "r"}, "patch"),
    ]
    for body, field in cases:
        response = dee.post(path, body)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"], (body, response.get_json())
    draft = make_statement(app, setup["moderator"], title="Still a draft")
    assert _propose(dee, draft, EDIT_A).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Amendment)) == 0


def test_support_and_unsupport(app: Flask, setup) -> None:
    slug, dee, other = setup["slug"], setup["dee"], setup["other"]
    _propose(dee, slug, EDIT_A)
    path = f"/statements/{slug}/amendments/1/support"
    assert dee.post(path).status_code == 403
    assert other.post(path).get_json()["supporters"][0]["name"] == "Ola"
    assert len(other.post(path).get_json()["supporters"]) == 1  # repeating changes nothing
    assert other.delete(path).status_code == 204
    assert other.delete(path).status_code == 404
    assert setup["mod"].post(f"/statements/{slug}/amendments/1/reject", {"note": "No"}
                             ).status_code == 200
    assert other.post(path).status_code == 409


def test_withdraw(setup) -> None:
    slug, dee = setup["slug"], setup["dee"]
    _propose(dee, slug, EDIT_A)
    path = f"/statements/{slug}/amendments/1/withdraw"
    assert setup["other"].post(path).status_code == 403
    assert setup["mod"].post(path).status_code == 403
    body = dee.post(path).get_json()
    assert body["status"] == "withdrawn" and body["decision"] is None
    assert dee.post(path).status_code == 409
    assert setup["mod"].post(f"/statements/{slug}/amendments/1/accept").status_code == 409


def test_comments(setup) -> None:
    slug, dee = setup["slug"], setup["dee"]
    _propose(dee, slug, EDIT_A)
    path = f"/statements/{slug}/amendments/1/comments"
    response = setup["other"].post(path, {"body": "I agree, with one reservation."})
    assert response.status_code == 201
    assert response.get_json()["author"]["name"] == "Ola"
    assert setup["other"].post(path, {"body": "   "}).status_code == 422
    assert [c["body"] for c in dee.get(path).get_json()["items"]] == [
        "I agree, with one reservation."]


def test_accept_merges_onto_the_head(app: Flask, setup) -> None:
    slug, dee, mod = setup["slug"], setup["dee"], setup["mod"]
    _propose(dee, slug, EDIT_A)
    _propose(dee, slug, EDIT_B)
    assert mod.post(f"/statements/{slug}/amendments/2/accept").status_code == 200
    response = mod.post(f"/statements/{slug}/amendments/1/accept", {"note": "Agreed in plenary"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"]["number"] == 3
    assert body["version"]["source"] == {"kind": "amendment", "amendments": [1]}
    assert body["version"]["text"] == SAMPLE_TEXT.replace("most people", "nearly everyone"
                                                          ).replace("every two years",
                                                                    "every year")
    decision = body["amendment"]["decision"]
    assert body["amendment"]["status"] == "merged"
    assert decision["version"] == 3 and decision["note"] == "Agreed in plenary"
    assert decision["by"]["name"] == "Mo"
    assert mod.post(f"/statements/{slug}/amendments/1/accept").status_code == 409
    counts = mod.get(f"/statements/{slug}").get_json()["counts"]["amendments"]
    assert counts["merged"] == 2 and counts["proposed"] == 0


def test_conflict_is_409_and_changes_nothing(app: Flask, setup) -> None:
    slug, dee, mod = setup["slug"], setup["dee"], setup["mod"]
    _propose(dee, slug, SAMPLE_TEXT.replace("every two years", "every year"))
    _propose(setup["other"], slug, SAMPLE_TEXT.replace("every two years", "each year"))
    mod.post(f"/statements/{slug}/amendments/1/accept")
    single = dee.get(f"/statements/{slug}/amendments/2").get_json()
    assert single["applies_cleanly"] is False
    response = mod.post(f"/statements/{slug}/amendments/2/accept")
    assert response.status_code == 409
    conflicts = response.get_json()["conflicts"]
    assert len(conflicts) == 1
    assert set(conflicts[0]) == {"base", "head", "amendment"}
    assert "two years" in conflicts[0]["base"] and "each" in conflicts[0]["amendment"]
    assert "every year" in conflicts[0]["head"]
    assert mod.get(f"/statements/{slug}").get_json()["head"]["number"] == 2
    assert dee.get(f"/statements/{slug}/amendments/2").get_json()["status"] == "proposed"


def test_accept_with_changes(setup) -> None:
    slug, dee, mod = setup["slug"], setup["dee"], setup["mod"]
    _propose(dee, slug, EDIT_B)
    reworded = SAMPLE_TEXT.replace("every two years", "every eighteen months")
    stale = mod.post(f"/statements/{slug}/amendments/1/accept", {"text": reworded, "base": 7})
    assert stale.status_code == 409 and stale.get_json()["head_number"] == 1
    response = mod.post(f"/statements/{slug}/amendments/1/accept",
                        {"text": reworded, "base": 1, "note": "Compromise"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["amendment"]["status"] == "merged_modified"
    assert body["version"]["text"] == reworded and body["version"]["number"] == 2


def test_reject_needs_a_note_and_a_moderator(setup) -> None:
    slug, dee, mod = setup["slug"], setup["dee"], setup["mod"]
    _propose(dee, slug, EDIT_A)
    path = f"/statements/{slug}/amendments/1/reject"
    assert setup["other"].post(path, {"note": "no"}).status_code == 403
    assert setup["other"].post(f"/statements/{slug}/amendments/1/accept").status_code == 403
    assert mod.post(path, {}).status_code == 422
    body = mod.post(path, {"note": "Out of scope"}).get_json()
    assert body["status"] == "rejected" and body["decision"]["note"] == "Out of scope"
    assert body["decision"]["version"] is None
    assert mod.post(path, {"note": "again"}).status_code == 409


def test_final_is_refused_while_amendments_are_undecided(setup) -> None:
    slug, dee, mod = setup["slug"], setup["dee"], setup["mod"]
    _propose(dee, slug, EDIT_A)
    mod.post(f"/statements/{slug}/transitions", {"to": "reviewing"})
    refused = mod.post(f"/statements/{slug}/transitions", {"to": "final"})
    assert refused.status_code == 409 and "undecided" in refused.get_json()["detail"]
    assert _propose(dee, slug, EDIT_B).status_code == 409  # reviewing takes no new ones
    mod.post(f"/statements/{slug}/amendments/1/reject", {"note": "No"})
    assert mod.post(f"/statements/{slug}/transitions", {"to": "final"}).status_code == 200


def test_rebase(app: Flask, setup) -> None:
    slug, dee, mod = setup["slug"], setup["dee"], setup["mod"]
    _propose(dee, slug, EDIT_A)
    _propose(setup["other"], slug, EDIT_B)
    mod.post(f"/statements/{slug}/amendments/2/accept")
    assert setup["other"].post(f"/statements/{slug}/amendments/1/rebase").status_code == 403
    body = dee.post(f"/statements/{slug}/amendments/1/rebase").get_json()
    assert body["base"] == 2 and body["text"] == EDIT_A.replace("every two years", "every year")
    assert apply_patch_exact(EDIT_B, body["patch"]) == body["text"]
    with app.app_context():
        revision = db.session.scalars(select(AmendmentRevision)).one()
        assert revision.text == EDIT_A and revision.base_version.number == 1


def test_rebase_with_conflict_needs_a_text(setup) -> None:
    slug, dee, mod = setup["slug"], setup["dee"], setup["mod"]
    _propose(dee, slug, SAMPLE_TEXT.replace("every two years", "each year"))
    _propose(setup["other"], slug, EDIT_B)
    mod.post(f"/statements/{slug}/amendments/2/accept")
    response = dee.post(f"/statements/{slug}/amendments/1/rebase")
    assert response.status_code == 409 and response.get_json()["conflicts"]
    fixed = EDIT_B.replace("every year", "each and every year")
    body = dee.post(f"/statements/{slug}/amendments/1/rebase", {"text": fixed}).get_json()
    assert body["base"] == 2 and body["text"] == fixed and body["applies_cleanly"] is True


def test_overlaps_between_open_amendments(setup) -> None:
    slug, dee = setup["slug"], setup["dee"]
    _propose(dee, slug, SAMPLE_TEXT.replace("every two years", "every year"))
    _propose(setup["other"], slug, SAMPLE_TEXT.replace("every two years", "each year"))
    _propose(setup["other"], slug, EDIT_A)
    items = {a["number"]: a for a in dee.get(f"/statements/{slug}/amendments"
                                             ).get_json()["items"]}
    assert items[1]["overlaps"] == [2] and items[2]["overlaps"] == [1]
    assert items[3]["overlaps"] == []
    assert dee.get(f"/statements/{slug}/amendments/1").get_json()["overlaps"] == [2]
    proposed = dee.get(f"/statements/{slug}/amendments?status=proposed").get_json()["items"]
    assert len(proposed) == 3
    assert dee.get(f"/statements/{slug}/amendments?status=nope").status_code == 422


def test_attribution(app: Flask, setup, client) -> None:
    slug, dee, mod = setup["slug"], setup["dee"], setup["mod"]
    _propose(dee, slug, EDIT_A)
    mod.post(f"/statements/{slug}/amendments/1/accept")
    body = dee.get(f"/statements/{slug}/attribution").get_json()
    assert body["version"] == 2
    assert "".join(s["text"] for s in body["spans"]) == EDIT_A
    from_amendment = [s for s in body["spans"] if s["amendment"] == 1]
    assert from_amendment and all(s["author"]["name"] == "Dee" for s in from_amendment)
    assert "nearly everyone" in "".join(s["text"] for s in from_amendment)
    assert all(s["version"] == 1 for s in body["spans"] if s["amendment"] is None)
    v1 = dee.get(f"/statements/{slug}/attribution?version=1").get_json()
    assert [s["text"] for s in v1["spans"]] == [SAMPLE_TEXT]
    assert client.get(f"/api/v1/statements/{slug}/attribution").status_code == 404


def test_decisions_are_audited(app: Flask, setup) -> None:
    slug, dee, mod = setup["slug"], setup["dee"], setup["mod"]
    _propose(dee, slug, EDIT_A)
    setup["other"].post(f"/statements/{slug}/amendments/1/support")
    mod.post(f"/statements/{slug}/amendments/1/accept")
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "amendment").order_by(AuditEvent.id)).all()
    assert actions == ["amendment.propose", "amendment.support", "amendment.merged"]


def test_parallel_accepts_all_land_one_after_the_other(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    words = [("mayors", "Mayors"), ("recognise", "acknowledge"), ("nature", "Nature"),
             ("urban", "city"), ("report", "account")]
    dee = api_as(app, make_user(app))
    for old, new in words:
        assert _propose(dee, slug, SAMPLE_TEXT.replace(old, new, 1)).status_code == 201
    mods = [api_as(app, moderator) for _ in words]
    statuses: list[int] = []

    def accept(i: int) -> None:
        statuses.append(mods[i].post(f"/statements/{slug}/amendments/{i + 1}/accept"
                                     ).status_code)

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(words))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200] * 5
    expected = SAMPLE_TEXT
    for old, new in words:
        expected = expected.replace(old, new, 1)
    with app.app_context():
        numbers = db.session.scalars(select(Version.number).order_by(Version.number)).all()
        head = db.session.scalars(select(Version).order_by(Version.number.desc())).first()
    assert numbers == [1, 2, 3, 4, 5, 6]
    assert head.text == expected


def test_the_rooms_vote_is_kept_with_the_decision(app) -> None:
    from tests.factories import api_as, make_amendment, make_statement, make_user

    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    api = api_as(app, moderator)
    first = make_amendment(app, slug, make_user(app))
    second = make_amendment(app, slug, make_user(app), text="# Another title\n\nShort.\n")
    for bad in ({"for": -1, "against": 0, "abstain": 0}, {"for": 1}, [1, 2, 3],
                {"for": "3", "against": 0, "abstain": 0}, {"for": 1.5, "against": 0,
                                                          "abstain": 0}):
        response = api.post(f"/statements/{slug}/amendments/{first}/reject",
                            {"note": "No.", "vote": bad})
        assert response.status_code == 422 and "vote" in response.get_json()["errors"], bad
    rejected = api.post(f"/statements/{slug}/amendments/{first}/reject",
                        {"note": "No.", "vote": {"for": 3, "against": 12, "abstain": 2}})
    assert rejected.get_json()["decision"]["vote"] == {"for": 3, "against": 12, "abstain": 2}
    accepted = api.post(f"/statements/{slug}/amendments/{second}/accept",
                        {"vote": {"for": 20, "against": 1, "abstain": 0.0}})
    assert accepted.status_code == 200
    assert accepted.get_json()["amendment"]["decision"]["vote"] == {
        "for": 20, "against": 1, "abstain": 0}
    unvoted = api.get(f"/statements/{slug}/amendments/{second}").get_json()
    assert unvoted["decision"]["vote"]["for"] == 20
