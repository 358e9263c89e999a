"""The objects of the contract (API.md, "Objects") as JSON Schema 2020-12, for the OpenAPI
document: each written once and referred to by name.

``required`` lists what API.md promises in every answer; fields it shows only to some
callers (a user's e-mail, a statement's trusted domains) are described but optional.
Fields of features still being built (endorsement verification, the moderators'
verification view) are described and optional until they are served;
``NOT_YET`` names them.
Extra fields are welcome in answers, so objects stay open (no ``additionalProperties``).
"""

from __future__ import annotations

from typing import Any

from ..i18n import LOCALES
from ..rules import AmendmentStatus, EndorsementKind, Role, StatementStatus, VersionSource

Schema = dict[str, Any]

VERIFICATIONS = ("not_required", "pending", "verified", "rejected")
ENDORSEMENT_STATES = ("unconfirmed", "active", "withdrawn")


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def enum(values: Any) -> Schema:
    return {"type": "string", "enum": [str(v) for v in values]}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None,
        **extra: Any) -> Schema:
    """An object with ``required`` properties always present and ``optional`` ones maybe."""
    schema: Schema = {"type": "object", "required": list(required),
                      "properties": {**required, **(optional or {})}}
    schema.update(extra)
    return schema


def items_of(schema: Schema, **more: Schema) -> Schema:
    """A list answer: ``{"items": [...]}`` (API.md, "Conventions"), plus ``more`` fields."""
    return obj({"items": {"type": "array", "items": schema}, **more})


STRING: Schema = {"type": "string"}
BOOLEAN: Schema = {"type": "boolean"}
TIME: Schema = {"type": "string", "format": "date-time"}
MAYBE_TIME = nullable(TIME)
NUMBER: Schema = {"type": "integer", "minimum": 1}  # a version, amendment or row number
COUNT: Schema = {"type": "integer", "minimum": 0}
SHA256: Schema = {"type": "string", "pattern": "^[0-9a-f]{64}$"}
COUNTRY_CODE: Schema = {"type": "string", "pattern": "^[A-Z]{2}$"}
LINES: Schema = {"type": "array", "items": NUMBER, "minItems": 2, "maxItems": 2}
# diff-match-patch's diff as [[op, text], ...]: op -1 delete, 0 equal, 1 insert.
DIFFS: Schema = {"type": "array", "items": {
    "type": "array", "prefixItems": [{"enum": [-1, 0, 1]}, STRING],
    "minItems": 2, "maxItems": 2}}
VOTE = obj({"for": COUNT, "against": COUNT, "abstain": COUNT})


