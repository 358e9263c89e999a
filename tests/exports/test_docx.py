"""The DOCX export, opened again with python-docx: Word structure, tables, literal names."""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn

from statements.exports.docx import COLUMNS, render_docx
from statements.exports.model import KIND_LABELS, Published, Signatory
from tests.exports.samples import EVERY_SCRIPT, SIGNATORIES, WHEN, person

SHA = "3f" * 32
TEXT = """# Strengthening the momentum

The **cities and regions** gathered in *Kunming* agree:

1. to restore ecosystems;
2. to report every year.

## Commitments

- Biodiversity in urban planning
    - nested in it
- Finance for local action

Then, separately:

3. numbered from three

    with a second paragraph.

4. and four.

> A quotation.
"""
HOSTILE = ['<script>alert(1)</script>', '=HYPERLINK("http://x")', "**bold** [a](b)",
           "\u202eevil\u202c"]


def publication(signatories: list[Signatory] = SIGNATORIES, text: str = TEXT) -> Published:
    return Published(slug="gbf", title="Strengthening the momentum for a post-2020 GBF",
                     occasion="Edinburgh Summit — 昆明 session", version=3, sha256=SHA,
                     text=text, signatories=signatories, exported_at=WHEN,
                     url="https://example.org/s/gbf")


def opened(pub: Published) -> DocumentObject:
    data = render_docx(pub)
    assert data.startswith(b"PK")
    return Document(io.BytesIO(data))


def styled(document: DocumentObject) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs]


def num_id(paragraph: object) -> int:
    return int(paragraph._p.pPr.numPr.numId.val)  # type: ignore[attr-defined]


def test_markdown_becomes_word_structure() -> None:
    paragraphs = styled(opened(publication()))
    assert ("Title", "Strengthening the momentum for a post-2020 GBF") in paragraphs
    assert ("Subtitle", "Edinburgh Summit — 昆明 session") in paragraphs
    assert ("Heading 1", "Strengthening the momentum") in paragraphs
    assert ("Heading 2", "Commitments") in paragraphs
    assert ("List Number", "to restore ecosystems;") in paragraphs
    assert ("List Bullet", "Biodiversity in urban planning") in paragraphs
    assert ("List Bullet 2", "nested in it") in paragraphs
    assert ("List Continue", "with a second paragraph.") in paragraphs
    assert ("Quote", "A quotation.") in paragraphs
    assert not any("**" in text or text.startswith("#") for _, text in paragraphs)


def test_bold_and_italic_are_runs() -> None:
    document = opened(publication())
    paragraph = next(p for p in document.paragraphs if p.text.startswith("The cities"))
    assert [(r.text, r.bold, r.italic) for r in paragraph.runs] == [
        ("The ", None, None), ("cities and regions", True, None), (" gathered in ", None, None),
        ("Kunming", None, True), (" agree:", None, None)]


def test_each_numbered_list_counts_on_its_own() -> None:
    document = opened(publication())
    first = [p for p in document.paragraphs if p.text in ("to restore ecosystems;",
                                                          "to report every year.")]
    second = [p for p in document.paragraphs if p.text in ("numbered from three",
                                                           "and four.")]
    assert len({num_id(p) for p in first}) == 1 and len({num_id(p) for p in second}) == 1
    assert num_id(first[0]) != num_id(second[0])
    numbering = document.part.numbering_part.element
    start = numbering.num_having_numId(num_id(second[0])).find(
        f"{qn('w:lvlOverride')}/{qn('w:startOverride')}")
    assert start.get(qn("w:val")) == "3"


def test_version_and_hash_in_the_text_footer_and_properties() -> None:
    document = opened(publication())
    check = f"Version 3 · SHA-256 {SHA}"
    assert check in [p.text for p in document.paragraphs]
    assert check in document.sections[0].footer.paragraphs[0].text
    properties = document.core_properties
    assert properties.title == "Strengthening the momentum for a post-2020 GBF"
    assert SHA in properties.subject and "Version 3" in properties.subject
    assert SHA in properties.keywords
    assert properties.created == WHEN


