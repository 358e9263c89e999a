"""The OpenAPI 3.1 document of the API (API.md), served to anyone at /api/v1/openapi.json.

Every route of the API blueprint, and the public pages and exports, is one ``Operation``
below; tests/test_openapi.py fails when a route and the document disagree, and
tests/fuzz/run_schemathesis.py fuzzes the service against it. The objects' schemas are in
``openapi_objects``; here are the endpoints, their bodies and their answers, with the
problem answers that each can give in the contract's order of checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from flask import Response, jsonify

from ..rules import AmendmentStatus, EndorsementKind, Role, StatementStatus
from . import bp
from .openapi_objects import (
    BOOLEAN,
    COUNT,
    COUNTRY_CODE,
    LINES,
    MAYBE_TIME,
    NUMBER,
    SCHEMAS,
    STRING,
    Schema,
    enum,
    items_of,
    obj,
    ref,
)

JSON = "application/json"
PROBLEM_JSON = "application/problem+json"
HTML = "text/html"
BEARER = "bearerAuth"
UNSAFE = frozenset({"post", "put", "patch", "delete"})

# Who may call: the security requirement, and whether a bad token can be refused (401).
Security = list[dict[str, list[str]]]
NOBODY: Security = []                    # no token is read at all
ANYONE: Security = [{}, {BEARER: []}]    # a token is optional (reads)
SIGNED_IN: Security = [{BEARER: []}]

PROBLEMS = {
    400: ("BadRequest", "The body is not valid JSON."),
    401: ("NotSignedIn", "Not signed in, or the bearer token is unknown, revoked or expired."),
    403: ("NotAllowed", "Signed in, but this caller may not do this."),
    404: ("NotFound", "Unknown, or not visible to this caller."),
    409: ("Conflict", "The statement's state or the data's current state forbids it (wrong "
                      "phase, stale base, merge conflict, duplicate)."),
    413: ("TooLarge", "The body is over the limit (2 MiB), judged from Content-Length."),
    422: ("Invalid", "Well-formed but invalid; `errors` names each bad field."),
    429: ("TooManyAttempts", "Too many attempts: wait for `Retry-After` seconds."),
    503: ("Unavailable", "Not available on this server (e.g. fonts for the PDF)."),
}

EXPORT_TYPES = {
    "md": "text/markdown", "html": "text/html", "txt": "text/plain", "pdf": "application/pdf",
    "json": JSON, "csv": "text/csv",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

SLUG_PATTERN = "^[a-z0-9]+(?:-[a-z0-9]+)*$"
PARAMETERS: dict[str, Schema] = {
    "slug": {"name": "slug", "in": "path", "required": True,
             "description": "The statement's slug.",
             "schema": {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 80}},
    "number": {"name": "number", "in": "path", "required": True,
               "description": "A version or amendment number.", "schema": NUMBER},
    "fmt": {"name": "fmt", "in": "path", "required": True, "description": "Export format.",
            "schema": enum(EXPORT_TYPES)},
    "id": {"name": "id", "in": "path", "required": True, "description": "An endorsement's id.",
           "schema": NUMBER},
}


def query(name: str, schema: Schema, description: str, *, required: bool = False) -> Schema:
    return {"name": name, "in": "query", "required": required, "schema": schema,
            "description": description}


def body(required: dict[str, Schema], optional: dict[str, Schema] | None = None,
         **extra: Any) -> Schema:
    """A request body: the fields the endpoint reads (any other is ignored or refused)."""
    return obj(required, optional, additionalProperties=False, **extra)


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # the full path, as OpenAPI writes it: /api/v1/statements/{slug}
    operation_id: str
    summary: str
    security: Security
    answers: dict[int, Schema | None]  # success statuses and their JSON schema (None: empty)
    problems: tuple[int, ...] = ()  # besides those every such endpoint can give
    request: Schema | None = None
    request_required: bool = True
    parameters: tuple[Schema, ...] = ()
    content: dict[int, dict[str, Schema]] = field(default_factory=dict)  # non-JSON answers
    headers: dict[int, dict[str, Schema]] = field(default_factory=dict)
    errors_as: str = PROBLEM_JSON  # the content type of its error answers

    def statuses(self) -> list[int]:
        """Every status this endpoint can answer: its own, and those the contract gives any
        such endpoint (401 for a bad token, 400/413/422 for a body, 413 for a write)."""
        found = set(self.answers) | set(self.problems)
        if self.security:
            found.add(401)
        if self.request is not None:
            found |= {400, 413, 422}
        if self.method in UNSAFE:
            found.add(413)
        return sorted(found)

    def document(self) -> Schema:
        responses: dict[str, Schema] = {}
        for status in self.statuses():
            responses[str(status)] = self._response(status)
        doc: Schema = {"operationId": self.operation_id, "summary": self.summary,
                       "security": self.security, "responses": responses}
        names = re.findall(r"{(\w+)}", self.path)
        params = [{"$ref": f"#/components/parameters/{n}"} for n in names] + list(self.parameters)
        if params:
            doc["parameters"] = params
        if self.request is not None:
            doc["requestBody"] = {"required": self.request_required,
                                  "content": {JSON: {"schema": self.request}}}
        return doc

    def _response(self, status: int) -> Schema:
        if status in self.content:
            described = PROBLEMS[status][1] if status in PROBLEMS else "Success"
            answer: Schema = {"description": described, "content": {
                t: {"schema": s} for t, s in self.content[status].items()}}
        elif status in self.answers:
            schema = self.answers[status]
            answer = {"description": "Success" if schema is not None else "No content"}
            if schema is not None:
                answer["content"] = {JSON: {"schema": schema}}
        elif self.errors_as == PROBLEM_JSON:
            return {"$ref": f"#/components/responses/{PROBLEMS[status][0]}"}
        else:  # the HTML error page of the public pages
            answer = {"description": PROBLEMS[status][1],
                      "content": {self.errors_as: {"schema": STRING}}}
        if status in self.headers:
            answer["headers"] = self.headers[status]
        return answer


def api(method: str, path: str, operation_id: str, summary: str, **kwargs: Any) -> Operation:
    return Operation(method, "/api/v1" + path, operation_id, summary, **kwargs)


VERSION_QUERY = query("version", NUMBER, "A version number (default: the head).")
LOCATION = {"Location": {"description": "The new resource's URL.", "schema": STRING}}
NOTE = {"type": "string", "maxLength": 20_000}
TEXT = {"type": "string", "minLength": 1}

OPERATIONS: tuple[Operation, ...] = (
    # --- the document, the service ----------------------------------------------------
    api("get", "/openapi.json", "openapi", "This document (OpenAPI 3.1).", security=NOBODY,
        answers={200: {"type": "object", "required": ["openapi", "paths"]}}),
    Operation("get", "/healthz", "healthz", "200 when the database answers, else 503.",
              security=NOBODY, answers={200: obj({"status": {"const": "ok"}})},
              content={503: {PROBLEM_JSON: ref("Problem")}}),
    # --- tokens, the caller, accounts --------------------------------------------------
    api("post", "/auth/tokens", "create_token",
        "Sign in: a bearer token. After 5 failures within 15 minutes for one e-mail "
        "address, 429 with Retry-After.",
        security=NOBODY, request=body({"email": TEXT, "password": TEXT}),
        answers={201: obj({"token": STRING, "user": ref("UserInFull")})}, problems=(401, 429)),
    api("delete", "/auth/tokens/current", "revoke_token", "Revoke the token of this call.",
        security=SIGNED_IN, answers={204: None}),
    api("get", "/me", "me", "The caller.", security=SIGNED_IN, answers={200: ref("UserInFull")}),
    api("patch", "/me", "update_me",
        "Change the caller's name, organisation, interface language or notifications; 422 "
        "for an unknown locale.", security=SIGNED_IN,
        request=body({}, {"name": TEXT, "organisation": STRING,
                          "locale": {"type": ["string", "null"],
                                     "enum": ["ar", "en", "es", "fr", "ru", "zh", None]},
                          "notifications": BOOLEAN}),
        answers={200: ref("UserInFull")}),
    api("post", "/me/confirmation", "resend_confirmation",
        "E-mail a new link confirming the caller's address; 409 if it is confirmed, 429 "
        "(with Retry-After) after 3 within an hour.", security=SIGNED_IN,
        answers={202: obj({"status": {"const": "sent"}})}, problems=(409, 429)),
    api("post", "/confirmations", "confirm",
        "Use the token of a link from a confirmation e-mail: an account's address, or an "
        "endorsement made without an account. A token already used answers 200 again and "
        "changes nothing; 404 for an unknown or expired one (links last 7 days).",
        security=NOBODY, request=body({"token": TEXT}),
        answers={200: obj({"confirmed": {"type": "string",
                                         "enum": ["account", "endorsement"]}},
                          {"statement": PARAMETERS["slug"]["schema"]})},
        problems=(404, 409)),
    api("post", "/users", "create_user", "Create an account (admins).", security=SIGNED_IN,
        request=body({"email": STRING, "name": TEXT, "password": {"type": "string",
                                                                  "minLength": 10}},
                     {"organisation": STRING, "role": enum(Role)}),
        answers={201: ref("UserInFull")}, problems=(403, 409)),
    # --- statements, versions, transitions ---------------------------------------------
    api("post", "/statements", "create_statement",
        "Create a statement in draft with version 1 (moderators, admins).",
        security=SIGNED_IN,
        request=body({"title": TEXT, "text": TEXT},
                     {"slug": PARAMETERS["slug"]["schema"], "occasion": STRING}),
        answers={201: ref("Statement")}, problems=(403, 409), headers={201: LOCATION}),
    api("get", "/statements", "list_statements", "The statements this caller may see.",
        security=ANYONE, answers={200: items_of(ref("Statement"))}),
    api("get", "/statements/{slug}", "get_statement", "A statement.", security=ANYONE,
        answers={200: ref("Statement")}, problems=(404,)),
    api("patch", "/statements/{slug}", "update_statement",
        "Change a statement's details (its moderators, admins).", security=SIGNED_IN,
        request=body({}, {"title": TEXT, "occasion": STRING,
                          "amending_until": MAYBE_TIME, "endorsing_until": MAYBE_TIME,
                          "time_zone": STRING,
                          "trusted_domains": {"type": "array", "items": STRING},
                          "list_unverified": BOOLEAN}),
        answers={200: ref("Statement")}, problems=(403, 404, 409)),
    api("post", "/statements/{slug}/moderators", "add_moderator",
        "Assign a moderator (admins).", security=SIGNED_IN,
        request=body({"user_id": NUMBER}), answers={200: ref("Statement")},
        problems=(403, 404)),
    api("post", "/statements/{slug}/transitions", "transition",
        "Move the statement to another status (its moderators, admins).",
        security=SIGNED_IN, request=body({"to": enum(StatementStatus)}),
        answers={200: ref("Statement")}, problems=(403, 404, 409)),
    api("post", "/statements/{slug}/subscription", "follow",
        "Follow the statement: an e-mail at each change of its status (to a confirmed "
        "address, while notifications are on). Following twice is following once.",
        security=SIGNED_IN, answers={204: None}, problems=(403, 404)),
    api("delete", "/statements/{slug}/subscription", "unfollow",
        "Stop following the statement.", security=SIGNED_IN, answers={204: None},
        problems=(403, 404)),
    api("get", "/statements/{slug}/versions", "list_versions",
        "Its versions, without text.", security=ANYONE,
        answers={200: items_of(ref("Version"))}, problems=(404,)),
    api("get", "/statements/{slug}/versions/{number}", "get_version",
        "One version, with its text.", security=ANYONE,
        answers={200: ref("VersionWithText")}, problems=(404,)),
    api("post", "/statements/{slug}/versions", "create_version",
        "Save a new version against the head (its moderators, admins); 409 with "
        "`head_number` and `diffs` when `base` is stale.", security=SIGNED_IN,
        request=body({"text": TEXT, "base": NUMBER}, {"message": STRING}),
        answers={201: ref("VersionWithText")}, problems=(403, 404, 409),
        headers={201: LOCATION}),
    api("get", "/statements/{slug}/diff", "diff", "The diff between two versions.",
        security=ANYONE,
        parameters=(query("from", NUMBER, "From this version.", required=True),
                    query("to", NUMBER, "To this version.", required=True)),
        answers={200: obj({"from": NUMBER, "to": NUMBER, "diffs": ref("Diffs")})},
        problems=(404, 422)),
    api("get", "/statements/{slug}/attribution", "attribution",
        "Who wrote each span of a version.", security=ANYONE, parameters=(VERSION_QUERY,),
        answers={200: ref("Attribution")}, problems=(404,)),
    # --- amendments ----------------------------------------------------------------------
    api("post", "/statements/{slug}/amendments", "propose",
        "Propose an amendment: the amended `text` or a `patch` against `base`.",
        security=SIGNED_IN,
        request=body({"base": NUMBER, "rationale": STRING}, {"text": TEXT, "patch": STRING},
                     oneOf=[{"required": ["text"]}, {"required": ["patch"]}]),
        answers={201: ref("Amendment")}, problems=(403, 404, 409), headers={201: LOCATION}),
    api("get", "/statements/{slug}/amendments", "list_amendments", "Its amendments.",
        security=SIGNED_IN,
        parameters=(query("status", enum(AmendmentStatus), "Only those in this status."),),
        answers={200: items_of(ref("Amendment"))}, problems=(404, 422)),
    api("get", "/statements/{slug}/amendments/{number}", "get_amendment",
        "One amendment, with whether it applies cleanly onto the head.", security=SIGNED_IN,
        answers={200: ref("AmendmentWithStanding")}, problems=(404,)),
    api("post", "/statements/{slug}/amendments/{number}/support", "support",
        "Support an amendment (anyone signed in but its proposer).", security=SIGNED_IN,
        answers={200: ref("Amendment")}, problems=(403, 404, 409)),
    api("delete", "/statements/{slug}/amendments/{number}/support", "unsupport",
        "Stop supporting it; 404 if not a supporter.", security=SIGNED_IN,
        answers={204: None}, problems=(404, 409)),
    api("get", "/statements/{slug}/amendments/{number}/comments", "list_comments",
        "Its comments.", security=SIGNED_IN, answers={200: items_of(ref("Comment"))},
        problems=(404,)),
    api("post", "/statements/{slug}/amendments/{number}/comments", "comment",
        "Comment on an amendment.", security=SIGNED_IN, request=body({"body": TEXT}),
        answers={201: ref("Comment")}, problems=(403, 404, 409)),
    api("post", "/statements/{slug}/amendments/{number}/rebase", "rebase",
        "Bring it onto the head (its proposer); without `text`, 409 with `conflicts` if it "
        "does not apply cleanly.", security=SIGNED_IN, request=body({}, {"text": TEXT}),
        request_required=False, answers={200: ref("Amendment")}, problems=(403, 404, 409)),
    api("post", "/statements/{slug}/amendments/{number}/withdraw", "withdraw",
        "Withdraw it while undecided (its proposer).", security=SIGNED_IN,
        answers={200: ref("Amendment")}, problems=(403, 404, 409)),
    api("post", "/statements/{slug}/amendments/{number}/accept", "accept",
        "Accept it: the three-way merge, or with `text` (and `base`) as modified "
        "(its moderators, admins).", security=SIGNED_IN,
        request=body({}, {"note": NOTE, "text": TEXT, "base": NUMBER, "vote": ref("Vote")}),
        request_required=False,
        answers={200: obj({"amendment": ref("Amendment"),
                           "version": ref("VersionWithText")})},
        problems=(403, 404, 409)),
    api("post", "/statements/{slug}/amendments/{number}/reject", "reject",
        "Reject it (its moderators, admins).", security=SIGNED_IN,
        request=body({"note": NOTE}, {"vote": ref("Vote")}),
        answers={200: ref("Amendment")}, problems=(403, 404, 409)),
    # --- endorsements, the record --------------------------------------------------------
    api("post", "/statements/{slug}/endorsements", "endorse",
        "Endorse the final text: signed in (201), or without an account with `email` and "
        "`name` (202, confirmed by e-mail).", security=ANYONE,
        request=body({"kind": enum(EndorsementKind)}, {
            "name": STRING, "organisation": STRING, "capacity": STRING, "city": STRING,
            "country": STRING, "country_code": {
                **COUNTRY_CODE, "description": "ISO 3166-1 alpha-2; 422 for an unknown code."},
            "public": BOOLEAN, "authorised": BOOLEAN, "sha256": STRING, "email": STRING}),
        answers={201: ref("Endorsement"),
                 202: obj({"status": {"const": "pending_confirmation"}})},
        problems=(403, 404, 409)),
    api("get", "/statements/{slug}/endorsements", "list_endorsements",
        "The listed endorsements, filtered; its moderators may add `all=1` for every one.",
        security=ANYONE,
        parameters=(query("q", STRING, "Part of a name, organisation, city or country, "
                          "ignoring case and accents in every script."),
                    query("kind", enum(EndorsementKind), "Only this kind."),
                    query("country", STRING,
                          "Only this country: an ISO 3166-1 alpha-2 code, or a country as "
                          "the signatories wrote it, ignoring case and accents."),
                    query("all", {"type": "string", "enum": ["0", "1"]},
                          "1: every endorsement (its moderators).")),
        answers={200: items_of(ref("Endorsement"), count=COUNT)},
        problems=(403, 404, 422)),
    api("delete", "/statements/{slug}/endorsements/mine", "withdraw_endorsement",
        "Withdraw the caller's endorsement while endorsing.", security=SIGNED_IN,
        answers={204: None}, problems=(404, 409)),
    api("post", "/statements/{slug}/endorsements/{id}/verification", "verify_endorsement",
        "Verify (or reject) that the signer may speak for the organisation or government "
        "(its moderators, admins); a decision may be changed later.", security=SIGNED_IN,
        request=body({"decision": {"type": "string", "enum": ["verified", "rejected"]}},
                     {"note": STRING}),
        answers={200: ref("EndorsementFull")}, problems=(403, 404, 409)),
    api("get", "/statements/{slug}/endorsements/mine/receipt", "receipt",
        "The caller's signed receipt: what they endorsed, and the record event proving it.",
        security=SIGNED_IN, answers={200: ref("Receipt")}, problems=(404,)),
    # --- the live session ------------------------------------------------------------------
    api("get", "/statements/{slug}/events", "events",
        "Server-Sent Events: status, version, amendment, endorsements, projector; each `id` "
        "is the record's seq. `Last-Event-ID` or `since` replays every later event first.",
        security=ANYONE, answers={200: None},
        # Each event of the stream, as a client reads it: its id, type and JSON data.
        content={200: {"text/event-stream": {"type": "object"}}},
        parameters=(query("since", COUNT, "Send every event after this seq first."),
                    {"name": "Last-Event-ID", "in": "header", "required": False,
                     "schema": COUNT, "description": "As `since`, sent by reconnecting "
                                                     "clients."}),
        problems=(404,)),
    api("get", "/statements/{slug}/projector", "get_projector",
        "What the room's screen shows.", security=ANYONE, answers={200: ref("Projector")},
        problems=(404,)),
    api("put", "/statements/{slug}/projector", "put_projector",
        "Choose what the room's screen shows (its moderators, admins).", security=SIGNED_IN,
        request=body({"show": {"type": "string", "enum": ["text", "amendment", "lines"]}},
                     {"amendment": NUMBER, "lines": LINES}),
        answers={200: ref("Projector")}, problems=(403, 404)),
    api("get", "/statements/{slug}/record", "record",
        "The full record (its moderators, admins).", security=SIGNED_IN,
        answers={200: ref("Record")}, problems=(403, 404)),
    # --- public pages and exports (no prefix; errors are HTML pages) ---------------------
    Operation("get", "/s/{slug}", "public_page",
              "The public page; 404 before the statement is endorsing.", security=NOBODY,
              answers={200: None}, content={200: {HTML: STRING}}, problems=(404,),
              errors_as=HTML),
    Operation("get", "/s/{slug}/source.md", "source",
              "Exactly the bytes whose SHA-256 is the final version's hash.",
              security=NOBODY, answers={200: None}, content={200: {"text/markdown": STRING}},
              problems=(404,), errors_as=HTML),
    Operation("get", "/s/{slug}/record.json", "public_record",
              "The public record: every event of the hash chain, its head, the signature.",
              security=NOBODY, answers={200: ref("PublicRecord")}, problems=(404,),
              errors_as=HTML),
    Operation("get", "/.well-known/statements-keys.json", "signing_keys",
              "The service's Ed25519 public keys (JWK, RFC 8037): the current one first.",
              security=NOBODY, answers={200: ref("Keys")}),
    Operation("get", "/s/{slug}/export.{fmt}", "export",
              "The final text with its public signatories, in one format.",
              security=NOBODY, answers={200: None}, problems=(404, 503), errors_as=HTML,
              content={200: {t: ref("Export") if t == JSON else STRING
                             for t in EXPORT_TYPES.values()}}),
)


def _problem(status: int, description: str) -> Schema:
    schema = {"allOf": [ref("Problem"), {"properties": {"status": {"const": status}}}]}
    answer: Schema = {"description": description, "content": {PROBLEM_JSON: {"schema": schema}}}
    if status == 429:
        answer["headers"] = {"Retry-After": {"schema": {"type": "integer"}, "required": True}}
    return answer


def paths() -> dict[str, dict[str, Schema]]:
    found: dict[str, dict[str, Schema]] = {}
    for operation in OPERATIONS:
        found.setdefault(operation.path, {})[operation.method] = operation.document()
    return found


@cache
def document() -> Schema:
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": "statements", "version": "1",
                 "description": "Draft a formal statement together, amend it, endorse it, "
                                "publish it. The contract is API.md; this is its "
                                "machine-readable form."},
        "servers": [{"url": "/"}],
        "paths": paths(),
        "components": {
            "schemas": SCHEMAS,
            "parameters": PARAMETERS,
            "responses": {name: _problem(status, description)
                          for status, (name, description) in PROBLEMS.items()},
            "securitySchemes": {BEARER: {"type": "http", "scheme": "bearer",
                                         "description": "A token from POST /auth/tokens."}},
        },
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())
