"""API.md: endorsements, the record; bound to the final text; one per person."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select

from statements.extensions import db
from statements.models import AuditEvent, Endorsement
from statements.text.normalise import sha256_hex
from tests.factories import SAMPLE_TEXT, api_as, make_statement, make_user


@pytest.fixture
def published(app: Flask):
    moderator = make_user(app, "moderator", name="Mo")
    slug = make_statement(app, moderator, status="endorsing")
    return slug, moderator


def test_endorse_defaults_to_the_account_and_binds_to_the_final_text(app: Flask,
                                                                      published) -> None:
    slug, _ = published
    user = make_user(app, name="Ana Lima", organisation="São Paulo")
    response = api_as(app, user).post(f"/statements/{slug}/endorsements",
                                      {"kind": "individual", "capacity": "Councillor"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "Ana Lima" and body["organisation"] == "São Paulo"
    assert body["version"] == 1 and body["sha256"] == sha256_hex(SAMPLE_TEXT)
    assert body["public"] is True and body["kind"] == "individual"
    assert "email" not in str(body) and user.email not in str(body)


def test_endorse_refusals(app: Flask, published, client) -> None:
    slug, moderator = published
    api = api_as(app, make_user(app))
    path = f"/statements/{slug}/endorsements"
    assert client.post("/api/v1" + path, json={"kind": "individual"}).status_code == 401
    assert api.post(path, {"kind": "alien"}).status_code == 422
    assert api.post(path, {}).status_code == 422
    refused = api.post(path, {"kind": "government", "name": "Mayor of Kunming"})
    assert refused.status_code == 422 and "authorised" in refused.get_json()["errors"]
    assert api.post(path, {"kind": "individual", "public": "yes"}).status_code == 422
    assert api.post(path, {"kind": "individual", "name": "a\u202eb"}).status_code == 422
    wrong = api.post(path, {"kind": "individual", "sha256": "0" * 64})
    assert wrong.status_code == 409 and wrong.get_json()["sha256"] == sha256_hex(SAMPLE_TEXT)
    assert api.post(path, {"kind": "individual", "sha256": sha256_hex(SAMPLE_TEXT)}
                    ).status_code == 201
    assert api.post(path, {"kind": "individual"}).status_code == 409
    draft = make_statement(app, moderator, status="final", title="Not yet open")
    assert api.post(f"/statements/{draft}/endorsements", {"kind": "individual"}
                    ).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Endorsement)) == 1


def test_list_public_and_all(app: Flask, published, client) -> None:
    slug, moderator = published
    names = ["Ana", "Bo", "Chen"]
    for i, name in enumerate(names):
        api_as(app, make_user(app, name=name)).post(f"/statements/{slug}/endorsements", {
            "kind": "individual", "public": i != 1})
    withdrawn = make_user(app, name="Dara")
    dara = api_as(app, withdrawn)
    dara.post(f"/statements/{slug}/endorsements", {"kind": "individual"})
    assert dara.delete(f"/statements/{slug}/endorsements/mine").status_code == 204
    public = client.get(f"/api/v1/statements/{slug}/endorsements").get_json()
    assert public["count"] == 2 and [e["name"] for e in public["items"]] == ["Ana", "Chen"]
    assert api_as(app, moderator).get(f"/statements/{slug}").get_json()["counts"][
        "endorsements"] == 3  # every one not withdrawn, public or not
    # API.md: 401 (not signed in) comes before 403
    assert client.get(f"/api/v1/statements/{slug}/endorsements?all=1").status_code == 401
    assert dara.get(f"/statements/{slug}/endorsements?all=1").status_code == 403
    full = api_as(app, moderator).get(f"/statements/{slug}/endorsements?all=1").get_json()
    assert full["count"] == 4
    by_name = {e["name"]: e for e in full["items"]}
    assert by_name["Dara"]["withdrawn_at"] is not None and by_name["Bo"]["public"] is False


def test_withdraw_and_endorse_again(app: Flask, published) -> None:
    slug, moderator = published
    api = api_as(app, make_user(app))
    path = f"/statements/{slug}/endorsements"
    assert api.delete(path + "/mine").status_code == 404
    api.post(path, {"kind": "individual"})
    assert api.delete(path + "/mine").status_code == 204
    assert api.delete(path + "/mine").status_code == 404
    assert api.post(path, {"kind": "organisation", "authorised": True,
                           "organisation": "ICLEI"}).status_code == 201
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "endorsement").order_by(AuditEvent.id)).all()
    assert actions == ["endorsement.create", "endorsement.withdraw", "endorsement.renew"]
    api_as(app, moderator).post(f"/statements/{slug}/transitions", {"to": "closed"})
    assert api.delete(path + "/mine").status_code == 409


def test_record(app: Flask, published, client) -> None:
    slug, moderator = published
    api_as(app, make_user(app)).post(f"/statements/{slug}/endorsements", {"kind": "individual"})
    record = api_as(app, moderator).get(f"/statements/{slug}/record")
    assert record.status_code == 200
    body = record.get_json()
    assert set(body) == {"statement", "versions", "amendments", "endorsements", "audit"}
    assert body["versions"][0]["text"] == SAMPLE_TEXT
    assert len(body["endorsements"]) == 1
    assert [e["action"] for e in body["audit"]][:2] == ["statement.create", "version.create"]
    assert api_as(app, make_user(app)).get(f"/statements/{slug}/record").status_code == 403
    assert client.get(f"/api/v1/statements/{slug}/record").status_code == 401


def _endorse_at_once(slug: str, apis: list) -> list[int]:
    statuses: list[int] = []

    def go(api) -> None:
        statuses.append(api.post(f"/statements/{slug}/endorsements",
                                 {"kind": "individual"}).status_code)

    threads = [threading.Thread(target=go, args=(api,)) for api in apis]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Endorsement))


def test_twenty_people_endorsing_at_once_all_land(app: Flask, published) -> None:
    slug, _ = published
    statuses = _endorse_at_once(slug, [api_as(app, make_user(app)) for _ in range(20)])
    assert statuses == [201] * 20
    assert _count(app) == 20


def test_one_person_endorsing_ten_times_at_once_lands_once(app: Flask, published) -> None:
    slug, _ = published
    user = make_user(app)
    statuses = _endorse_at_once(slug, [api_as(app, user) for _ in range(10)])
    assert sorted(statuses) == [201] + [409] * 9
    assert _count(app) == 1


def test_the_database_itself_refuses_a_second_endorsement(app: Flask, published) -> None:
    from sqlalchemy.exc import IntegrityError

    slug, _ = published
    user = make_user(app)
    api_as(app, user).post(f"/statements/{slug}/endorsements", {"kind": "individual"})
    with app.app_context():
        first = db.session.scalars(select(Endorsement)).one()
        db.session.add(Endorsement(statement_id=first.statement_id, user_id=user.id,
                                   version_id=first.version_id, version_number=1,
                                   sha256=first.sha256, name="again", organisation="",
                                   capacity="", kind="individual", city="", country="",
                                   public=True, authorised=False))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_a_name_in_any_script_is_accepted_whatever_the_fonts(app: Flask, published) -> None:
    """API.md: a character is never refused for want of a font (the PDF prints a placeholder
    for one no font has, and logs it)."""
    slug, _ = published
    name = "محمد \ue000 李明 🕊 Ana"
    response = api_as(app, make_user(app)).post(f"/statements/{slug}/endorsements", {
        "kind": "individual", "name": name, "city": "ኣዲስ ኣበባ"})
    assert response.status_code == 201
    assert response.get_json()["name"] == name


def test_authority_is_verified_by_a_moderator_or_a_trusted_domain(app) -> None:
    from tests.factories import api_as, make_statement, make_user

    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="endorsing")
    mod = api_as(app, moderator)
    path = f"/statements/{slug}/endorsements"
    assert mod.patch(f"/statements/{slug}", {"trusted_domains": ["Paris.FR", "not a domain"]}
                     ).status_code == 422
    changed = mod.patch(f"/statements/{slug}", {"trusted_domains": ["paris.fr"]}).get_json()
    assert changed["trusted_domains"] == ["paris.fr"] and changed["list_unverified"] is False
    assert "trusted_domains" not in api_as(app, make_user(app)).get(f"/statements/{slug}"
                                                                   ).get_json()
    city = api_as(app, make_user(app, email="maire@mairie.paris.fr")).post(path, {
        "kind": "government", "organisation": "Ville de Paris", "authorised": True})
    assert city.get_json()["verification"] == "verified"  # under a trusted domain
    ngo = api_as(app, make_user(app, email="head@ngo.example")).post(path, {
        "kind": "organisation", "organisation": "An NGO", "authorised": True}).get_json()
    person = api_as(app, make_user(app)).post(path, {"kind": "individual"}).get_json()
    assert ngo["verification"] == "pending" and person["verification"] == "not_required"
    listed = [e["organisation"] for e in api_as(app, make_user(app)).get(path).get_json()[
        "items"]]
    assert "An NGO" not in listed and "Ville de Paris" in listed
    counts = mod.get(f"/statements/{slug}").get_json()["counts"]["verification"]
    assert counts == {"pending": 1, "verified": 1, "rejected": 0}
    delegate = api_as(app, make_user(app))
    assert delegate.post(f"{path}/{ngo['id']}/verification", {"decision": "verified"}
                         ).status_code == 403
    assert mod.post(f"{path}/{ngo['id']}/verification", {"decision": "maybe"}).status_code == 422
    assert mod.post(f"{path}/{person['id']}/verification", {"decision": "verified"}
                    ).status_code == 409
    assert mod.post(f"{path}/999/verification", {"decision": "verified"}).status_code == 404
    decided = mod.post(f"{path}/{ngo['id']}/verification",
                       {"decision": "verified", "note": "Letter on file."}).get_json()
    assert decided["verification"] == "verified" and decided["verification_note"] == \
        "Letter on file." and decided["verified_by"]["id"] == moderator.id
    assert "An NGO" in [e["organisation"] for e in delegate.get(path).get_json()["items"]]
    rejected = mod.post(f"{path}/{ngo['id']}/verification", {"decision": "rejected"})
    assert rejected.get_json()["verification"] == "rejected"  # a decision may change
    assert "An NGO" not in [e["organisation"] for e in delegate.get(path).get_json()["items"]]
    mod.patch(f"/statements/{slug}", {"list_unverified": True})
    pending = api_as(app, make_user(app, email="x@other.example")).post(path, {
        "kind": "organisation", "organisation": "Listed while pending", "authorised": True})
    assert pending.get_json()["verification"] == "pending"
    assert "Listed while pending" in [e["organisation"] for e in delegate.get(path).get_json()[
        "items"]]
    assert app.test_cli_runner().invoke(args=["verify"]).exit_code == 0
