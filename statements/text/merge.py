"""The exact three-way merge of an amendment onto the head (API.md, "The merge").

base is the version the amendment was written against, head the newest version, amended
the amendment's text. Both head and amended are compared with base, and everything
happens in base's coordinates:

1. Each side's changes are the regions of `diff_texts(base, side)` (exact, cleaned up
   semantically), a region being a run of deletions and insertions between equalities,
   as (start, end, replacement) in base; an insertion is a region with start == end.
   Each is widened to whole words (`words.word_changes`).
2. Where a change sits is sometimes a matter of choice. Inserting "big " before "cat"
   in "the cat" is inserting " big" after "the"; deleting one "ab " from "ab ab ab" may
   be the first or the last; and once the clean-up has folded an insertion into a
   neighbouring replacement ("w0" -> "Naw Nhw"), its inserted tail could as well sit on
   the far side of the next space. A diff picks one place, and the diffs of the two
   sides may pick differently. So each region also has a reach: how far its edges could
   move over the equal text around it and leave the same text.
3. Regions of the two sides conflict when
   - their ranges overlap or touch (s1 <= e2 and s2 <= e1), a pure insertion or deletion
     counting as its whole reach, since any place in it is as much its place; or
   - the reaches of both overlap (not merely touch): then both sides put text in the
     same spot, and which comes first, or whether it is one change or two, is open.
   The reach of one replacement alone conflicts with nothing: in "alpha beta", "alpha" ->
   "one two" and "beta" -> "gamma" merge as "one two gamma" (the text is the same
   wherever "two" is imagined), but with "beta" -> "three four" they conflict.
   Conflicting regions cluster transitively over a range of base. A cluster that reads
   the same in head and in the amendment is the same change made on both sides, already
   in head. Any other cluster holding regions of both sides is a conflict.
4. Any conflict: no text, and each conflicting cluster is reported with its text in base,
   in head and in the amendment.
5. Otherwise each amendment region of the other clusters is carried onto head at its
   base position, shifted by the change in length of the head regions before it.

Nothing is searched for, and diff-match-patch's fuzzy patch_apply is never used: it
places a change wherever similar-looking context happens to be, e.g. in the wrong one of
two identical sentences. And because equal changes are recognised by what they do, not
by where a diff happened to put them, a change made on both sides is never applied
twice, nor a repeated word deleted twice: such cases merge once or conflict.
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
    """The text of one conflicting range of base, as it reads in each version, and where
    the range is in base (``start``, ``end``), so that it can be shown in its sentence."""

    base: str
    head: str
    amendment: str
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)

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


def merge_resolving(base: str, head: str, amended: str, resolutions: list[str]) -> str:
    """The merge with each conflict resolved: ``resolutions[i]`` is what the i-th conflict's
    range of base becomes (the head's reading, the amendment's, or new words). Everything
    that does not conflict is merged as ``three_way_merge`` would."""
    clusters = _clusters(_placed_regions(base, head), _placed_regions(base, amended))
    conflicting = [cluster for cluster in clusters if _conflict(base, cluster)]
    if len(resolutions) != len(conflicting):
        raise ValueError(f"{len(conflicting)} conflict(s), {len(resolutions)} resolution(s)")
    chosen = dict(zip((id(c) for c in conflicting), resolutions, strict=True))
    parts, pos = [], 0
    for cluster in clusters:
        if id(cluster) in chosen:
            reading = chosen[id(cluster)]
        else:
            regions = cluster.head or cluster.amendment  # one-sided, or the same both sides
            reading = _reads(base, cluster, regions)
        parts += [base[pos : cluster.start], reading]
        pos = cluster.end
    parts.append(base[pos:])
    return "".join(parts)


def _reads(base: str, cluster: _Cluster, regions: list[Region]) -> str:
    """How the cluster's range of base reads once ``regions`` are applied to it."""
    parts, pos = [], cluster.start
    for region in regions:
        parts += [base[pos : region.start], region.replacement]
        pos = region.end
    parts.append(base[pos : cluster.end])
    return "".join(parts)


def conflicting_regions(base: str, a: str, b: str) -> bool:
    """Do the changes from `base` to `a` and from `base` to `b` conflict?

    Symmetric. This is how to tell which open amendments overlap one another, once
    they are on the same base.
    """
    return changes_conflict(changes(base, a), changes(base, b))


@dataclass(frozen=True)
class Changes:
    """The changes from `base` to one derived text, worked out once so that they can be
    compared with many others (n open amendments make n² pairs to compare)."""

    base: str
    placed: tuple[_Placed, ...]

    @property
    def span(self) -> tuple[int, int]:
        """The footprint of all the changes together; empty (0, -1) for no change."""
        if not self.placed:
            return (0, -1)
        return (min(p.low for p in self.placed), max(p.high for p in self.placed))


def changes(base: str, derived: str) -> Changes:
    return Changes(base, tuple(_placed_regions(base, derived)))


