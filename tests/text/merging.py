"""Helpers shared by the merge tests."""

from __future__ import annotations

from statements.text.merge import Conflict, three_way_merge

FAMILY = "👩\u200d👩\u200d👧"


def merged(base: str, head: str, amended: str) -> str:
    result = three_way_merge(base, head, amended)
    assert result.clean, result.conflicts
    assert result.text is not None
    return result.text


def conflicts(base: str, head: str, amended: str) -> list[Conflict]:
    result = three_way_merge(base, head, amended)
    assert not result.clean
    assert result.text is None
    return result.conflicts
