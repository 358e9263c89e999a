"""The PDF export: A4, the statement text from its Markdown, then the signatories by kind.

Drawn with fpdf2 in the fonts :mod:`statements.fonts` found at start-up. fpdf2 silently
drops a character no font has, so every string is checked first and an uncovered one raises
:class:`~statements.fonts.FontsMissing`: a PDF with a blank for a name is worse than none.

Only the statement text is markup: its sanitised HTML (the web page's) is read into a tree and
drawn block by block. Not with fpdf2's ``write_html``: it drops the numbers of a list whose items
are paragraphs (Markdown's numbered operative paragraphs) and fails on a link with no target.
Signatory fields are written as literal text: ``<script>``, ``**x**``, ``=HYPERLINK(…)`` stay.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.fonts import FontFace as FpdfFontFace
from fpdf.fonts import TTFFont

from ..fonts import FontSet, FontsMissing, available_fonts, describe, is_ignorable, scripts_of
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
from .model import FIXED_DATE, Published, check_command, check_line, record_line

MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18.0, 20.0, 22.0
BODY_PT = 10.5
HEADING_PT = {"h1": 15.0, "h2": 13.0, "h3": 12.0, "h4": 11.0, "h5": BODY_PT, "h6": BODY_PT}
LIST_INDENT, QUOTE_INDENT = 7.0, 10.0
BLACK, GREY, LINK_BLUE = (17, 17, 17), (80, 80, 80), (20, 60, 140)
# fpdf2 replaces this alias with the page count wherever it occurs, in any text. The default,
# "{nb}", could be a signatory's name; this one cannot: control characters never reach a page.
TOTAL_PAGES = "\x00pages\x00"

class StatementPDF(FPDF):
    """An FPDF whose every page carries the version, the hash and the page number."""

    def __init__(self, pub: Published, family: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.pub = pub
        self.family = family
        self.alias_nb_pages(TOTAL_PAGES)

    def footer(self) -> None:
        self.set_y(-MARGIN_BOTTOM + 8)
        self.set_font(self.family, "", 7.5)
        self.set_text_color(*GREY)
        self.cell(self.epw * 0.82, 4, check_line(self.pub), align="L")
        self.cell(self.epw * 0.18, 4, f"Page {self.page_no()} of {TOTAL_PAGES}", align="R")


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
        if not "".join(run.text for run in runs).strip():
            return
        pdf = self.pdf
        pdf.set_text_color(*color)
        pdf.set_font(self.family, "", size)
        with pdf.text_columns(line_height=1.3, l_margin=pdf.l_margin + indent) as column:
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
        pdf = self.pdf
        pdf.set_font(self.family, "", size - 0.5)
        pdf.set_text_color(*BLACK)
        pdf.set_draw_color(*GREY)
        pdf.set_line_width(0.2)
        with pdf.table(borders_layout="HORIZONTAL_LINES", first_row_as_headings=headed,
                       headings_style=FpdfFontFace(emphasis="BOLD"), text_align=tuple(align),
                       line_height=1.3 * (size - 0.5) * 0.3528, padding=1.2,
                       markdown=False) as table:
            for row in cells:
                out = table.row()
                for cell in [*row, *([None] * (width - len(row)))]:
                    out.cell(SPACES.sub(" ", literal(cell.text())) if cell else "")
        pdf.ln(3)


def _register(pdf: FPDF, fonts: FontSet, drawn: str) -> None:
    """The text family in all four styles, then the fallbacks this document needs."""
    text = fonts.text
    for style in ("", "B", "I", "BI"):
        face = text.face(style)
        pdf.add_font(text.key, style, str(face.path), collection_font_number=face.index)
    fallbacks = fonts.fallbacks_for(drawn)
    # A fallback's character map is cut to this document's characters: fpdf2 reads every
    # entry of it, and a CJK font has 45,000.
    used = sorted({ord(ch) for ch in drawn})
    for family in fallbacks:
        for face in family.faces:
            pdf.add_font(family.key, face.style, str(face.path),
                         collection_font_number=face.index, unicode_range=used)
    # The text family is a fallback too: a character its bold face lacks but its regular has
    # is drawn in regular rather than dropped. exact_match=False: a CJK font without a bold
    # still draws bold CJK text (in regular) rather than nothing.
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
    family = pdf.family
    writer = BodyWriter(pdf)
    pdf.ln(4)
    writer.heading([Run(f"Signatories ({len(pub.signatories)})", "B")], 14)
    if not pub.signatories:
        writer.paragraph([Run("No public signatories yet.")], 0)
        return
    for _, label, people in pub.by_kind():
        writer.heading([Run(f"{label} ({len(people)})", "B")], 11.5)
        # Two columns, each signatory a paragraph: name in bold, details on the next line.
        # Paragraph.write never reads markup, so every field stays literal.
        with pdf.text_columns(ncols=2, gutter=8, balance=True, line_height=1.25) as columns:
            for s in people:
                with columns.paragraph(bottom_margin=1.8) as paragraph:
                    pdf.set_font(family, "B", 9.5)
                    paragraph.write(literal(s.name) or "—")
                    line = details(s)
                    if line:
                        pdf.set_font(family, "", 8.5)
                        paragraph.write("\n" + line)
        pdf.ln(2)


def _drawn_text(pub: Published, tree: Node) -> str:
    """Every character the PDF will draw (and a few it adds), for the font check."""
    people = [part for s in pub.signatories for part in (literal(s.name), details(s))]
    return "\n".join([literal(pub.title), literal(pub.occasion), check_line(pub),
                      literal(tree.text()), *(label for _, label, _ in pub.by_kind()),
                      *people, literal(check_command(pub)),
                      "Signatories No public signatories yet. Page 0123456789 of — • ."])


def _raise_missing(characters: set[str], fonts: FontSet) -> None:
    raise FontsMissing(
        f"The PDF cannot be drawn: no installed font has {describe(characters)} "
        f"(script: {', '.join(scripts_of(characters))}). Fonts in use ({fonts.source}): "
        f"{', '.join(fonts.files())}. Add a font that covers it to STATEMENTS_FONT_PATHS.",
        characters=characters)


def render_pdf(pub: Published) -> bytes:
    """The statement as an A4 PDF; raises FontsMissing rather than draw a blank for a name."""
    fonts = available_fonts()
    tree = statement_tree(pub.text)
    drawn = _drawn_text(pub, tree)
    missing = fonts.missing(drawn)
    if missing:
        _raise_missing(missing, fonts)

    pdf = StatementPDF(pub, fonts.text.key)
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
    data = bytes(pdf.output())

    # The check above should make this impossible; should fpdf2 still find a glyph missing
    # (it would only log a warning), refuse rather than hand out a PDF with holes in it.
    dropped = {chr(code) for font in pdf.fonts.values() if isinstance(font, TTFFont)
               for code in font.missing_glyphs if not is_ignorable(chr(code))}
    if dropped:
        _raise_missing(dropped, fonts)
    return data
