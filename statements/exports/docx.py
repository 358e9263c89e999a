"""The DOCX export: the statement as a Word document people can quote from and annotate.

The Markdown becomes real Word structure, not look-alike formatting: headings get the Heading
styles (so Word's navigation pane and table of contents work), list items List Bullet and List
Number (each numbered list restarting at its own first number), emphasis bold and italic runs.
It is read from the same sanitised HTML tree as the PDF. The signatories follow, one table per
kind (Name, Capacity, Organisation, City, Country). Every signatory field is set as a run's
literal text, never parsed: Word draws ``<script>`` or ``=HYPERLINK(…)`` as the characters
they are. The fonts are named, as in the PDF: Noto Sans for Latin, Cyrillic and Greek, Noto Sans
CJK SC for East Asian text and Noto Sans Arabic for complex scripts by default (Word has one font
slot of each kind), and a signatory field in another script names its own Noto family (Noto Sans
Thai, Noto Sans Ethiopic, ...) and, right to left, is marked so. A reader's machine without a
font falls back to one of its own, as Word does for any font.
"""

from __future__ import annotations

import copy
import io
import re

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_BREAK, WD_PARAGRAPH_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run as WordRun

from ..fonts import family_for
from .markup import (
    BLOCK_TAGS,
    Node,
    Run,
    inline_runs,
    literal,
    literal_lines,
    split_first_paragraph,
    statement_tree,
    table_cells,
)
from .model import FIXED_DATE, Published, Signatory, check_command, check_line, record_line
from .pdf import is_rtl

COLUMNS = ("Name", "Capacity", "Organisation", "City", "Country")
GREY = RGBColor(0x50, 0x50, 0x50)
# Code points XML 1.0 cannot carry (controls are already spaces, see pdf.literal): lxml would
# refuse the whole document for one of them, so each becomes U+FFFD, visibly.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def cell_values(s: Signatory) -> tuple[str, ...]:
    return tuple(xml_text(literal(v)) for v in
                 (s.name, s.capacity + (" · verified" if s.verification == "verified"
                                        else ""), s.organisation, s.city, s.country))


class BodyWriter:
    """Appends the statement tree to a document as styled Word paragraphs and tables."""

    def __init__(self, document: DocumentObject) -> None:
        self.document = document

    def blocks(self, nodes: list[Node | str], depth: int = 0, style: str = "Normal") -> None:
        pending: list[Node | str] = []  # inline content between blocks: an implicit paragraph
        for child in nodes:
            if isinstance(child, str) or child.tag not in BLOCK_TAGS:
                pending.append(child)
                continue
            self.paragraph(inline_runs(pending), style)
            pending = []
            self.block(child, depth, style)
        self.paragraph(inline_runs(pending), style)

    def block(self, node: Node, depth: int, style: str) -> None:
        tag = node.tag
        if re.fullmatch(r"h[1-6]", tag):
            self.paragraph(inline_runs(node.children), f"Heading {tag[1]}")
        elif tag == "p":
            self.paragraph(inline_runs(node.children), style)
        elif tag in ("ul", "ol"):
            self.list(node, depth + 1)
        elif tag == "blockquote":
            self.blocks(node.children, depth, "Quote")
        elif tag == "pre":
            self.paragraph([Run(literal_lines(node.text()))], "macro")
        elif tag == "hr":
            self.document.add_paragraph("* * *").alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
        elif tag == "table":
            self.table(node)
        else:  # div (the footnotes), li outside a list
            self.blocks(node.children, depth, style)

    def paragraph(self, runs: list[Run], style: str) -> Paragraph | None:
        if not "".join(run.text for run in runs).strip():
            return None
        paragraph = self.document.add_paragraph(style=style)
        for run in runs:
            if run.link:
                add_link(paragraph, run)
            else:
                style_run(paragraph.add_run(xml_text(run.text)), run)
        return paragraph

    def list(self, node: Node, depth: int) -> None:
        level = "" if depth == 1 else f" {min(depth, 3)}"
        ordered = node.tag == "ol"
        style = f"List Number{level}" if ordered else f"List Bullet{level}"
        number_id = restart_numbering(self.document, style, int(node.attrs.get("start") or 1)
                                      ) if ordered else None
        for item in (c for c in node.children if isinstance(c, Node) and c.tag == "li"):
            first, rest = split_first_paragraph(item.children)
            paragraph = self.paragraph(inline_runs(first), style)
            if paragraph is not None and number_id is not None:
                numbering = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                numbering.get_or_add_numId().val = number_id
            self.blocks(rest, depth, f"List Continue{level}")

    def table(self, node: Node) -> None:
        cells, width = table_cells(node)
        if not width:
            return
        table = self.document.add_table(rows=len(cells), cols=width, style="Table Grid")
        for row, values in zip(table.rows, cells, strict=True):
            for cell, value in zip(row.cells, values, strict=False):
                run = cell.paragraphs[0].add_run(xml_text(literal(value.text())))
                run.bold = value.tag == "th"


def style_run(run: WordRun, source: Run) -> None:
    run.bold = "B" in source.style or None
    run.italic = "I" in source.style or None
    if source.vpos != "LINE":
        run.font.superscript = source.vpos == "SUP"
        run.font.subscript = source.vpos == "SUB"


def add_link(paragraph: Paragraph, source: Run) -> None:
    """A real, clickable hyperlink (python-docx has no call for one): w:hyperlink around a run."""
    assert source.link is not None, "add_link() of a run without a link"
    part = paragraph.part
    relationship = part.relate_to(source.link, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship)
    run = paragraph.add_run(xml_text(source.text))
    style_run(run, source)
    run.font.underline = True
    run.font.color.rgb = RGBColor(0x14, 0x3C, 0x8C)
    link.append(run._r)
    paragraph._p.append(link)


