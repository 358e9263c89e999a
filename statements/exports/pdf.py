"""The PDF export: A4, the statement text from its Markdown, then the signatories by kind.

Drawn with fpdf2 in the fonts :mod:`statements.fonts` found at start-up, every script of
API.md's list included. A person's name never stops the PDF: a character no installed font has
is printed as :data:`~statements.fonts.PLACEHOLDER` and logged, with the package to install.

Text that needs it is shaped with HarfBuzz (fpdf2's ``set_text_shaping``, with ``uharfbuzz``):
Arabic and Hebrew are joined and ordered right to left by the Unicode bidirectional algorithm,
Indic and Thai marks placed, conjuncts formed. Only that text: shaping costs fpdf2 about four
times the time of plain text, and Latin, Cyrillic, Greek, CJK and Hangul need none of it. Three
gaps of fpdf2 2.8.9 are closed in :class:`StatementPDF`: its text regions skip the bidirectional
algorithm, it cuts text at every combining mark (which then joins nothing), and it looks up the
script of every character of every string in a table of ranges, one range after another.

Only the statement text is markup: its sanitised HTML (the web page's) is read into a tree and
drawn block by block. Not with fpdf2's ``write_html``: it drops the numbers of a list whose items
are paragraphs (Markdown's numbered operative paragraphs) and fails on a link with no target.
Signatory fields are written as literal text: ``<script>``, ``**x**``, ``=HYPERLINK(…)`` stay.

The signatories are laid out here, in two columns, not by fpdf2's text columns: each one's name
and details are measured first and never split across columns or pages; where a kind's list
ends on a page its two columns are balanced. Where each went is kept in
:attr:`StatementPDF.placements`.
"""

from __future__ import annotations

import importlib.util
import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from fpdf import FPDF
from fpdf.bidi import auto_detect_base_direction
from fpdf.enums import Align, MethodReturnValue, TextDirection
from fpdf.fonts import FontFace as FpdfFontFace
from fpdf.fonts import TTFFont
from fpdf.line_break import Fragment
from fpdf.unicode_script import UnicodeScript, get_unicode_script

from ..fonts import (
    INSTALL_STEP,
    PLACEHOLDER,
    FontFamily,
    FontSet,
    available_fonts,
    describe,
    is_ignorable,
    scripts_of,
)
from .markup import (
    BLOCK_TAGS,
    SPACES,
    Node,
    Run,
    details,
    inline_runs,
    literal,
    literal_lines,
    split_first_paragraph,
    statement_tree,
    table_cells,
)
from .model import FIXED_DATE, KIND_LABELS, Published, check_command, check_line, record_line

log = logging.getLogger(__name__)

MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18.0, 20.0, 22.0
BODY_PT = 10.5
HEADING_PT = {"h1": 15.0, "h2": 13.0, "h3": 12.0, "h4": 11.0, "h5": BODY_PT, "h6": BODY_PT}
LIST_INDENT, QUOTE_INDENT = 7.0, 10.0
BLACK, GREY, LINK_BLUE = (17, 17, 17), (80, 80, 80), (20, 60, 140)
# fpdf2 replaces this alias with the page count wherever it occurs, in any text. The default,
# "{nb}", could be a signatory's name; this one cannot: control characters never reach a page.
TOTAL_PAGES = "\x00pages\x00"
# The signatory list: two columns; the name in bold, the details under it.
COLUMNS, GUTTER = 2, 8.0
NAME_PT, DETAILS_PT, LINE_HEIGHT, ENTRY_GAP = 9.5, 8.5, 1.25, 1.8
MM_PER_PT = 25.4 / 72

