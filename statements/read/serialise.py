"""Objects as the contract (API.md, "Objects") spells them: for the API, the record and
the JSON export alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..models import Amendment, AmendmentComment, Endorsement, Statement, User, Version
from ..rules import Actor, can_see_email, is_moderator_of
from ..text.diff import diff_texts, diffs_to_json
from .memo import Digest, Digests, Memo
from .queries import statement_counts
from .standing import Standing


def person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "organisation": user.organisation}


def user_json(user: User, viewer: User | None) -> dict[str, Any]:
    body: dict[str, Any] = {"id": user.id, "name": user.name,
                            "organisation": user.organisation, "role": user.role}
    if can_see_email(viewer, user):
        body.update(email=user.email, email_confirmed=user.email_confirmed,
                    locale=user.locale, notifications=user.notifications)
    return body


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def version_json(version: Version, *, with_text: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "number": version.number,
        "sha256": version.sha256,
        "created_at": iso(version.created_at),
        "author": person(version.author),
        "message": version.message,
        "source": {"kind": version.source_kind, "amendments": source_amendments(version)},
    }
    if with_text:
        body["text"] = version.text
    return body


def source_amendments(version: Version) -> list[int]:
    return sorted(link.amendment_number for link in getattr(version, "merged_links", []))


def statement_json(statement: Statement, viewer: Actor | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "slug": statement.slug,
        "title": statement.title,
        "occasion": statement.occasion,
        "status": statement.status,
        "head": version_json(statement.head, with_text=True),
        "moderators": [person(user) for user in statement.moderators],
        "counts": statement_counts(statement),
        "amending_until": iso(statement.amending_until),
        "endorsing_until": iso(statement.endorsing_until),
        "time_zone": statement.time_zone,
        "created_at": iso(statement.created_at),
    }
    if is_moderator_of(viewer, statement):
        body.update(trusted_domains=statement.trusted_domains,
                    list_unverified=statement.list_unverified)
    return body


# (base, amendment) -> the diff between them, kept per process (neither text changes: an
# amendment brought up to date has a new text) for the list of every amendment.
_DIFFS: Memo[tuple[Digest, Digest], tuple[tuple[int, str], ...]] = Memo(
    24_000_000, weigh=lambda diff: sum(len(text) for _op, text in diff))


def _diff(base: str, amended: str, digest: Digests) -> tuple[tuple[int, str], ...]:
    return _DIFFS.get_or_make((digest(base), digest(amended)),
                              lambda: tuple(diff_texts(base, amended)))


def amendment_json(amendment: Amendment, standing: Standing | None = None, *,
                   digests: Digests | None = None) -> dict[str, Any]:
    """``digests``: the caller's, when it serialises many amendments on a few bases."""
    base = amendment.base_version
    decision = None
    if amendment.decided and not amendment.withdrawn:
        decision = {
            "by": person(amendment.decided_by),
            "at": iso(amendment.decided_at),
            "note": amendment.decision_note,
            "version": amendment.result_version.number if amendment.result_version else None,
            "vote": amendment.vote,
        }
    body: dict[str, Any] = {
        "number": amendment.number,
        "label": amendment.label,
        "status": amendment.status,
        "base": base.number,
        "proposer": person(amendment.proposer),
        "rationale": amendment.rationale,
        "text": amendment.text,
        "patch": amendment.patch,
        "diffs": diffs_to_json(_diff(base.text, amendment.text, digests or Digests())),
        "lines": [amendment.first_line, amendment.last_line],
        "supporters": [person(u) for u in amendment.supporters],
        "created_at": iso(amendment.created_at),
        "withdrawn_at": iso(amendment.withdrawn_at),
        "decision": decision,
    }
    if standing is not None:
        body["applies_cleanly"] = standing.applies_cleanly
        body["overlaps"] = standing.overlaps
    return body


def comment_json(comment: AmendmentComment) -> dict[str, Any]:
    return {"id": comment.id, "author": person(comment.author), "body": comment.body,
            "created_at": iso(comment.created_at)}


def endorsement_json(endorsement: Endorsement, *, full: bool = False) -> dict[str, Any]:
    """Never the e-mail address: not even the record carries it."""
    body: dict[str, Any] = {
        "id": endorsement.id,
        "name": endorsement.name,
        "organisation": endorsement.organisation,
        "capacity": endorsement.capacity,
        "kind": endorsement.kind,
        "city": endorsement.city,
        "country": endorsement.country,
        "public": endorsement.public,
        "endorsed_at": iso(endorsement.endorsed_at),
        "version": endorsement.version_number,
        "sha256": endorsement.sha256,
        "country_code": endorsement.country_code,
        "verification": endorsement.verification,
    }
    if full:
        body["status"] = endorsement.status
        body["verification_note"] = endorsement.verification_note
        body["verified_by"] = person(endorsement.verified_by)
        body["withdrawn_at"] = iso(endorsement.withdrawn_at)
        body["authorised"] = endorsement.authorised
        body["user"] = person(endorsement.user)
    return body
