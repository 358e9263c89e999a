"""The application's frame: health, headers, error rules."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient


def test_healthz_answers_ok_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_503_problem_when_the_database_is_gone(tmp_path) -> None:
    from tests.conftest import make_app

    broken = make_app(f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3", tmp_path / "instance")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 503


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for path in ("/", "/healthz", "/no-such-page", "/api/v1/nothing-here", "/static/css/app.css"):
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp, path
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert response.headers["Referrer-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path


def test_unknown_api_path_is_problem_json(client: FlaskClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) >= {"type", "title", "status", "detail"}
    assert body["status"] == 404


def test_unknown_page_is_an_html_error_page(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert b"Not found" in response.data and b"There is nothing at this address" in response.data
    assert b'href="#main"' in response.data


def test_body_over_the_limit_is_413_before_it_is_read(client: FlaskClient) -> None:
    consumed = []

    class Stream:
        def read(self, *args):
            consumed.append(args)
            return b""

    response = client.post(
        "/api/v1/anything",
        environ_overrides={"wsgi.input": Stream(), "CONTENT_LENGTH": str(2 * 1024 * 1024 + 1)},
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert response.headers["Connection"] == "close"
    assert response.get_json()["status"] == 413
    assert consumed == []  # the answer was made without reading the body
    response.close()
    # Then only our drain touched the stream: one read of its chunk size, which found it empty.
    assert consumed == [(65536,)]


def test_body_at_the_limit_is_not_413(client: FlaskClient) -> None:
    body = b" " * (2 * 1024 * 1024)
    response = client.post("/api/v1/anything", data=body, content_type="application/json")
    assert response.status_code != 413


def test_html_body_over_the_limit_is_an_html_413(client: FlaskClient) -> None:
    response = client.post("/", data=b"x" * (2 * 1024 * 1024 + 10),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert response.mimetype == "text/html"


def test_home_page_has_skip_link_and_main_landmark(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "style=" not in html


def test_problem_json_for_malformed_json(app: Flask) -> None:
    from statements.api.body import json_body
    from statements.errors import BadRequest

    with app.test_request_context("/api/v1/x", method="POST", data="{nope",
                                  content_type="application/json"):
        with pytest.raises(BadRequest) as refused:
            json_body()
        assert refused.value.status == 400
    with app.test_request_context("/api/v1/x", method="POST", data=json.dumps({"a": 1})):
        assert json_body() == {"a": 1}


def test_the_production_entry_point_freezes_what_start_up_made(tmp_path) -> None:
    """gunicorn's wsgi:app moves the objects of start-up out of the collector's reach (a
    full collection would otherwise scan them all, every thread of the worker stopped)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
           "SECRET_KEY": "freeze-test-" + "k" * 32, "INSTANCE_PATH": str(tmp_path / "i")}
    frozen = subprocess.run(
        [sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count())"],
        cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True,
        check=True, timeout=60).stdout
    assert int(frozen) > 10_000
