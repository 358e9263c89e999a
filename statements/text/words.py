"""What a word is, and the changed regions of a diff widened to whole words.

A word is a maximal run of non-whitespace code points; whitespace is what `str.isspace`
says, which is exactly the set the regex class `\\s` matches. Combining marks, variation
selectors, the zero-width joiner inside emoji sequences and CJK ideographs are all
non-whitespace, so a boundary that never falls inside a word never cuts a user-perceived
character in two. Two consequences people may trip over:

- a run of CJK (or other) text without spaces is one word, so any change in it is shown,
  and merged, as a change of the whole run;
- a combining mark typed directly after whitespace has no letter to stay with and may
  be separated from that whitespace.

Both the diff (so that changes read as whole words) and the merge (so that two edits in
one word conflict) use `word_changes`, so the two never disagree about what a word is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

DELETE, EQUAL, INSERT = -1, 0, 1

_TOKEN = re.compile(r"\s+|\S+")


def tokens(text: str) -> list[str]:
    """Split `text` into its alternating runs of whitespace and of non-whitespace."""
    return _TOKEN.findall(text)


def inside_word(text: str, pos: int) -> bool:
    """True if offset `pos` of `text` falls between two characters of one word."""
    return 0 < pos < len(text) and not text[pos - 1].isspace() and not text[pos].isspace()


@dataclass(frozen=True, slots=True)
class Change:
    """One changed region of a diff: old[old_start:old_end] became new[new_start:new_end]."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int


def word_changes(diffs: Iterable[tuple[int, str]], old: str, new: str) -> list[Change]:
    """The changed regions of `diffs` (from `old` to `new`), widened to whole words.

    A region is a run of deletions and insertions between two equalities. A boundary of a
    region is inside a word when the character before it is not whitespace and, in the
    old text or in the new one, the character after it is not whitespace either. Such a
    boundary moves outwards, in both texts at once, until it is not: outside a region the
    two texts are equal, so moving both offsets by one keeps them describing the same
    character. Looking at both texts matters: appending "s" to "cat" touches only
    whitespace in the old text, but in the new one it glues onto the word, so the region
    becomes "cat" -> "cats". A boundary that only touches whitespace does not move.
    Regions that come to touch or overlap are joined, so the result is strictly ordered
    with a non-empty equality between any two regions.
    """
    raw = _raw_changes(diffs, old, new)
    widened: list[list[int]] = []
    for index, region in enumerate(raw):
        o0, o1, n0, n1 = region
        # The equal stretch between regions bounds each step: beyond it the texts differ.
        floor = widened[-1][1] if widened else 0
        while o0 > floor and (inside_word(old, o0) or inside_word(new, n0)):
            o0 -= 1
            n0 -= 1
        ceiling = raw[index + 1][0] if index + 1 < len(raw) else len(old)
        while o1 < ceiling and (inside_word(old, o1) or inside_word(new, n1)):
            o1 += 1
            n1 += 1
        if widened and o0 == widened[-1][1]:
            widened[-1][1] = o1
            widened[-1][3] = n1
        else:
            widened.append([o0, o1, n0, n1])
    return [Change(*region) for region in widened]


def _raw_changes(diffs: Iterable[tuple[int, str]], old: str, new: str) -> list[list[int]]:
    raw: list[list[int]] = []
    o = n = 0
    in_change = False
    for op, text in diffs:
        if not text:
            continue
        if op == EQUAL:
            o += len(text)
            n += len(text)
            in_change = False
            continue
        if not in_change:
            raw.append([o, o, n, n])
            in_change = True
        if op == DELETE:
            o += len(text)
            raw[-1][1] = o
        elif op == INSERT:
            n += len(text)
            raw[-1][3] = n
        else:
            raise ValueError(f"unknown diff operation {op!r}")
    if o != len(old) or n != len(new):
        raise ValueError("the diff does not describe these two texts")
    return raw
