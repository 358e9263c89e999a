"""Time the rendering of the texts that are worst for the Markdown parser.

    .venv/bin/python bench/bench_markdown.py [--size N] [--repeat R] [--family SUBSTRING]

For each family of tests/text/pathological.py (unmatched and nested brackets, emphasis and
backtick runs, escapes, deep quote and list nesting, long blocks without blank lines,
thousands of footnote references, …) it renders a text of N characters (default
statements.text.markdown.MAX_TEXT_LENGTH, the longest check_renderable accepts) and prints the
best of R runs (default 3) in milliseconds and in µs per character, worst first.
Rendering is uncached here (render_markdown keeps its last results).
No assertion on time (a benchmark, not a test); it does check that every rendering keeps
each numbered word of its text, because a fast wrong answer is worth nothing.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from statements.text.markdown import MAX_TEXT_LENGTH, render_markdown
from tests.text.hidden_text import html_visible_text
from tests.text.pathological import FAMILIES

SENTINEL = re.compile(r"w\d+")
render = render_markdown.__wrapped__  # without the cache


def measure(text: str, repeat: int) -> tuple[float, str]:
    best, html = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        html = render(text)
        best = min(best, time.perf_counter() - start)
    return best, html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=MAX_TEXT_LENGTH)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--family", default="", help="only families whose name has this")
    args = parser.parse_args()

    rows = []
    for name, make in FAMILIES.items():
        if args.family not in name:
            continue
        text = make(args.size)
        seconds, html = measure(text, args.repeat)
        lost = set(SENTINEL.findall(text)) - set(SENTINEL.findall(html_visible_text(html)))
        if lost:
            raise SystemExit(f"{name}: the rendering lost {len(lost)} words, e.g. {min(lost)}")
        rows.append((seconds, name, len(text)))
        print(f"  {name}: {seconds * 1000:.0f} ms", file=sys.stderr, flush=True)

    print(f"\nRendering texts of about {args.size:,} characters (best of {args.repeat}):\n")
    print(f"{'family':<45} {'characters':>10} {'ms':>8} {'µs/char':>8}")
    for seconds, name, length in sorted(rows, reverse=True):
        print(f"{name:<45} {length:>10,} {seconds * 1000:>8.0f} {seconds * 1e6 / length:>8.2f}")


if __name__ == "__main__":
    main()
