"""Which version (and so which amendment or editor) introduced each span of a text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from .diff import diff_texts
from .words import DELETE, EQUAL, INSERT

T = TypeVar("T")


@dataclass(frozen=True)
class Span(Generic[T]):
    """A run of text and the origin (whatever tag the caller gave its version) of it."""

    text: str
    origin: T


def attribute(versions: Sequence[tuple[str, T]]) -> list[Span[T]]:
    """Attribute the last version's text to the versions that introduced it.

    `versions` are (text, origin) in order. The first text belongs wholly to its origin.
    For each next version the diff from the previous one decides: equal text keeps its
    origin, inserted text takes the new version's origin, deleted text disappears. Since
    the diff changes whole words, a reworded word is attributed whole to its rewording.
    The spans' texts join to the last text exactly; adjacent spans of equal origin are
    joined and no span is empty.
    """
    if not versions:
        return []
    first_text, first_origin = versions[0]
    spans: list[Span[T]] = [Span(first_text, first_origin)] if first_text else []
    previous = first_text
    for text, origin in versions[1:]:
        spans = _carry_over(spans, diff_texts(previous, text), origin)
        previous = text
    return spans


def _carry_over(spans: list[Span[T]], diffs: list[tuple[int, str]], origin: T) -> list[Span[T]]:
    # Pieces gathered per origin and joined once: appending to a growing string would be
    # quadratic when one origin owns many consecutive pieces.
    runs: list[tuple[T, list[str]]] = []
    index, offset = 0, 0  # the next unread character: spans[index].text[offset]

    def append(text: str, owner: T) -> None:
        if not text:
            return
        if runs and runs[-1][0] == owner:
            runs[-1][1].append(text)
        else:
            runs.append((owner, [text]))

    for op, text in diffs:
        if op == INSERT:
            append(text, origin)
            continue
        remaining = len(text)
        while remaining:
            span = spans[index]
            taken = min(remaining, len(span.text) - offset)
            if op == EQUAL:
                append(span.text[offset : offset + taken], span.origin)
            elif op != DELETE:
                raise ValueError(f"unknown diff operation {op!r}")
            offset += taken
            remaining -= taken
            if offset == len(span.text):
                index, offset = index + 1, 0
    return [Span("".join(pieces), owner) for owner, pieces in runs]
