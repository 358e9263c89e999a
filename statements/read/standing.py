"""How open amendments stand against the head: whether each still merges cleanly, and
which others it overlaps (the moderation queue's questions)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..i18n import _
from ..models import Amendment, Statement, Version
from ..text.merge import Changes, MergeResult, changes, changes_conflict, three_way_merge


def merge_onto_head(amendment: Amendment, head: Version | None = None) -> MergeResult:
    head = head or amendment.statement.head
    return three_way_merge(amendment.base_version.text, head.text, amendment.text)


def open_amendments(statement: Statement) -> list[Amendment]:
    return list(db.session.scalars(
        select(Amendment).where(Amendment.statement_id == statement.id,
                                Amendment.status == "proposed")
        .order_by(Amendment.first_line, Amendment.number)))


@dataclass
class Standing:
    """How an open amendment stands against the head: does it merge cleanly, and which
    other open amendments does it overlap?"""

    applies_cleanly: bool
    overlaps: list[int]


def standings(statement: Statement, only: Amendment | None = None) -> dict[int, Standing]:
    """For every open amendment (or just ``only``). Overlap is judged on the head, after
    carrying both amendments onto it; for one that does not apply cleanly, on their shared
    base if they have one (amendments on different bases that do not both apply cleanly
    cannot be compared and are not reported as overlapping)."""
    head = statement.head
    amendments = open_amendments(statement)
    merged = {a.number: merge_onto_head(a, head) for a in amendments}
    # Each amendment's changes are worked out once, against the head where it merges
    # cleanly, else against its own base; the n² comparisons then only compare regions.
    def placed_changes(a: Amendment) -> Changes:
        clean_text = merged[a.number].text
        if clean_text is not None:
            return changes(head.text, clean_text)
        return changes(a.base_version.text, a.text)

    placed = {a.number: placed_changes(a) for a in amendments}
    own: dict[int, Changes] = {}

    def on_own_base(a: Amendment) -> Changes:
        if a.number not in own:
            own[a.number] = changes(a.base_version.text, a.text)
        return own[a.number]

    def overlap(a: Amendment, b: Amendment) -> bool:
        if placed[a.number].base == placed[b.number].base:
            return changes_conflict(placed[a.number], placed[b.number])
        if a.base_version_id == b.base_version_id:
            return changes_conflict(on_own_base(a), on_own_base(b))
        return False

    result = {a.number: Standing(merged[a.number].clean, [])
              for a in amendments if only is None or a.number == only.number}
    for a in amendments:
        if a.number not in result:
            continue
        for b in amendments:
            if b.number == a.number or (b.number in result and b.number < a.number):
                continue
            if overlap(a, b):
                result[a.number].overlaps.append(b.number)
                if b.number in result:
                    result[b.number].overlaps.append(a.number)
    for entry in result.values():
        entry.overlaps.sort()
    return result


def standing(amendment: Amendment) -> Standing:
    if amendment.decided:
        return Standing(False, [])
    return standings(amendment.statement, only=amendment)[amendment.number]


@dataclass
class PlannedMerge:
    """What "merge every amendment that applies cleanly" will do with one open amendment."""

    amendment: Amendment
    merges: bool
    reason: str  # why it is skipped; empty when it merges


def merge_plan(statement: Statement, known: dict[int, Standing] | None = None
               ) -> list[PlannedMerge]:
    """Every open amendment in text order, merged one after the other onto the head as it
    then stands — exactly as merging them does — saying which will merge and why each other
    one will not (it conflicts with the text, or only with one merged before it)."""
    head = statement.head.text
    every = standings(statement) if known is None else known  # the caller's, if it has them
    overlaps = {number: entry.overlaps for number, entry in every.items()}
    running = head
    merged_before: list[int] = []
    plan = []
    for amendment in open_amendments(statement):
        base = amendment.base_version.text
        result = three_way_merge(base, running, amendment.text)
        if result.text is not None:
            running = result.text
            merged_before.append(amendment.number)
            plan.append(PlannedMerge(amendment, True, ""))
        elif three_way_merge(base, head, amendment.text).text is not None:
            names = [f"A{n}" for n in merged_before if n in overlaps.get(amendment.number, [])]
            reason = (_("it overlaps a change merged just before it (%(amendments)s)",
                        amendments=", ".join(names)) if names else
                      _("it overlaps a change merged just before it (another amendment)"))
            plan.append(PlannedMerge(amendment, False, reason))
        else:
            plan.append(PlannedMerge(amendment, False, _("it conflicts with the current text")))
    return plan
