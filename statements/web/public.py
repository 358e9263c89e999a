"""The published statement: its public page, its exact source, and its exports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from flask import Response, abort, current_app, render_template, request

from .. import fonts
from ..errors import Unavailable
from ..exports import markup
from ..exports import model as export_model
from ..exports import pdf as pdf_export
from ..exports.cache import ExportCache, content_key, fingerprint
from ..exports.docx import render_docx
from ..exports.html import CONTENT_SECURITY_POLICY as EXPORT_HTML_POLICY
from ..exports.html import render_html
from ..exports.model import Published
from ..exports.pdf import render_pdf
from ..exports.text_formats import render_csv, render_json, render_markdown_export, render_text
from ..fonts import FontsMissing, available_fonts
from ..http.identity import page_user
from ..i18n import _, _l, current_locale
from ..models import Statement
from ..read.lookups import parse_number, statement_or_404
from ..read.queries import (
    SignatoryFilter,
    public_countries,
    public_endorsements,
    publication,
    record_head,
    tally,
)
from ..rules import EndorsementKind, is_published
from ..text import markdown
from . import bp
from .page_cache import cached_page

PAGE_SIZE = 50

# The public list's headings in the page's language (the exports keep their own).
PAGE_KIND_LABELS = {
    "individual": _l("Individuals"),
    "organisation": _l("On behalf of organisations"),
    "government": _l("On behalf of local and subnational governments"),
}


# The code a cached PDF was drawn by is part of its key (see exports.cache.fingerprint).
_PDF_RENDERER = fingerprint(pdf_export, markup, export_model, markdown, fonts)


def _pdf_cache() -> ExportCache:
    config = current_app.config
    return ExportCache(Path(current_app.instance_path) / "export-cache", ".pdf",
                       max_files=int(config.get("PDF_CACHE_MAX_FILES", 200)),
                       max_bytes=int(config.get("PDF_CACHE_MAX_BYTES", 512 * 1024 * 1024)))


def _render_pdf(pub: Published) -> bytes:
    try:
        return render_pdf(pub)
    except FontsMissing as exc:
        raise Unavailable(_("The PDF cannot be made on this server: %(reason)s "
                            "Every other format is available.", reason=str(exc))) from exc


def _export_pdf(pub: Published) -> bytes:
    """A PDF of thousands of signatories takes seconds to lay out, so each is made once per
    exact content (text, hash, signatory list, the site's address) and kept in the instance
    folder, within bounds: repeated downloads cannot tie up the workers or fill the disk."""
    key = content_key(pub, _PDF_RENDERER, *_font_files())
    return _pdf_cache().get_or_make(key, lambda: _render_pdf(pub))


def _font_files() -> list[str]:
    """The font files a PDF would be drawn with (part of what it is made of)."""
    try:
        return available_fonts().files()
    except FontsMissing:
        return []


def public_url(slug: str) -> str:
    """The public page's address, from PUBLIC_URL: never from the request's Host header."""
    site = str(current_app.config["PUBLIC_URL"]).rstrip("/")
    return f"{site}/s/{quote(slug)}"


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
def public_statement(slug: str) -> Response | str:
    return cached_page(slug, lambda: _public_page(slug))


def _public_page(slug: str) -> str:
    statement = _published(slug)
    filters = SignatoryFilter(kind=request.args.get("kind", "") if request.args.get("kind")
                              in set(EndorsementKind) else "",
                              country=request.args.get("country", "").strip()[:100],
                              name=request.args.get("q", "").strip()[:200])
    page = _page_number()
    counted = tally(statement)
    total, people = public_endorsements(statement, filters, offset=(page - 1) * PAGE_SIZE,
                                        limit=PAGE_SIZE, unfiltered=counted.listed)
    pages = max(1, -(-total // PAGE_SIZE))
    groups = [(kind, label, [e for e in people if e.kind == kind])
              for kind, label in PAGE_KIND_LABELS.items()]
    return render_template(
        "public/statement.html", statement=statement, final=statement.head,
        counts=counted.by_kind, groups=[g for g in groups if g[2]], total=total,
        filters=filters, page=page, pages=pages,
        countries=public_countries(statement, current_locale()),
        kind_labels=PAGE_KIND_LABELS, exports=list(EXPORTS),
        public_url=public_url(slug), record_head=record_head(statement),
        listed=counted.listed, pending=counted.pending)


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
    pub = publication(statement, public_url(slug))
    response = Response(render(pub))
    response.headers["Content-Type"] = content_type
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{statement.slug}-v{pub.version}.{fmt}"')
    response.headers["X-Statement-Version"] = str(pub.version)
    response.headers["X-Statement-SHA256"] = pub.sha256
    if fmt == "html":
        response.headers["Content-Security-Policy"] = EXPORT_HTML_POLICY
    return response
