"""How open amendments stand against the head: whether each still merges cleanly, and
which others it overlaps (the moderation queue's questions), and what merging every clean
one would do.

The cost is all in diffing and merging texts, and the answers are pure functions of
texts that do not change (a version never does; an amendment brought up to date gets a
new text): so each amendment's standing on a head, and each step of the merge plan, is
worked out once per process and kept under the digests of its texts (`memo`). Which
amendments overlap is then a sweep over their changed ranges on the head, sorted, so that
only amendments whose ranges meet are compared at all: no diff, and no comparison, per
pair of amendments that are far apart.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy import select

from ..extensions import db
from ..i18n import _
from ..models import Amendment, Statement, Version
from ..text.merge import Changes, MergeResult, changes, changes_conflict, three_way_merge
from .memo import Digest, Digests, Memo


def merge_onto_head(amendment: Amendment, head: Version | None = None) -> MergeResult:
    head = head or amendment.statement.head
    return three_way_merge(amendment.base_version.text, head.text, amendment.text)


def open_amendments(statement: Statement) -> list[Amendment]:
    return list(db.session.scalars(
        select(Amendment).where(Amendment.statement_id == statement.id,
                                Amendment.status == "proposed")
        .order_by(Amendment.first_line, Amendment.number)))


# --- what is kept -------------------------------------------------------------------------

# (base, head, amendment) -> does it merge cleanly, and its changes: on the head where it
# does (the amendment carried onto it), else on its own base. Small: the changes hold the
# text they are on, which is shared.
_ON_HEAD: Memo[tuple[Digest, Digest, Digest], tuple[bool, Changes]] = Memo(20_000)
# (base, derived) -> the changes from base to derived.
_CHANGES: Memo[tuple[Digest, Digest], Changes] = Memo(20_000)
# (base, text so far, amendment) -> the merged text or None: the merge plan's steps. Weighed
# by the length of the text kept.
_MERGED: Memo[tuple[Digest, Digest, Digest], str | None] = Memo(
    24_000_000, weigh=lambda text: len(text) if text else 1)


def _changes(digest: Digests, base: str, derived: str) -> Changes:
    return _CHANGES.get_or_make((digest(base), digest(derived)), lambda: changes(base, derived))


def _merged(digest: Digests, base: str, onto: str, amended: str) -> str | None:
    return _MERGED.get_or_make((digest(base), digest(onto), digest(amended)),
                               lambda: three_way_merge(base, onto, amended).text)


def _on_head(digest: Digests, amendment: Amendment, head: str) -> tuple[bool, Changes]:
    base, amended = amendment.base_version.text, amendment.text

    def work() -> tuple[bool, Changes]:
        merged = three_way_merge(base, head, amended).text
        if merged is None:
            return False, _changes(digest, base, amended)
        return True, _changes(digest, head, merged)

    return _ON_HEAD.get_or_make((digest(base), digest(head), digest(amended)), work)


def applies_cleanly(amendment: Amendment, head: Version | None = None,
                    digests: Digests | None = None) -> bool:
    """Does ``amendment`` merge onto ``head`` (by default the statement's) without
    conflict? The same answer as ``merge_onto_head(...).clean``, kept."""
    head = head or amendment.statement.head
    return _on_head(digests or Digests(), amendment, head.text)[0]


# --- which overlap ------------------------------------------------------------------------

@dataclass(frozen=True)
class Placement:
    """One open amendment, placed for comparison with the others."""

    number: int
    base: Hashable  # the version it was written against
    changes: Changes  # on the head where it merges cleanly, else on its own base
    own: Callable[[], Changes]  # its changes on its own base (worked out when needed)


def _touching(group: Iterable[tuple[int, Changes]]) -> set[tuple[int, int]]:
    """Pairs (smaller number first) of a group's amendments, all on one base, some of whose
    changes have footprints that overlap: only those can conflict (a cluster holds both
    sides only once a region of one starts inside the footprint of one of the other).
    Sorted by where they start and swept, with the footprints still open in a heap."""
    events = sorted((placed.low, placed.high, number)
                    for number, found in group for placed in found.placed)
    open_: list[tuple[int, int]] = []  # (high, number)
    pairs: set[tuple[int, int]] = set()
    for low, high, number in events:
        while open_ and open_[0][0] <= low:
            heapq.heappop(open_)
        for _high, other in open_:
            if other != number:
                pairs.add((min(number, other), max(number, other)))
        heapq.heappush(open_, (high, number))
    return pairs


def overlaps(placements: Sequence[Placement], only: int | None = None) -> dict[int, list[int]]:
    """For every placement (or just number ``only``), the numbers of the others it overlaps,
    in order. Two amendments placed on the same text overlap when their changes there
    conflict; placed on different texts (one does not apply cleanly), when their changes
    on their own base conflict, if they share one; else they are not compared."""
    by_number = {p.number: p for p in placements}
    groups: dict[str, list[Placement]] = {}
    for p in placements:
        groups.setdefault(p.changes.base, []).append(p)
    group_of = {p.number: index for index, members in enumerate(groups.values())
                for p in members}
    found: set[tuple[int, int]] = set()

    def wanted(pair: tuple[int, int]) -> bool:
        return only is None or only in pair

    for members in groups.values():
        for a, b in sorted(_touching((p.number, p.changes) for p in members)):
            if wanted((a, b)) and changes_conflict(by_number[a].changes, by_number[b].changes):
                found.add((a, b))
    # Amendments on one base, placed on different texts: compared on that base.
    by_base: dict[Hashable, list[Placement]] = {}
    for p in placements:
        by_base.setdefault(p.base, []).append(p)
    for members in by_base.values():
        if len({group_of[p.number] for p in members}) < 2:
            continue
        if only is not None and only not in {p.number for p in members}:
            continue
        own = {p.number: p.own() for p in members}
        for a, b in sorted(_touching(own.items())):
            if group_of[a] != group_of[b] and wanted((a, b)) and changes_conflict(own[a],
                                                                                  own[b]):
                found.add((a, b))
    result: dict[int, list[int]] = {p.number: [] for p in placements
                                    if only is None or p.number == only}
    for a, b in found:
        if a in result:
            result[a].append(b)
        if b in result:
            result[b].append(a)
    for numbers in result.values():
        numbers.sort()
    return result


@dataclass
class Standing:
    """How an open amendment stands against the head: does it merge cleanly, and which
    other open amendments does it overlap?"""

    applies_cleanly: bool
    overlaps: list[int]


def standings(statement: Statement, only: Amendment | None = None, *,
              amendments: Sequence[Amendment] | None = None,
              digests: Digests | None = None) -> dict[int, Standing]:
    """For every open amendment (or just ``only``). Overlap is judged on the head, after
    carrying both amendments onto it; for one that does not apply cleanly, on their shared
    base if they have one (amendments on different bases that do not both apply cleanly
    cannot be compared and are not reported as overlapping).

    ``amendments``: the open amendments, when the caller has loaded them already (as
    `open_amendments` does); ``digests``: the caller's, to digest each text once.

    Costs one query, and per amendment a merge and a diff the first time this process sees
    it on this head, a lookup after that; then a sort of all their changed ranges."""
    head = statement.head.text
    digest = digests or Digests()
    placements, clean = [], {}
    for a in open_amendments(statement) if amendments is None else amendments:
        applies, placed = _on_head(digest, a, head)
        clean[a.number] = applies
        placements.append(Placement(a.number, a.base_version_id, placed,
                                    partial(_changes, digest, a.base_version.text, a.text)))
    number = None if only is None else only.number
    return {n: Standing(clean[n], numbers)
            for n, numbers in overlaps(placements, number).items()}


def standing(amendment: Amendment) -> Standing:
    if amendment.decided:
        return Standing(False, [])
    return standings(amendment.statement, only=amendment)[amendment.number]


# --- merging every clean one --------------------------------------------------------------

@dataclass
class PlannedMerge:
    """What "merge every amendment that applies cleanly" will do with one open amendment."""

    amendment: Amendment
    merges: bool
    reason: str  # why it is skipped; empty when it merges


def merge_plan(statement: Statement, known: dict[int, Standing] | None = None, *,
               amendments: Sequence[Amendment] | None = None,
               digests: Digests | None = None) -> list[PlannedMerge]:
    """Every open amendment in text order, merged one after the other onto the head as it
    then stands — exactly as merging them does — saying which will merge and why each other
    one will not (it conflicts with the text, or only with one merged before it).

    Each step is the very merge that merging does, so the first time this process sees a
    queue it costs one merge per amendment (the text so far growing with each merged);
    each step is kept, so after that, and for every amendment before a new one, a lookup.
    ``amendments`` and ``digests`` as for `standings`."""
    head = statement.head
    digest = digests or Digests()
    if amendments is None:
        amendments = open_amendments(statement)
    every = (standings(statement, amendments=amendments, digests=digest) if known is None
             else known)  # the caller's, if it has them
    overlapping = {number: entry.overlaps for number, entry in every.items()}
    running = head.text
    merged_before: list[int] = []
    plan = []
    for amendment in amendments:
        merged = _merged(digest, amendment.base_version.text, running, amendment.text)
        if merged is not None:
            running = merged
            merged_before.append(amendment.number)
            plan.append(PlannedMerge(amendment, True, ""))
        elif applies_cleanly(amendment, head, digest):
            names = [f"A{n}" for n in merged_before
                     if n in overlapping.get(amendment.number, [])]
            reason = (_("it overlaps a change merged just before it (%(amendments)s)",
                        amendments=", ".join(names)) if names else
                      _("it overlaps a change merged just before it (another amendment)"))
            plan.append(PlannedMerge(amendment, False, reason))
        else:
            plan.append(PlannedMerge(amendment, False, _("it conflicts with the current text")))
    return plan
