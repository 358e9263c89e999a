"""API.md: names in every script are printed right in the PDF, each signatory kept together.

Checked in the PDF itself, read back with pypdf and fontTools (tests/exports/pdf_reading.py):
which glyphs of which embedded font each text operator draws, and where. Arabic is compared
with HarfBuzz's own shaping of the same font file: joined forms, right to left.
"""

from __future__ import annotations

import io
import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
import uharfbuzz as hb
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from statements.exports import pdf as pdf_module
from statements.exports.model import Published, Signatory
from statements.exports.pdf import (
    LINE_HEIGHT,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    NAME_PT,
    StatementPDF,
    layout_pdf,
    render_pdf,
)
from statements.fonts import INSTALL_STEP, FontFace, FontSet, find_fonts
from tests.exports.pdf_reading import EmbeddedFont, Outline, Shown, read, text_of
from tests.exports.samples import EVERY_SCRIPT, WHEN, person
from tests.exports.test_fonts import require_fonts

SHA = "3f" * 32
PT = 72 / 25.4  # PDF points per mm
ARABIC = EVERY_SCRIPT[5]
HEBREW = EVERY_SCRIPT[6]


def publication(signatories: list[Signatory], text: str = "# Text\n\nWe agree.\n") -> Published:
    return Published(slug="scripts", title="Every script", occasion="Edinburgh", version=3,
                     sha256=SHA, text=text, signatories=signatories, exported_at=WHEN)


@pytest.fixture(scope="module")
def fonts() -> FontSet:
    return require_fonts()


@pytest.fixture(scope="module")
def laid(fonts: FontSet) -> tuple[StatementPDF, bytes]:
    """The signatories in every script, laid out (where each went) and written out."""
    pdf = layout_pdf(publication(EVERY_SCRIPT))
    return pdf, bytes(pdf.output())


@pytest.fixture(scope="module")
def every(laid: tuple[StatementPDF, bytes]) -> bytes:
    return laid[1]


def embedded_name(face: FontFace) -> str:
    """The name fpdf2 embeds a font file under: NotoSansArabic-Bold.ttf -> NotoSansArabicBold."""
    return face.path.stem.replace("-Regular", "").replace("-", "")


def ink(text: str) -> list[str]:
    return [ch for ch in text if not ch.isspace()]


def test_every_character_of_every_script_has_a_glyph_in_the_embedded_font(every: bytes) -> None:
    embedded, items = read(every)
    inked: set[str] = set()  # characters drawn by a glyph that has an outline
    for item in items:
        font = embedded[item.font]
        for code in item.cids:
            assert code not in font.notdef, f"{font.name} draws .notdef for {font.text[code]!r}"
            if font.inks(code):
                inked |= set(font.text[code])
    for s in EVERY_SCRIPT:
        for part in (s.name, s.capacity, s.organisation, s.city, s.country):
            absent = [ch for ch in ink(part) if ch not in inked]
            assert not absent, f"{part}: no glyph drawn for {absent}"


def _outline(path: Path, index: int, gid: int) -> Outline:
    font = TTFont(path, fontNumber=index)
    glyphs = font.getGlyphSet()
    pen = DecomposingRecordingPen(glyphs)
    glyphs[font.getGlyphOrder()[gid]].draw(pen)
    return tuple(pen.value)


def harfbuzz(path: Path, index: int, text: str) -> tuple[list[int], dict[int, int]]:
    """HarfBuzz's glyph ids for `text` in this font file, in visual order (left to right),
    and the font's own glyph id for each character of `text` and for the space."""
    face = hb.Face(hb.Blob.from_file_path(str(path)), index)
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(hb.Font(face), buffer, {})
    font = TTFont(path, fontNumber=index, lazy=True)
    cmap, order = font.getBestCmap(), font.getGlyphOrder()
    return [info.codepoint for info in buffer.glyph_infos], {
        ord(ch): order.index(cmap[ord(ch)]) for ch in set(text) | {" "}}


def drawn_in(embedded: dict[int, EmbeddedFont], items: list[Shown], name: str
             ) -> list[Outline]:
    """The outlines drawn in the embedded font `name`, in the order drawn (left to right)."""
    return [embedded[i.font].outline(code) for i in items if embedded[i.font].name == name
            for code in i.cids]


