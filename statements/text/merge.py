"""The exact three-way merge of an amendment onto the head (API.md, "The merge").

base is the version the amendment was written against, head the newest version, amended
the amendment's text. Both head and amended are compared with base, and everything
happens in base's coordinates:

1. Each side's changes are the regions of `diff_texts(base, side)` (exact, cleaned up
   semantically), a region being a run of deletions and insertions between equalities,
   as (start, end, replacement) in base; an insertion is a region with start == end.
   Each is widened to whole words (`words.word_changes`).
2. Where a pure insertion or deletion goes is sometimes a matter of choice: inserting
   "big " before "cat" in "the cat" is inserting " big" after "the"; deleting one "ab "
   from "ab ab ab" may be the first or the last. A diff picks one place, and the diffs of
   the two sides may pick differently. So each such region counts as reaching over every
   place it could equally have gone (its reach); any other region is its own reach.
3. Regions of the two sides whose reaches overlap or touch (s1 <= e2 and s2 <= e1) form
   clusters, transitively, over a range of base. A cluster that reads the same in head
   and in the amendment is the same change made on both sides, already in head. Any
   other cluster holding regions of both sides is a conflict.
4. Any conflict: no text, and each conflicting cluster is reported with its text in base,
   in head and in the amendment.
5. Otherwise each amendment region of the other clusters is carried onto head at its
   base position, shifted by the change in length of the head regions before it.

Nothing is searched for, and diff-match-patch's fuzzy patch_apply is never used: it
places a change wherever similar-looking context happens to be, e.g. in the wrong one of
two identical sentences. And because equal changes are recognised by what they do, not
by where a diff happened to put them, a change made on both sides is never applied
twice, nor a repeated word deleted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .diff import diff_texts
from .words import Change, word_changes


@dataclass(frozen=True)
class Region:
    """base[start:end] is replaced by `replacement`; start == end for an insertion."""

    start: int
    end: int
    replacement: str

    @property
    def growth(self) -> int:
        return len(self.replacement) - (self.end - self.start)


@dataclass(frozen=True)
class Conflict:
    """The text of one conflicting range of base, as it reads in each version."""

    base: str
    head: str
    amendment: str

    def as_dict(self) -> dict[str, str]:
        return {"base": self.base, "head": self.head, "amendment": self.amendment}


@dataclass(frozen=True)
class MergeResult:
    """The merged text, or None with the conflicts that prevented it."""

    text: str | None
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


class MergeError(RuntimeError):
    """An internal inconsistency: raised rather than return a wrongly merged text."""


def change_regions(base: str, derived: str) -> list[Region]:
    """The changes from `base` to `derived`, widened to whole words, in base order."""
    return [placed.region for placed in _placed_regions(base, derived)]


def three_way_merge(base: str, head: str, amended: str) -> MergeResult:
    """Merge the change from `base` to `amended` onto `head`, which also derives from base."""
    head_regions = _placed_regions(base, head)
    clusters = _clusters(head_regions, _placed_regions(base, amended))
    found = [conflict for cluster in clusters if (conflict := _conflict(base, cluster))]
    if found:
        return MergeResult(None, found)
    to_carry = [region for cluster in clusters if not cluster.head for region in cluster.amendment]
    return MergeResult(_carry(base, head, [p.region for p in head_regions], to_carry), [])


def conflicting_regions(base: str, a: str, b: str) -> bool:
    """Do the changes from `base` to `a` and from `base` to `b` conflict?

    Symmetric. This is how to tell which open amendments overlap one another, once
    they are on the same base.
    """
    clusters = _clusters(_placed_regions(base, a), _placed_regions(base, b))
    return any(_conflict(base, cluster) for cluster in clusters)


@dataclass(frozen=True)
class _Placed:
    region: Region
    reach_start: int
    reach_end: int


def _placed_regions(base: str, derived: str) -> list[_Placed]:
    changes = word_changes(diff_texts(base, derived), base, derived)
    placed = []
    for index, change in enumerate(changes):
        # A region may only be imagined elsewhere within the equal text around it.
        before = changes[index - 1] if index else Change(0, 0, 0, 0)
        after = changes[index + 1] if index + 1 < len(changes) else None
        old_limit = after.old_start if after else len(base)
        new_limit = after.new_start if after else len(derived)
        region = Region(
            change.old_start, change.old_end, derived[change.new_start : change.new_end]
        )
        if change.old_start == change.old_end:  # pure insertion: slides in derived
            left, right = _slide(
                derived, change.new_start, change.new_end, before.new_end, new_limit
            )
        elif change.new_start == change.new_end:  # pure deletion: slides in base
            left, right = _slide(base, change.old_start, change.old_end, before.old_end, old_limit)
        else:
            left = right = 0
        placed.append(_Placed(region, change.old_start - left, change.old_end + right))
    return placed


def _slide(text: str, start: int, end: int, floor: int, ceiling: int) -> tuple[int, int]:
    """How far text[start:end] could move left and right and leave the same text around it:
    a run can move one character left when the character before it equals its own last,
    one right when the character after it equals its own first."""
    left = 0
    while start - left > floor and text[start - left - 1] == text[end - left - 1]:
        left += 1
    right = 0
    while end + right < ceiling and text[start + right] == text[end + right]:
        right += 1
    return left, right


@dataclass
class _Cluster:
    start: int
    end: int
    head: list[Region] = field(default_factory=list)
    amendment: list[Region] = field(default_factory=list)


def _clusters(head: list[_Placed], amendment: list[_Placed]) -> list[_Cluster]:
    """Transitive clusters of regions whose reaches overlap or touch, both sides mixed.

    Sorted by start, a region joins the cluster so far exactly when its reach starts at
    or before the cluster's end: reaches are intervals.
    """
    tagged = [(placed, True) for placed in head] + [(placed, False) for placed in amendment]
    tagged.sort(key=lambda item: (item[0].reach_start, item[0].reach_end))
    clusters: list[_Cluster] = []
    for placed, from_head in tagged:
        if not clusters or placed.reach_start > clusters[-1].end:
            clusters.append(_Cluster(placed.reach_start, placed.reach_end))
        cluster = clusters[-1]
        cluster.end = max(cluster.end, placed.reach_end)
        (cluster.head if from_head else cluster.amendment).append(placed.region)
    for cluster in clusters:
        cluster.head.sort(key=lambda region: region.start)
        cluster.amendment.sort(key=lambda region: region.start)
    return clusters


def _conflict(base: str, cluster: _Cluster) -> Conflict | None:
    """The conflict a cluster makes, or None: a one-sided cluster, or one that reads the
    same in head and in the amendment (the same change on both sides)."""
    if not (cluster.head and cluster.amendment):
        return None

    def reads(regions: list[Region]) -> str:
        # Every region of this side that reaches into the range is in the cluster, so
        # this is exactly how the range reads in that side's text.
        parts, pos = [], cluster.start
        for region in regions:
            parts += [base[pos : region.start], region.replacement]
            pos = region.end
        parts.append(base[pos : cluster.end])
        return "".join(parts)

    head, amendment = reads(cluster.head), reads(cluster.amendment)
    if head == amendment:
        return None
    return Conflict(base[cluster.start : cluster.end], head, amendment)


def _carry(base: str, head: str, head_regions: list[Region], amendment: list[Region]) -> str:
    """Apply amendment regions to `head`, mapping base offsets through head's edits.

    The regions come from clusters without head regions, so each head region lies wholly
    before or wholly after each of them.
    """
    parts: list[str] = []
    cursor = 0  # in head
    shift = 0  # head offset minus base offset, past the head regions seen so far
    seen = 0
    for region in sorted(amendment, key=lambda region: region.start):
        while seen < len(head_regions) and head_regions[seen].end < region.start:
            shift += head_regions[seen].growth
            seen += 1
        start, end = region.start + shift, region.end + shift
        # What the amendment replaces must be in head, unchanged, exactly there.
        if head[start:end] != base[region.start : region.end] or start < cursor:
            raise MergeError("an amendment region does not map onto the head")
        parts += [head[cursor:start], region.replacement]
        cursor = end
    parts.append(head[cursor:])
    return "".join(parts)