SHAPING = importlib.util.find_spec("uharfbuzz") is not None
# Text HarfBuzz must shape: right-to-left scripts (Hebrew to NKo, the presentation forms, the
# historic and Adlam ones), the Indic and South-East Asian scripts (0900-109F, 1700-1CFF,
# A800-ABFF, the 11000 block), conjoining Hangul jamo, Mongolian, combining marks, joiners,
# bidirectional controls and variation selectors. The rest draws right glyph by glyph.
_NEEDS_SHAPING = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0590-\u109f\u1100-\u11ff\u1700-\u1cff\u1dc0-\u1dff"
    "\u200c-\u200f\u202a-\u202e\u2066-\u2069\u20d0-\u20ff\ua800-\uabff\ufb1d-\ufdff"
    "\ufe00-\ufe0f\ufe20-\ufe2f\ufe70-\ufeff\U00010800-\U00011fff\U0001e800-\U0001e95f"
    "\U000e0100-\U000e01ef]")
_BIDI_CONTROLS = {"LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
_NO_SCRIPT = (UnicodeScript.COMMON, UnicodeScript.INHERITED, UnicodeScript.UNKNOWN)


def needs_shaping(text: str) -> bool:
    return not text.isascii() and _NEEDS_SHAPING.search(text) is not None


def isolated(field: str) -> str:
    """A field between FSI and PDI (Unicode's isolates) when it has bidi controls of its own."""
    if any(unicodedata.bidirectional(ch) in _BIDI_CONTROLS for ch in field):
        return f"\u2068{field}\u2069"
    return field


def is_rtl(text: str) -> bool:
    """Whether the text's first strong character is right to left (Unicode rules P2, P3)."""
    return auto_detect_base_direction(text) == TextDirection.RTL


@cache
def _script(ch: str) -> UnicodeScript:
    return get_unicode_script(ch)  # a linear search of fpdf2's table


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Me", "Mc", "Cf")


@dataclass(frozen=True)
class Placement:
    """Where one signatory's entry (name and details) was drawn, in mm from the page's top."""

    signatory: int  # its index in Published.signatories
    page: int
    column: int
    x: float
    top: float
    bottom: float


class StatementPDF(FPDF):
    """An FPDF whose every page carries the version, the hash and the page number."""

    def __init__(self, pub: Published, family: str, placeholders: dict[int, str]) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.pub = pub
        self.family = family
        self.placeholders = placeholders  # str.translate table: unprintable -> placeholder
        self.placements: list[Placement] = []
        self._in_bidi = False
        self._fallbacks: dict[tuple[str, str], TTFFont | None] = {}
        self._characters: dict[str, frozenset[str]] = {}
        self.alias_nb_pages(TOTAL_PAGES)

    def footer(self) -> None:
        with self.shaping(False):
            self.set_y(-MARGIN_BOTTOM + 8)
            self.set_font(self.family, "", 7.5)
            self.set_text_color(*GREY)
            self.cell(self.epw * 0.82, 4, check_line(self.pub), align="L")
            self.cell(self.epw * 0.18, 4, f"Page {self.page_no()} of {TOTAL_PAGES}", align="R")

    @contextmanager
    def shaping(self, on: bool, rtl: bool = False) -> Iterator[None]:
        """Text drawn inside is shaped (a right-to-left paragraph if `rtl`), or not at all."""
        before = self.text_shaping
        if on and SHAPING:
            self.set_text_shaping(True, direction="rtl" if rtl else "ltr")
        else:
            self.text_shaping = None
        try:
            yield
        finally:
            self.text_shaping = before

    # fpdf2 calls this for every string it draws or measures: the one place to put placeholders.
    def normalize_text(self, text: str) -> str:
        if self.placeholders:
            text = text.translate(self.placeholders)
        return super().normalize_text(text)

    def _preload_bidirectional_text(self, text: str, markdown: bool) -> Sequence[Fragment]:
        self._in_bidi = True
        try:
            return super()._preload_bidirectional_text(text, markdown)
        finally:
            self._in_bidi = False

    def _preload_font_styles(self, text: str | None, markdown: bool,
                             _initial_emphasis: tuple[bool, bool, bool, bool] | None = None,
                             ) -> Sequence[Fragment]:
        if text and self.text_shaping and not self._in_bidi and text.strip("\n"):
            # Text regions (text_columns) come here directly, without the bidi algorithm.
            return self._preload_bidirectional_text(text, markdown)
        font = self.current_font
        if (not text or markdown or not isinstance(font, TTFFont)
                or (self.str_alias_nb_pages and self.str_alias_nb_pages in text)):
            return super()._preload_font_styles(text, markdown, _initial_emphasis)
        return self._fragments(text, font)

    def _fragments(self, text: str, primary: TTFFont) -> list[Fragment]:
        """The text cut where its font changes and, when shaped, where its script does, as
        fpdf2 does it but without its two faults: it cuts at every mark and joiner too (whose
        script is "inherited"), so that مُحَمَّد came out as seven fragments, each shaped
        alone, joined to nothing; and it looks each character's script up in a table of
        ranges one by one, most of the time a PDF of many names took."""
        shaped = bool(self.text_shaping)
        if not shaped and set(text) <= self._characters_of(primary):
            return [Fragment(list(text), self._get_current_graphics_state(), self.k)]
        runs: list[tuple[TTFFont, list[str]]] = []
        font: TTFFont | None = None
        script: UnicodeScript | None = None
        for ch in text:
            own = primary if ord(ch) in primary.cmap or ch == "\n" else (
                self._fallback(ch) or primary)
            if own is not font and font is not None and _is_mark(ch) and ord(ch) in font.cmap:
                own = font  # a mark or a joiner stays with its letter, in the letter's font
            chars = _script(ch) if shaped else None
            if chars in _NO_SCRIPT:
                chars = None
            if own is font and (chars is None or script is None or chars == script):
                runs[-1][1].append(ch)
                script = script or chars
                continue
            runs.append((own, [ch]))
            font, script = own, chars
        fragments = []
        for run_font, characters in runs:
            state = self._get_current_graphics_state()
            if run_font is not primary:
                state.font_family = run_font.fontkey.replace("B", "").replace("I", "")
                state.font_style = "".join(c for c in run_font.fontkey if c in "BI")
                state.current_font = run_font
            fragments.append(Fragment(characters, state, self.k))
        return fragments

    def _characters_of(self, font: TTFFont) -> frozenset[str]:
        if font.fontkey not in self._characters:
            self._characters[font.fontkey] = frozenset(map(chr, font.cmap)) | {"\n"}
        return self._characters[font.fontkey]

    def _fallback(self, ch: str) -> TTFFont | None:
        """The fallback font fpdf2 would draw a character the current font lacks with, in the
        current style (cached: fpdf2 asks every font each time)."""
        key = (ch, self.font_style)
        if key not in self._fallbacks:
            fontkey = self.get_fallback_font(ch, self.font_style)
            font = self.fonts[fontkey] if fontkey else None
            self._fallbacks[key] = font if isinstance(font, TTFFont) else None
        return self._fallbacks[key]


class BodyWriter:
    """Draws the statement tree: headings, paragraphs, lists, quotes, code, rules, tables."""

    def __init__(self, pdf: StatementPDF) -> None:
        self.pdf = pdf
        self.family = pdf.family

    def blocks(self, nodes: list[Node | str], indent: float = 0.0, size: float = BODY_PT,
               color: tuple[int, int, int] = BLACK) -> None:
        pending: list[Node | str] = []  # inline content between blocks: an implicit paragraph
        for child in nodes:
            if isinstance(child, str) or child.tag not in BLOCK_TAGS:
                pending.append(child)
                continue
            self.paragraph(inline_runs(pending), indent, size=size, color=color)
            pending = []
            self.block(child, indent, size, color)
        self.paragraph(inline_runs(pending), indent, size=size, color=color)

    def block(self, node: Node, indent: float, size: float, color: tuple[int, int, int]) -> None:
        tag = node.tag
        if tag in HEADING_PT:
            self.heading(inline_runs(node.children, "B"), HEADING_PT[tag], indent)
        elif tag == "p":
            self.paragraph(inline_runs(node.children), indent, size=size, color=color)
        elif tag in ("ul", "ol"):
            self.list(node, indent, size, color)
        elif tag == "blockquote":
            self.pdf.ln(1)
            self.blocks(node.children, indent + QUOTE_INDENT, size, GREY)
            self.pdf.ln(1)
        elif tag == "pre":
            self.paragraph([Run(literal_lines(node.text()))], indent + 3, size=size - 1)
        elif tag == "hr":
            self.rule(indent)
        elif tag == "table":
            self.table(node, size)
        else:  # div (the footnotes), li outside a list
            small = node.attrs.get("class") == "footnote"
            self.blocks(node.children, indent, size - 1.5 if small else size, color)

    def paragraph(self, runs: list[Run], indent: float, *, bullet: str = "",
                  size: float = BODY_PT, color: tuple[int, int, int] = BLACK,
                  after: float = 2.2) -> None:
        text = "".join(run.text for run in runs)
        if not text.strip():
            return
        pdf = self.pdf
        shaped = needs_shaping(text)
        rtl = shaped and is_rtl(text)
        pdf.set_text_color(*color)
        pdf.set_font(self.family, "", size)
        with pdf.shaping(shaped, rtl), pdf.text_columns(
                line_height=1.3, l_margin=pdf.l_margin + indent,
                text_align="RIGHT" if rtl else "LEFT") as column:
            with column.paragraph(bullet_string=bullet, bottom_margin=after) as paragraph:
                for run in runs:
                    pdf.set_font(self.family, run.style, size)
                    pdf.char_vpos = run.vpos
                    pdf.set_text_color(*(LINK_BLUE if run.link else color))
                    paragraph.write(run.text, link=run.link)
        pdf.char_vpos = "LINE"
        pdf.set_text_color(*BLACK)

    def heading(self, runs: list[Run], size: float, indent: float = 0.0) -> None:
        # A heading alone at the foot of a page reads badly: start the next page instead.
        if self.pdf.get_y() + 25 > self.pdf.page_break_trigger:
            self.pdf.add_page()
        else:
            self.pdf.ln(3)
        self.paragraph(runs, indent, size=size, after=1.5)

    def list(self, node: Node, indent: float, size: float, color: tuple[int, int, int]) -> None:
        number = int(node.attrs.get("start") or 1)
        items = [c for c in node.children if isinstance(c, Node) and c.tag == "li"]
        loose = any(isinstance(c, Node) and c.tag == "p" for li in items for c in li.children)
        for item in items:
            bullet = f"{number}." if node.tag == "ol" else "•"
            number += 1
            inner = indent + LIST_INDENT
            first, rest = split_first_paragraph(item.children)
            self.paragraph(inline_runs(first), inner, bullet=bullet, size=size, color=color,
                           after=2.2 if loose or rest else 1.0)
            self.blocks(rest, inner, size, color)
        self.pdf.ln(1.2)

    def rule(self, indent: float, width: float = 0.2, color: tuple[int, int, int] = GREY,
             before: float = 1, after: float = 3) -> None:
        pdf = self.pdf
        pdf.ln(before)
        pdf.set_draw_color(*color)
        pdf.set_line_width(width)
        pdf.line(pdf.l_margin + indent, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
        pdf.ln(after)

    def table(self, node: Node, size: float) -> None:
        cells, width = table_cells(node)
        if not width:
            return
        align = [next((row[i].attrs.get("align", "left") for row in cells if len(row) > i),
                      "left").upper() for i in range(width)]
        headed = bool(cells[0]) and all(c.tag == "th" for c in cells[0])
        texts = [[SPACES.sub(" ", literal(cell.text())) for cell in row] for row in cells]
        pdf = self.pdf
        pdf.set_font(self.family, "", size - 0.5)
        pdf.set_text_color(*BLACK)
        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.2)
        with pdf.shaping(any(needs_shaping(text) for row in texts for text in row)), pdf.table(
                borders_layout="HORIZONTAL_LINES", first_row_as_headings=headed,
                headings_style=FpdfFontFace(emphasis="BOLD"), text_align=tuple(align),
                line_height=1.3 * (size - 0.5) * MM_PER_PT, padding=1.2,
                markdown=False) as table:
            for row in texts:
                out = table.row()
                for text in [*row, *([""] * (width - len(row)))]:
                    out.cell(text)
        pdf.ln(3)


@dataclass(frozen=True)
class _Field:
    """One field of an entry as it will be drawn: a name, or the line of details."""

    text: str
    style: str
    size: float
    shaped: bool
    rtl: bool
    lines: int

    @property
    def line_height(self) -> float:
        return self.size * MM_PER_PT * LINE_HEIGHT


@dataclass(frozen=True)
class _Entry:
    signatory: int
    fields: tuple[_Field, ...]

    @property
    def height(self) -> float:
        return sum(f.lines * f.line_height for f in self.fields) + ENTRY_GAP


class SignatoryWriter:
    """Two columns of signatories, each entry whole: measured first, then placed."""

    def __init__(self, pdf: StatementPDF) -> None:
        self.pdf = pdf
        self.width = (pdf.epw - GUTTER * (COLUMNS - 1)) / COLUMNS

    def measure(self, text: str, style: str, size: float) -> _Field:
        pdf = self.pdf
        shaped = needs_shaping(text)
        rtl = shaped and is_rtl(text)
        with pdf.shaping(shaped, rtl):
            pdf.set_font(pdf.family, style, size)
            lines = 1
            if pdf.get_string_width(text) > self.width - 2 * pdf.c_margin:
                wrapped = pdf.multi_cell(self.width, size * MM_PER_PT * LINE_HEIGHT, text,
                                         align=Align.L, dry_run=True,
                                         output=MethodReturnValue.LINES)
                assert isinstance(wrapped, list)
                lines = len(wrapped)
        return _Field(text, style, size, shaped, rtl, max(1, lines))

    def entry(self, index: int, name: str, line: str) -> _Entry:
        fields = [self.measure(name or "—", "B", NAME_PT)]
        if line:
            fields.append(self.measure(line, "", DETAILS_PT))
        return _Entry(index, tuple(fields))

    def draw(self, entry: _Entry, column: int, top: float) -> float:
        pdf = self.pdf
        x = pdf.l_margin + column * (self.width + GUTTER)
        y = top
        for f in entry.fields:
            with pdf.shaping(f.shaped, f.rtl):
                pdf.set_font(pdf.family, f.style, f.size)
                pdf.set_xy(x, y)
                if f.lines == 1:
                    pdf.cell(self.width, f.line_height, f.text)
                else:
                    pdf.multi_cell(self.width, f.line_height, f.text, align=Align.L)
            y += f.lines * f.line_height
        pdf.placements.append(Placement(entry.signatory, pdf.page, column, x, top, y))
        return y + ENTRY_GAP

    def group(self, entries: list[_Entry]) -> None:
        """Fill the columns page by page; where the list ends on a page, balance them."""
        pdf = self.pdf
        pdf.set_text_color(*BLACK)
        pdf.set_auto_page_break(False, margin=MARGIN_BOTTOM)  # pages turn here, between entries
        heights = [e.height for e in entries]
        start = 0
        while start < len(entries):
            top = pdf.get_y()
            room = pdf.page_break_trigger - top + ENTRY_GAP
            if heights[start] > room and top > pdf.t_margin + 1:
                pdf.add_page()
                continue
            ends = _fill(heights, start, room)
            if ends[-1] == len(entries):
                ends = _balance(heights, start, room)
            first, bottom = start, top
            for column, end in enumerate(ends):
                y = top
                for entry in entries[first:end]:
                    y = self.draw(entry, column, y)
                bottom, first = max(bottom, y), end
            start = ends[-1]
            if start < len(entries):
                pdf.add_page()
            else:
                pdf.set_y(bottom)
        pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)


