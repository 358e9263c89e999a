"""Properties of the three-way merge, checked on generated edits, and a merge at scale."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from statements.text.merge import MergeResult, conflicting_regions, three_way_merge
from tests.text.merging import FAMILY, conflicts, merged

# --- properties --------------------------------------------------------------------------

STEMS = ["w", "é", "昆明", FAMILY, "e\u0301", "Кы", "a.b", "x,"]
SEPARATORS = [" ", " ", " ", "\n", "\n\n", "  "]
ANY_TEXT = st.text(
    alphabet=st.sampled_from(["a", "b", " ", "\n", "é", "\u0301", "昆", "🙂", "\u200d", "."])
)


@st.composite
def bases(draw, min_words=1):
    """A base as (word, separator) pairs; every word is unique (stem + index)."""
    count = draw(st.integers(min_words, 24))
    return [
        (draw(st.sampled_from(STEMS)) + str(n), draw(st.sampled_from(SEPARATORS)))
        for n in range(count)
    ]


def render(pairs) -> str:
    text = "".join(word + sep for word, sep in pairs)
    return text[: len(text) - len(pairs[-1][1])] if pairs else ""


def edit_op(draw, words: int, index: int, tag: str):
    kind = draw(
        st.sampled_from(["replace", "delete", "insert"] if words > 1 else ["replace", "insert"])
    )
    return (kind, index, f"N{tag}{draw(st.sampled_from(STEMS))}")


def apply_ops(pairs, ops):
    """Apply word operations to a base; ops are (kind, index, new word), one per index."""
    out = []
    by_index = {index: (kind, word) for kind, index, word in ops}
    for index, (word, sep) in enumerate(pairs):
        kind, new = by_index.get(index, ("keep", None))
        if kind == "insert":
            out += [(new, " "), (word, sep)]
        elif kind == "replace":
            out.append((new, sep))
        elif kind == "keep":
            out.append((word, sep))
        elif out and index == len(pairs) - 1:  # deleting the last word takes the space before
            out[-1] = (out[-1][0], sep)
    return out


@settings(max_examples=150, deadline=None)
@given(ANY_TEXT, ANY_TEXT)
def test_merging_onto_its_own_base_gives_the_amended_text(base, amended) -> None:
    assert three_way_merge(base, base, amended) == MergeResult(amended, [])


@settings(max_examples=150, deadline=None)
@given(ANY_TEXT, ANY_TEXT)
def test_merging_onto_a_head_equal_to_the_amendment_gives_it(base, amended) -> None:
    assert three_way_merge(base, amended, amended) == MergeResult(amended, [])


@settings(max_examples=100, deadline=None)
@given(ANY_TEXT, ANY_TEXT)
def test_an_amendment_that_changes_nothing_leaves_the_head(base, head) -> None:
    assert three_way_merge(base, head, base) == MergeResult(head, [])


@st.composite
def separated_edits(draw):
    pairs = draw(bases(min_words=5))
    i = draw(st.integers(0, len(pairs) - 1))
    j = draw(st.integers(0, len(pairs) - 1).filter(lambda j: abs(j - i) >= 3))
    return pairs, edit_op(draw, len(pairs), i, "h"), edit_op(draw, len(pairs), j, "a")


@settings(max_examples=200, deadline=None)
@given(separated_edits())
def test_separated_edits_merge_in_either_order_with_both_changes(case) -> None:
    pairs, head_op, amend_op = case
    base = render(pairs)
    head, amended = render(apply_ops(pairs, [head_op])), render(apply_ops(pairs, [amend_op]))
    expected = render(apply_ops(pairs, [head_op, amend_op]))
    assert merged(base, head, amended) == expected
    assert merged(base, amended, head) == expected
    assert not conflicting_regions(base, head, amended)


def ambiguous(ops) -> bool:
    """Deleting a word and inserting one just after it is, as text, replacing the word:
    no merge can tell which was meant, so such a side has no single right answer."""
    kinds = {(kind, index) for kind, index, _ in ops}
    return any(("delete", index) in kinds and ("insert", index + 1) in kinds for _, index, _ in ops)


@st.composite
def edit_sets(draw):
    """Edits on both sides, at most one per word and side. Where both sides edit the same
    word, it is the very same edit: two different edits of one word have no single right
    merge to compare with (see the next test)."""
    pairs = draw(bases())
    indices = range(len(pairs))
    head_at = draw(st.sets(st.sampled_from(indices), max_size=4))
    amend_at = draw(st.sets(st.sampled_from([i for i in indices if i not in head_at] or [None])))
    head_ops = [edit_op(draw, len(pairs), i, "h") for i in sorted(head_at)]
    amend_ops = [edit_op(draw, len(pairs), i, "a") for i in sorted(amend_at - {None})][:4]
    if head_ops:
        amend_ops += draw(st.lists(st.sampled_from(head_ops), max_size=2, unique=True))
    assume(not ambiguous(head_ops) and not ambiguous(amend_ops))
    return pairs, head_ops, amend_ops


@settings(max_examples=300, deadline=None)
@given(edit_sets())
def test_a_merge_keeps_every_change_of_both_sides_or_reports_a_conflict(case) -> None:
    pairs, head_ops, amend_ops = case
    base = render(pairs)
    head, amended = render(apply_ops(pairs, head_ops)), render(apply_ops(pairs, amend_ops))
    result = three_way_merge(base, head, amended)
    assert conflicting_regions(base, head, amended) == (not result.clean)
    if not result.clean:
        assert result.text is None
        for conflict in result.conflicts:
            assert conflict.base in base
            assert conflict.head in head
            assert conflict.amendment in amended
            assert conflict.head != conflict.amendment
        return
    together = head_ops + [op for op in amend_ops if op not in head_ops]
    assert result.text == render(apply_ops(pairs, together))


@settings(max_examples=100, deadline=None)
@given(bases(min_words=2), st.data())
def test_two_different_replacements_or_deletions_of_one_word_always_conflict(pairs, data) -> None:
    index = data.draw(st.integers(0, len(pairs) - 1))
    head_op = (data.draw(st.sampled_from(["replace", "delete"])), index, "Nh")
    amend_op = (data.draw(st.sampled_from(["replace", "delete"])), index, "Na")
    assume(head_op[0] == "replace" or amend_op[0] == "replace")
    base = render(pairs)
    head, amended = render(apply_ops(pairs, [head_op])), render(apply_ops(pairs, [amend_op]))
    [conflict] = conflicts(base, head, amended)
    assert pairs[index][0] in conflict.base


@settings(max_examples=100, deadline=None)
@given(edit_sets())
def test_conflicts_are_symmetric(case) -> None:
    pairs, head_ops, amend_ops = case
    base = render(pairs)
    head, amended = render(apply_ops(pairs, head_ops)), render(apply_ops(pairs, amend_ops))
    forward, backward = three_way_merge(base, head, amended), three_way_merge(base, amended, head)
    assert forward.clean == backward.clean
    assume(forward.clean)
    assert forward.text == backward.text


# --- scale -------------------------------------------------------------------------------


def test_a_hundred_amendments_to_the_original_merge_in_turn(corpus) -> None:
    """Each amendment is made against the original 150 KB text, at its own place; merged
    one after another onto the moving head they give exactly the text with all 100."""
    base = corpus.text
    paragraphs = len(corpus.paragraphs)
    assert paragraphs >= 150
    expected = corpus.copy()
    amendments = []
    for k in range(100):
        target = (k * paragraphs) // 100
        amended = corpus.copy()
        for version in (amended, expected):
            words = version[target]
            middle = len(words) // 2
            if k % 4 == 0:
                words[middle] = f"replaced{k}"
            elif k % 4 == 1:
                words.insert(middle, f"inserted{k}")
            elif k % 4 == 2:
                del words[middle]
            else:
                words[middle : middle + 3] = [f"three{k}", "words", "rewritten"]
        amendments.append(corpus.join(amended))

    head = base
    for amended in amendments:
        head = merged(base, head, amended)

    assert head == corpus.join(expected)