def changes_conflict(a: Changes, b: Changes) -> bool:
    """`conflicting_regions` for changes already worked out against the same base."""
    if a.base is not b.base and a.base != b.base:
        raise ValueError("changes against different bases cannot be compared")
    (a_low, a_high), (b_low, b_high) = a.span, b.span
    if a_high < b_low or b_high < a_low:  # footprints far apart: no cluster can hold both
        return False
    clusters = _clusters(list(a.placed), list(b.placed))
    return any(_conflict(a.base, cluster) for cluster in clusters)


@dataclass(frozen=True)
class _Placed:
    region: Region
    # The footprint, on a doubled axis where 2 * i is offset i and 2 * i + 1 the
    # character after it: footprints that overlap conflict.
    low: int
    high: int


def _placed_regions(base: str, derived: str) -> list[_Placed]:
    changes = word_changes(diff_texts(base, derived), base, derived)
    placed = []
    for index, change in enumerate(changes):
        # Edges may only be imagined elsewhere within the equal text around the region.
        before = changes[index - 1] if index else Change(0, 0, 0, 0)
        after = changes[index + 1] if index + 1 < len(changes) else None
        old_ceiling = after.old_start if after else len(base)
        new_ceiling = after.new_start if after else len(derived)
        left = max(
            _slide_left(derived, change.new_start, change.new_end, before.new_end),
            _slide_left(base, change.old_start, change.old_end, before.old_end),
        )
        right = max(
            _slide_right(derived, change.new_start, change.new_end, new_ceiling),
            _slide_right(base, change.old_start, change.old_end, old_ceiling),
        )
        start, end = change.old_start, change.old_end
        if change.old_start == change.old_end or change.new_start == change.new_end:
            # A pure insertion or deletion is wherever it could equally have been put.
            low, high = 2 * (start - left), 2 * (end + right) + 1
        else:
            # A replacement is where it is: its range, touching included. What its edges
            # could reach counts only where it overlaps what the other side could reach.
            low = 2 * start if not left else 2 * (start - left) + 1
            high = 2 * end + 1 if not right else 2 * (end + right)
        region = Region(start, end, derived[change.new_start : change.new_end])
        placed.append(_Placed(region, low, high))
    return placed


def _slide_right(text: str, start: int, end: int, ceiling: int) -> int:
    """How far some tail of text[start:end] could move right over the equal text that
    follows (up to `ceiling`) and leave the same text: as far as it matches that text."""
    best = 0
    if end >= ceiling:
        return 0
    at = text.rfind(text[end], start, end)
    while at != -1 and best < ceiling - end:
        shift = 0
        while end + shift < ceiling and text[at + shift] == text[end + shift]:
            shift += 1
        best = max(best, shift)
        at = text.rfind(text[end], start, at)
    return best


def _slide_left(text: str, start: int, end: int, floor: int) -> int:
    """The mirror of `_slide_right`: how far some head of text[start:end] could move left
    over the equal text before it (down to `floor`)."""
    best = 0
    if start <= floor:
        return 0
    at = text.find(text[start - 1], start, end)
    while at != -1 and best < start - floor:
        shift = 0
        while start - shift > floor and text[at - shift] == text[start - 1 - shift]:
            shift += 1
        best = max(best, shift)
        at = text.find(text[start - 1], at + 1, end)
    return best


@dataclass
class _Cluster:
    start: int
    end: int
    high: int
    head: list[Region] = field(default_factory=list)
    amendment: list[Region] = field(default_factory=list)


def _clusters(head: list[_Placed], amendment: list[_Placed]) -> list[_Cluster]:
    """Transitive clusters of regions whose footprints overlap, both sides mixed.

    Footprints are intervals, so sorted by their low end a region joins the cluster so
    far exactly when it starts before the cluster's high end.
    """
    tagged = [(placed, True) for placed in head] + [(placed, False) for placed in amendment]
    tagged.sort(key=lambda item: (item[0].low, item[0].high))
    clusters: list[_Cluster] = []
    for placed, from_head in tagged:
        region = placed.region
        if not clusters or placed.low >= clusters[-1].high:
            clusters.append(_Cluster(region.start, region.end, placed.high))
        cluster = clusters[-1]
        # The range reported and compared is what the regions span: any region inside it
        # has a footprint inside the cluster's, so is one of them.
        cluster.start = min(cluster.start, region.start)
        cluster.end = max(cluster.end, region.end)
        cluster.high = max(cluster.high, placed.high)
        (cluster.head if from_head else cluster.amendment).append(region)
    for cluster in clusters:
        cluster.head.sort(key=lambda region: region.start)
        cluster.amendment.sort(key=lambda region: region.start)
    return clusters


def _conflict(base: str, cluster: _Cluster) -> Conflict | None:
    """The conflict a cluster makes, or None: a one-sided cluster, or one that reads the
    same in head and in the amendment (the same change on both sides)."""
    if not (cluster.head and cluster.amendment):
        return None

    # Every region of a side that reaches into the range is in the cluster, so this is
    # exactly how the range reads in that side's text.
    head, amendment = _reads(base, cluster, cluster.head), _reads(base, cluster,
                                                                   cluster.amendment)
    if head == amendment:
        return None
    return Conflict(base[cluster.start : cluster.end], head, amendment, cluster.start,
                    cluster.end)


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