def _fill(heights: list[float], start: int, room: float) -> list[int]:
    """Where each column's entries end when each column takes what fits in `room`, whole
    (the first at least one, so that one taller than a page still goes somewhere)."""
    ends, end = [], start
    for _ in range(COLUMNS):
        used = 0.0
        while end < len(heights) and (used + heights[end] <= room or end == start):
            used += heights[end]
            end += 1
        ends.append(end)
    return ends


def _balance(heights: list[float], start: int, room: float) -> list[int]:
    """The split of the entries from `start` into two columns that ends them highest,
    the left one the longer on a tie (a list fits in `room` when this is called)."""
    total = sum(heights[start:])
    best, best_end, left = total, len(heights), 0.0
    for end in range(start, len(heights) + 1):
        if left <= room and total - left <= room:
            tallest = max(left, total - left)
            if tallest < best or (tallest == best and end > best_end):
                best, best_end = tallest, end
        if end < len(heights):
            left += heights[end]
    return [best_end, len(heights)]


def _register(pdf: FPDF, fonts: FontSet, drawn: dict[str, str]) -> None:
    """The text family, then the fallbacks this document needs, each face only where text in
    its style needs it: a font costs a PDF its loading and its subsetting (~0.1 s for CJK).
    Names are bold, so they are bold in every script that has a bold font."""
    text = fonts.text
    styles = ["", "B", *(style for style in ("I", "BI") if drawn.get(style))]
    for style in styles:
        face = text.face(style)
        pdf.add_font(text.key, style, str(face.path), collection_font_number=face.index)
    faces: dict[FontFamily, set[str]] = {}
    for style, part in drawn.items():
        for family in fonts.fallbacks_for(part):
            faces.setdefault(family, set()).add(family.face(style).style)
    fallbacks = sorted(faces, key=fonts.families.index)
    # A fallback's character map is cut to this document's characters: fpdf2 reads every
    # entry of it, and a CJK font has 45,000.
    used = sorted({ord(ch) for part in drawn.values() for ch in part})
    for family in fallbacks:
        for face in family.faces:
            if face.style in faces[family]:
                pdf.add_font(family.key, face.style, str(face.path),
                             collection_font_number=face.index, unicode_range=used)
    # The text family is a fallback too: a character its bold face lacks but its regular has
    # is drawn in regular rather than dropped. exact_match=False: a font without a bold
    # still draws bold text (in regular) rather than nothing.
    pdf.set_fallback_fonts([text.key, *(family.key for family in fallbacks)],
                           exact_match=False)


