"""Time the text core on a statement of about 150 KB.

    PYTHONPATH=. .venv/bin/python bench/bench_text.py

Prints milliseconds for: diff_texts with 1 % and 10 % of the words edited (one source
line per paragraph, as the editor writes it; then 10 % on the same text hard-wrapped at
72 columns, and all on one line, the worst case), three_way_merge of such edits onto a
head that has its own edits elsewhere, and 100 amendments, each made against the
original text, merged in turn onto the moving head.
No assertion on time (a benchmark, not a test); it does check that every result is
exact, because a fast wrong answer is worth nothing.
"""

from __future__ import annotations

import random
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from statements.text.diff import diff_texts
from statements.text.merge import three_way_merge
from tests.text.corpus import join, make_paragraphs

T = TypeVar("T")

def join_wrapped(paragraphs: list[list[str]]) -> str:
    """The same text hard-wrapped at 72 columns, as imported plain-text files often are."""
    return "\n\n".join(textwrap.fill(" ".join(words), 72) for words in paragraphs) + "\n"


def join_one_line(paragraphs: list[list[str]]) -> str:
    """The worst case: the whole text as one source line, so no line to anchor on."""
    return " ".join(" ".join(words) for words in paragraphs)


def edit_fraction(paragraphs: list[list[str]], fraction: float, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    edited = [list(words) for words in paragraphs]
    for p, words in enumerate(edited):
        for w in range(len(words)):
            if rng.random() < fraction:
                words[w] = f"EDIT{p}x{w}"
    return edited


def timed(function: Callable[..., T], *args: object) -> tuple[T, float]:
    start = time.perf_counter()
    result = function(*args)
    return result, (time.perf_counter() - start) * 1000


def bench_diff(
    paragraphs: list[list[str]],
    fraction: float,
    layout: Callable[[list[list[str]]], str] = join,
    name: str = "",
) -> None:
    base = layout(paragraphs)
    new = layout(edit_fraction(paragraphs, fraction, seed=int(fraction * 1000)))
    diffs, ms = timed(diff_texts, base, new)
    assert "".join(t for op, t in diffs if op != 1) == base
    assert "".join(t for op, t in diffs if op != -1) == new
    changes = sum(1 for op, _ in diffs if op != 0)
    label = f"diff_texts, {fraction:.0%} of words edited{name}:"
    print(f"{label:<52}{ms:8.1f} ms  ({changes} ops changed)")


def bench_merge(paragraphs: list[list[str]], fraction: float) -> None:
    """Head edits the even paragraphs, the amendment the odd ones: a clean merge."""
    head_edit = edit_fraction(paragraphs, fraction, seed=1)
    amend_edit = edit_fraction(paragraphs, fraction, seed=2)
    head = [head_edit[i] if i % 2 == 0 else paragraphs[i] for i in range(len(paragraphs))]
    amended = [amend_edit[i] if i % 2 else paragraphs[i] for i in range(len(paragraphs))]
    both = [head_edit[i] if i % 2 == 0 else amend_edit[i] for i in range(len(paragraphs))]
    result, ms = timed(three_way_merge, join(paragraphs), join(head), join(amended))
    assert result.text == join(both), "merge is not exact"
    label = f"three_way_merge, {fraction:.0%} edited on each side:"
    print(f"{label:<52}{ms:8.1f} ms")


def bench_hundred_amendments(paragraphs: list[list[str]]) -> None:
    base = join(paragraphs)
    step = len(paragraphs) // 100
    targets = [k * step for k in range(100)]
    amendments = []
    expected = [list(words) for words in paragraphs]
    for k, p in enumerate(targets):
        amended = [list(words) for words in paragraphs]
        middle = len(amended[p]) // 2
        amended[p][middle] = f"AMENDED{k}"
        expected[p][middle] = f"AMENDED{k}"
        amendments.append(join(amended))
    head = base
    start = time.perf_counter()
    for amended in amendments:
        result = three_way_merge(base, head, amended)
        assert result.clean
        head = result.text
    ms = (time.perf_counter() - start) * 1000
    assert head == join(expected), "100 merges are not exact"
    label = "100 amendments merged in turn:"
    print(f"{label:<52}{ms:8.1f} ms  ({ms / 100:.1f} ms each)")


def main() -> None:
    paragraphs = make_paragraphs(seed=2020)
    print(f"text: {len(join(paragraphs)):,} characters, {len(paragraphs)} paragraphs")
    for fraction in (0.01, 0.10):
        bench_diff(paragraphs, fraction)
    bench_diff(paragraphs, 0.10, join_wrapped, ", hard-wrapped at 72")
    bench_diff(paragraphs, 0.10, join_one_line, ", all on one line")
    for fraction in (0.01, 0.10):
        bench_merge(paragraphs, fraction)
    bench_hundred_amendments(paragraphs)


if __name__ == "__main__":
    main()