@pytest.mark.parametrize("who", [ARABIC, HEBREW], ids=["Arabic", "Hebrew"])
def test_right_to_left_names_are_joined_and_ordered_as_harfbuzz_shapes_them(
        fonts: FontSet, every: bytes, who: Signatory) -> None:
    face = fonts.owners[ord(who.name[0])].face("B")  # names are bold
    expected_ids, cmap = harfbuzz(face.path, face.index, who.name)
    expected = [_outline(face.path, face.index, gid) for gid in expected_ids
                if gid != cmap[ord(" ")]]  # the spaces are the text font's
    embedded, items = read(every)
    assert drawn_in(embedded, items, embedded_name(face)) == expected
    if who is HEBREW:  # no ligatures: the letters drawn left to right are the name reversed
        shown = "".join(text_of(embedded, i) for i in items
                        if embedded[i.font].name == embedded_name(face))
        assert shown == "".join(reversed(ink(who.name)))


def test_arabic_letters_take_their_joining_forms_not_the_isolated_ones(fonts: FontSet,
                                                                       every: bytes) -> None:
    """عبد: ع initial, ب medial, د final. HarfBuzz with the font's GSUB gives three glyphs none
    of which is the letter's own (isolated) glyph; the PDF draws exactly those."""
    word = "عبد"
    assert word in ARABIC.name
    face = fonts.owners[ord(word[0])].face("B")
    shaped, cmap = harfbuzz(face.path, face.index, word)
    isolated = {cmap[ord(ch)] for ch in word}
    assert len(shaped) == 3 and not set(shaped) & isolated
    joined = [_outline(face.path, face.index, gid) for gid in shaped]
    alone = [_outline(face.path, face.index, cmap[ord(ch)]) for ch in reversed(word)]
    embedded, items = read(every)
    drawn = drawn_in(embedded, items, embedded_name(face))
    assert any(drawn[i:i + 3] == joined for i in range(len(drawn)))
    assert not any(drawn[i:i + 3] == alone for i in range(len(drawn)))


def test_an_arabic_paragraph_of_the_text_reads_right_to_left(fonts: FontSet) -> None:
    """The statement text goes through fpdf2's text regions, which skip the bidi algorithm
    unless StatementPDF puts it back: the words must come out last word leftmost."""
    sentence = "المدن والمناطق توافق"
    data = render_pdf(publication([person("Ana Lima", "Lisboa", "Portugal")],
                                  text=f"# Text\n\n{sentence}\n"))
    face = fonts.owners[ord(sentence[0])].face("")
    expected_ids, cmap = harfbuzz(face.path, face.index, sentence)
    expected = [_outline(face.path, face.index, gid) for gid in expected_ids
                if gid != cmap[ord(" ")]]
    embedded, items = read(data)
    assert drawn_in(embedded, items, embedded_name(face)) == expected


def test_names_are_bold_in_every_script_that_has_a_bold_font(
        laid: tuple[StatementPDF, bytes]) -> None:
    """What is drawn on each entry's first line (its name) is drawn in bold fonts only, but
    for the emoji: Symbola has no bold."""
    pdf, data = laid
    embedded, items = read(data)
    for p in pdf.placements:
        line = [i for i in items if i.page == p.page and _column(i.x, pdf.w) == p.column
                and p.top <= pdf.h - i.y / PT <= p.top + NAME_PT / PT * LINE_HEIGHT]
        s = EVERY_SCRIPT[p.signatory]
        assert sorted(ink("".join(text_of(embedded, i) for i in line))) == sorted(
            ink(s.name)) or s is ARABIC, s.name  # (Arabic: a ligature is one glyph)
        used = {embedded[i.font].name for i in line}
        assert all(name.endswith("Bold") for name in used - {"Symbola"}), (s.name, used)


def test_no_text_is_shown_without_a_font(every: bytes) -> None:
    """fpdf2 2.8.9 can leave a line whose first fragment is in a fallback font with no font
    set for the lines after it: viewers then draw nothing ("No font in show")."""
    _, items = read(every)  # shown() asserts a font for every Tj/TJ
    assert items