def _header(pdf: StatementPDF, pub: Published) -> None:
    writer = BodyWriter(pdf)
    writer.paragraph([Run(literal(pub.title), "B")], 0, size=18, after=1.5)
    writer.paragraph([Run(literal(pub.occasion))], 0, size=12, after=1.5)
    writer.paragraph([Run(check_line(pub))], 0, size=8.5, color=GREY, after=2)
    if record_line(pub):
        writer.paragraph([Run(literal(record_line(pub)))], 0, size=8.5, color=GREY, after=2)
    writer.rule(0, width=0.5, color=BLACK, before=0, after=4)


def _signatories(pdf: StatementPDF, pub: Published) -> None:
    writer = BodyWriter(pdf)
    pdf.ln(4)
    writer.heading([Run(f"Signatories ({len(pub.signatories)})", "B")], 14)
    if not pub.signatories:
        writer.paragraph([Run("No public signatories yet.")], 0)
        return
    columns = SignatoryWriter(pdf)
    for kind, label in KIND_LABELS.items():
        people = [(i, s) for i, s in enumerate(pub.signatories) if s.kind == kind]
        if not people:
            continue
        writer.heading([Run(f"{label} ({len(people)})", "B")], 11.5)
        pdf.ln(0.5)
        # Every field literal, as typed; each isolated like the HTML's <bdi> where it has
        # bidi controls (an unclosed U+202E cannot turn the fields after it around).
        columns.group([columns.entry(i, isolated(literal(s.name)), ", ".join(
            isolated(literal(part)) for part in s.details if literal(part)))
            for i, s in people])
        pdf.ln(2)