def restart_numbering(document: DocumentObject, style: str, start: int) -> int:
    """A new numbering instance for one list, starting at `start`.

    Every "List Number" paragraph shares one counter in Word, so without this a second list
    would go on from where the first stopped (4, 5, … instead of 1, 2, …).
    """
    numbering = document.part.numbering_part.element
    style_numbering = document.styles[style].element.pPr.numPr
    base = numbering.num_having_numId(style_numbering.numId.val)
    num = numbering.add_num(base.abstractNumId.val)
    override = num.add_lvlOverride(ilvl=0)
    override.add_startOverride(start)
    return int(num.numId)


DEFAULT_FONTS = {"w:ascii": "Noto Sans", "w:hAnsi": "Noto Sans",
                 "w:eastAsia": "Noto Sans CJK SC", "w:cs": "Noto Sans Arabic"}


def name_fonts(document: DocumentObject) -> None:
    """Every style's fonts named (instead of the template's theme fonts, which win over names)."""
    styles = document.styles.element
    defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if defaults is not None and defaults.find(qn("w:rFonts")) is None:
        defaults.insert(0, OxmlElement("w:rFonts"))
    for fonts in styles.iter(qn("w:rFonts")):
        for attribute in list(fonts.attrib):
            if attribute.endswith("Theme") or attribute.endswith("theme"):
                del fonts.attrib[attribute]
        for attribute, family in DEFAULT_FONTS.items():
            fonts.set(qn(attribute), family)


def script_fonts(text_element: object, value: str) -> None:
    """A field in a script with a Noto family of its own names it, in every font slot; a
    right-to-left one is marked right to left."""
    family = family_for(value)
    if family == "Noto Sans":
        return
    run = text_element.getparent()  # type: ignore[attr-defined]
    properties = run.get_or_add_rPr()
    fonts = OxmlElement("w:rFonts")
    for attribute in DEFAULT_FONTS:
        fonts.set(qn(attribute), family)
    properties.insert(0, fonts)
    if is_rtl(value):
        properties.append(OxmlElement("w:rtl"))


def signatory_table(document: DocumentObject, people: list[Signatory]) -> Table:
    """One row per signatory; the header row repeats on every page.

    Rows are copies of one model row with their five texts set: python-docx's add_row and
    cells take ~1 ms a row, which is 2 s for 2,000 signatories; a copy takes a few µs.
    """
    table: Table = document.add_table(rows=2, cols=len(COLUMNS), style="Table Grid")
    header, model = table.rows
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, title in zip(header.cells, COLUMNS, strict=True):
        cell.paragraphs[0].add_run(title).bold = True
    for cell in model.cells:
        cell.paragraphs[0].add_run(" ")
    model_row = model._tr
    for s in people:
        row = copy.deepcopy(model_row)
        for text, value in zip(row.iter(qn("w:t")), cell_values(s), strict=True):
            text.text = value
            if not value.isascii():
                script_fonts(text, value)
        table._tbl.append(row)
    table._tbl.remove(model_row)
    return table


def add_page_field(paragraph: Paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page(document: DocumentObject, pub: Published) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    run = footer.add_run(f"{check_line(pub)} · Page ")
    run.font.size = Pt(7.5)
    add_page_field(footer)


def _properties(document: DocumentObject, pub: Published) -> None:
    properties = document.core_properties
    properties.title = xml_text(literal(pub.title))
    properties.subject = check_line(pub)
    properties.keywords = f"version {pub.version}; sha256 {pub.sha256}"
    properties.identifier = pub.slug
    properties.version = str(pub.version)
    properties.category = "Statement"
    properties.comments = (f"Check the text: {xml_text(literal(check_command(pub)))}"
                           if pub.url else check_line(pub))
    properties.author = properties.last_modified_by = "statements"
    properties.created = properties.modified = (pub.exported_at or FIXED_DATE)
    properties.revision = 1


def render_docx(pub: Published) -> bytes:
    """The statement as a .docx: title, check line, the text, then the signatories by kind."""
    document = Document()
    name_fonts(document)
    _page(document, pub)
    _properties(document, pub)
    document.add_paragraph(xml_text(literal(pub.title)), style="Title")
    if pub.occasion:
        document.add_paragraph(xml_text(literal(pub.occasion)), style="Subtitle")
    check = document.add_paragraph()
    run = check.add_run(check_line(pub))
    run.font.size, run.font.color.rgb = Pt(8.5), GREY
    if record_line(pub):
        run = document.add_paragraph().add_run(xml_text(literal(record_line(pub))))
        run.font.size, run.font.color.rgb = Pt(8.5), GREY

    BodyWriter(document).blocks(statement_tree(pub.text).children)

    document.add_paragraph(f"Signatories ({len(pub.signatories)})", style="Heading 1")
    if not pub.signatories:
        document.add_paragraph("No public signatories yet.")
    for _, label, people in pub.by_kind():
        document.add_paragraph(f"{label} ({len(people)})", style="Heading 2")
        signatory_table(document, people)
    if pub.url:
        note = document.add_paragraph()
        note.add_run().add_break(WD_BREAK.LINE)
        small = note.add_run(f"Check this text: {xml_text(literal(check_command(pub)))}")
        small.font.size, small.font.color.rgb = Pt(8), GREY
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
