"""Line numbers of a statement's Markdown source, so people can say "lines 12-14".

The numbering (SPEC.md, "Versions") depends on the text alone, never on a screen:

1. The text is split on LF (exactly `text.split("\\n")`): a text ending in LF therefore
   ends with a blank line, and the empty text is one blank line.
2. Each source line is wrapped at 80 code points, greedily, at spaces (U+0020 only: a
   no-break space, a tab or an ideographic space never breaks a line):
   - while more than 80 code points of the source line remain, the line breaks at the
     last run of spaces that starts within the next 80 code points, after at least one
     other character: the shown text is what precedes the run (so at most 80 code
     points, never ending in a break space), the whole run of spaces belongs to the
     earlier line's source span and is not shown, and the next line starts after it;
   - when no such run exists (a word longer than 80, or indentation followed by one),
     the line is cut after exactly 80 code points, whatever they are (a cut may fall
     between a letter and its combining mark: the count is of code points);
   - 80 code points or fewer remaining are one line, shown as they are, trailing spaces
     included.
   So a source line of exactly 80 code points is one line. One of 81 is two lines (cut
   at 80 if it has no space, else broken at its last run of spaces), except when its
   81st code point is a space: the break absorbs it and leaves one line showing 80.
   Spaces ending a wrapped source line are absorbed likewise: never a blank line.
3. Every resulting line, blank ones included, gets the next number from 1.

Character ranges map to lines through each line's source span, extended to the start
of the next line: the LF ending a source line belongs to that source line's last line,
a break's spaces to the line before the break. An insertion (an empty range) names the
line holding the character right after the insertion point. At the end of a source line
that character is its LF, so text appended to a line names that line; at a wrap boundary
it is the first character of the continuation line, so text inserted there (before that
word) names the continuation line; at the very end of the text it is the last line.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

WRAP = 80


@dataclass(frozen=True)
class Line:
    """One numbered line: `text` is shown; `start`/`end` are the code point offsets in
    the whole text of the source span it covers (its LF excluded, its break spaces
    included). Consecutive lines of one source line have contiguous spans."""

    number: int
    start: int
    end: int
    text: str


def number_lines(text: str) -> list[Line]:
    """The numbered lines of `text` (see the module docstring for the rules)."""
    lines: list[Line] = []
    offset = 0
    for source in text.split("\n"):
        for start, end, shown in _wrap(source):
            lines.append(Line(len(lines) + 1, offset + start, offset + end, shown))
        offset += len(source) + 1
    return lines


def _wrap(source: str) -> Iterator[tuple[int, int, str]]:
    pos, size = 0, len(source)
    while size - pos > WRAP:
        brk = _break_before(source, pos)
        if brk is None:
            yield pos, pos + WRAP, source[pos : pos + WRAP]
            pos += WRAP
            continue
        after = brk
        while after < size and source[after] == " ":
            after += 1
        yield pos, after, source[pos:brk]
        pos = after
    if pos < size or pos == 0:
        yield pos, size, source[pos:]


def _break_before(source: str, pos: int) -> int | None:
    """Start of the last run of spaces in source[pos + 1 : pos + WRAP + 1], if that run
    starts after `pos`, so that the text shown before it is 1 to 80 code points long."""
    space = source.rfind(" ", pos + 1, pos + WRAP + 1)
    while space > pos and source[space - 1] == " ":
        space -= 1
    return space if space > pos else None


def lines_for_range(text_or_lines: str | Sequence[Line], start: int, end: int) -> tuple[int, int]:
    """First and last line numbers touched by the character range [start, end).

    An empty range is an insertion point and names one line (see the module docstring).
    Pass the text, or its `number_lines` to avoid numbering it again.
    """
    if isinstance(text_or_lines, str):
        if not 0 <= start <= end <= len(text_or_lines):
            raise ValueError(f"range {start}..{end} is outside a text of {len(text_or_lines)}")
        lines: Sequence[Line] = number_lines(text_or_lines)
    else:
        lines = text_or_lines
        if not lines or not 0 <= start <= end:
            raise ValueError(f"range {start}..{end} cannot be placed on these lines")
    return _LineIndex(lines).range(start, end)


def lines_touched(base: str, diffs: Iterable[tuple[int, str]]) -> tuple[int, int] | None:
    """First and last line of `base` that the changes of `diffs` (from `base`) touch,
    or None when the diff changes nothing."""
    index = _LineIndex(number_lines(base))
    touched: tuple[int, int] | None = None
    pos = 0
    change_start: int | None = None
    for op, text in [*diffs, (0, "")]:
        if op == 0:
            if change_start is not None:
                first, last = index.range(change_start, pos)
                if touched is not None:
                    first, last = min(first, touched[0]), max(last, touched[1])
                touched = (first, last)
                change_start = None
            pos += len(text)
        elif text:
            if change_start is None:
                change_start = pos
            if op == -1:
                pos += len(text)
    if pos != len(base):
        raise ValueError("the diff does not start from this text")
    return touched


class _LineIndex:
    def __init__(self, lines: Sequence[Line]) -> None:
        self._lines = lines
        self._starts = [line.start for line in lines]

    def _at(self, pos: int) -> int:
        return self._lines[max(bisect_right(self._starts, pos) - 1, 0)].number

    def range(self, start: int, end: int) -> tuple[int, int]:
        first = self._at(start)
        return (first, first) if start == end else (first, self._at(end - 1))