_BOLD_TAGS = {"strong", "b", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
_ITALIC_TAGS = {"em", "i"}


def _body_text(node: Node, style: str, out: dict[str, list[str]]) -> None:
    for child in node.children:
        if isinstance(child, str):
            out.setdefault(style, []).append(child)
        else:
            added = ("B" if child.tag in _BOLD_TAGS else "") + (
                "I" if child.tag in _ITALIC_TAGS else "")
            _body_text(child, "".join(sorted(set(style + added))), out)


def _drawn_text(pub: Published, tree: Node) -> dict[str, str]:
    """Every character the PDF will draw (and a few it adds), by style ("", "B", "I", "BI"),
    for the font check and to load only the fonts needed."""
    body: dict[str, list[str]] = {}
    _body_text(tree, "", body)
    regular = [literal(pub.occasion), check_line(pub), record_line(pub), *body.get("", []),
               *(details(s) for s in pub.signatories), literal(check_command(pub)),
               "No public signatories yet. Check this text: Page 0123456789 of — • ."]
    bold = [literal(pub.title), *body.get("B", []), *(label for _, label, _ in pub.by_kind()),
            *(literal(s.name) for s in pub.signatories), "Signatories (0123456789) —"]
    drawn = {"": regular, "B": bold, "I": body.get("I", []), "BI": body.get("BI", [])}
    return {style: literal_lines("\n".join(parts)) for style, parts in drawn.items()}


def _placeholders(pub: Published, fonts: FontSet, drawn: dict[str, str]
                  ) -> tuple[dict[int, str], dict[str, str]]:
    """The characters no font has, each mapped to a placeholder (and logged); and `drawn`
    with the placeholder, so that the font drawing it is loaded."""
    missing = fonts.missing("".join(drawn.values()))
    if not missing:
        return {}, drawn
    placeholder = PLACEHOLDER if ord(PLACEHOLDER) in fonts.codepoints else "?"
    log.warning("PDF of %r: no installed font has %s (script: %s); each is printed as %s. "
                "Install the fonts as root: `%s`.", pub.slug, describe(missing),
                ", ".join(scripts_of(missing)), placeholder, INSTALL_STEP)
    return ({ord(ch): placeholder for ch in missing},
            {style: part + placeholder if part else part for style, part in drawn.items()})


def layout_pdf(pub: Published) -> StatementPDF:
    """The statement laid out as an A4 document, not yet written out (see render_pdf)."""
    fonts = available_fonts()
    tree = statement_tree(pub.text)
    placeholders, drawn = _placeholders(pub, fonts, _drawn_text(pub, tree))
    if not SHAPING and needs_shaping("".join(drawn.values())):
        log.warning("PDF of %r: uharfbuzz is not installed, so right-to-left and joined "
                    "scripts are printed unshaped (pip install -r requirements.txt).", pub.slug)

    pdf = StatementPDF(pub, fonts.text.key, placeholders)
    _register(pdf, fonts, drawn)
    pdf.set_title(literal(pub.title))
    pdf.set_subject(check_line(pub))
    pdf.set_keywords(f"version {pub.version}, sha256 {pub.sha256}")
    pdf.set_creator("statements")
    pdf.set_creation_date(pub.exported_at or FIXED_DATE)
    pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
    pdf.set_auto_page_break(True, margin=MARGIN_BOTTOM)
    pdf.add_page()
    _header(pdf, pub)
    BodyWriter(pdf).blocks(tree.children)
    _signatories(pdf, pub)
    if pub.url:
        pdf.ln(4)
        note = f"Check this text: {literal(check_command(pub))}"
        BodyWriter(pdf).paragraph([Run(note)], 0, size=8, color=GREY)
    return pdf


def render_pdf(pub: Published) -> bytes:
    """The statement as an A4 PDF, every script printed (a placeholder, logged, for a
    character no installed font has)."""
    pdf = layout_pdf(pub)
    data = bytes(pdf.output())
    # The placeholders should make this impossible; should fpdf2 still find a glyph missing
    # (a face without a character its family's other face has), say so.
    dropped = {chr(code) for font in pdf.fonts.values() if isinstance(font, TTFFont)
               for code in font.missing_glyphs if not is_ignorable(chr(code))}
    if dropped:
        log.warning("PDF of %r: fpdf2 found no glyph for %s.", pub.slug, describe(dropped))
    return data
