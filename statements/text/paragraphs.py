"""Paragraphs of a Markdown source: the pieces a delegate may choose to amend alone."""

from __future__ import annotations

import re
from dataclasses import dataclass

_BLOCK = re.compile(r"[^\n]+(?:\n[^\n]+)*")


@dataclass(frozen=True)
class Paragraph:
    """``text[start:end]`` is a run of non-blank lines, without the LF that ends it."""

    index: int
    start: int
    end: int
    text: str


def paragraphs(text: str) -> list[Paragraph]:
    return [Paragraph(i, m.start(), m.end(), m.group())
            for i, m in enumerate(_BLOCK.finditer(text))]


def replace_paragraph(text: str, index: int, replacement: str) -> str:
    """The whole text with paragraph ``index`` replaced (IndexError if there is none)."""
    found = paragraphs(text)[index]
    return text[:found.start] + replacement + text[found.end:]
