"""What the moderation queue's bookkeeping answers does not depend on how fast it is.

`standing.overlaps` sweeps the amendments' changed ranges instead of comparing every pair:
on generated amendments (many touching the same words, some on an older base, some not
applying cleanly) it gives exactly what the pairwise comparison gave. What is kept per
process (`read.memo`) is keyed by content, so a new head or a rebased amendment is worked
out anew, and a kept answer is the one that working it out again gives.
"""

from __future__ import annotations

from functools import partial
from itertools import combinations

from flask import Flask
from hypothesis import event, given, settings
from hypothesis import strategies as st

from statements.database import write_transaction
from statements.extensions import db
from statements.models import Statement, User
from statements.operations.amendments import accept
from statements.read import standing as standing_module
from statements.read.memo import Digests, Memo
from statements.read.standing import Placement, merge_plan, open_amendments, overlaps, standings
from statements.text.merge import changes, changes_conflict, three_way_merge
from tests.factories import make_amendment, make_statement, make_user

# --- the sweep gives what the pairwise comparison gave -------------------------------------

# Few words, often repeated: amendments touch the same words and where a change sits is
# often a matter of choice.
WORDS = st.sampled_from(["a", "b", "ab", "the", "cat", "sat", "x,", "é"])
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", "\n\n"])


@st.composite
def texts(draw: st.DrawFn) -> list[str]:
    return draw(st.lists(WORDS, min_size=2, max_size=14))


def render(words: list[str], separators: list[str]) -> str:
    return "".join(w + separators[i % len(separators)] for i, w in enumerate(words)).rstrip()


@st.composite
def edited(draw: st.DrawFn, words: list[str]) -> list[str]:
    out = list(words)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(out) - 1))
        kind = draw(st.sampled_from(["replace", "insert", "delete"] if len(out) > 1
                                    else ["replace", "insert"]))
        if kind == "replace":
            out[at] = draw(WORDS) + "N"
        elif kind == "insert":
            out.insert(at, draw(WORDS) + "I")
        else:
            del out[at]
    return out


@st.composite
def queues(draw: st.DrawFn) -> tuple[str, list[tuple[int, int, str, str]]]:
    """A head, and open amendments as (number, base version, base text, text): on the
    first version or on the head (which edits it, or not)."""
    separators = draw(st.lists(SEPARATORS, min_size=1, max_size=4))
    first = draw(texts())
    head = draw(edited(first)) if draw(st.booleans()) else first
    versions = {1: render(first, separators), 2: render(head, separators)}
    words = {1: first, 2: head}
    amendments = []
    numbers = draw(st.lists(st.integers(1, 40), min_size=1, max_size=8, unique=True))
    for number in numbers:
        base = draw(st.sampled_from([1, 2]))
        amendments.append((number, base, versions[base],
                           render(draw(edited(words[base])), separators)))
    return versions[2], amendments


def pairwise(head: str, amendments: list[tuple[int, int, str, str]]) -> dict[int, list[int]]:
    """Which overlap, as standings worked it out before: every pair compared."""
    merged = {n: three_way_merge(base, head, text) for n, _, base, text in amendments}
    placed = {n: changes(head, merged[n].text) if merged[n].text is not None
              else changes(base, text) for n, _, base, text in amendments}
    own = {n: changes(base, text) for n, _, base, text in amendments}
    base_of = {n: version for n, version, _, _ in amendments}

    def overlap(a: int, b: int) -> bool:
        if placed[a].base == placed[b].base:
            return changes_conflict(placed[a], placed[b])
        if base_of[a] == base_of[b]:
            return changes_conflict(own[a], own[b])
        return False

    result: dict[int, list[int]] = {n: [] for n in base_of}
    for a, b in combinations(sorted(base_of), 2):
        if overlap(a, b):
            result[a].append(b)
            result[b].append(a)
    return {n: sorted(numbers) for n, numbers in result.items()}


def placements(head: str, amendments: list[tuple[int, int, str, str]]) -> list[Placement]:
    out = []
    for number, version, base, text in amendments:
        merged = three_way_merge(base, head, text).text
        placed = changes(head, merged) if merged is not None else changes(base, text)
        out.append(Placement(number, version, placed, partial(changes, base, text)))
    return out


@settings(max_examples=300, deadline=None)
@given(queues())
def test_the_sweep_finds_exactly_the_overlaps_the_pairwise_check_found(
        queue: tuple[str, list[tuple[int, int, str, str]]]) -> None:
    head, amendments = queue
    expected = pairwise(head, amendments)
    placed = placements(head, amendments)
    event("some overlap" if any(expected.values()) else "none overlap")
    if len({p.changes.base for p in placed}) > 1:
        event("placed on different texts")
    assert overlaps(placed) == expected
    for number, *_ in amendments:
        assert overlaps(placed, only=number) == {number: expected[number]}


