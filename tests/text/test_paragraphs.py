"""Choosing one paragraph to amend, and putting it back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statements.text.paragraphs import paragraphs, replace_paragraph

TEXT = "# Title\n\nFirst line\nsecond line\n\n\nLast paragraph\n"


def test_paragraphs_are_runs_of_non_blank_lines() -> None:
    found = paragraphs(TEXT)
    assert [p.text for p in found] == ["# Title", "First line\nsecond line", "Last paragraph"]
    assert all(TEXT[p.start:p.end] == p.text for p in found)


def test_replace_keeps_everything_else() -> None:
    assert replace_paragraph(TEXT, 1, "One line") == "# Title\n\nOne line\n\n\nLast paragraph\n"
    with pytest.raises(IndexError):
        replace_paragraph(TEXT, 3, "x")


@given(st.lists(st.text(alphabet="ab \n", max_size=20), max_size=6))
def test_replacing_a_paragraph_by_itself_changes_nothing(parts: list[str]) -> None:
    text = "\n\n".join(parts)
    for p in paragraphs(text):
        assert replace_paragraph(text, p.index, p.text) == text