def _schemas() -> dict[str, Schema]:
    person = obj({"id": NUMBER, "name": STRING, "organisation": STRING})
    version = obj({
        "number": NUMBER, "sha256": SHA256, "created_at": TIME, "author": ref("Person"),
        "message": STRING,
        "source": obj({"kind": enum(VersionSource),
                       "amendments": {"type": "array", "items": NUMBER}}),
    }, {"text": STRING})
    amendment = obj({
        "number": NUMBER, "status": enum(AmendmentStatus), "base": NUMBER,
        "proposer": ref("Person"), "rationale": STRING, "text": STRING, "patch": STRING,
        "diffs": DIFFS, "lines": LINES, "supporters": {"type": "array", "items": ref("Person")},
        "created_at": TIME, "decision": nullable(ref("Decision")),
    }, {"applies_cleanly": BOOLEAN, "overlaps": {"type": "array", "items": NUMBER}})
    endorsement = obj({
        "id": NUMBER, "name": STRING, "organisation": STRING, "capacity": STRING,
        "kind": enum(EndorsementKind), "city": STRING, "country": STRING,
        "public": BOOLEAN, "endorsed_at": MAYBE_TIME, "version": NUMBER, "sha256": SHA256,
        "country_code": nullable(COUNTRY_CODE),
    }, {"verification": enum(VERIFICATIONS)})
    endorsement["not"] = {"required": ["email"]}  # never an e-mail address (API.md)
    return {
        "Person": person,
        "User": obj({"id": NUMBER, "name": STRING, "organisation": STRING, "role": enum(Role)},
                    {"email": STRING, "email_confirmed": BOOLEAN,
                     "locale": nullable(enum(LOCALES)), "notifications": BOOLEAN}),
        # As the user themself and admins see one: with the private fields.
        "UserInFull": {"allOf": [ref("User"), {"required": ["email", "email_confirmed",
                                                            "locale", "notifications"]}]},
        "Version": version,
        "VersionWithText": {"allOf": [ref("Version"), {"required": ["text"]}]},
        "Statement": obj({
            "slug": STRING, "title": STRING, "occasion": STRING,
            "status": enum(StatementStatus), "head": ref("VersionWithText"),
            "moderators": {"type": "array", "items": ref("Person")},
            "counts": obj({
                "amendments": obj({str(s): COUNT for s in AmendmentStatus},
                                  additionalProperties=COUNT),
                "endorsements": COUNT,
            }, {"verification": obj({"pending": COUNT, "verified": COUNT,
                                     "rejected": COUNT})}),
            "amending_until": MAYBE_TIME, "endorsing_until": MAYBE_TIME, "time_zone": STRING,
        }, {"trusted_domains": {"type": "array", "items": STRING},
            "list_unverified": BOOLEAN}),
        "Amendment": amendment,
        "AmendmentWithStanding": {"allOf": [ref("Amendment"),
                                            {"required": ["applies_cleanly", "overlaps"]}]},
        "Decision": obj({"by": ref("Person"), "at": TIME, "note": STRING,
                         "version": nullable(NUMBER), "vote": nullable(ref("Vote"))}),
        "Vote": VOTE,
        "Comment": obj({"id": NUMBER, "author": ref("Person"), "body": STRING,
                        "created_at": TIME}),
        "Endorsement": endorsement,
        # What a statement's moderators see with ?all=1 (and in the full record).
        "EndorsementFull": {"allOf": [ref("Endorsement"), obj({
            "withdrawn_at": MAYBE_TIME, "authorised": BOOLEAN,
            "user": nullable(ref("Person")),
        }, {"status": enum(ENDORSEMENT_STATES), "verification_note": STRING,
            "verified_by": nullable(ref("Person"))})]},
        "Diffs": DIFFS,
        "Conflict": obj({"base": STRING, "head": STRING, "amendment": STRING}),
        "Problem": obj({"type": STRING, "title": STRING, "status": {"type": "integer"},
                        "detail": STRING},
                       {"errors": {"type": "object", "additionalProperties": STRING},
                        "head_number": NUMBER, "diffs": DIFFS,
                        "conflicts": {"type": "array", "items": ref("Conflict")}}),
        "Attribution": obj({"version": NUMBER, "spans": {"type": "array", "items": obj({
            "text": STRING, "version": NUMBER, "amendment": nullable(NUMBER),
            "author": ref("Person")})}}),
        "Record": obj({
            "statement": ref("Statement"),
            "versions": {"type": "array", "items": ref("VersionWithText")},
            "amendments": {"type": "array", "items": {"allOf": [ref("Amendment"), obj({
                "comments": {"type": "array", "items": ref("Comment")}})]}},
            "endorsements": {"type": "array", "items": ref("EndorsementFull")},
            "audit": {"type": "array", "items": {"type": "object"}},
        }),
        "Signature": obj({"kid": STRING, "alg": {"const": "EdDSA"}, "value": STRING}),
        "RecordEvent": obj({"seq": NUMBER, "at": TIME, "type": STRING, "data": {},
                            "prev": SHA256, "hash": SHA256}),
        "PublicRecord": obj({"slug": STRING, "title": STRING,
                             "events": {"type": "array", "items": ref("RecordEvent")},
                             "head": SHA256, "signature": ref("Signature")}),
        "Keys": obj({"keys": {"type": "array", "items": obj({
            "kid": STRING, "kty": {"const": "OKP"}, "crv": {"const": "Ed25519"},
            "x": STRING})}}),
        "Receipt": obj({"slug": STRING, "version": NUMBER, "sha256": SHA256,
                        "endorsement": ref("Endorsement"), "event_hash": SHA256,
                        "signature": ref("Signature")}),
        "Projector": obj({"show": {"type": "string", "enum": ["text", "amendment", "lines"]},
                          "amendment": nullable(NUMBER), "lines": nullable(LINES),
                          "version": NUMBER}),
        "Export": obj({"slug": STRING, "title": STRING, "occasion": STRING,
                       "version": NUMBER, "sha256": SHA256, "text": STRING,
                       "signatories": {"type": "array", "items": ref("Endorsement")},
                       "exported_at": TIME},
                      {"record_head": STRING, "signature": {"type": "object"}}),
    }


SCHEMAS = _schemas()
# (schema, field): described by API.md, optional here until its feature is served.
NOT_YET = (("Endorsement", "verification"),
           ("Statement", "counts.verification"), ("EndorsementFull", "status"),
           ("EndorsementFull", "verification_note"), ("EndorsementFull", "verified_by"))
