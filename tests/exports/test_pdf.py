"""The PDF export, read back with pypdf (independent of fpdf2).

pypdf sometimes puts spaces or NULs between CJK glyphs it extracts (poppler does not), so the
text is compared with whitespace and NULs squeezed out on both sides.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from dataclasses import replace

import pytest
from pypdf import PdfReader

from statements.exports.model import Published, Signatory
from statements.exports.pdf import render_pdf
from statements.fonts import FontsMissing, available_fonts, missing_characters
from tests.exports.samples import SIGNATORIES, WHEN, person
from tests.needs import unavailable

SHA = "3f" * 32
TEXT = """# Strengthening the momentum

The **cities and regions** gathered in *Kunming* agree:

1. First operative paragraph.

    It goes on in a second paragraph.

2. Second operative paragraph.

## Commitments

- Biodiversity in urban planning
- Finance for local action
"""
HOSTILE = ['<script>alert(1)</script>', '=HYPERLINK("http://x")', "**bold** [a](b)",
           "{nb}", "\u202eevil\u202c"]


def publication(signatories: list[Signatory] = SIGNATORIES, text: str = TEXT,
                occasion: str = "Edinburgh Summit — 昆明 session") -> Published:
    """The statement; a test without CJK in it is faster (no CJK font to load, ~1 s)."""
    return Published(slug="gbf", title="Strengthening the momentum for a post-2020 GBF",
                     occasion=occasion, version=3, sha256=SHA,
                     text=text, signatories=signatories, exported_at=WHEN,
                     url="https://example.org/s/gbf")


@pytest.fixture(scope="module", autouse=True)
def fonts() -> None:
    try:
        available_fonts()
    except FontsMissing as exc:
        unavailable(f"PDF fonts not installed: {exc}")


@pytest.fixture(scope="module")
def standard() -> bytes:
    """The usual publication, rendered once for the tests that only read it (~1 s a render)."""
    return render_pdf(publication())


def squeeze(text: str) -> str:
    return re.sub(r"[\s\x00]+", "", text)


def pages_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_every_script_comes_out_with_the_version_and_hash(standard: bytes) -> None:
    assert standard.startswith(b"%PDF-")
    text = squeeze("\n".join(pages_text(standard)))
    for s in SIGNATORIES:
        for part in (s.name, s.city, s.country, s.capacity, s.organisation):
            assert squeeze(part) in text, part
    assert squeeze(f"Version 3 · SHA-256 {SHA}") in text
    assert squeeze("Signatories (6)") in text
    assert squeeze("On behalf of local and subnational governments (4)") in text


def test_metadata_names_the_version_and_hash(standard: bytes) -> None:
    meta = PdfReader(io.BytesIO(standard)).metadata
    assert meta.title == "Strengthening the momentum for a post-2020 GBF"
    assert meta.subject == f"Version 3 · SHA-256 {SHA}"


def test_cjk_is_drawn_with_an_embedded_cjk_font(standard: bytes) -> None:
    reader = PdfReader(io.BytesIO(standard))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(fonts[key].get_object()["/BaseFont"]).split("+")[-1] for key in fonts}
    assert {"NotoSans", "NotoSansBold", "NotoSansCJKSC", "NotoSansCJKSCBold"} <= names, names


def test_markdown_structure_and_loose_list_numbers(standard: bytes) -> None:
    text = pages_text(standard)[0]
    assert "Strengthening the momentum\n" in text
    assert "1. First operative paragraph." in text
    assert "It goes on in a second paragraph." in text
    assert "2. Second operative paragraph." in text
    assert "• Biodiversity in urban planning" in text
    assert "**" not in text and "# " not in text


def test_every_page_has_the_hash_and_its_number() -> None:
    many = [replace(SIGNATORIES[i % 2 + 1], name=f"Signatory {i}") for i in range(300)]
    pages = pages_text(render_pdf(publication(many, occasion="Edinburgh")))
    assert len(pages) > 3
    for number, text in enumerate(pages, start=1):
        assert squeeze(f"Version 3 · SHA-256 {SHA}") in squeeze(text)
        assert f"Page {number} of {len(pages)}" in text


def test_hostile_fields_come_out_literally() -> None:
    people = [person(name, "Zürich", "Schweiz", kind="individual", capacity=name,
                     organisation=name) for name in HOSTILE]
    text = "\n".join(pages_text(render_pdf(publication(people, occasion="Edinburgh"))))
    for name in HOSTILE[:-1]:
        assert name in text, name
    assert text.count("<script>alert(1)</script>") == 3
    # U+202E turns its own field around, as a browser shows it, and nothing after it: each
    # field is isolated (FSI ... PDI), as the HTML export isolates it with <bdi>.
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    assert "live, live, Zürich, Schweiz" in visible


def test_control_characters_in_a_name_are_spaces() -> None:
    people = [person("Ana\nMaria\x00Silva", "Rio", "Brasil")]
    text = "\n".join(pages_text(render_pdf(publication(people, occasion="Edinburgh"))))
    assert "Ana Maria Silva" in text


def test_a_character_no_font_has_is_a_visible_placeholder_and_logged(
        caplog: pytest.LogCaptureFixture) -> None:
    """API.md: a character is never refused for want of a font: the PDF still comes out."""
    assert missing_characters("\ue000") == {"\ue000"}
    people = [*SIGNATORIES, person("Private \ue000 Use", "Paris", "France")]
    with caplog.at_level(logging.WARNING, logger="statements.exports.pdf"):
        text = "\n".join(pages_text(render_pdf(publication(people))))
    assert "Private \ufffd Use" in text
    assert squeeze("李明") in squeeze(text)
    [record] = caplog.records
    assert "U+E000 (unassigned or private use)" in record.getMessage()
    assert "'gbf'" in record.getMessage()


def test_an_uncovered_character_in_the_text_is_a_placeholder_too() -> None:
    data = render_pdf(publication(text="An entity: &#xE000; in the text.\n"))
    assert "An entity: \ufffd in the text." in "\n".join(pages_text(data))


def test_the_same_statement_gives_the_same_bytes(standard: bytes) -> None:
    assert render_pdf(publication()) == standard


def test_no_signatories_and_odd_markdown_still_render() -> None:
    odd = ("| a | b |\n|---|:-:|\n| Zürich | x |\n\n> quote\n\n    code  block\n\n---\n\n"
           "[x](javascript:alert(1)) [y](#top) [z](https://example.org) H<sub>2</sub>O\n\n"
           "Note.[^1]\n\n[^1]: The note.\n\n<script>alert(2)</script>\n")
    text = "\n".join(pages_text(render_pdf(publication([], text=odd, occasion="Edinburgh"))))
    assert "No public signatories yet." in text
    assert "code  block" in text and "The note." in text
    # Raw HTML is shown as the text it is, as in every other format (what is hashed is shown).
    assert "<script>alert(2)</script>" in text
