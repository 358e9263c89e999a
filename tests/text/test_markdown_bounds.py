"""Texts pathological for the Markdown parser render, and keep every word.

Rendering time is measured by bench/bench_markdown.py, never asserted here: these tests check
that the bounds that keep rendering fast (escaped brackets, capped nesting, pieces of long
paragraphs, work budgets) never make a word of the text vanish, and never raise.
"""

from __future__ import annotations

import re

import pytest

from statements.text import markdown
from statements.text.markdown import check_renderable, render_markdown
from tests.text.hidden_text import html_visible_text
from tests.text.pathological import FAMILIES

SIZE = 30_000  # above markdown.CHUNK, and enough to exhaust the budgets of the quadratic scans
_SENTINEL = re.compile(r"w\d+")


@pytest.mark.parametrize("family", list(FAMILIES))
def test_pathological_text_keeps_its_words(family: str) -> None:
    text = FAMILIES[family](SIZE)
    shown = html_visible_text(render_markdown(text))
    expected = set(_SENTINEL.findall(text))
    assert expected, family
    assert expected <= set(_SENTINEL.findall(shown)), family


def test_deep_nesting_is_capped_not_a_recursion_error() -> None:
    html = render_markdown("1. " * 5000 + "deep")  # raised RecursionError before
    assert html.count("<ol>") <= markdown.MAX_NESTING
    assert "deep" in html
    quotes = render_markdown("> " * 5000 + "deep")
    assert quotes.count("<blockquote>") <= markdown.MAX_NESTING and "deep" in quotes


def test_brackets_that_cannot_link_are_escaped_and_links_still_work() -> None:
    html = render_markdown("[" * 3000 + " [the CBD](https://www.cbd.int/) and [x][cbd] [cbd] "
                           "[see [1]](https://a.example) [^1]\n\n[cbd]: https://www.cbd.int/\n\n"
                           "[^1]: A note.")
    assert "[" * 3000 in html
    assert html.count('href="https://www.cbd.int/"') == 3
    assert '<a href="https://a.example" rel="noopener noreferrer nofollow">see [1]</a>' in html
    assert 'class="footnote-ref"' in html


def test_a_long_paragraph_is_parsed_in_pieces_that_join_up() -> None:
    sentence = "We *agree* to [act](https://a.example) with `code` and \\* escapes. "
    text = sentence * 2000  # one paragraph of 140,000 characters
    html = render_markdown(text)
    assert html.count("<em>agree</em>") == 2000
    assert html.count('<a href="https://a.example"') == 2000
    assert html.count("<code>code</code>") == 2000
    assert "statement-chunk" not in html and html.startswith("<p>") and html.count("<p>") == 1


def test_budgets_running_out_leave_plain_text() -> None:
    # 10,000 headings in one block: searching the block again after each is quadratic, so
    # the block budget runs out and the rest is one paragraph, every line still there.
    text = "".join(f"h{i}\n===\n" for i in range(10_000))
    html = render_markdown(text)
    assert "<h1>h0</h1>" in html
    assert all(f"h{i}" in html for i in range(10_000))


def test_check_renderable_refuses_only_what_is_too_long() -> None:
    assert check_renderable("a" * markdown.MAX_TEXT_LENGTH) is None
    problem = check_renderable("a" * (markdown.MAX_TEXT_LENGTH + 1))
    assert problem is not None and "at most 50,000" in problem
