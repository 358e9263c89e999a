"""Fixtures for the pure text tests: a long statement to stress diffs and merges.

No app and no database here: statements.text is tested as plain functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.text.corpus import join, make_paragraphs


@dataclass(frozen=True)
class Corpus:
    """A statement as paragraphs of words; each paragraph is one Markdown source line."""

    paragraphs: tuple[tuple[str, ...], ...]

    join = staticmethod(join)

    @property
    def text(self) -> str:
        return self.join(self.paragraphs)

    def copy(self) -> list[list[str]]:
        return [list(words) for words in self.paragraphs]


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """About 150 KB of multi-paragraph text, the same on every run."""
    return Corpus(tuple(tuple(words) for words in make_paragraphs(seed=2020)))
