"""A statement's Markdown rendered to HTML that is safe to put in any page or export.

What is hashed is what is shown. Raw HTML in the source is not markup here: Python-Markdown's
HTML pass-through is switched off, so ``<!-- … -->``, ``<style>``, ``<script>``, an unclosed
``<math>`` and the rest appear as the literal text they are, instead of vanishing from the page
while staying in the endorsed bytes. Only ``<sub>…</sub>`` and ``<sup>…</sup>`` without
attributes are read as tags (CO₂, m²); their content shows either way. For the same reason an
image shows as its source text (an ``<img>`` would show nothing of its alt text), a link
reference definition shows as the line it is (``[//]: # (…)`` is a well-known way to hide a
sentence), and a table row's cells beyond the header's are kept.

nh3 (ammonia) then keeps only an explicit allowlist, as a second line of defence: no
<script>, <style>, <iframe>, <img>, <form>, no style or event-handler attributes, no link whose
scheme is not http, https or mailto (ammonia decodes entities and drops the tabs and newlines
browsers ignore before it reads a scheme, so "JaVa&#115;cript:" and "java\\tscript:" are caught
too). Relative links and #anchors stay.

Rendering time is bounded for any text (a statement is public, and rendered on every view of
its page). Python-Markdown is quadratic or worse on some inputs: tens of thousands of ``[``,
backtick runs of falling length, a long block of headings without blank lines, one long
paragraph of emphasis, deep ``>`` or list nesting (which even overflows the stack). So:
brackets that can never be part of a link are escaped before the inline pass, and so are pairs
nested deeper than any real link; quotes and lists nest at most ``MAX_NESTING`` deep (deeper
markers stay literal text); a paragraph longer than ``CHUNK`` is parsed in pieces cut at line
ends; and the scans that are quadratic by design run on a budget proportional to the text,
past which what is left renders as plain paragraphs and literal characters. Texts a person
would write never come near the budget; every word of any text stays visible.

Linear is not instant: Python-Markdown spends up to ~10 µs per character on the densest markup,
so a statement text may be at most MAX_TEXT_LENGTH characters (check_renderable says why one is
refused), and the last few renderings are kept, since a version never changes.
"""

from __future__ import annotations

import functools
import re
import xml.etree.ElementTree as etree
from bisect import bisect_left
from collections import deque
from collections.abc import Callable
from html import escape
from typing import Any

import markdown as python_markdown
import nh3
from markdown import util
from markdown.blockparser import BlockParser
from markdown.blockprocessors import (
    BlockProcessor,
    BlockQuoteProcessor,
    HashHeaderProcessor,
    HRProcessor,
    ListIndentProcessor,
    ReferenceProcessor,
    SetextHeaderProcessor,
)
from markdown.extensions import Extension
from markdown.extensions.footnotes import (
    FootnoteBlockProcessor,
    FootnoteExtension,
    FootnoteInlineProcessor,
)
from markdown.extensions.sane_lists import SaneOListProcessor, SaneUListProcessor
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import (
    BACKTICK_RE,
    LINK_RE,
    REFERENCE_RE,
    BacktickInlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
    SimpleTagInlineProcessor,
)
from markdown.treeprocessors import InlineProcessor, Treeprocessor

# Modest on purpose: a formal statement needs tables, footnotes and lists numbered as
# written, not task lists, emoji shortcodes or attribute syntax.
_EXTENSION_CONFIGS = {
    # align="…" rather than style="text-align: …", so no style attribute is ever needed.
    "tables": {"use_align_attribute": True},
}

_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
    "ul", "ol", "li", "blockquote", "pre", "code",
    "em", "strong", "sup", "sub", "a",
    "table", "thead", "tbody", "tr", "th", "td",
    "div",  # only the footnotes' container, and only its class survives
}  # fmt: skip
# Dropped with their content, which would otherwise surface as stray text.
_DROPPED_WITH_CONTENT = {
    "script", "style", "iframe", "noscript", "template", "textarea", "title",
    "object", "embed", "svg", "math", "xmp", "noembed", "noframes",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "li": {"id"},
    "sup": {"id"},
}
_ATTRIBUTE_VALUES = {
    "th": {"align": {"left", "center", "right"}},
    "td": {"align": {"left", "center", "right"}},
}
_CLASSES = {
    "a": {"footnote-ref", "footnote-backref"},
    "div": {"footnote"},
}
# The footnote extension's ids ("fn:1", "fnref:1", "fnref2:1"). Any other id could
# clobber a global of the page's scripts (DOM clobbering), so none is kept.
_FOOTNOTE_ID = re.compile(r"fn(?:ref\d*)?:[\w.-]+")
_NUMBER = re.compile(r"\d{1,9}")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "id":
        return value if _FOOTNOTE_ID.fullmatch(value) else None
    if attribute == "start":
        return value if _NUMBER.fullmatch(value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_DROPPED_WITH_CONTENT,
    attributes=_ATTRIBUTES,
    tag_attribute_values=_ATTRIBUTE_VALUES,
    allowed_classes=_CLASSES,
    attribute_filter=_attribute_filter,
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)

