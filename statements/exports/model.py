"""What an export is made of: plain data, read from the database once by the caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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
    url: str = ""  # the public page, for a footer line; empty when unknown

    def by_kind(self) -> list[tuple[str, str, list[Signatory]]]:
        """(kind, label, signatories) for each kind that has any, in a fixed order."""
        return [(kind, label, [s for s in self.signatories if s.kind == kind])
                for kind, label in KIND_LABELS.items()
                if any(s.kind == kind for s in self.signatories)]
