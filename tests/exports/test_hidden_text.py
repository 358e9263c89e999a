"""What is hashed is what is shown, in every export: a clause hidden in the Markdown source
(an HTML comment, <style>, <script>, an unclosed <math>, a reference definition, a table
cell past the header's) is visible in each format, word for word.

CSV carries only the signatories, so it is not here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import pytest
from docx import Document
from pypdf import PdfReader

from statements.exports.docx import render_docx
from statements.exports.html import render_html
from statements.exports.model import Published
from statements.exports.pdf import render_pdf
from statements.exports.text_formats import render_json, render_markdown_export, render_text
from statements.text.normalise import sha256_hex
from tests.exports.samples import WHEN, person
from tests.text.hidden_text import HIDDEN_CLAUSES, html_visible_text, missing_words

PUB = Published(slug="cities", title="Statement of the cities", occasion="Summit",
                version=2, sha256=sha256_hex(HIDDEN_CLAUSES), text=HIDDEN_CLAUSES,
                signatories=[person("Ana Lima", "Lisboa", "Portugal")], exported_at=WHEN,
                url="https://statements.example.org/s/cities")


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([*(p.text for p in document.paragraphs), *cells])


def pdf_visible(pub: Published) -> str:
    from tests.exports.test_fonts import require_fonts

    require_fonts()
    return pdf_text(render_pdf(pub))


EXPORTS: dict[str, Callable[[Published], str]] = {
    "md": lambda pub: render_markdown_export(pub).decode(),
    "html": lambda pub: html_visible_text(render_html(pub).decode()),
    "txt": lambda pub: render_text(pub).decode(),
    "pdf": pdf_visible,
    "docx": lambda pub: docx_text(render_docx(pub)),
    "json": lambda pub: json.loads(render_json(pub))["text"],
}


@pytest.mark.parametrize("fmt", list(EXPORTS))
def test_every_word_of_the_source_is_visible(fmt: str) -> None:
    assert missing_words(HIDDEN_CLAUSES, EXPORTS[fmt](PUB)) == set()
