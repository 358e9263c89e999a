"""The statement's Markdown as a small tree of its sanitised HTML, and the plain-text
helpers both the PDF and the DOCX writers draw from.

Signatory fields never pass through here as markup: `literal` keeps them exactly as typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..text.markdown import render_markdown
from .model import Signatory

BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre",
              "hr", "table", "div"}
SPACES = re.compile(r"[ \t\n\r\f]+")


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")  # Unicode's category Cc, all of it


def no_controls(value: str) -> str:
    """Control characters (a newline or a NUL in a name) as spaces; nothing else changed."""
    return _CONTROLS.sub(" ", value)


def literal(value: str) -> str:
    """A field as plain text on one line, kept exactly as typed, markup-looking or not."""
    return no_controls(value).strip()


def details(s: Signatory) -> str:
    return ", ".join(filter(None, map(literal, s.details)))


@dataclass
class Node:
    """An element of the sanitised statement HTML; children are nodes and text."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("body")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(node)
        if tag not in ("br", "hr"):
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def statement_tree(markdown_text: str) -> Node:
    """The statement's Markdown as a tree of its sanitised HTML (also used by the DOCX export)."""
    builder = _TreeBuilder()
    builder.feed(render_markdown(markdown_text))
    builder.close()
    return builder.root


@dataclass(frozen=True)
class Run:
    """A stretch of text in one style."""

    text: str
    style: str = ""  # "", "B", "I", "BI"
    vpos: str = "LINE"  # or "SUP", "SUB"
    link: str | None = None


def inline_runs(nodes: list[Node | str], style: str = "", vpos: str = "LINE",
                link: str | None = None) -> list[Run]:
    """Inline content as styled runs, its whitespace collapsed as a browser would."""
    runs: list[Run] = []
    for child in nodes:
        if isinstance(child, str):
            text = no_controls(SPACES.sub(" ", child))
            runs.append(Run(text, style, vpos, link))
        elif child.attrs.get("class") == "footnote-backref":
            continue  # the footnote's "back to the text" arrow: paper has no "back"
        elif child.tag == "br":
            runs.append(Run("\n", style, vpos, link))
        elif child.tag not in BLOCK_TAGS:
            added = {"strong": "B", "b": "B", "em": "I", "i": "I"}.get(child.tag, "")
            child_style = "".join(sorted(set(style + added)))  # "", "B", "I" or "BI"
            href = child.attrs.get("href", "")
            child_link = href if re.match(r"(?:https?|mailto):", href) else link
            child_vpos = {"sup": "SUP", "sub": "SUB"}.get(child.tag, vpos)
            runs += inline_runs(child.children, child_style, child_vpos, child_link)
    # No space at the start of a paragraph or of a line after a break.
    trimmed: list[Run] = []
    at_line_start = True
    for run in runs:
        text = run.text.lstrip(" ") if at_line_start else run.text
        if text:
            trimmed.append(Run(text, run.style, run.vpos, run.link))
            at_line_start = text.endswith("\n")
    return trimmed


def literal_lines(text: str) -> str:
    """Preformatted text: its lines kept, other controls made spaces."""
    return "\n".join(no_controls(line).rstrip() for line in text.strip("\n").split("\n"))


def split_first_paragraph(children: list[Node | str]) -> tuple[list[Node | str], list[Node | str]]:
    """A list item's first paragraph (which carries the bullet) and the blocks after it."""
    for i, child in enumerate(children):
        if isinstance(child, Node) and child.tag in BLOCK_TAGS:
            if child.tag == "p" and not "".join(map(str, children[:i])).strip():
                return child.children, children[i + 1:]
            return children[:i], children[i:]
    return children, []


def table_cells(table: Node) -> tuple[list[list[Node]], int]:
    """The th/td cells of each row of a table (thead and tbody alike), and the widest row."""
    rows: list[list[Node]] = []
    pending = [table]
    while pending:
        node = pending.pop(0)
        children = [c for c in node.children if isinstance(c, Node)]
        if node.tag == "tr":
            rows.append([c for c in children if c.tag in ("th", "td")])
        else:
            pending[:0] = children
    return rows, max((len(row) for row in rows), default=0)
