"""A statement's Markdown rendered to HTML that is safe to put in any page or export.

Python-Markdown passes raw HTML through, so its output is untrusted; nh3 (ammonia)
then keeps only an explicit allowlist. Nothing outside the allowlist survives: no
<script>, <style>, <iframe>, <img>, <form>, no style or event-handler attributes, no
link whose scheme is not http, https or mailto (ammonia decodes entities and drops the
tabs and newlines browsers ignore before it reads a scheme, so "JaVa&#115;cript:" and
"java\\tscript:" are caught too). Relative links and #anchors stay.
"""

from __future__ import annotations

import re

import markdown as python_markdown
import nh3

# Modest on purpose: a formal statement needs tables, footnotes and lists numbered as
# written, not task lists, emoji shortcodes or attribute syntax.
_EXTENSIONS = ["tables", "footnotes", "sane_lists"]
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


def render_markdown(text: str) -> str:
    """Render statement Markdown to sanitised HTML."""
    # A new converter per call: a Markdown instance keeps state (footnotes, references)
    # between conversions and is not safe to share between threads.
    converter = python_markdown.Markdown(
        extensions=_EXTENSIONS,
        extension_configs=_EXTENSION_CONFIGS,
        output_format="html",
    )
    return _CLEANER.clean(converter.convert(text))