def test_the_generated_queues_do_overlap() -> None:
    """The property above is not vacuous: amendments on the same words overlap, on the
    head and, when one no longer applies cleanly, on their shared base."""
    head = "the cat sat on the mat"
    amendments = [(1, 1, "the cat sat", "the dog sat"), (2, 1, "the cat sat", "the cow sat"),
                  (3, 2, head, "the cat sat on the rug"), (4, 2, head, "a cat sat on the mat")]
    expected = pairwise(head, amendments)
    assert expected[1] == [2] and expected[2] == [1]
    assert overlaps(placements(head, amendments)) == expected


def test_amendments_that_change_nothing_or_far_apart_do_not_overlap() -> None:
    head = "one two three four five six seven"
    amendments = [(1, 1, head, head), (2, 1, head, head.replace("two", "2")),
                  (3, 1, head, head.replace("six", "6"))]
    assert overlaps(placements(head, amendments)) == {1: [], 2: [], 3: []}


# --- what is kept ---------------------------------------------------------------------------

def test_a_memo_keeps_values_even_none_and_drops_the_least_recently_used() -> None:
    made: list[str] = []

    def make(value: str | None, key: str) -> str | None:
        made.append(key)
        return value

    memo: Memo[str, str | None] = Memo(10, weigh=lambda v: len(v) if v else 1)
    assert memo.get_or_make("none", partial(make, None, "none")) is None
    assert memo.get_or_make("none", partial(make, "other", "none")) is None
    assert made == ["none"]
    memo.get_or_make("a", partial(make, "aaaa", "a"))
    memo.get_or_make("b", partial(make, "bbbb", "b"))
    memo.get_or_make("none", partial(make, None, "none"))  # used again: kept longest
    memo.get_or_make("c", partial(make, "cccc", "c"))  # 1 + 4 + 4 + 4 > 10: "a" goes
    assert memo.get_or_make("a", partial(make, "again", "a")) == "again"
    assert made == ["none", "a", "b", "c", "a"]
    assert memo.get_or_make("huge", partial(make, "x" * 11, "huge")) == "x" * 11
    assert memo.get_or_make("huge", partial(make, "y" * 11, "huge")) == "y" * 11  # not kept


def test_digests_are_of_the_content() -> None:
    digest = Digests()
    text = "".join(["the ", "text"])
    assert digest(text) == digest("the text") == Digests()(text)
    assert digest("the text") != digest("the text ")


def _clear() -> None:
    for memo in (standing_module._ON_HEAD, standing_module._CHANGES, standing_module._MERGED):
        memo.clear()


def _statement(slug: str) -> Statement:
    return db.session.execute(db.select(Statement).where(Statement.slug == slug)).scalar_one()


TEXT = ("Cities commit to protect urban ecosystems.\n\n"
        "Regions connect green corridors.\n\n"
        "Everyone reports on progress every two years.\n")


def test_kept_standings_and_plan_are_what_working_them_out_again_gives(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending", text=TEXT)
    delegate = make_user(app)
    for old, new in [("urban", "all urban"), ("urban", "every urban"), ("green", "blue"),
                     ("two", "three")]:
        make_amendment(app, slug, delegate, text=TEXT.replace(old, new, 1))
    with app.app_context():
        _clear()
        statement = _statement(slug)
        cold = standings(statement)
        cold_plan = [(p.amendment.number, p.merges, p.reason) for p in merge_plan(statement)]
        kept = standings(statement)
        kept_plan = [(p.amendment.number, p.merges, p.reason) for p in merge_plan(statement)]
        only = {a.number: standings(statement, only=a)[a.number]
                for a in open_amendments(statement)}
    assert cold == kept == only
    assert cold_plan == kept_plan
    assert cold[1].overlaps == [2] and cold[2].overlaps == [1] and not cold[3].overlaps
    assert [merges for _, merges, _ in cold_plan] == [True, False, True, True]


def test_a_new_head_is_worked_out_anew(app: Flask) -> None:
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending", text=TEXT)
    delegate = make_user(app)
    first = make_amendment(app, slug, delegate, text=TEXT.replace("urban", "all urban", 1))
    second = make_amendment(app, slug, delegate, text=TEXT.replace("urban", "every urban", 1))
    with app.app_context():
        before = standings(_statement(slug))  # kept
    assert before[first].applies_cleanly and before[second].applies_cleanly
    assert before[second].overlaps == [first]
    with app.app_context(), write_transaction():
        statement = _statement(slug)
        amendment = next(a for a in open_amendments(statement) if a.number == first)
        accept(db.session.get(User, moderator.id), amendment)
    with app.app_context():
        after = standings(_statement(slug))
    assert list(after) == [second]
    assert not after[second].applies_cleanly and after[second].overlaps == []