# Bounds on the work one rendering may do (see the module's docstring).
MAX_NESTING = 16  # parser states (a quote is one, a list level one or two) before markers are text
MAX_BRACKET_DEPTH = 6  # "[a [b] c](url)" is 2 deep
CHUNK = 10_000  # characters of one paragraph parsed at a time
MAX_FOOTNOTE_REFERENCES = 100  # references to one footnote that are links to it
MAX_DESTINATION = 2_048  # characters a link's "(url "title")" may take before it is not one
BLOCK_WORK_PER_CHARACTER = 100  # characters the block parser may scan, per character of text
INLINE_WORK_PER_CHARACTER = 2  # steps of the slow inline scans, per character of text
# Python-Markdown's own placeholders are delimited by these two control characters; in a
# text they could make it swap in stashed content or other characters.
_PLACEHOLDER_DELIMITERS = str.maketrans({util.STX: "\ufffd", util.ETX: "\ufffd"})
# Where the footnote extension puts the footnotes when a text holds this string: made of
# characters no stored text holds, so "///Footnotes Go Here///" in a text stays text.
_FOOTNOTE_PLACE = "\x00footnotes\x00"
_CHUNK_TAG = "statement-chunk"


MAX_TEXT_LENGTH = 50_000


def check_renderable(text: str) -> str | None:
    """Why `text` may not be saved as a statement text, or None if it may.

    Any text renders in time proportional to its length, but Python-Markdown needs about
    0.5 µs per character of plain prose and up to ~10 µs per character of the densest markup
    (a table row, a reference definition or an emphasis every few characters; see
    bench/bench_markdown.py): past MAX_TEXT_LENGTH a text could take most of a second to
    show. That is about 8,000 words, some fifteen pages.
    """
    if len(text) > MAX_TEXT_LENGTH:
        return (f"The text is {len(text):,} characters long; a statement may have at most "
                f"{MAX_TEXT_LENGTH:,}.")
    return None


@functools.lru_cache(maxsize=16)
def render_markdown(text: str) -> str:
    """Render statement Markdown to sanitised HTML.

    Versions never change, and a published one is rendered on every view of its page and
    in every export: the last few renderings are kept.
    """
    source = text.translate(_PLACEHOLDER_DELIMITERS)
    html = _convert(source)
    if _UNRESOLVED.search(html):
        # Python-Markdown 3.11's emphasis pass can cut one of its own placeholders in two
        # ("_*b*c_p*[a link](u)*"), and what it stood for (a link, a code span) vanishes.
        # Such a text is rendered with its emphasis markers as plain text instead, or at
        # worst as plain paragraphs: every word stays visible.
        html = _convert(source, emphasis=False)
        if _UNRESOLVED.search(html):
            html = "\n".join(f"<p>{escape(block)}</p>" for block in source.split("\n\n"))
    return _CLEANER.clean(html)


def _convert(source: str, emphasis: bool = True) -> str:
    # A new converter per call: a Markdown instance keeps state (footnotes, references)
    # between conversions and is not safe to share between threads.
    blocks = _Work(BLOCK_WORK_PER_CHARACTER * len(source) + 1_000_000)
    inline = _Work(INLINE_WORK_PER_CHARACTER * len(source) + 100_000)
    converter = python_markdown.Markdown(
        extensions=["tables", _Footnotes(blocks), "sane_lists",
                    _StatementMarkdown(blocks, inline, emphasis)],
        extension_configs=_EXTENSION_CONFIGS,
        output_format="html",
    )
    return converter.convert(source)


