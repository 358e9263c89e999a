"""What an export is made of: plain data, read from the database once by the caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

# When the caller gives no export time: a fixed date rather than "now", so the same statement
# gives the same bytes (fpdf2 also hashes the date into a PDF's /ID).
FIXED_DATE = datetime(2000, 1, 1, tzinfo=timezone.utc)
KIND_LABELS = {
    "individual": "Individuals",
    "organisation": "On behalf of organisations",
    "government": "On behalf of local and subnational governments",
}


@dataclass(frozen=True)
class Signatory:
    name: str
    organisation: str
    capacity: str
    kind: str  # individual | organisation | government
    city: str
    country: str
    endorsed_at: datetime
    id: int = 0
    version: int = 0  # the version and SHA-256 this endorsement is bound to
    sha256: str = ""
    verification: str = "not_required"
    country_code: str | None = None  # ISO 3166-1 alpha-2, when the signatory chose one

    @property
    def details(self) -> list[str]:
        """What every export prints after the name: capacity, organisation, place, and
        whether a moderator (or a trusted domain) verified the signer's authority."""
        parts = [p for p in (self.capacity, self.organisation, self.city, self.country) if p]
        return parts + (["verified"] if self.verification == "verified" else [])


@dataclass(frozen=True)
class Published:
    slug: str
    title: str
    occasion: str
    version: int
    sha256: str
    text: str  # the exact hashed Markdown source
    signatories: list[Signatory] = field(default_factory=list)
    exported_at: datetime | None = None
    record_head: str = ""  # the last hash of the statement's public record
    # Signs a JSON export's body (the service's key), or None where no key is at hand.
    sign: Callable[[dict[str, Any]], dict[str, str]] | None = None
    url: str = ""  # the public page, from PUBLIC_URL (never a request's Host); "" when unknown

    def by_kind(self) -> list[tuple[str, str, list[Signatory]]]:
        """(kind, label, signatories) for each kind that has any, in a fixed order."""
        return [(kind, label, [s for s in self.signatories if s.kind == kind])
                for kind, label in KIND_LABELS.items()
                if any(s.kind == kind for s in self.signatories)]


def check_line(pub: Published) -> str:
    """The line every export prints so that anyone can check the text against its hash."""
    return f"Version {pub.version} · SHA-256 {pub.sha256}"


def record_line(pub: Published) -> str:
    """Where the public record is, and its head: what the signatories add up to."""
    where = f" at {pub.url}/record.json" if pub.url else ""
    return f"Public record{where} · head {pub.record_head}" if pub.record_head else ""


def check_command(pub: Published) -> str:
    """The shell command that prints the text's hash, or "" when the site's address is unknown."""
    return f"curl -s {pub.url}/source.md | sha256sum" if pub.url else ""
