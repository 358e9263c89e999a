"""What a fuzzer and an attacker found, each answered with a clear 4xx and nothing written:
deep or odd JSON, characters no column can hold, times past the calendar, numbers past the
database's range, and slugs chosen by two requests at once."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from statements.extensions import db
from statements.models import Statement, User
from tests.factories import (
    PASSWORD,
    SAMPLE_TEXT,
    api_as,
    form_post,
    make_statement,
    make_user,
    signed_in,
)


def _post_raw(api, path: str, raw: str, method: str = "post"):
    return getattr(api.client, method)("/api/v1" + path, data=raw, headers={
        **api.headers, "Content-Type": "application/json"})


@pytest.fixture
def admin_api(app: Flask):
    return api_as(app, make_user(app, "admin"))


def _write_endpoints(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in sorted((rule.methods or set()) & {"POST", "PATCH", "PUT"}):
            found.append((method.lower(), rule.rule.removeprefix("/api/v1")))
    return found


def test_deeply_nested_json_is_400_on_every_endpoint_that_reads_a_body(app: Flask,
                                                                       admin_api) -> None:
    slug = make_statement(app, status="amending")
    deep = "[" * 50_000 + "]" * 50_000
    moderate = '{"text": ' + "[" * 100 + "]" * 100 + "}"
    endpoints = _write_endpoints(app)
    assert len(endpoints) >= 12
    for method, rule in endpoints:
        path = rule.replace("<slug>", slug).replace("<number>", "1").replace("<id>", "1")
        for raw in (deep, moderate):
            response = _post_raw(admin_api, path, raw, method)
            assert response.status_code < 500, (path, response.get_data(as_text=True)[:200])
            if response.status_code >= 400:
                assert response.mimetype == "application/problem+json"
    for raw in (deep, moderate):
        response = _post_raw(admin_api, "/statements", raw)
        assert response.status_code == 400, raw[:20]
        assert "nested" in response.get_json()["detail"]


@pytest.mark.parametrize("raw", ['{"title": NaN, "text": "x"}', '{"title": "t", "text": "x", '
                                 '"slug": Infinity}', '{"title": -Infinity}'])
def test_nan_and_infinity_are_not_json_numbers(admin_api, raw: str) -> None:
    response = _post_raw(admin_api, "/statements", raw)
    assert response.status_code == 400
    assert "not a JSON number" in response.get_json()["detail"]


@pytest.mark.parametrize("field", ["email", "password"])
@pytest.mark.parametrize("bad", ["\\ud800", "\\udfff\\ud800", "a\\u0000b"])
def test_lone_surrogates_and_nul_at_sign_in_are_422_naming_the_field(client, field: str,
                                                                    bad: str) -> None:
    body = {"email": "someone@example.org", "password": "long enough pw"}
    raw = json.dumps(body).replace(body[field], bad)
    response = client.post("/api/v1/auth/tokens", data=raw, content_type="application/json")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {field}


def test_lone_surrogates_in_other_text_fields_are_422(admin_api) -> None:
    raw = '{"title": "A \\ud800 title", "text": "Text.\\n", "occasion": "\\udfff"}'
    response = _post_raw(admin_api, "/statements", raw)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"title", "occasion"}


@pytest.mark.parametrize("kind", [[], {}, [1], {"a": 1}, 3, None, "Individual"])
def test_kind_of_the_wrong_type_is_422_in_words_a_person_uses(app: Flask, kind) -> None:
    slug = make_statement(app, status="endorsing")
    response = api_as(app, make_user(app)).post(f"/statements/{slug}/endorsements",
                                                {"kind": kind})
    assert response.status_code == 422
    message = response.get_json()["errors"]["kind"]
    assert "individual, organisation" not in message and "yourself" in message


@pytest.mark.parametrize("when", ["9999-12-31T23:59:59-23:59", "9999-12-31T23:59:59+00:00",
                                  "3000-01-01T00:00:00+00:00", "0001-01-01T00:00:00+23:59"])
def test_deadlines_past_the_calendar_are_422(app: Flask, when: str) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    response = api_as(app, moderator).patch(f"/statements/{slug}", {"endorsing_until": when})
    assert response.status_code == 422
    assert "endorsing_until" in response.get_json()["errors"]


def test_a_stored_far_future_deadline_east_of_utc_breaks_no_page(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    with app.app_context():
        statement = db.session.execute(select(Statement).where(Statement.slug == slug)
                                       ).scalar_one()
        statement.endorsing_until = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
        statement.time_zone = "Asia/Tokyo"
        db.session.commit()
    browser = signed_in(app, moderator)
    page = browser.get(f"/statements/{slug}")
    assert page.status_code == 200
    assert "9999-12-31 23:00 UTC" in page.get_data(as_text=True)  # shown in UTC instead
    assert browser.get(f"/statements/{slug}/settings").status_code == 200


@pytest.mark.parametrize("body", ["[]", '"text"', "3", "null", '[{"text": "x"}]'])
def test_the_live_preview_refuses_a_body_that_is_not_an_object(app: Flask, body: str) -> None:
    delegate = make_user(app)
    slug = make_statement(app, status="amending")
    browser = signed_in(app, delegate)
    from tests.factories import csrf_token
    token = csrf_token(browser, f"/statements/{slug}/amendments/new?whole=1")
    response = browser.post(f"/statements/{slug}/amendments/preview", data=body,
                            content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 400


@pytest.mark.parametrize("user_id", [2**31, 10**30, -1, 0])
def test_an_out_of_range_user_id_is_422(app: Flask, admin_api, user_id: int) -> None:
    slug = make_statement(app)
    response = admin_api.post(f"/statements/{slug}/moderators", {"user_id": user_id})
    assert response.status_code == 422
    assert "user_id" in response.get_json()["errors"]


def test_nul_in_a_slug_or_a_filter_is_never_a_500(app: Flask, client) -> None:
    slug = make_statement(app, status="endorsing")
    assert client.get("/api/v1/statements/a%00b").status_code == 404
    assert client.get("/s/a%00b").status_code == 404
    assert client.get(f"/s/{slug}?q=a%00b&country=%00").status_code == 200
    assert client.get(f"/s/{slug}?q=%ed%a0%80").status_code == 200


@pytest.mark.parametrize("email", ["x" * 250 + "@example.org", "a\x00b@example.org",
                                   "a" * 5000])
def test_impossible_addresses_at_sign_in_are_a_plain_wrong_answer(app: Flask, client,
                                                                   email: str) -> None:
    response = client.post("/api/v1/auth/tokens", json={"email": email, "password": PASSWORD})
    if "\x00" in email:
        assert response.status_code == 422  # the body itself holds a NUL
    else:
        assert response.status_code == 401
        assert response.get_json()["detail"] == "Wrong e-mail address or password."
    page = form_post(app.test_client(), "/login", {"email": email, "password": PASSWORD})
    assert page.status_code == 401


def _parallel(count: int, work) -> list[int]:
    results: list[int] = []
    barrier = threading.Barrier(count)

    def run(i: int) -> None:
        barrier.wait()
        results.append(work(i))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_twenty_statements_with_one_title_at_once_each_get_a_slug(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    apis = [api_as(app, moderator) for _ in range(20)]
    statuses = _parallel(20, lambda i: apis[i].post("/statements", {
        "title": "One title for all", "text": SAMPLE_TEXT}).status_code)
    assert statuses == [201] * 20
    with app.app_context():
        slugs = db.session.scalars(select(Statement.slug)).all()
    assert len(set(slugs)) == 20 and "one-title-for-all" in slugs


def test_one_slug_chosen_by_twenty_at_once_is_created_once(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    apis = [api_as(app, moderator) for _ in range(20)]
    statuses = _parallel(20, lambda i: apis[i].post("/statements", {
        "title": f"Title {i}", "text": SAMPLE_TEXT, "slug": "the-slug"}).status_code)
    assert sorted(statuses) == [201] + [409] * 19
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Statement)) == 1
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def _word_salad(words: int, seed: int) -> str:
    """Text built to defeat the diff's anchors: a few words, repeated in random order, so
    no word is unique and every line differs."""
    import random

    rng = random.Random(seed)
    vocabulary = ["the", "city", "of", "nature", "and", "we", "to", "protect", "a", "in"]
    lines = [" ".join(rng.choice(vocabulary) for _ in range(12)) for _ in range(words // 12)]
    return "\n".join(lines) + "\n"


def test_an_amendment_too_scattered_to_compare_is_422_not_a_frozen_site(app: Flask) -> None:
    moderator, delegate = make_user(app, "moderator"), make_user(app)
    api = api_as(app, moderator)
    slug = api.post("/statements", {"title": "Salad", "text": _word_salad(6000, 1)}
                    ).get_json()["slug"]
    assert api.post(f"/statements/{slug}/transitions", {"to": "amending"}).status_code == 200
    response = api_as(app, delegate).post(f"/statements/{slug}/amendments", {
        "base": 1, "text": _word_salad(6000, 2), "rationale": "Everything."})
    assert response.status_code == 422
    assert "smaller parts" in response.get_json()["errors"]["text"]
    browser = signed_in(app, delegate)
    page = form_post(browser, f"/statements/{slug}/amendments/new",
                     {"base": "1", "text": _word_salad(6000, 3), "rationale": "All."},
                     token_from=f"/statements/{slug}/amendments/new?whole=1")
    assert page.status_code == 422 and "smaller parts" in page.get_data(as_text=True)


def test_an_amendment_is_worked_out_before_the_write_lock_is_taken(app: Flask,
                                                                    monkeypatch) -> None:
    """The diff (the expensive part) runs outside the write lock; storing it runs under it,
    on the statement as it is then."""
    from statements.database import is_write_transaction
    from statements.operations import amendments

    locked_while_diffing: list[bool] = []
    real = amendments.diff_texts

    def watched(a: str, b: str, *args: object) -> object:
        locked_while_diffing.append(is_write_transaction())
        return real(a, b)

    monkeypatch.setattr(amendments, "diff_texts", watched)
    slug = make_statement(app, status="amending")
    delegate = make_user(app)
    response = api_as(app, delegate).post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT + "\nMore.\n", "rationale": "Why."})
    assert response.status_code == 201
    browser = signed_in(app, delegate)
    page = form_post(browser, f"/statements/{slug}/amendments/new",
                     {"base": "1", "text": SAMPLE_TEXT + "\nOther.\n", "rationale": "Why."},
                     token_from=f"/statements/{slug}/amendments/new?whole=1")
    assert page.status_code == 302
    assert locked_while_diffing == [False, False]


def test_the_phase_is_checked_again_under_the_lock(app: Flask, monkeypatch) -> None:
    """If the statement leaves amending while an amendment is being worked out, storing it
    is refused (409): the check runs again under the lock, on the state then."""
    from statements.operations import amendments

    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    moderator_api = api_as(app, moderator)
    real = amendments.prepare_proposal
    moved: list[int] = []

    def meanwhile_closed(*args: object, **kwargs: object) -> object:
        prepared = real(*args, **kwargs)  # type: ignore[arg-type]
        # Another request, in its own thread as a server would run it, closes amending.
        other = threading.Thread(target=lambda: moved.append(moderator_api.post(
            f"/statements/{slug}/transitions", {"to": "reviewing"}).status_code))
        other.start()
        other.join()
        return prepared

    monkeypatch.setattr(amendments, "prepare_proposal", meanwhile_closed)
    response = api_as(app, make_user(app)).post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT + "\nMore.\n", "rationale": "Why."})
    assert moved == [200]
    assert response.status_code == 409


def test_the_live_preview_of_a_change_too_scattered_says_so(app: Flask) -> None:
    from tests.factories import csrf_token

    moderator = make_user(app, "moderator")
    api = api_as(app, moderator)
    slug = api.post("/statements", {"title": "Salad", "text": _word_salad(6000, 1)}
                    ).get_json()["slug"]
    api.post(f"/statements/{slug}/transitions", {"to": "amending"})
    browser = signed_in(app, make_user(app))
    token = csrf_token(browser, f"/statements/{slug}/amendments/new?whole=1")
    response = browser.post(f"/statements/{slug}/amendments/preview",
                            json={"base": "1", "text": _word_salad(6000, 2)},
                            headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert "smaller parts" in response.get_json()["lines"]
