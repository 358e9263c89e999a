"""No client input ever produces a 500: every write endpoint, fed bodies of every wrong
shape, answers a 4xx problem and writes nothing it should not."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from tests.factories import SAMPLE_TEXT, api_as, make_statement, make_user

JUNK: list[object] = [
    None, [], "text", 7, 10**40, -1, True, {"x": 1},
    {"text": None, "base": None, "patch": None, "rationale": None},
    {"text": [1], "base": [1], "rationale": {}, "note": 5, "body": [], "to": 3},
    {"text": "x" * 10, "base": 10**30, "rationale": "r", "patch": 5},
    {"kind": {}, "name": 5, "public": "no", "authorised": "yes", "sha256": 12},
    {"kind": "individual", "name": "\ud800", "country": "\x00"},
    {"title": ["t"], "occasion": 5, "amending_until": 5, "endorsing_until": "soon",
     "time_zone": 3},
    {"email": ["a"], "password": None, "name": {}, "role": 7, "user_id": "1"},
    {"text": "\ud800 lone surrogate", "base": 1, "rationale": "r"},
]

WRITES = [
    ("post", "/statements"),
    ("patch", "/statements/{slug}"),
    ("post", "/statements/{slug}/moderators"),
    ("post", "/statements/{slug}/transitions"),
    ("post", "/statements/{slug}/versions"),
    ("post", "/statements/{slug}/amendments"),
    ("post", "/statements/{slug}/amendments/1/support"),
    ("post", "/statements/{slug}/amendments/1/comments"),
    ("post", "/statements/{slug}/amendments/1/rebase"),
    ("post", "/statements/{slug}/amendments/1/accept"),
    ("post", "/statements/{slug}/amendments/1/reject"),
    ("post", "/statements/{published}/endorsements"),
    ("post", "/users"),
    ("post", "/auth/tokens"),
]


@pytest.fixture
def world(app: Flask):
    admin = make_user(app, "admin")
    delegate = make_user(app)
    slug = make_statement(app, admin, status="amending")
    published = make_statement(app, admin, status="endorsing", title="Published")
    api_as(app, delegate).post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "r"})
    return {"slug": slug, "published": published, "callers": [api_as(app, admin),
                                                              api_as(app, delegate)]}


@pytest.mark.parametrize("method,path", WRITES)
def test_no_body_of_any_shape_gives_a_500(world, method: str, path: str) -> None:
    path = path.format(slug=world["slug"], published=world["published"])
    for api in world["callers"]:
        for body in JUNK:
            response = getattr(api.client, method)(
                "/api/v1" + path, data=json.dumps(body), headers={
                    **api.headers, "Content-Type": "application/json"})
            assert response.status_code < 500, (path, body, response.get_data(as_text=True))
            if response.status_code >= 400:
                assert response.mimetype == "application/problem+json"
        response = getattr(api.client, method)("/api/v1" + path, data=b"\xff\xfe{",
                                               headers=api.headers)
        assert response.status_code < 500, path  # support takes no body: 200 is right


def test_odd_query_strings_give_no_500(client, world) -> None:
    slug, published = world["slug"], world["published"]
    for url in (f"/s/{published}?page=99999999999999999999&kind=%00&country=%ff&q=%25_",
                f"/s/{published}?page=-3", f"/api/v1/statements/{slug}/amendments?status=",
                f"/api/v1/statements/{published}/attribution?version=abc",
                f"/api/v1/statements/{published}/endorsements?all=maybe"):
        assert client.get(url).status_code < 500, url
