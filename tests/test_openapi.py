"""The OpenAPI document (GET /api/v1/openapi.json) against the routes and real answers.

It must describe every route of the API blueprint and the public pages it documents, no
path the service does not serve, be valid OpenAPI 3.1, and real answers must match the
schemas it documents. tests/fuzz/run_schemathesis.py fuzzes the service against it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator

from statements.api.openapi import document
from tests.factories import (
    PASSWORD,
    SAMPLE_TEXT,
    ApiClient,
    api_as,
    make_amendment,
    make_endorsement,
    make_statement,
    make_user,
)

# Public routes (outside the API blueprint) that the document describes.
DOCUMENTED_PAGES = {"web.healthz", "web.public_statement", "web.source", "web.export",
                    "web.public_record_json", "web.signing_keys"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def openapi_path(rule: str) -> str:
    """Flask's /s/<slug>/export.<fmt> (or <int:number>) as OpenAPI's /s/{slug}/export.{fmt}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def served(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") or rule.endpoint in DOCUMENTED_PAGES:
            for method in (rule.methods or set()) - IGNORED_METHODS:
                found.add((openapi_path(rule.rule), method.lower()))
    return found


def documented(doc: dict[str, Any]) -> set[tuple[str, str]]:
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    return {(path, method) for path, item in doc["paths"].items()
            for method in item if method in methods}


def test_openapi_path_maps_flask_converters() -> None:
    assert openapi_path("/s/<slug>/export.<fmt>") == "/s/{slug}/export.{fmt}"
    assert openapi_path("/a/<int:number>/b") == "/a/{number}/b"


def test_every_route_is_documented_and_every_documented_operation_is_served(app: Flask) -> None:
    routes, doc = served(app), documented(document())
    missing = sorted(routes - doc)
    unserved = sorted(doc - routes)
    assert not missing, f"routes the OpenAPI document lacks: {missing}"
    assert not unserved, f"operations in the OpenAPI document that no route serves: {unserved}"


def test_the_document_is_valid_openapi_3_1() -> None:
    doc = document()
    assert doc["openapi"].startswith("3.1.")
    errors = [str(e.message) for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert not errors, errors
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)  # each component is valid JSON Schema
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids)), "operationIds must be unique"


def test_schemathesis_loads_every_operation() -> None:
    import schemathesis

    schema = schemathesis.openapi.from_dict(document())
    loaded = {(op.path, op.method.lower()) for op in
              (result.ok() for result in schema.get_all_operations())}
    assert loaded == documented(document())


def test_export_formats_match_the_exports() -> None:
    from statements.web.public import EXPORTS

    doc = document()
    formats = doc["components"]["parameters"]["fmt"]["schema"]["enum"]
    assert sorted(formats) == sorted(EXPORTS)
    types = set(doc["paths"]["/s/{slug}/export.{fmt}"]["get"]["responses"]["200"]["content"])
    assert types == {content_type.split(";")[0] for content_type, _ in EXPORTS.values()}


