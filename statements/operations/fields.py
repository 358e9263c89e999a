"""Checking the fields a person sends: one set of rules for forms, the API and the CLI.

Each check adds a message to ``errors`` (field -> message) instead of raising, so that
a form can show every problem at once; the caller raises ``Invalid(errors=…)``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ..errors import Invalid
from ..i18n import _, _l, _n
from ..mail.message import recipient
from ..models.types import MAX_INTEGER
from ..text.markdown import check_renderable
from ..text.normalise import UNSTORABLE, normalise

LATEST_YEAR = 2999
# Deliberately loose: one @, something before it, a dot in the domain, no spaces.
# Deliverability is the mail server's question, not a regular expression's.
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Control characters other than tab and newline have no place in a one-line field, nor
# the bidirectional embeddings, overrides and isolates: in a name they can only be used to
# make a list read differently from what it holds. (The plain marks LRM/RLM stay.)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
# Each field as a form names it, where the caller gives no label of its own.
LABELS = {"name": _l("Name"), "organisation": _l("Organisation"), "title": _l("Title"),
          "occasion": _l("Occasion"), "text": _l("Text"), "message": _l("Message"),
          "amending_until": _l("Amending until"), "endorsing_until": _l("Endorsing until")}
VOTE_LABELS = {"for": _l("Votes for"), "against": _l("Votes against"),
               "abstain": _l("Votes abstain")}


def _label(field: str, label: str | None, default: str) -> str:
    return str(label or LABELS.get(field) or default)


def _unstorable(label: str, text: str) -> str | None:
    """Why ``text`` cannot be stored (text.normalise.check_storable), in words, or None."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    char, offset = found.group(), found.start()
    if char == "\x00":
        return _("%(label)s: the text contains a NUL character at offset %(offset)s.",
                 label=label, offset=offset)
    code_point = f"U+{ord(char):04X}"
    return _("%(label)s: the text contains an unpaired surrogate %(code_point)s at offset "
             "%(offset)s.", label=label, code_point=code_point, offset=offset)


def _at_most(label: str, limit: int) -> str:
    return _n("%(label)s must be at most %(num)d character.",
              "%(label)s must be at most %(num)d characters.", limit, label=label)


def text_field(errors: dict[str, str], field: str, value: object, *, required: bool,
               limit: int = 200, label: str | None = None) -> str:
    """A one-line text: trimmed, NFC, no control characters, at most ``limit`` long."""
    label = _label(field, label, field.capitalize())
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = _("%(label)s must be a string.", label=label)
        return ""
    value = normalise(value).strip()
    if (unstorable := _unstorable(label, value)) is not None:
        errors[field] = unstorable
        return ""
    if _CONTROL.search(value) or "\n" in value:
        errors[field] = _("%(label)s must be a single line without control or bidirectional "
                          "override characters.", label=label)
    elif required and not value:
        errors[field] = _("%(label)s is required.", label=label)
    elif len(value) > limit:
        errors[field] = _at_most(label, limit)
    return value


def body_text(errors: dict[str, str], field: str, value: object, *, label: str | None = None,
              limit: int | None = None, required: bool = True) -> str:
    """A statement's Markdown: NFC with LF line endings, as it will be stored and hashed.
    Without ``limit``, as long as a statement text may be (one that renders in well under
    a second, text.markdown.check_renderable)."""
    label = str(label or LABELS["text"])
    if not isinstance(value, str):
        errors[field] = _("%(label)s must be a string.", label=label)
        return ""
    text = normalise(value)
    if (unstorable := _unstorable(label, text)) is not None:
        errors[field] = unstorable
        return ""
    if required and not text.strip():
        errors[field] = _("%(label)s must not be empty.", label=label)
    elif limit is None and (too_long := check_renderable(text)) is not None:
        errors[field] = too_long
    elif limit is not None and len(text) > limit:
        errors[field] = _at_most(label, limit)
    return text


def integer_field(errors: dict[str, str], field: str, value: object, *,
                  label: str | None = None, minimum: int = 1) -> int:
    label = _label(field, label, field.capitalize())
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # JSON does not tell 2 from 2.0; both are the whole number two
    if isinstance(value, bool) or not isinstance(value, int):
        errors[field] = _("%(label)s must be a whole number.", label=label)
        return 0
    if value < minimum:
        errors[field] = _("%(label)s must be at least %(minimum)s.", label=label,
                          minimum=minimum)
    elif value > MAX_INTEGER:
        errors[field] = _("%(label)s must be at most %(maximum)s.", label=label,
                          maximum=MAX_INTEGER)
    return value


def time_zone_field(errors: dict[str, str], field: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        errors[field] = _("Time zone must be an IANA name such as Europe/Paris.")
        return "UTC"
    if value not in zone_names():
        errors[field] = _("Unknown time zone %(zone)s: use an IANA name such as Europe/Paris.",
                          zone=repr(value))
        return "UTC"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        errors[field] = _("Unknown time zone %(zone)s.", zone=repr(value))
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
    label = _label(field, label, field.replace("_", " ").capitalize())
    if value is None:
        return None
    if not isinstance(value, str):
        errors[field] = _("%(label)s must be an ISO 8601 time with a UTC offset, or null.",
                          label=label)
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        errors[field] = _("%(label)s is not an ISO 8601 time: %(value)s.", label=label,
                          value=repr(value))
        return None
    if parsed.tzinfo is None:
        errors[field] = _("%(label)s needs a UTC offset, e.g. 2026-06-01T18:00:00+02:00.",
                          label=label)
        return None
    try:
        instant = parsed.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or instant.year > LATEST_YEAR:
        # Beyond it, a time cannot be shown in every time zone (year 9999 east of UTC
        # overflows): no meeting plans that far ahead.
        errors[field] = _("%(label)s must be before the year %(year)s.", label=label,
                          year=LATEST_YEAR + 1)
        return None
    return parsed


def vote_field(errors: dict[str, str], field: str, value: object) -> dict[str, int] | None:
    """The room's tally ``{"for", "against", "abstain"}``, each a whole number from 0, or
    None when no vote was recorded."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"for", "against", "abstain"}:
        errors[field] = _('A vote is {"for": n, "against": n, "abstain": n}, each a whole '
                          'number.')
        return None
    counts: dict[str, int] = {}
    for side in ("for", "against", "abstain"):
        counts[side] = integer_field(errors, field, value[side], label=VOTE_LABELS[side],
                                     minimum=0)
    return None if field in errors else counts


_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def domains_field(errors: dict[str, str], field: str, value: object) -> list[str]:
    """E-mail domains such as ``paris.fr``: valid DNS names, lower-cased, without repeats."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[field] = _("A list of e-mail domains, such as [\"paris.fr\"].")
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
            errors[field] = _("%(domain)s is not an e-mail domain such as paris.fr.",
                              domain=repr(raw))
            return []
        if domain not in found:
            found.append(domain)
    return found


def validate_email(errors: dict[str, str], value: object) -> str:
    email = text_field(errors, "email", value, required=True, limit=254,
                       label=_("E-mail address"))
    if "email" not in errors and not EMAIL_PATTERN.match(email):
        errors["email"] = _("Enter an e-mail address like name@example.org.")
    elif "email" not in errors:
        try:
            recipient(email)  # an address no mail could ever be sent to is no address
        except Invalid:
            errors["email"] = _("Enter an e-mail address like name@example.org.")
    return email
