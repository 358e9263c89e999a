"""The Markdown, plain-text and CSV exports, and what every export shares."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import pytest

from statements.exports import docx, pdf
from statements.exports.html import render_html
from statements.exports.model import Published, check_line
from statements.exports.text_formats import (
    escape_line,
    neutralise,
    render_csv,
    render_markdown_export,
)
from statements.text.markdown import render_markdown
from statements.text.normalise import sha256_hex
from tests.exports.samples import WHEN, person

TITLE = "Strengthening the momentum for a post-2020 Global Biodiversity Framework"
TEXT = "# The text\n\nWe agree.\n\n1. To act.\n2. To report.\n"


def publication(text: str = TEXT, **fields: object) -> Published:
    pub = Published(slug="gbf", title=TITLE, occasion="Edinburgh Summit — 昆明 session",
                    version=3, sha256=sha256_hex(text), text=text, exported_at=WHEN,
                    signatories=[person("[x](javascript:alert(1))", "Lyon", "France")],
                    url="https://statements.example.org/s/gbf")
    return replace(pub, **fields)


def hashed_source(export: str) -> str:
    """The text between the first rule and the last, as a reader of the export finds it."""
    opening, closing = "\n\n---\n\n", "\n\n---\n\n"
    return export[export.index(opening) + len(opening):export.rindex(closing)]


@pytest.mark.parametrize("text", [TEXT, "We agree.", "We agree.\n\n---\n\nAnd more\n---",
                                  "Para\n", "Last paragraph without a newline", "\n\n", "x\n\n\n"])
def test_markdown_export_carries_the_exact_source_between_two_rules(text: str) -> None:
    export = render_markdown_export(publication(text)).decode("utf-8")
    source = hashed_source(export)
    assert source == text
    assert sha256_hex(source) == sha256_hex(text)


def test_markdown_export_opens_with_a_readable_title_occasion_and_hash() -> None:
    pub = publication()
    export = render_markdown_export(pub).decode("utf-8")
    lines = export.split("\n")
    assert lines[0] == f"# {TITLE}"  # not hidden in a comment, and "post-2020" as written
    assert "Edinburgh Summit — 昆明 session" in lines[:4]
    assert check_line(pub) in lines
    assert "Check the text: `curl -s https://statements.example.org/s/gbf/source.md | sha256sum`" \
        in lines
    assert "<!--" not in export
    html = render_markdown(export)
    assert f"<h1>{TITLE}</h1>" in html and pub.sha256 in html


def test_a_last_paragraph_without_a_newline_does_not_become_a_heading() -> None:
    export = render_markdown_export(publication("We agree")).decode("utf-8")
    html = render_markdown(export)
    assert "<p>We agree</p>" in html and "<h2>We agree</h2>" not in html
    assert html.count("<hr>") == 2


def test_title_and_occasion_are_escaped_only_where_markdown_would_read_them() -> None:
    assert escape_line("post-2020 Framework: cities & regions") == (
        "post-2020 Framework: cities & regions")
    assert escape_line("[x](javascript:alert(1)) *a* `c` <b> &amp; _u_ ~~s~~") == (
        r"\[x\](javascript:alert(1)) \*a\* \`c\` \<b> \&amp; \_u\_ \~\~s\~\~")
    assert escape_line("# Summit ##") == r"\# Summit \#\#"
    assert escape_line("- a list?") == r"\- a list?"
    assert escape_line("2020. Summit") == r"2020\. Summit"
    for hostile in ("[x](javascript:alert(1))", "# heading", "1. list", "- item", "> quote",
                    "<img src=x onerror=alert(1)>", "Title #", "===", "**bold**", "`code`"):
        html = render_markdown(escape_line(hostile))
        assert not re.search(r"<(a|img|h\d|ol|ul|blockquote|strong|code)\b", html), hostile


def test_csv_neutralises_formulas_after_a_semicolon_too() -> None:
    for hostile in ("x;=cmd|' /C calc'!A0", "x; =1+1", 'x;"=1+1"', "a;b;@SUM(1)", "a;-2", "a;+1"):
        for piece in neutralise(hostile).split(";"):
            assert not piece.strip(' "').startswith(("=", "+", "-", "@", "\t", "\r")), hostile
    assert neutralise("x;=cmd|' /C calc'!A0") == "x;'=cmd|' /C calc'!A0"
    assert neutralise("=1;=2") == "'=1;'=2" and neutralise("plain; text") == "plain; text"
    pub = publication(signatories=[person("Ana;=HYPERLINK(\"http://evil.example\")", "Lyon",
                                          "France;+1")])
    rows = list(csv.reader(io.StringIO(render_csv(pub).decode("utf-8-sig"))))
    for cell in rows[1]:
        for piece in cell.split(";"):
            assert not piece.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_one_check_line_and_one_fixed_date() -> None:
    pub = publication()
    html = render_html(pub).decode("utf-8")
    assert html.count(f">{check_line(pub)}<") == 2  # the header and the footer, the same line
    assert pdf.FIXED_DATE is docx.FIXED_DATE
    exports = Path(pdf.__file__).parent
    sources = "".join(path.read_text() for path in exports.glob("*.py"))
    assert sources.count("SHA-256 {") == 1 and sources.count("FIXED_DATE = ") == 1


def test_the_html_export_names_the_noto_family_of_every_script() -> None:
    from statements.exports.html import CONTENT_SECURITY_POLICY, STYLE
    from statements.fonts import SCRIPTS

    html = render_html(Published(slug="s", title="T", occasion="", version=1, sha256="0" * 64,
                                 text="Text.\n", signatories=[person("דוד", "ירושלים", "ישראל")],
                                 exported_at=WHEN)).decode()
    family = re.search(r"html \{ font-family: ([^;]+);", html)
    assert family is not None
    names = re.findall(r'"([^"]+)"', family.group(1))
    assert names[0] == "Noto Sans" and family.group(1).endswith("sans-serif")
    assert {script.family for script in SCRIPTS} <= set(names)
    assert f"<style>{STYLE}</style>" in html and "style-src 'sha256-" in CONTENT_SECURITY_POLICY
    assert '<bdi class="who">דוד</bdi>' in html


def test_an_exports_cache_key_is_its_content_alone() -> None:
    """The same content has the same key in every process: not the export time, not the
    signing function (whose repr names its place in memory, different in each worker, so
    each worker drew the same PDF again)."""
    from statements.exports.cache import content_key
    from statements.signing import sign_document

    pub = publication()
    assert content_key(replace(pub, sign=sign_document)) == \
        content_key(replace(pub, sign=lambda body: {}))
    assert content_key(pub) == content_key(replace(pub, exported_at=None))
    assert content_key(pub) != content_key(replace(pub, title=pub.title + "!"))
