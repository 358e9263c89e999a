"""The tracked-changes diff of two texts, and diff-match-patch patches made and applied
exactly.

diff-match-patch gives up after `Diff_Timeout` seconds (1 s by default) and then returns
a valid but useless diff ("replace everything"): on 150 KB with a tenth of the words
edited it does. A diff here is never allowed to time out. It is computed in two exact
stages that keep the work small: lines first, then words inside each changed block of
lines, each stage diffing a string in which every distinct line or word is one
character, and matching lines or words that occur once in each text first. The result
is then cleaned up semantically and widened to whole words.

A diff is a list of (op, text) with op -1 delete, 0 equal, 1 insert, as diff-match-patch
has it. Offsets in patches count Python code points.
"""

from __future__ import annotations

import html
import re
import sys
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable

from diff_match_patch import diff_match_patch

from .words import DELETE, EQUAL, INSERT, tokens, word_changes

Diff = list[tuple[int, str]]

# Runs of a line and its LF. Not str.splitlines: that also splits on VT, FF, U+2028 …,
# and the stored text's only line separator is LF.
_LINE = re.compile(r"[^\n]*\n|[^\n]+")

# Every code point except the surrogates can stand for one line or word.
_SURROGATES = 0xE000 - 0xD800
_ALPHABET = 0x110000 - _SURROGATES


def _engine() -> diff_match_patch:
    engine = diff_match_patch()
    # No deadline: a timed-out diff is not approximate, it is wrong.
    engine.Diff_Timeout = 0
    return engine


_DMP = _engine()


class PatchError(ValueError):
    """A patch that cannot be read, or that does not apply exactly to the base text."""


class DiffTooComplex(ValueError):
    """Two texts whose exact diff would take longer than the budget: so different, or so
    repetitive, that no person could review the change anyway."""


# Seconds of diffing any one diff may take. Real edits, even of 150 KB texts with a tenth
# of the words changed, take a fraction of that (bench/bench_text.py); word salad built to
# defeat the anchors takes minutes, and is refused instead.
DIFF_BUDGET = 2.0


def diff_texts(a: str, b: str, budget: float | None = DIFF_BUDGET) -> Diff:
    """The exact diff from `a` to `b`, cleaned up semantically, changing whole words.

    Joining the texts of ops 0 and -1 gives `a`; of ops 0 and 1 gives `b`. No op boundary
    falls inside a word of either text (see `words`), so "colour" -> "color" is the
    deletion of one word and the insertion of another, not of a "u". Raises DiffTooComplex
    when it would take longer than ``budget`` seconds (None: no limit), never an inexact
    diff.
    """
    if a == b:
        return [(EQUAL, a)] if a else []
    deadline = sys.maxsize if budget is None else time.time() + budget
    by_word = _diff_by_word(a, b, deadline)
    _DMP.diff_cleanupSemantic(by_word)
    # The clean-up works on characters: its merge step factors out common prefixes and
    # suffixes ("colo"+"u"+"r"), which is why the result is widened to words last.
    _DMP.diff_cleanupMerge(by_word)
    result = _rebuild(by_word, a, b)
    if _side(result, INSERT) != a or _side(result, DELETE) != b:
        raise RuntimeError("internal error: the diff does not rebuild both texts")
    return result


def _side(diffs: Diff, left_out: int) -> str:
    return "".join(text for op, text in diffs if op != left_out)


def _diff_by_word(a: str, b: str, deadline: float) -> Diff:
    out: Diff = []
    deleted: list[str] = []
    inserted: list[str] = []

    def close_block() -> None:
        old, new = "".join(deleted), "".join(inserted)
        if old and new:
            head, tail = _common_ends(old, new)
            old_middle, new_middle = old[head : len(old) - tail], new[head : len(new) - tail]
            if head:
                out.append((EQUAL, old[:head]))
            out.extend(_diff_units(tokens(old_middle), tokens(new_middle), deadline))
            if tail:
                out.append((EQUAL, old[len(old) - tail :]))
        elif old:
            out.append((DELETE, old))
        elif new:
            out.append((INSERT, new))
        deleted.clear()
        inserted.clear()

    for op, text in _diff_units(_LINE.findall(a), _LINE.findall(b), deadline):
        if op == DELETE:
            deleted.append(text)
        elif op == INSERT:
            inserted.append(text)
        else:
            close_block()
            out.append((EQUAL, text))
    close_block()
    return out


