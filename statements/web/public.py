"""The published statement: its public page, its exact source, and its exports."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from flask import Response, abort, current_app, render_template, request, url_for

from ..errors import Unavailable
from ..exports.docx import render_docx
from ..exports.html import CONTENT_SECURITY_POLICY as EXPORT_HTML_POLICY
from ..exports.html import render_html
from ..exports.model import KIND_LABELS, Published
from ..exports.pdf import render_pdf
from ..exports.text_formats import render_csv, render_json, render_markdown_export, render_text
from ..fonts import FontsMissing
from ..http.identity import page_user
from ..models import Statement
from ..read.lookups import parse_number, statement_or_404
from ..read.queries import (
    SignatoryFilter,
    counts_by_kind,
    public_countries,
    public_endorsements,
    publication,
)
from ..rules import EndorsementKind, is_published
from . import bp

PAGE_SIZE = 50


def _export_pdf(pub: Published) -> bytes:
    """A PDF of thousands of signatories takes seconds to lay out, so each is made once per
    exact content (text, hash, signatory list) and kept in the instance folder: repeated
    downloads cannot tie up the workers."""
    content = dataclasses.replace(pub, exported_at=None)
    key = hashlib.sha256(repr(content).encode("utf-8")).hexdigest()[:32]
    folder = Path(current_app.instance_path) / "export-cache"
    cached = folder / f"{pub.slug}-v{pub.version}-{key}.pdf"
    if cached.is_file():
        return cached.read_bytes()
    try:
        data = render_pdf(pub)
    except FontsMissing as exc:
        raise Unavailable(f"The PDF cannot be made on this server: {exc} "
                          "Every other format is available.") from exc
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{cached.name}.{os.getpid()}.tmp"
    partial.write_bytes(data)
    os.replace(partial, cached)  # whole or not at all, whichever worker finishes first
    return data


EXPORTS: dict[str, tuple[str, Callable[[Published], bytes]]] = {
    "md": ("text/markdown; charset=utf-8", render_markdown_export),
    "html": ("text/html; charset=utf-8", render_html),
    "txt": ("text/plain; charset=utf-8", render_text),
    "pdf": ("application/pdf", _export_pdf),
    "json": ("application/json", render_json),
    "csv": ("text/csv; charset=utf-8", render_csv),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             render_docx),
}


def _published(slug: str) -> Statement:
    """Public pages exist once a statement is open for endorsement, for everyone alike."""
    statement = statement_or_404(slug, page_user())
    if not is_published(statement):
        abort(404)
    return statement


def _page_number() -> int:
    number = parse_number(request.args.get("page", "1"))
    return min(max(1, number or 1), 1_000_000)


@bp.get("/s/<slug>")
def public_statement(slug: str) -> str:
    statement = _published(slug)
    filters = SignatoryFilter(kind=request.args.get("kind", "") if request.args.get("kind")
                              in set(EndorsementKind) else "",
                              country=request.args.get("country", "").strip()[:100],
                              name=request.args.get("q", "").strip()[:200])
    page = _page_number()
    total, people = public_endorsements(statement, filters, offset=(page - 1) * PAGE_SIZE,
                                        limit=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    groups = [(kind, label, [e for e in people if e.kind == kind])
              for kind, label in KIND_LABELS.items()]
    return render_template(
        "public/statement.html", statement=statement, final=statement.head,
        counts=counts_by_kind(statement), groups=[g for g in groups if g[2]], total=total,
        filters=filters, page=page, pages=pages, countries=public_countries(statement),
        kind_labels=KIND_LABELS, exports=list(EXPORTS),
        public_url=url_for("web.public_statement", slug=slug, _external=True))


@bp.get("/s/<slug>/source.md")
def source(slug: str) -> Response:
    statement = _published(slug)
    final = statement.head
    response = Response(final.text.encode("utf-8"), mimetype="text/markdown")
    response.headers["Content-Type"] = "text/markdown; charset=utf-8"
    response.headers["X-Statement-SHA256"] = final.sha256
    response.headers["Content-Disposition"] = (
        f'inline; filename="{statement.slug}-v{final.number}.source.md"')
    return response


@bp.get("/s/<slug>/export.<fmt>")
def export(slug: str, fmt: str) -> Response:
    if fmt not in EXPORTS:
        abort(404)
    statement = _published(slug)
    content_type, render = EXPORTS[fmt]
    pub = publication(statement, url_for("web.public_statement", slug=slug, _external=True))
    response = Response(render(pub))
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{statement.slug}-v{pub.version}.{fmt}"')
    response.headers["X-Statement-Version"] = str(pub.version)
    response.headers["X-Statement-SHA256"] = pub.sha256
    if fmt == "html":
        response.headers["Content-Security-Policy"] = EXPORT_HTML_POLICY
    return response