def test_signatories_are_tables_by_kind() -> None:
    document = opened(publication())
    headings = [text for style, text in styled(document) if style == "Heading 2"]
    assert headings[-3:] == [f"{KIND_LABELS['individual']} (1)",
                             f"{KIND_LABELS['organisation']} (1)",
                             f"{KIND_LABELS['government']} (4)"]
    tables = document.tables[-3:]
    rows = [[cell.text for cell in row.cells] for table in tables for row in table.rows]
    assert rows.count(list(COLUMNS)) == 3
    assert ["李明", "市长", "昆明市人民政府", "昆明", "中国"] in rows
    assert ["Айдың Кара-оол", "Mayor", "City", "Кызыл", "Россия"] in rows
    assert ["Γιώργος Παπαδόπουλος", "Mayor", "City", "Αθήνα", "Ελλάδα"] in rows
    assert ["Łucja Żółć", "Mayor", "City", "Łódź", "Polska"] in rows
    assert ["山田太郎", "知事", "City", "東京", "日本"] in rows
    assert tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_hostile_fields_come_out_literally() -> None:
    people = [person(name, "Zürich", "Schweiz", kind="individual", capacity=name,
                     organisation=name) for name in HOSTILE]
    document = opened(publication(people))
    rows = [[cell.text for cell in row.cells] for row in document.tables[-1].rows[1:]]
    assert rows == [[name, name, name, "Zürich", "Schweiz"] for name in HOSTILE]
    hyperlinks = document.element.body.findall(f".//{qn('w:hyperlink')}")
    assert hyperlinks == []


def test_characters_xml_cannot_carry_do_not_break_the_document() -> None:
    document = opened(publication([person("Ana\nMaria\x00Silva\uffff", "Rio", "Brasil")]))
    assert document.tables[-1].rows[1].cells[0].text == "Ana Maria Silva\ufffd"


def test_no_signatories_and_external_links() -> None:
    text = "See [the framework](https://example.org/gbf) and [x](javascript:alert(1)).\n"
    document = opened(publication([], text=text))
    assert "No public signatories yet." in [p.text for p in document.paragraphs]
    links = document.element.body.findall(f".//{qn('w:hyperlink')}")
    assert len(links) == 1
    target = document.part.rels[links[0].get(qn("r:id"))].target_ref
    assert target == "https://example.org/gbf"


def test_the_fonts_are_named_for_every_script() -> None:
    """As in the PDF: Noto Sans by default (every style, not the template's theme fonts), and
    each field in a script with a family of its own naming it, right to left where it is."""
    document = opened(publication(EVERY_SCRIPT))
    styles = list(document.styles.element.iter(qn("w:rFonts")))
    assert styles and all(f.get(qn("w:ascii")) == "Noto Sans" and f.get(qn("w:asciiTheme"))
                          is None and f.get(qn("w:eastAsia")) == "Noto Sans CJK SC"
                          for f in styles)
    runs = {run.text: run for table in document.tables for row in table.rows[1:]
            for cell in row.cells for run in cell.paragraphs[0].runs}

    def font(text: str) -> str | None:
        fonts = runs[text]._r.rPr.find(qn("w:rFonts")) if runs[text]._r.rPr is not None else None
        return None if fonts is None else fonts.get(qn("w:cs"))

    assert font("João da Silva") is None and font("Айдың Кара-оол") is None
    assert font("สมชาย ใจดี") == "Noto Sans Thai"
    assert font("አዲስ አበባ") == "Noto Sans Ethiopic"
    assert font("अमित कुमार शर्मा") == "Noto Sans Devanagari"
    assert font("김서울") == "Noto Sans CJK KR"
    arabic = runs["مُحَمَّد عبد الله"]._r.rPr
    assert arabic.find(qn("w:rFonts")).get(qn("w:cs")) == "Noto Sans Arabic"
    assert arabic.find(qn("w:rtl")) is not None
    assert runs["João da Silva"]._r.rPr is None