def _common_ends(old: str, new: str) -> tuple[int, int]:
    """Lengths of the common prefix and suffix of two texts, cut back to token boundaries.

    A changed paragraph is mostly unchanged: splitting off what it shares before cutting
    it into words spares tokenising and encoding all of it. The cuts fall where a token
    ends in both texts, so the words in between are the same as whole-text tokens.
    """

    def boundary(text: str, at: int) -> bool:
        return at in (0, len(text)) or text[at - 1].isspace() != text[at].isspace()

    head = _DMP.diff_commonPrefix(old, new)
    while head and not (boundary(old, head) and boundary(new, head)):
        head -= 1
    tail = _DMP.diff_commonSuffix(old[head:], new[head:])
    while tail and not (boundary(old, len(old) - tail) and boundary(new, len(new) - tail)):
        tail -= 1
    return head, tail


class _AlphabetExhausted(Exception):
    pass


def _diff_units(old_units: list[str], new_units: list[str], deadline: float) -> Diff:
    """Diff two sequences of units (lines or words) as strings of one character per unit.

    diff-match-patch only encodes lines, and past a fixed number of distinct lines (65 535
    in some ports) lumps the rest of the text into one. This encoding serves words too,
    uses every non-surrogate code point and, should a text have more distinct units than
    that, diffs the characters instead: slower, just as exact.
    """
    char_of: dict[str, str] = {}
    unit_of: dict[str, str] = {}

    def encode(units: list[str]) -> str:
        chars = []
        for unit in units:
            char = char_of.get(unit)
            if char is None:
                index = len(char_of)
                if index >= _ALPHABET:
                    raise _AlphabetExhausted
                char = chr(index if index < 0xD800 else index + _SURROGATES)
                char_of[unit] = char
                unit_of[char] = unit
            chars.append(char)
        return "".join(chars)

    try:
        encoded_old, encoded_new = encode(old_units), encode(new_units)
    except _AlphabetExhausted:
        return _bounded("".join(old_units), "".join(new_units), deadline)
    return [
        (op, "".join(map(unit_of.__getitem__, chars)))
        for op, chars in _anchored_diff(encoded_old, encoded_new, deadline)
    ]


def _bounded(a: str, b: str, deadline: float) -> Diff:
    """diff-match-patch's exact diff, or DiffTooComplex once the deadline has passed: past
    it, diff-match-patch stops early and returns a wrong "replace everything" diff."""
    diffs: Diff = _DMP.diff_main(a, b, False, deadline)
    if time.time() >= deadline:
        raise DiffTooComplex("the texts are too different to compare exactly in time")
    return diffs


def _anchored_diff(a: str, b: str, deadline: float) -> Diff:
    """Myers' diff (diff-match-patch's, without deadline) between unique anchors.

    Myers costs about the square of the number of differences, which is seconds in pure
    Python when most lines of a long hard-wrapped text changed. Units that occur exactly
    once in each text, kept where they are in the same order in both (the longest such
    chain, as in patience diff), are matched first and split the work into small gaps.
    """
    diffs: Diff = []
    done_a = done_b = 0
    for at_a, at_b in _unique_anchors(a, b):
        diffs += _bounded(a[done_a:at_a], b[done_b:at_b], deadline)
        diffs.append((EQUAL, a[at_a]))
        done_a, done_b = at_a + 1, at_b + 1
    diffs += _bounded(a[done_a:], b[done_b:], deadline)
    _DMP.diff_cleanupMerge(diffs)
    return diffs


def _unique_anchors(a: str, b: str) -> list[tuple[int, int]]:
    count_a, count_b = Counter(a), Counter(b)
    where_b = {char: at for at, char in enumerate(b) if count_b[char] == 1}
    pairs = [
        (at, where_b[char]) for at, char in enumerate(a) if count_a[char] == 1 and char in where_b
    ]
    # Longest chain increasing in both texts: pairs already increase in a, so this is the
    # longest increasing subsequence of their offsets in b (patience sorting).
    ends: list[int] = []  # ends[k]: the pair ending the best chain of length k + 1 so far
    end_offsets: list[int] = []
    previous = [-1] * len(pairs)
    for index, (_, at_b) in enumerate(pairs):
        length = bisect_left(end_offsets, at_b)
        previous[index] = ends[length - 1] if length else -1
        if length == len(ends):
            ends.append(index)
            end_offsets.append(at_b)
        else:
            ends[length] = index
            end_offsets[length] = at_b
    chain = []
    index = ends[-1] if ends else -1
    while index != -1:
        chain.append(pairs[index])
        index = previous[index]
    return chain[::-1]


