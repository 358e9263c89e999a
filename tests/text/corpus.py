"""A long, repeatable statement text to stress diffs and merges (tests and bench alike)."""

from __future__ import annotations

import random
from collections.abc import Sequence

VOCABULARY = (
    "the parties cities regions delegates agree to strengthen momentum for a global "
    "biodiversity framework post-2020 ambitious targets finance capacity local and "
    "subnational governments nature-based solutions restoration of ecosystems São Paulo "
    "Kunming 昆明 Кызыл commitments implementation monitoring reporting review urban "
    "green blue infrastructure species habitats protected areas sustainable use benefits "
    "equitable sharing indigenous peoples communities knowledge"
).split()


def make_paragraphs(seed: int, size: int = 150_000) -> list[list[str]]:
    """Paragraphs of words, each paragraph one Markdown source line, ~`size` chars."""
    rng = random.Random(seed)
    paragraphs: list[list[str]] = []
    total = 0
    while total < size:
        words = [rng.choice(VOCABULARY) for _ in range(rng.randint(40, 160))]
        words[-1] += "."
        paragraphs.append(words)
        total += sum(len(word) + 1 for word in words) + 1
    return paragraphs


def join(paragraphs: Sequence[Sequence[str]]) -> str:
    return "\n\n".join(" ".join(words) for words in paragraphs if words) + "\n"