def test_anyone_gets_the_document(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == json.loads(json.dumps(document()))


# --- real answers against the documented responses ---------------------------------------

def _resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = doc
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def mismatches(response: Any, method: str, path: str) -> list[str]:
    """Why ``response`` is not an answer the document gives for ``method path``: an
    undocumented status or content type, or a body its schema refuses."""
    doc = document()
    where = f"{method.upper()} {path} -> {response.status_code}"
    operation = doc["paths"][path][method]
    answer = operation["responses"].get(str(response.status_code))
    if answer is None:
        return [f"{where}: status not documented ({sorted(operation['responses'])})"]
    answer = _resolve(doc, answer)
    content = answer.get("content", {})
    if not content:
        return [] if not response.data else [f"{where}: documented without a body"]
    if response.mimetype not in content:
        return [f"{where}: content type {response.mimetype} not in {sorted(content)}"]
    schema = content[response.mimetype]["schema"]
    if not response.mimetype.endswith("json"):
        return []
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": doc["components"], **schema}
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    body = json.loads(response.data)
    found = []
    for error in validator.iter_errors(body):
        deepest = error
        while deepest.context:  # a failed anyOf (an object or null): why the object failed
            deepest = max(deepest.context,
                          key=lambda e: (len(e.absolute_path), e.validator != "type"))
        found.append(f"{where}: {'/'.join(map(str, deepest.absolute_path)) or '(root)'}: "
                     f"{deepest.message}")
    return found


class Checked:
    """An API client whose every answer is checked against the document."""

    def __init__(self, api: ApiClient, found: list[str]) -> None:
        self.api, self.found = api, found

    def call(self, method: str, template: str, path: str | None = None, body: Any = None,
             expect: int | None = None, **kwargs: Any) -> Any:
        response = getattr(self.api, method)(path or template, body, **kwargs)
        if expect is not None and response.status_code != expect:
            self.found.append(f"{method.upper()} {path or template}: expected {expect}, got "
                              f"{response.status_code} {response.get_data(as_text=True)[:300]}")
        self.found.extend(mismatches(response, method, "/api/v1" + template))
        return response


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    admin = make_user(app, "admin")
    moderator = make_user(app, "moderator")
    delegate = make_user(app, name="Dee")
    other = make_user(app, name="Ola")
    amending = make_statement(app, moderator, status="amending", title="Amending one")
    first = make_amendment(app, amending, delegate,
                           text=SAMPLE_TEXT.replace("most people", "nearly everyone"))
    second = make_amendment(app, amending, other,
                            text=SAMPLE_TEXT.replace("every two years", "every year"))
    endorsing = make_statement(app, moderator, status="endorsing", title="Endorsing one")
    make_endorsement(app, endorsing, delegate, city="São Paulo")
    make_endorsement(app, endorsing, other, kind="organisation", public=False)
    return {"admin": admin, "moderator": moderator, "delegate": delegate, "other": other,
            "amending": amending, "endorsing": endorsing, "first": first, "second": second,
            "app": app}


def _as(world: dict[str, Any], who: str | None, found: list[str]) -> Checked:
    return Checked(api_as(world["app"], world[who] if who else None), found)


def test_accounts_and_statements_answer_as_documented(world) -> None:
    found: list[str] = []
    admin, anon = _as(world, "admin", found), _as(world, None, found)
    mod = _as(world, "moderator", found)
    slug = world["amending"]
    anon.call("post", "/auth/tokens", body={"email": world["delegate"].email,
                                            "password": PASSWORD}, expect=201)
    anon.call("post", "/auth/tokens", body={"email": "nobody@example.org",
                                            "password": "wrong"}, expect=401)
    admin.call("get", "/me", expect=200)
    anon.call("get", "/me", expect=401)
    admin.call("post", "/users", body={"email": "new@example.org", "name": "New",
                                       "password": "long enough pass", "role": "delegate"},
               expect=201)
    admin.call("post", "/users", body={"email": "new@example.org", "name": "New",
                                       "password": "long enough pass"}, expect=409)
    admin.call("post", "/users", body={"email": "x", "name": "", "password": "short"},
               expect=422)
    _as(world, "delegate", found).call("post", "/users", body={}, expect=403)
    created = mod.call("post", "/statements", body={"title": "A new one", "text": "Text.\n"},
                       expect=201)
    mod.call("post", "/statements", body={"title": "Again", "text": "T", "slug": "a-new-one"},
             expect=409)
    mod.call("post", "/statements", path="/statements", body=None, expect=422)
    anon.call("get", "/statements", expect=200)
    admin.call("get", "/statements", expect=200)
    admin.call("get", "/statements/{slug}", f"/statements/{slug}", expect=200)
    anon.call("get", "/statements/{slug}", f"/statements/{slug}", expect=404)
    new = created.get_json()["slug"]
    mod.call("patch", "/statements/{slug}", f"/statements/{new}", {"occasion": "Here"},
             expect=200)
    mod.call("post", "/statements/{slug}/versions", f"/statements/{new}/versions",
             {"text": "Text, better.\n", "base": 1}, expect=201)
    mod.call("post", "/statements/{slug}/versions", f"/statements/{new}/versions",
             {"text": "Text, stale.\n", "base": 1}, expect=409)
    mod.call("get", "/statements/{slug}/versions", f"/statements/{new}/versions", expect=200)
    mod.call("get", "/statements/{slug}/versions/{number}", f"/statements/{new}/versions/2",
             expect=200)
    mod.call("get", "/statements/{slug}/diff", f"/statements/{new}/diff?from=1&to=2",
             expect=200)
    mod.call("get", "/statements/{slug}/attribution", f"/statements/{new}/attribution",
             expect=200)
    mod.call("post", "/statements/{slug}/transitions", f"/statements/{new}/transitions",
             {"to": "closed"}, expect=409)
    mod.call("post", "/statements/{slug}/transitions", f"/statements/{new}/transitions",
             {"to": "amending"}, expect=200)
    admin.call("post", "/statements/{slug}/moderators", f"/statements/{new}/moderators",
               {"user_id": world["delegate"].id}, expect=200)
    response = world["app"].test_client().post(
        "/api/v1/statements", data="{not json", content_type="application/json",
        headers=admin.api.headers)
    found.extend(mismatches(response, "post", "/api/v1/statements"))
    assert response.status_code == 400
    assert not found, "\n".join(found)


def test_amendments_answer_as_documented(world) -> None:
    found: list[str] = []
    slug, first, second = world["amending"], world["first"], world["second"]
    mod, dee = _as(world, "moderator", found), _as(world, "delegate", found)
    ola = _as(world, "other", found)
    base = f"/statements/{slug}/amendments"
    one = "/statements/{slug}/amendments/{number}"
    dee.call("get", "/statements/{slug}/amendments", base, expect=200)
    dee.call("get", "/statements/{slug}/amendments", base + "?status=nonsense", expect=422)
    dee.call("post", "/statements/{slug}/amendments", base,
             {"base": 1, "text": SAMPLE_TEXT + "\nMore.\n", "rationale": "Why not"},
             expect=201)
    dee.call("get", one, f"{base}/{first}", expect=200)
    dee.call("get", one, f"{base}/999", expect=404)
    ola.call("post", one + "/support", f"{base}/{first}/support", expect=200)
    dee.call("post", one + "/support", f"{base}/{first}/support", expect=403)
    ola.call("post", one + "/comments", f"{base}/{first}/comments", {"body": "Agreed."},
             expect=201)
    dee.call("get", one + "/comments", f"{base}/{first}/comments", expect=200)
    mod.call("post", one + "/accept", f"{base}/{first}/accept", {"note": "Good"}, expect=200)
    mod.call("post", one + "/accept", f"{base}/{first}/accept", {}, expect=409)
    dee.call("get", one, f"{base}/{first}", expect=200)
    ola.call("post", one + "/rebase", f"{base}/{second}/rebase", expect=200)
    mod.call("post", one + "/reject", f"{base}/{second}/reject", {"note": "No"}, expect=200)
    dee.call("post", one + "/withdraw", f"{base}/{second}/withdraw", expect=403)
    dee.call("delete", one + "/support", f"{base}/{second}/support", expect=404)
    mod.call("get", "/statements/{slug}/record", f"/statements/{slug}/record", expect=200)
    dee.call("get", "/statements/{slug}/record", f"/statements/{slug}/record", expect=403)
    assert not found, "\n".join(found)


def test_endorsements_and_public_exports_answer_as_documented(world) -> None:
    found: list[str] = []
    slug = world["endorsing"]
    mod, anon = _as(world, "moderator", found), _as(world, None, found)
    admin = _as(world, "admin", found)
    listing = f"/statements/{slug}/endorsements"
    anon.call("get", "/statements/{slug}/endorsements", listing, expect=200)
    mod.call("get", "/statements/{slug}/endorsements", listing + "?all=1", expect=200)
    _as(world, "delegate", found).call("get", "/statements/{slug}/endorsements",
                                       listing + "?all=1", expect=403)
    admin.call("post", "/statements/{slug}/endorsements", listing, {"kind": "individual"},
               expect=201)
    admin.call("post", "/statements/{slug}/endorsements", listing, {"kind": "individual"},
               expect=409)
    admin.call("delete", "/statements/{slug}/endorsements/mine", listing + "/mine",
               expect=204)
    mod.call("get", "/statements/{slug}/record", f"/statements/{slug}/record", expect=200)
    client = world["app"].test_client()
    for path, template in [("/healthz", "/healthz"), (f"/s/{slug}", "/s/{slug}"),
                           (f"/s/{slug}/source.md", "/s/{slug}/source.md"),
                           ("/s/no-such/source.md", "/s/{slug}/source.md"),
                           (f"/s/{slug}/record.json", "/s/{slug}/record.json"),
                           ("/.well-known/statements-keys.json",
                            "/.well-known/statements-keys.json"),
                           (f"/api/v1/statements/{slug}/projector",
                            "/api/v1/statements/{slug}/projector")] + [
            (f"/s/{slug}/export.{fmt}", "/s/{slug}/export.{fmt}")
            for fmt in ("json", "csv", "md", "txt", "html")]:
        found.extend(mismatches(client.get(path), "get", template))
    assert not found, "\n".join(found)
