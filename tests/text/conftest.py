"""Fixtures for the pure text tests: a long statement to stress diffs and merges.

No app and no database here: statements.text is tested as plain functions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

VOCABULARY = (
    "the parties cities regions delegates agree to strengthen momentum for a global "
    "biodiversity framework post-2020 ambitious targets finance capacity local and "
    "subnational governments nature-based solutions restoration of ecosystems São Paulo "
    "Kunming 昆明 Кызыл commitments implementation monitoring reporting review urban "
    "green blue infrastructure species habitats protected areas sustainable use benefits "
    "equitable sharing indigenous peoples communities knowledge"
).split()


@dataclass(frozen=True)
class Corpus:
    """A statement as paragraphs of words; each paragraph is one Markdown source line."""

    paragraphs: tuple[tuple[str, ...], ...]

    @staticmethod
    def join(paragraphs: list[list[str]] | tuple[tuple[str, ...], ...]) -> str:
        return "\n\n".join(" ".join(words) for words in paragraphs if words) + "\n"

    @property
    def text(self) -> str:
        return self.join(self.paragraphs)

    def copy(self) -> list[list[str]]:
        return [list(words) for words in self.paragraphs]


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    """About 150 KB of multi-paragraph text, the same on every run."""
    rng = random.Random(2020)
    paragraphs = []
    size = 0
    while size < 150_000:
        words = [rng.choice(VOCABULARY) for _ in range(rng.randint(40, 160))]
        words[-1] += "."
        paragraphs.append(tuple(words))
        size += sum(len(word) + 1 for word in words) + 1
    return Corpus(tuple(paragraphs))