def _rebuild(diffs: Diff, a: str, b: str) -> Diff:
    """`diffs` with every changed region widened to whole words, in canonical form:
    no empty ops, equalities between regions, a region's deletion before its insertion."""
    out: Diff = []
    pos = 0
    for change in word_changes(diffs, a, b):
        if change.old_start > pos:
            out.append((EQUAL, a[pos : change.old_start]))
        if change.old_end > change.old_start:
            out.append((DELETE, a[change.old_start : change.old_end]))
        if change.new_end > change.new_start:
            out.append((INSERT, b[change.new_start : change.new_end]))
        pos = change.old_end
    if pos < len(a):
        out.append((EQUAL, a[pos:]))
    return out


_MARKUP = {
    INSERT: ('<ins class="diff-ins">', "</ins>"),
    DELETE: ('<del class="diff-del">', "</del>"),
}


def diff_html(diffs: Iterable[tuple[int, str]]) -> str:
    """Tracked changes as HTML: <ins class="diff-ins"> and <del class="diff-del">.

    Newlines stay "\\n": the page shows the result in a `white-space: pre-wrap` block,
    so the Markdown source reads exactly as it is stored.
    """
    parts = []
    for op, text in diffs:
        if not text:
            continue
        escaped = html.escape(text)
        if op == EQUAL:
            parts.append(escaped)
        else:
            opening, closing = _MARKUP[op]
            parts.append(f"{opening}{escaped}{closing}")
    return "".join(parts)


def diffs_to_json(diffs: Iterable[tuple[int, str]]) -> list[list[int | str]]:
    """The diff as JSON-ready [[op, text], ...]."""
    return [[op, text] for op, text in diffs]


def patch_text(a: str, diffs: Diff | None = None, b: str | None = None) -> str:
    """diff-match-patch's patch text (`patch_toText`) from `a` to the new text.

    Give the diff from `a` (as `diff_texts` makes it), or the new text `b`. Offsets count
    code points, as Python's diff-match-patch does.
    """
    if diffs is None:
        if b is None:
            raise TypeError("patch_text needs the diffs from a, or the new text b")
        diffs = diff_texts(a, b)
    else:
        diffs = [(int(op), str(text)) for op, text in diffs]
        if _side(diffs, INSERT) != a:
            raise ValueError("the diffs do not start from this text")
        if b is not None and _side(diffs, DELETE) != b:
            raise ValueError("the diffs do not lead to this text")
    text: str = _DMP.patch_toText(_DMP.patch_make(a, diffs))
    return text


def apply_patch_exact(base: str, patch: str) -> str:
    """Apply a diff-match-patch patch text to `base`, exactly, or raise PatchError.

    Each hunk's context and deleted text must stand exactly where the hunk says, in the
    text as patched by the hunks before it. diff-match-patch's patches have "rolling
    context": both of a hunk's offsets (start1 == start2) already count in that patched
    text. A unified-diff-style hunk has start1 in the original and start2 = start1 plus
    the change in length of the hunks before it, which is that same place. So the hunk is
    matched at start2, which is right for both. There is no fuzzy matching: a hunk one
    character off, or with one character of context changed, is refused.
    """
    try:
        hunks = _DMP.patch_fromText(patch)
    except ValueError as error:
        raise PatchError(f"the patch cannot be read: {error}") from None
    text = base
    growth = 0
    for number, hunk in enumerate(hunks, start=1):
        old = _side(hunk.diffs, INSERT)
        new = _side(hunk.diffs, DELETE)
        if len(old) != hunk.length1 or len(new) != hunk.length2:
            raise PatchError(
                f"hunk {number} is malformed: its header counts {hunk.length1} and "
                f"{hunk.length2} characters, its lines {len(old)} and {len(new)}"
            )
        at = hunk.start2
        if at < 0 or at > len(text) or text[at : at + len(old)] != old:
            # Named in the base's own numbering, 1-based like the hunk header.
            raise PatchError(
                f"hunk {number} does not match the base text at character {at - growth + 1}"
            )
        text = text[:at] + new + text[at + len(old) :]
        growth += len(new) - len(old)
    return text
