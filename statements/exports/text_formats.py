"""The Markdown, plain-text, JSON and CSV exports.

The Markdown export and the JSON ``text`` carry the exact hashed source. Signatory fields
are literal text: escaped in Markdown so a name cannot become a link or break the list,
neutralised in CSV so a spreadsheet never runs one as a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from typing import Any

from .model import Published, Signatory

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&:\"'=])")
# A cell starting with one of these is run as a formula by spreadsheets (or, for tab and
# CR, shifts what follows); a leading apostrophe makes it plain text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_markdown(value: str) -> str:
    """Every character Markdown could read as syntax, backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def _details(s: Signatory) -> list[str]:
    return [part for part in (s.capacity, s.organisation, s.city, s.country) if part]


def signatory_line(s: Signatory, escape: Callable[[str], str] = lambda v: v) -> str:
    details = ", ".join(escape(part) for part in _details(s))
    return escape(s.name) + (f" — {details}" if details else "")


def _heading(pub: Published) -> str:
    return f"Version {pub.version} · SHA-256 {pub.sha256}"


def render_markdown_export(pub: Published) -> bytes:
    parts = [
        f"<!-- {escape_markdown(pub.title)} — {_heading(pub)}. "
        f"Between the two rules below is the exact hashed source. -->",
        "",
        "---",
        pub.text,
        "---",
        "",
        f"*{escape_markdown(_heading(pub))}*",
        "",
        f"## Signatories ({len(pub.signatories)})",
    ]
    for _, label, people in pub.by_kind():
        parts += ["", f"### {label}", ""]
        parts += [f"- {signatory_line(s, escape_markdown)}" for s in people]
    if not pub.signatories:
        parts += ["", "No public signatories yet."]
    return ("\n".join(parts) + "\n").encode("utf-8")


def render_text(pub: Published) -> bytes:
    parts = [pub.title]
    if pub.occasion:
        parts.append(pub.occasion)
    parts += [_heading(pub), "", pub.text.rstrip("\n"), "", "",
              f"Signatories ({len(pub.signatories)})"]
    for _, label, people in pub.by_kind():
        parts += ["", label, "-" * len(label)]
        parts += [f"  {signatory_line(s)}" for s in people]
    if pub.url:
        parts += ["", f"Check the text: curl -s {pub.url}/source.md | sha256sum"]
    return ("\n".join(parts) + "\n").encode("utf-8")


def signatory_json(s: Signatory, pub: Published) -> dict[str, Any]:
    return {"name": s.name, "organisation": s.organisation, "capacity": s.capacity,
            "kind": s.kind, "city": s.city, "country": s.country, "public": True,
            "endorsed_at": s.endorsed_at.isoformat(), "version": pub.version,
            "sha256": pub.sha256}


def render_json(pub: Published) -> bytes:
    body = {"slug": pub.slug, "title": pub.title, "occasion": pub.occasion,
            "version": pub.version, "sha256": pub.sha256, "text": pub.text,
            "signatories": [signatory_json(s, pub) for s in pub.signatories],
            "exported_at": pub.exported_at.isoformat() if pub.exported_at else None}
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


CSV_COLUMNS = ("name", "capacity", "organisation", "kind", "city", "country", "endorsed_at",
               "version", "sha256")


def render_csv(pub: Published) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheet programs read 昆明 and Кызыл right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for s in pub.signatories:
        row = (s.name, s.capacity, s.organisation, s.kind, s.city, s.country,
               s.endorsed_at.isoformat(), str(pub.version), pub.sha256)
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")