_UNRESOLVED = re.compile(f"[{util.STX}{util.ETX}]")


class _Work:
    """A budget of characters (or steps) that a quadratic scan may still spend."""

    def __init__(self, allowance: int) -> None:
        self.left = allowance

    def spend(self, amount: int) -> bool:
        """Whether the scan may go ahead; it is charged when it may."""
        if amount > self.left:
            self.left = 0
            return False
        self.left -= amount
        return True


class _StatementMarkdown(Extension):
    """Raw HTML shown as text, and the bounds on rendering work."""

    def __init__(self, blocks: _Work, inline: _Work, emphasis: bool) -> None:
        super().__init__()
        self.blocks, self.inline, self.emphasis = blocks, inline, emphasis

    def extendMarkdown(self, md: python_markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        inline = md.inlinePatterns
        for name in ("html", "image_link", "image_reference", "short_image_ref"):
            inline.deregister(name)
        if not self.emphasis:
            inline.deregister("em_strong")
        inline.register(SimpleTagInlineProcessor(r"(<sub>)(.+?)</sub>", "sub"), "sub", 91)
        inline.register(SimpleTagInlineProcessor(r"(<sup>)(.+?)</sup>", "sup"), "sup", 90)
        inline.register(_CodeSpans(BACKTICK_RE, self.inline), "backtick", 190)
        inline.register(_References(REFERENCE_RE, md), "reference", 170)
        inline.register(_Links(LINK_RE, md, self.inline), "link", 160)
        inline.register(_ShortReferences(REFERENCE_RE, md), "short_reference", 130)

        parser, work = md.parser, self.blocks
        blocks = parser.blockprocessors
        blocks.register(_ListIndent(parser, work), "indent", 90)
        blocks.register(_Table(parser, _EXTENSION_CONFIGS["tables"], work), "table", 75)
        blocks.register(_HashHeader(parser, work), "hashheader", 70)
        blocks.register(_SetextHeader(parser, work), "setextheader", 60)
        blocks.register(_HR(parser, work), "hr", 50)
        blocks.register(_OList(parser, work), "olist", 40)
        blocks.register(_UList(parser, work), "ulist", 30)
        blocks.register(_Quote(parser, work), "quote", 20)
        blocks.register(_VisibleReferences(parser, work), "reference", 15)

        md.treeprocessors.register(_InlineTree(md), "inline", 20)
        md.treeprocessors.register(_Brackets(md), "statement-brackets", 30)
        md.treeprocessors.register(_Unchunk(md), "statement-unchunk", 18)


# Block level ---------------------------------------------------------------------------


class _Charged(BlockProcessor):
    """A processor whose test searches the whole block, on the block budget: a block it
    splits is searched again from the start, which is quadratic in a long block."""

    def __init__(self, parser: BlockParser, work: _Work) -> None:
        super().__init__(parser)
        self.work = work

    def test(self, parent: etree.Element, block: str) -> bool:
        return self.work.spend(len(block)) and super().test(parent, block)


class _Nesting(_Charged):
    """A quote or list processor that stops at MAX_NESTING: deeper, the block goes to the
    next processor (a paragraph, say) and its markers stay text. Python-Markdown recurses
    once per level, so "1. 1. 1. …" would otherwise overflow the stack."""

    def test(self, parent: etree.Element, block: str) -> bool:
        return len(self.parser.state) < MAX_NESTING and super().test(parent, block)


class _HashHeader(_Charged, HashHeaderProcessor):
    pass


class _SetextHeader(_Charged, SetextHeaderProcessor):
    pass


class _HR(_Charged, HRProcessor):
    pass


class _Quote(_Nesting, BlockQuoteProcessor):
    pass


class _OList(_Nesting, SaneOListProcessor):
    pass


class _UList(_Nesting, SaneUListProcessor):
    pass


class _ListIndent(_Nesting, ListIndentProcessor):
    pass


class _Table(TableProcessor):
    """Tables on the block budget (the test splits the whole block into rows), and every
    cell shown: Python-Markdown drops a row's cells beyond the header's."""

    def __init__(self, parser: BlockParser, config: dict[str, bool], work: _Work) -> None:
        super().__init__(parser, dict(config))
        self.work = work

    def test(self, parent: etree.Element, block: str) -> bool:
        return self.work.spend(len(block)) and super().test(parent, block)

    def _build_row(self, row: str, parent: etree.Element, align: list[str | None]) -> None:
        # Python-Markdown's private helpers, which its type stubs do not declare.
        getattr(super(), "_build_row")(row, parent, align)  # noqa: B009
        cells: list[str] = getattr(self, "_split_row")(row)  # noqa: B009
        for extra in cells[len(align):]:
            etree.SubElement(parent[-1], "th" if parent.tag == "thead" else "td").text = (
                extra.strip(" "))


class _VisibleReferences(ReferenceProcessor):
    """Link reference definitions, recorded as Python-Markdown does and also shown as the
    lines they are: "[label]: url" lines print nothing otherwise, so they can hide text."""

    def __init__(self, parser: BlockParser, work: _Work) -> None:
        super().__init__(parser)
        self.work = work

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        block = blocks[0]
        found = self.RE.search(block) if self.work.spend(len(block)) else None
        if found is None:
            return False
        blocks.pop(0)
        start = end = found.start()
        # As Python-Markdown: the definitions on the lines that follow, in this one pass.
        for m in self.RE.finditer(block, start):
            if m.start() > start and (block[end:m.start()].strip("\n") or "\n" in m.group()):
                break
            self.parser.md.references[m.group(1).strip().lower()] = (
                m.group(2).lstrip("<").rstrip(">"), m.group(5) or m.group(6))
            end = m.end()
        if block[end:].strip():
            blocks.insert(0, block[end:].lstrip("\n"))
        if block[:start].strip():
            self.parser.parseBlocks(parent, [block[:start].rstrip("\n")])
        for line in block[start:end].strip("\n").split("\n"):
            etree.SubElement(parent, "p").text = util.AtomicString(line)
        return True


# Footnotes -----------------------------------------------------------------------------


class _Footnotes(FootnoteExtension):
    """The footnote extension with its bookkeeping in dictionaries: it looks a footnote's
    number up in a list and counts duplicate references one by one, quadratic in a text of
    thousands of references."""

    def __init__(self, work: _Work) -> None:
        self.work = work
        super().__init__(PLACE_MARKER=_FOOTNOTE_PLACE)

    def extendMarkdown(self, md: python_markdown.Markdown) -> None:
        super().extendMarkdown(md)
        md.parser.blockprocessors.register(_FootnoteDefinitions(self), "footnote", 17)
        md.inlinePatterns.register(_FootnoteReferences(r"\[\^([^\]]*)\]", self), "footnote", 175)

    def reset(self) -> None:
        super().reset()
        self.referenced: set[str] = set()
        self.latest_ref: dict[str, str] = {}
        self.numbers: dict[str, int] = {}
        self.references: dict[str, int] = {}

    def setFootnote(self, id: str, text: str) -> None:  # noqa: A002 (the base class's name)
        super().setFootnote(id, text)
        self.numbers = {}

    def number(self, id: str) -> int:  # noqa: A002
        """The footnote's number, in the order of the definitions (the extension's default)."""
        if not self.numbers:
            self.numbers = {key: n for n, key in enumerate(self.footnotes, start=1)}
        return self.numbers[id]

    def count_reference(self, id: str) -> bool:  # noqa: A002
        """Whether one more reference to this footnote is a link: past MAX_FOOTNOTE_REFERENCES
        to one footnote (each adds a link back to it) they stay text."""
        self.references[id] = self.references.get(id, 0) + 1
        return self.references[id] <= MAX_FOOTNOTE_REFERENCES

    def addFootnoteRef(self, id: str) -> None:  # noqa: A002
        if id not in self.referenced:
            self.referenced.add(id)
            self.footnote_order.append(id)

    def unique_ref(self, reference: str, found: bool = False) -> str:
        """As the base class, which counts up from "fnref" each time; this goes on from the
        last one given for the same reference, which is where that count would arrive."""
        if not found:
            return reference
        original = reference
        reference = self.latest_ref.get(original, original)
        separator = self.get_separator()
        while reference in self.used_refs:
            ref, rest = reference.split(separator, 1)
            m = _REF_ID.match(ref)
            reference = (f"{m.group(1)}{int(m.group(2)) + 1}{separator}{rest}" if m
                         else f"{ref}2{separator}{rest}")
        self.used_refs.add(reference)
        self.latest_ref[original] = reference
        self.found_refs[original] = self.found_refs.get(original, 0) + 1
        return reference


_REF_ID = re.compile(r"(fnref)(\d+)")


class _FootnoteDefinitions(FootnoteBlockProcessor):
    """Footnote definitions on the block budget (each block is searched for one)."""

    def __init__(self, footnotes: _Footnotes) -> None:
        super().__init__(footnotes)
        self.work = footnotes.work

    def run(self, parent: etree.Element, blocks: list[str]) -> bool:
        return self.work.spend(len(blocks[0])) and bool(super().run(parent, blocks))


class _FootnoteReferences(FootnoteInlineProcessor):
    def __init__(self, pattern: str, footnotes: _Footnotes) -> None:
        super().__init__(pattern, footnotes)
        self.notes = footnotes

    def handleMatch(self, m: re.Match[str], data: str  # type: ignore[override]
                    ) -> tuple[etree.Element | None, int | None, int | None]:
        # (ignore: as on InlineProcessor.handleMatch in the stubs, whose base class differs)
        id = m.group(1)  # noqa: A001
        if id not in self.notes.footnotes or not self.notes.count_reference(id):
            return None, None, None
        self.notes.addFootnoteRef(id)
        sup = etree.Element("sup")
        sup.set("id", self.notes.makeFootnoteRefId(id, found=True))
        link = etree.SubElement(sup, "a")
        link.set("href", "#" + self.notes.makeFootnoteId(id))
        link.set("class", "footnote-ref")
        link.text = self.notes.getConfig("SUPERSCRIPT_TEXT").format(self.notes.number(id))
        return sup, m.start(0), m.end(0)


# Inline level --------------------------------------------------------------------------

_BRACKET = re.compile(r"[\[\]]")
_TICKS = re.compile(r"`+")
# A link destination with nothing to parse: no spaces, quotes, parentheses or brackets.
_PLAIN_DESTINATION = re.compile(r"\(\s*([^\s()<>'\"\\]*)\s*\)")


def _bracket_text(data: str, index: int) -> tuple[str, int, bool]:
    """Python-Markdown's getText (the text up to the matching "]"), jumping from bracket to
    bracket instead of stepping through every character."""
    depth = 1
    for m in _BRACKET.finditer(data, index):
        depth += 1 if m[0] == "[" else -1
        if depth == 0:
            return data[index:m.start()], m.end(), True
    return data[index:], len(data), False


class _CodeSpans(BacktickInlineProcessor):
    """Code spans found by jumping from backtick run to backtick run, on the inline budget:
    an opening run with no run of its length after it scans to the end of the paragraph."""

    def __init__(self, pattern: str, work: _Work) -> None:
        super().__init__(pattern)
        self.work = work

    def find_code_spans(self, start: int, text: str  # type: ignore[override]
                        ) -> tuple[int, int | None]:
        # The stub says "tuple[int, int] | None"; the code returns (position, None).
        opening = _TICKS.match(text, start)
        assert opening is not None, "find_code_spans() away from a backtick"
        ticks, start = len(opening[0]), opening.end()
        longest, end, steps = 0, 0, 0
        if self.work.left > 0:
            for run in _TICKS.finditer(text, start):
                steps += 1
                length = run.end() - run.start()
                if length == ticks:
                    self.work.spend(steps)
                    return start, run.start()
                if length > longest:
                    longest, end = length, run.end()
            self.work.spend(steps)
        if 0 < longest < ticks:
            return start - (ticks - longest), end - longest
        return start + ticks, None


class _Links(LinkInlineProcessor):
    """Inline links, with a destination of plain characters read at once, and any other
    read within MAX_DESTINATION characters on the inline budget (an unclosed "(" is
    otherwise scanned to the end of the paragraph, once per "[a](" before it)."""

    def __init__(self, pattern: str, md: python_markdown.Markdown, work: _Work) -> None:
        super().__init__(pattern, md)
        self.work = work

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        return _bracket_text(data, index)

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        plain = _PLAIN_DESTINATION.match(data, index)
        if plain:
            return self.unescape(plain[1]).strip(), None, plain.end(), True
        if (data[index:index + 1] != "(" or self.work.left <= 0
                or data.find(")", index, index + MAX_DESTINATION) < 0):
            return "", None, index, False
        window = data[index:index + MAX_DESTINATION]
        href, title, end, handled = super().getLink(window, 0)
        self.work.spend(end if handled else len(window))
        return href, title, index + end, handled


class _References(ReferenceInlineProcessor):
    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        return _bracket_text(data, index)


class _ShortReferences(ShortReferenceInlineProcessor):
    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        return _bracket_text(data, index)


# Before and after the inline pass ------------------------------------------------------

# What the inline pass reads first: backslash escapes, backtick runs, brackets.
_INLINE_TOKEN = re.compile(r"\\.|`+|[\[\]]", re.DOTALL)
_ESCAPED = f"{util.STX}{{}}{util.ETX}"  # Python-Markdown's form of "\\[", with ord("[")
_WHITESPACE = re.compile(r"\s+")


class _Brackets(Treeprocessor):
    """Before the inline pass: brackets that cannot be part of a link escaped, so its link
    patterns never try them (each try scans to the matching "]", or to the end of the
    paragraph); and a paragraph longer than CHUNK cut into pieces parsed one by one (the
    inline pass copies the whole paragraph at every match)."""

    def run(self, root: etree.Element) -> None:
        references = self.md.references
        for element in list(root.iter()):
            for index in reversed(range(len(element))):
                child = element[index]
                if child.tail and not isinstance(child.tail, util.AtomicString):
                    pieces = prepare_inline(child.tail, references)
                    child.tail = pieces[0] if len(pieces) == 1 else None
                    if len(pieces) > 1:
                        for offset, piece in enumerate(pieces, start=1):
                            element.insert(index + offset, _chunk(piece))
            if element.text and not isinstance(element.text, util.AtomicString):
                pieces = prepare_inline(element.text, references)
                element.text = pieces[0] if len(pieces) == 1 else None
                if len(pieces) > 1:
                    for offset, piece in enumerate(pieces):
                        element.insert(offset, _chunk(piece))


def _chunk(text: str) -> etree.Element:
    chunk = etree.Element(_CHUNK_TAG)
    chunk.text = text
    return chunk


class _Unchunk(Treeprocessor):
    """After the inline pass: the pieces' content back in place of the pieces."""

    def run(self, root: etree.Element) -> None:
        for element in list(root.iter()):
            if element.tag == "code" and element.text:
                # Python-Markdown may see a code span where prepare_inline did not (it pairs
                # an opening run with a shorter one when none of its length follows).
                element.text = element.text.replace(_ESCAPED.format(91), "[").replace(
                    _ESCAPED.format(93), "]")
            if any(child.tag == _CHUNK_TAG for child in element):
                _unwrap(element)


def _unwrap(parent: etree.Element) -> None:
    kept: list[etree.Element] = []

    def add(text: str | None) -> None:
        if not text:
            return
        if kept:
            kept[-1].tail = (kept[-1].tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    for child in list(parent):
        if child.tag != _CHUNK_TAG:
            kept.append(child)
            continue
        add(child.text)
        kept.extend(child)
        add(child.tail)
    parent[:] = kept


def prepare_inline(text: str, references: dict[str, tuple[str, str]]) -> list[str]:
    """`text` for the inline pass, in pieces of about CHUNK characters: each "[" or "]"
    that can never open or close a link (unmatched, nested deeper than MAX_BRACKET_DEPTH,
    or neither followed by "(" or "[", nor a footnote, nor a defined reference) escaped.

    Pieces are cut at a line end (else a space) outside code spans, escapes and links.
    """
    if len(text) <= CHUNK and "[" not in text:
        return [text]
    guarded: list[tuple[int, int]] = []  # code spans and escapes: never cut, never read into
    opened: list[int] = []
    pairs: list[tuple[int, int]] = []
    runs: _TickRuns | None = None
    position = 0
    while (token := _INLINE_TOKEN.search(text, position)) is not None:
        first, position = token[0][0], token.end()
        if first == "\\":
            guarded.append((token.start(), position))
        elif first == "`":
            runs = runs if runs is not None else _TickRuns(text)
            closing = runs.closing(len(token[0]), position)
            if closing is not None:
                guarded.append((token.start(), closing))
                position = closing
        elif first == "[":
            opened.append(token.start())
        elif opened:
            pairs.append((opened.pop(), token.start()))
    escaped = set(opened)  # never closed
    links: list[tuple[int, int]] = []
    enclosing: list[int] = []  # the closing brackets of the pairs around the current one
    for start, end in sorted(pairs):
        while enclosing and enclosing[-1] < start:
            enclosing.pop()
        if len(enclosing) < MAX_BRACKET_DEPTH and _may_link(text, start, end, references):
            links.append((start, _link_end(text, end)))
        else:
            escaped.update((start, end))
        enclosing.append(end)
    cuts = _cuts(text, _merged(guarded + links)) if len(text) > CHUNK else []
    marks = sorted(escaped)
    pieces = []
    for begin, finish in zip([0, *cuts], [*cuts, len(text)], strict=True):
        piece, last = [], begin
        for mark in marks[bisect_left(marks, begin):bisect_left(marks, finish)]:
            piece += [text[last:mark], _ESCAPED.format(ord(text[mark]))]
            last = mark + 1
        pieces.append("".join([*piece, text[last:finish]]))
    return pieces


class _TickRuns:
    """The runs of backticks in a text, to pair code spans as Python-Markdown does: an
    opening run closes at the next run of its length, else at the first of the longest
    runs after it if those are shorter (the opening run then counts only that many)."""

    def __init__(self, text: str) -> None:
        runs = [(m.start(), m.end() - m.start()) for m in _TICKS.finditer(text)]
        self.starts = [start for start, _ in runs]
        self.by_length: dict[int, list[int]] = {}
        for start, length in runs:
            self.by_length.setdefault(length, []).append(start)
        # longest[i]: the first of the longest runs from the i-th on, as (length, start).
        self.longest: list[tuple[int, int]] = [(0, 0)] * (len(runs) + 1)
        for i in reversed(range(len(runs))):
            start, length = runs[i]
            best = self.longest[i + 1]
            self.longest[i] = (length, start) if length >= best[0] else best

    def closing(self, length: int, after: int) -> int | None:
        """Where the code span opened by `length` backticks ending at `after` ends."""
        same = self.by_length.get(length, [])
        i = bisect_left(same, after)
        if i < len(same):
            return same[i] + length
        longest, start = self.longest[bisect_left(self.starts, after)]
        return start + longest if 0 < longest < length else None


def _may_link(text: str, start: int, end: int, references: dict[str, tuple[str, str]]) -> bool:
    """Whether the pair of brackets at `start` and `end` can be part of a link or footnote."""
    after, before = text[end + 1:end + 3], text[max(0, start - 2):start]
    if after[:1] in ("(", "[") or (after[:1].isspace() and after[1:] == "["):
        return True  # [text](url), [text][label]
    if before[-1:] == "]" or (before[-1:].isspace() and before[:1] == "]"):
        return True  # the [label] of [text][label]
    inner = text[start + 1:end]
    if inner[:1] == "^" or "`" in inner or "\\" in inner:
        return True  # a footnote; a label the inline pass will see otherwise
    return _WHITESPACE.sub(" ", inner.lower()) in references  # [label]


def _link_end(text: str, end: int) -> int:
    """Where the link whose text closes at `end` may end (its destination is not cut)."""
    if text[end + 1:end + 2] == "(":
        plain = _PLAIN_DESTINATION.match(text, end + 1)
        return plain.end() if plain else min(len(text), end + 1 + MAX_DESTINATION)
    return end + 2


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _cuts(text: str, guarded: list[tuple[int, int]]) -> list[int]:
    """Where to cut `text` into pieces of at most about CHUNK characters: after a line end
    (else a space, else anywhere) in the second half of each piece, outside `guarded`."""
    starts = [start for start, _ in guarded]

    def around(position: int) -> tuple[int, int] | None:
        i = bisect_left(starts, position) - 1
        return guarded[i] if i >= 0 and guarded[i][1] > position else None

    cuts: list[int] = []
    begin = 0
    while len(text) - begin > CHUNK:
        cut = _cut(text, begin + CHUNK // 2, begin + CHUNK, around)
        if cut >= len(text):
            break
        cuts.append(cut)
        begin = cut
    return cuts


def _cut(text: str, low: int, high: int,
         around: Callable[[int], tuple[int, int] | None]) -> int:
    for separator in ("\n", " "):
        limit = high
        while (found := text.rfind(separator, low, limit)) >= 0:
            inside = around(found + 1)
            if inside is None:
                return found + 1
            limit = inside[0]
    inside = around(high)
    return high if inside is None else inside[1]


class _InlineTree(InlineProcessor):
    """Python-Markdown's inline pass (InlineProcessor.run, as of Markdown 3.11) with two
    quadratic steps made linear: its queue of elements popped from the front of a list,
    and the position of each child with a tail looked up by scanning its parent's children
    (a paragraph of 50,000 emphasised words took seconds on each). Like the original, it
    also visits the elements a tail's inline content inserts after the child."""

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        # Every text is tried against every pattern, a regex search each; here a pattern is
        # skipped when the text lacks the characters all its matches hold. The base class's
        # __applyPattern calls __handleInline by its mangled name, and finds this instance's
        # attribute of that name first.
        registry = self.md.inlinePatterns
        needs = {id(registry[name]): frozenset(chars) for name, chars in _TRIGGERS.items()
                 if name in registry}
        self._patterns = [(pattern, needs.get(id(pattern))) for pattern in registry]
        self._apply_pattern: Callable[..., tuple[str, bool, int]] = _base_method(
            self, "__applyPattern")
        self._InlineProcessor__handleInline = self._handle_inline
        handle_inline: Callable[[str], str] = _base_method(self, "__handleInline")
        placeholders: Callable[..., list[tuple[etree.Element, list[str]]]] = _base_method(
            self, "__processPlaceholders")
        self.stashed_nodes: dict[str, etree.Element | str] = {}
        tree_parents = [] if ancestors is None else ancestors[:]
        self.parent_map = {c: p for p in tree.iter() for c in p}
        stack = deque([(tree, tree_parents)])
        _base_method(self, "__build_ancestors")(tree, tree_parents)
        while stack:
            current, parents = stack.popleft()
            self.ancestors = parents
            if current is not tree:
                self.ancestors.append(current.tag.lower())
            insert_queue = []
            position = 0
            while position < len(current):
                child = current[position]
                if child.text and not isinstance(child.text, util.AtomicString):
                    self.ancestors.append(child.tag.lower())
                    text, child.text = child.text, None
                    found = placeholders(handle_inline(text), child)
                    for item in found:
                        self.parent_map[item[0]] = child
                    stack.extend(found)
                    insert_queue.append((child, found))
                    self.ancestors.pop()
                if child.tail:
                    tail = handle_inline(child.tail)
                    dummy = etree.Element("d")
                    child.tail = None
                    tail_result = placeholders(tail, dummy, False)
                    if dummy.tail:
                        child.tail = dummy.tail
                    for offset, new_child in enumerate(tail_result, start=1):
                        self.parent_map[new_child[0]] = current
                        current.insert(position + offset, new_child[0])
                if len(child):
                    self.parent_map[child] = current
                    stack.append((child, self.ancestors[:]))
                position += 1
            for element, found in insert_queue:
                for i, item in enumerate(found):
                    element.insert(i, item[0])
        return tree


    def _handle_inline(self, data: str, pattern_index: int = 0) -> str:
        """InlineProcessor.__handleInline, skipping the patterns that cannot match."""
        if isinstance(data, util.AtomicString):
            return data
        # Matches only ever take characters away, so what the text holds now is enough.
        present = {ch for ch in _TRIGGER_CHARACTERS if ch in data}
        start, count, checked = 0, len(self._patterns), -1
        while pattern_index < count:
            pattern, needs = self._patterns[pattern_index]
            if checked != pattern_index:
                checked = pattern_index
                if needs is not None and needs.isdisjoint(present):
                    pattern_index, start = pattern_index + 1, 0
                    continue
            data, matched, start = self._apply_pattern(pattern, data, pattern_index, start)
            if not matched:
                pattern_index += 1
        return data


# The characters every match of an inline pattern holds, by the pattern's name.
_TRIGGERS = {
    "backtick": "`", "escape": "\\", "footnote": "[", "reference": "[", "link": "[",
    "short_reference": "[", "autolink": "<", "automail": "<", "linebreak": "\n",
    "sub": "<", "sup": "<", "entity": "&", "em_strong": "*_",
}  # fmt: skip
_TRIGGER_CHARACTERS = frozenset("".join(_TRIGGERS.values()))


def _base_method(processor: object, name: str) -> Any:
    """A private method of Python-Markdown's InlineProcessor, by its mangled name (its type
    stubs omit them)."""
    return getattr(processor, f"_InlineProcessor{name}")
