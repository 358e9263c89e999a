"""Checking the fields a person sends: one set of rules for forms, the API and the CLI.

Each check adds a message to ``errors`` (field -> message) instead of raising, so that
a form can show every problem at once; the caller raises ``Invalid(errors=…)``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ..models.types import MAX_INTEGER
from ..text.markdown import check_renderable
from ..text.normalise import UnstorableText, check_storable, normalise

LATEST_YEAR = 2999
# Deliberately loose: one @, something before it, a dot in the domain, no spaces.
# Deliverability is the mail server's question, not a regular expression's.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Control characters other than tab and newline have no place in a one-line field, nor
# the bidirectional embeddings, overrides and isolates: in a name they can only be used to
# make a list read differently from what it holds. (The plain marks LRM/RLM stay.)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def text_field(errors: dict[str, str], field: str, value: object, *, required: bool,
               limit: int = 200, label: str | None = None) -> str:
    """A one-line text: trimmed, NFC, no control characters, at most ``limit`` long."""
    label = label or field.capitalize()
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = f"{label} must be a string."
        return ""
    value = normalise(value).strip()
    try:
        check_storable(value)
    except UnstorableText as exc:
        errors[field] = f"{label}: {exc}."
        return ""
    if _CONTROL.search(value) or "\n" in value:
        errors[field] = (f"{label} must be a single line without control or bidirectional "
                         "override characters.")
    elif required and not value:
        errors[field] = f"{label} is required."
    elif len(value) > limit:
        errors[field] = f"{label} must be at most {limit} characters."
    return value


def body_text(errors: dict[str, str], field: str, value: object, *, label: str = "Text",
              limit: int | None = None, required: bool = True) -> str:
    """A statement's Markdown: NFC with LF line endings, as it will be stored and hashed.
    Without ``limit``, as long as a statement text may be (one that renders in well under
    a second, text.markdown.check_renderable)."""
    if not isinstance(value, str):
        errors[field] = f"{label} must be a string."
        return ""
    text = normalise(value)
    try:
        check_storable(text)
    except UnstorableText as exc:
        errors[field] = f"{label}: {exc}."
        return ""
    if required and not text.strip():
        errors[field] = f"{label} must not be empty."
    elif limit is None and (too_long := check_renderable(text)) is not None:
        errors[field] = too_long
    elif limit is not None and len(text) > limit:
        errors[field] = f"{label} must be at most {limit} characters."
    return text


def integer_field(errors: dict[str, str], field: str, value: object, *,
                  label: str | None = None, minimum: int = 1) -> int:
    label = label or field.capitalize()
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON does not tell 2 from 2.0; both are the whole number two
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = f"{label} must be a whole number."
        return 0
    if value < minimum:
        errors[field] = f"{label} must be at least {minimum}."
    elif value > MAX_INTEGER:
        errors[field] = f"{label} must be at most {MAX_INTEGER}."
    return value


def time_zone_field(errors: dict[str, str], field: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        errors[field] = "Time zone must be an IANA name such as Europe/Paris."
        return "UTC"
    if value not in zone_names():
        errors[field] = f"Unknown time zone {value!r}: use an IANA name such as Europe/Paris."
        return "UTC"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        errors[field] = f"Unknown time zone {value!r}."
        return "UTC"
    return value


@cache
def zone_names() -> frozenset[str]:
    """Computed once: available_timezones() walks the disk."""
    return frozenset(available_timezones() | {"UTC"})


def instant_field(errors: dict[str, str], field: str, value: object, *,
                  label: str | None = None) -> datetime | None:
    """An ISO 8601 time with a UTC offset, or null. A time without an offset is refused:
    it would mean different instants to different readers."""
    label = label or field.replace("_", " ").capitalize()
    if value is None:
        return None
    if not isinstance(value, str):
        errors[field] = f"{label} must be an ISO 8601 time with a UTC offset, or null."
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        errors[field] = f"{label} is not an ISO 8601 time: {value!r}."
        return None
    if parsed.tzinfo is None:
        errors[field] = f"{label} needs a UTC offset, e.g. 2026-06-01T18:00:00+02:00."
        return None
    try:
        instant = parsed.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or instant.year > LATEST_YEAR:
        # Beyond it, a time cannot be shown in every time zone (year 9999 east of UTC
        # overflows): no meeting plans that far ahead.
        errors[field] = f"{label} must be before the year {LATEST_YEAR + 1}."
        return None
    return parsed


def vote_field(errors: dict[str, str], field: str, value: object) -> dict[str, int] | None:
    """The room's tally ``{"for", "against", "abstain"}``, each a whole number from 0, or
    None when no vote was recorded."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"for", "against", "abstain"}:
        errors[field] = 'A vote is {"for": n, "against": n, "abstain": n}, each a whole number.'
        return None
    counts: dict[str, int] = {}
    for side in ("for", "against", "abstain"):
        counts[side] = integer_field(errors, field, value[side], label=f"Votes {side}",
                                     minimum=0)
    return None if field in errors else counts


_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def domains_field(errors: dict[str, str], field: str, value: object) -> list[str]:
    """E-mail domains such as ``paris.fr``: valid DNS names, lower-cased, without repeats."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[field] = "A list of e-mail domains, such as [\"paris.fr\"]."
        return []
    found: list[str] = []
    for raw in value:
        domain = raw.strip().lower().rstrip(".")
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            pass
        labels = domain.split(".")
        if len(domain) > 253 or len(labels) < 2 or not all(_DNS_LABEL.match(x) for x in labels):
            errors[field] = f"{raw!r} is not an e-mail domain such as paris.fr."
            return []
        if domain not in found:
            found.append(domain)
    return found


def validate_email(errors: dict[str, str], value: object) -> str:
    email = text_field(errors, "email", value, required=True, limit=254, label="E-mail address")
    if "email" not in errors and not EMAIL_PATTERN.match(email):
        errors["email"] = "Enter an e-mail address like name@example.org."
    return email