def _column(x_pt: float, page_width_mm: float) -> int:
    return 0 if x_pt / PT < page_width_mm / 2 else 1


def test_each_signatory_stays_together_in_the_pdf_itself(fonts: FontSet) -> None:
    """Hundreds of entries, some long enough to wrap, over pages and columns: each one's
    first and last name line and its details are on one page, in one column, in order."""
    long = " ".join(["Organisation"] * 9)
    people = [person(f"N{i:03d} Name " + (long + " " if i % 7 == 0 else "") + f"E{i:03d}",
                     f"D{i:03d} Town", "Land", organisation=long if i % 5 == 0 else "City")
              for i in range(260)]
    data = render_pdf(publication(people))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 4
    width = float(reader.pages[0].mediabox.width) / PT
    embedded, items = read(data)
    where: dict[str, tuple[int, int, float]] = {}
    for item in items:
        for word in text_of(embedded, item).split():
            if word[:1] in "NED" and word[1:].isdigit():
                where[word] = (item.page, _column(item.x, width), item.y)
    wrapped = 0
    for i in range(260):
        first, last, place = where[f"N{i:03d}"], where[f"E{i:03d}"], where[f"D{i:03d}"]
        assert first[:2] == last[:2] == place[:2], (i, first, last, place)
        assert first[2] >= last[2] > place[2] > MARGIN_BOTTOM * PT, (i, first, last, place)
        wrapped += first[2] > last[2]
    assert wrapped >= 30  # the long ones did wrap
    assert {column for _, column, _ in where.values()} == {0, 1}


def test_the_layout_of_every_script_keeps_entries_whole(fonts: FontSet) -> None:
    """Where the layout put each entry, checked against the page and against what the PDF
    draws there: every character of the entry is inside its box."""
    people = [replace(s, name=f"{s.name} {n}") for n in range(12) for s in EVERY_SCRIPT]
    pdf = layout_pdf(publication(people))
    data = bytes(pdf.output())
    assert len({p.page for p in pdf.placements}) >= 3
    assert sorted(p.signatory for p in pdf.placements) == list(range(len(people)))
    embedded, items = read(data)
    for p in pdf.placements:
        assert MARGIN_TOP - 0.01 <= p.top < p.bottom <= pdf.page_break_trigger + 0.01, p
        same = [q for q in pdf.placements if (q.page, q.column) == (p.page, p.column) and q != p]
        assert all(q.bottom <= p.top or q.top >= p.bottom for q in same), p
        inside = Counter(ch for item in items if item.page == p.page
                         and _column(item.x, pdf.w) == p.column
                         and p.top - 0.5 <= pdf.h - item.y / PT <= p.bottom + 0.5
                         for ch in ink(text_of(embedded, item)))
        s = people[p.signatory]
        wanted = Counter(ink(s.name + s.capacity + s.organisation + s.city + s.country))
        assert not wanted - inside, (s.name, wanted - inside)


def test_a_missing_font_gives_the_pdf_with_a_placeholder_and_a_log_line(
        fonts: FontSet, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A machine without fonts-noto-cjk and with only Noto Sans of fonts-noto-core: every
    other name prints; each character no font has is a visible U+FFFD, and logged."""
    text = fonts.text
    cut = find_fonts(":".join(f"{face.path}" for face in text.faces))
    monkeypatch.setattr(pdf_module, "available_fonts", lambda: cut)
    with caplog.at_level(logging.WARNING, logger="statements.exports.pdf"):
        data = render_pdf(publication(EVERY_SCRIPT))
    assert data.startswith(b"%PDF-")
    [record] = [r for r in caplog.records if "no installed font has" in r.getMessage()]
    message = record.getMessage()
    for named in ("ARABIC LETTER", "THAI CHARACTER", "CJK UNIFIED IDEOGRAPH", "HANGUL"):
        assert named in message, named
    assert "'scripts'" in message and INSTALL_STEP in message
    embedded, items = read(data)
    drawn = "".join(text_of(embedded, item) for item in items)
    assert "\ufffd" in drawn
    for latin in ("João da Silva", "Айдың Кара-оол", "Γιώργος Παπαδόπουλος"):
        assert latin.replace(" ", "") in drawn.replace(" ", ""), latin
    assert "Ana Lima" in drawn
