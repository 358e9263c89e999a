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

from .markup import literal
from .model import Published, Signatory, check_command, check_line, record_line

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&:\"'=])")
# A cell starting with one of these is run as a formula by spreadsheets (or, for tab and
# CR, shifts what follows); a leading apostrophe makes it plain text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet set to a semicolon locale splits a cell on ";" (quotes and spaces are
# stripped from the pieces), so a piece after one is neutralised like a cell start.
_FORMULA_AFTER_SEMICOLON = re.compile(r'(;[ "]*)(?=[=+\-@\t\r])')
# What any Markdown reads as inline syntax wherever it stands in a line ("&" only where it
# would begin an entity, "#" only closing a heading), and what starts a block at the
# beginning of a line: a list, quote, heading or rule ("1." and "1)" by their dot).
_INLINE_SYNTAX = re.compile(r"[\\`*_\[\]<~]|&(?=#?\w+;)|#+\s*$")
_BLOCK_START = re.compile(r"^(?:[#>+=\-]|\d+(?=[.)]))")
# The source stands between two rules with a blank line on both sides of each: the one
# before the closing rule keeps a last paragraph without a final newline from becoming a
# heading. The signatories after it never hold a rule (their "-" are escaped).
SOURCE_OPENS = "\n\n---\n\n"
SOURCE_CLOSES = "\n\n---\n\n"


def escape_markdown(value: str) -> str:
    """Every character Markdown could read as syntax, backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value)


def escape_line(value: str) -> str:
    """A one-line field as Markdown that shows it literally and still reads as typed: only
    what would be syntax is escaped, so "post-2020" stays "post-2020"."""
    line = _INLINE_SYNTAX.sub(lambda m: re.sub(r"\S", r"\\\g<0>", m[0]),
                              " ".join(literal(value).split()))
    start = _BLOCK_START.match(line)
    if start is None:
        return line
    return line[:start.end()] + "\\" + line[start.end():] if start[0].isdigit() else "\\" + line


def _details(s: Signatory) -> list[str]:
    return s.details


def signatory_line(s: Signatory, escape: Callable[[str], str] = lambda v: v) -> str:
    details = ", ".join(escape(part) for part in _details(s))
    return escape(s.name) + (f" — {details}" if details else "")


def render_markdown_export(pub: Published) -> bytes:
    """Title, occasion and check lines; the exact source between two rules; the signatories."""
    header = [f"# {escape_line(pub.title)}"]
    if pub.occasion:
        header += ["", escape_line(pub.occasion)]
    header += ["", check_line(pub)]
    command = check_command(pub)
    if command:
        header += ["", f"Check the text: `{command}`"]
    if record_line(pub):
        header += ["", escape_line(record_line(pub))]
    header += ["", "Between the two rules below is the exact hashed source."]
    signatories = [f"## Signatories ({len(pub.signatories)})"]
    for _, label, people in pub.by_kind():
        signatories += ["", f"### {label}", ""]
        signatories += [f"- {signatory_line(s, escape_markdown)}" for s in people]
    if not pub.signatories:
        signatories += ["", "No public signatories yet."]
    export = ("\n".join(header) + SOURCE_OPENS + pub.text + SOURCE_CLOSES
              + "\n".join(signatories) + "\n")
    return export.encode("utf-8")


def render_text(pub: Published) -> bytes:
    parts = [pub.title]
    if pub.occasion:
        parts.append(pub.occasion)
    parts += [check_line(pub), "", pub.text.rstrip("\n"), "", "",
              f"Signatories ({len(pub.signatories)})"]
    for _, label, people in pub.by_kind():
        parts += ["", label, "-" * len(label)]
        parts += [f"  {signatory_line(s)}" for s in people]
    if pub.url:
        parts += ["", f"Check the text: {check_command(pub)}"]
    return ("\n".join(parts) + "\n").encode("utf-8")


def signatory_json(s: Signatory, pub: Published) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "organisation": s.organisation,
            "capacity": s.capacity, "kind": s.kind, "city": s.city, "country": s.country,
            "country_code": s.country_code, "public": True,
            "endorsed_at": s.endorsed_at.isoformat(),
            "version": s.version or pub.version, "sha256": s.sha256 or pub.sha256,
            "verification": s.verification}


def render_json(pub: Published) -> bytes:
    body = {"slug": pub.slug, "title": pub.title, "occasion": pub.occasion,
            "version": pub.version, "sha256": pub.sha256, "text": pub.text,
            "signatories": [signatory_json(s, pub) for s in pub.signatories],
            "exported_at": pub.exported_at.isoformat() if pub.exported_at else None,
            "record_head": pub.record_head or None}
    if pub.sign is not None:
        body["signature"] = pub.sign(body)
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def neutralise(cell: str) -> str:
    """A cell no spreadsheet runs as a formula, whether it splits cells on "," or ";"."""
    cell = _FORMULA_AFTER_SEMICOLON.sub(r"\1'", cell)
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


CSV_COLUMNS = ("name", "capacity", "organisation", "kind", "city", "country", "endorsed_at",
               "verification", "version", "sha256")


def render_csv(pub: Published) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheet programs read 昆明 and Кызыл right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for s in pub.signatories:
        row = (s.name, s.capacity, s.organisation, s.kind, s.city, s.country,
               s.endorsed_at.isoformat(), s.verification, str(s.version or pub.version),
               s.sha256 or pub.sha256)
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue().encode("utf-8-sig")
