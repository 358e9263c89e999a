"""Faults between the service and its database, and clients that retry: a database that
does not answer is 503 with Retry-After (never 500), a commit whose outcome is unknown is
never reported as "nothing saved", and a retried POST with the same Idempotency-Key gets
the first answer and writes nothing new."""

from __future__ import annotations

import json
import socket
import time
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from statements.extensions import db
from statements.models import Amendment, Endorsement, IdempotentAnswer, Statement
from statements.models.types import utcnow
from tests.conftest import make_app
from tests.factories import SAMPLE_TEXT, api_as, make_statement, make_user, token_for
from tests.live import LiveServer


def _amendments(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Amendment)) or 0


def _propose(api, slug: str, key: str | None, rationale: str = "Why."):
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT + "\nMore.\n", "rationale": rationale}, headers=headers)


def test_a_retry_with_the_same_key_gets_the_first_answer_and_writes_nothing(app: Flask) -> None:
    slug = make_statement(app, status="amending")
    api = api_as(app, make_user(app))
    first = _propose(api, slug, "retry-1")
    again = _propose(api, slug, "retry-1")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _amendments(app) == 1
    # Without a key, or with a new one, it is a new request.
    assert _propose(api, slug, "retry-2").get_json()["number"] == 2
    assert _propose(api, slug, None).get_json()["number"] == 3


def test_a_retry_sent_while_the_first_is_running_gets_the_first_answer(
        app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """An endorsement is checked before the write lock: a retry that began before its first
    attempt had kept its answer is refused (already endorsed) once that attempt lands, and
    gets the first attempt's 201 instead of a 409 that would say it failed."""
    import threading

    import statements.api.endorsements as view

    slug = make_statement(app, status="endorsing")
    api = api_as(app, make_user(app))
    body, key = {"kind": "individual"}, {"Idempotency-Key": "endorse-1"}
    real, answers = view.prepare_endorsement, []

    def first_lands_meanwhile(*args, **kwargs):
        if not answers:  # the retry, past its look for a kept answer: the first lands now
            thread = threading.Thread(target=lambda: answers.append(
                api.post(f"/statements/{slug}/endorsements", body, headers=key)))
            answers.append(None)
            thread.start()
            thread.join(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(view, "prepare_endorsement", first_lands_meanwhile)
    retry = api.post(f"/statements/{slug}/endorsements", body, headers=key)
    first = answers[1]
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    assert retry.status_code == 201, retry.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json() == first.get_json()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Endorsement)) == 1


def test_the_same_key_for_another_request_is_refused(app: Flask) -> None:
    slug = make_statement(app, status="amending")
    api = api_as(app, make_user(app))
    assert _propose(api, slug, "k").status_code == 201
    other = _propose(api, slug, "k", rationale="A different reason.")
    assert other.status_code == 422
    assert "Idempotency-Key" in other.get_json()["errors"]
    assert _amendments(app) == 1


def test_keys_belong_to_their_caller_and_last_a_day(app: Flask) -> None:
    slug = make_statement(app, status="amending")
    one, two = api_as(app, make_user(app)), api_as(app, make_user(app))
    assert _propose(one, slug, "shared").get_json()["number"] == 1
    assert _propose(two, slug, "shared").get_json()["number"] == 2
    with app.app_context():
        for kept in db.session.scalars(select(IdempotentAnswer)):
            kept.created_at = utcnow() - timedelta(hours=25)
        db.session.commit()
    assert _propose(one, slug, "shared").get_json()["number"] == 3  # forgotten after 24 h
    with app.app_context():  # and the expired ones were cleared
        assert db.session.scalar(select(func.count()).select_from(IdempotentAnswer)) == 1


def test_a_failed_request_keeps_no_answer(app: Flask) -> None:
    slug = make_statement(app, status="draft")  # not open for amendments: 409
    api = api_as(app, make_user(app))
    assert _propose(api, slug, "k").status_code == 409
    with app.app_context():
        statement = db.session.scalars(select(Statement)).one()
        statement.status = "amending"
        db.session.commit()
    assert _propose(api, slug, "k").status_code == 201  # ran again, now allowed


@pytest.mark.parametrize("key", ["", "x" * 256, "é", "a\tb"])
def test_a_malformed_key_is_400(app: Flask, key: str) -> None:
    slug = make_statement(app, status="amending")
    response = _propose(api_as(app, make_user(app)), slug, key or " ")
    if key:
        assert response.status_code == 400
    assert _amendments(app) == (1 if not key else 0)


def test_connection_dropped_between_commit_and_answer_then_retried(app: Flask) -> None:
    """The client sends its POST and hangs up before reading the answer. The change was
    committed; the retry with the same key returns its answer instead of a duplicate."""
    slug = make_statement(app, status="amending")
    user = make_user(app)
    token = token_for(app, user)
    body = json.dumps({"base": 1, "text": SAMPLE_TEXT + "\nMore.\n", "rationale": "Why."})
    with LiveServer(app) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall((f"POST /api/v1/statements/{slug}/amendments HTTP/1.1\r\n"
                          f"Host: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
                          "Idempotency-Key: dropped-1\r\nContent-Type: application/json\r\n"
                          f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n{body}"
                          ).encode())
        for _ in range(100):
            if _amendments(app) == 1:
                break
            time.sleep(0.05)
        assert _amendments(app) == 1
        status, answer = server.request("POST", f"/api/v1/statements/{slug}/amendments",
                                        json.loads(body), headers={
                                            "Authorization": f"Bearer {token}",
                                            "Idempotency-Key": "dropped-1"})
    assert status == 201 and answer["number"] == 1
    assert _amendments(app) == 1


def test_a_database_that_does_not_answer_is_503_with_retry_after(tmp_path) -> None:
    gone = make_app(f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3", tmp_path / "instance")
    client = gone.test_client()
    api = client.get("/api/v1/statements")
    assert api.status_code == 503 and api.mimetype == "application/problem+json"
    assert api.headers["Retry-After"] == "5"
    assert "nothing was saved" in api.get_json()["detail"]
    page = client.get("/statements")
    assert page.status_code == 503 and page.mimetype == "text/html"
    assert client.get("/healthz").status_code == 503


def test_a_commit_whose_outcome_is_unknown_is_503_and_never_nothing_saved(
        app: Flask, monkeypatch) -> None:
    slug = make_statement(app, status="amending")
    api = api_as(app, make_user(app))

    def broken_commit() -> None:
        raise OperationalError("COMMIT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(db.session, "commit", broken_commit)
    response = _propose(api, slug, "k")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    detail = response.get_json()["detail"]
    assert "may or may not have been saved" in detail and "Nothing was saved" not in detail
