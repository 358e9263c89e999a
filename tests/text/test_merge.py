"""The three-way merge on the cases people argue about (properties: test_merge_properties)."""

import pytest

from statements.text import merge as merge_module
from statements.text.merge import (
    Conflict,
    MergeResult,
    Region,
    change_regions,
    conflicting_regions,
    three_way_merge,
)
from tests.text.merging import FAMILY, conflicts, merged

# --- the cases people argue about -------------------------------------------------------


def test_edits_to_two_words_separated_by_one_space_merge() -> None:
    base = "alpha beta gamma"
    assert merged(base, "one beta gamma", "alpha two gamma") == "one two gamma"
    assert merged(base, "alpha two gamma", "one beta gamma") == "one two gamma"


def test_edits_to_words_further_apart_merge() -> None:
    base = "We agree to strengthen the momentum for a global framework."
    head = "We agree to strengthen the momentum for an ambitious global framework."
    amended = "We resolve to strengthen the momentum for a global framework."
    assert merged(base, head, amended) == (
        "We resolve to strengthen the momentum for an ambitious global framework."
    )


@pytest.mark.parametrize(
    ("head", "amended"),
    [
        ("the red dog", "the big very red dog"),  # insertion where head's deletion ends
        ("the red dog", "the very big red dog"),  # insertion where head's deletion starts
        ("the large red dog", "the very big red dog"),  # insertion before a replaced word
        ("the large red dog", "the big, red dog"),  # punctuation glued to a replaced word
        ("the big dog", "the big red hound"),  # replacement beside a deletion
    ],
)
def test_an_edit_touching_a_region_the_other_side_changed_conflicts(head, amended) -> None:
    base = "the big red dog"
    assert conflicts(base, head, amended)
    assert conflicts(base, amended, head)


def test_two_edits_in_the_same_word_conflict_and_report_the_whole_word() -> None:
    base = "internationalisation matters"
    found = conflicts(base, "internationalization matters", "Internationalisation matters")
    assert found == [
        Conflict(
            base="internationalisation",
            head="internationalization",
            amendment="Internationalisation",
        )
    ]


def test_a_whitespace_only_edit_merges_with_a_word_edit_elsewhere() -> None:
    base = "First  sentence with a double space. Second sentence ends here."
    head = "First sentence with a double space. Second sentence ends here."
    amended = "First  sentence with a double space. Second sentence ends there."
    assert merged(base, head, amended) == (
        "First sentence with a double space. Second sentence ends there."
    )
    # a paragraph split, also only whitespace
    head = "First  sentence with a double space.\n\nSecond sentence ends here."
    assert merged(base, head, amended) == (
        "First  sentence with a double space.\n\nSecond sentence ends there."
    )


def test_the_same_edit_on_both_sides_is_applied_once() -> None:
    base = "a b c d e f g"
    assert merged(base, "a B c d e f g", "a B c d e f g") == "a B c d e f g"
    assert merged(base, "a B c d e f g", "a B c d e F g") == "a B c d e F g"
    assert merged(base, "a c d e f g", "a c d e f G") == "a c d e f G"  # the same deletion


def test_an_edit_in_one_of_two_identical_sentences_lands_where_it_was_made() -> None:
    base = "We agree. We agree."
    head = "Preamble. We agree. We agree."
    assert merged(base, head, "We agree. We fully agree.") == "Preamble. We agree. We fully agree."
    assert merged(base, head, "We fully agree. We agree.") == "Preamble. We fully agree. We agree."
    # head also changed the length between the two sentences
    head = "We agree, all of us. We agree."
    assert merged(base, head, "We agree. We fully agree.") == "We agree, all of us. We fully agree."


def test_identical_paragraphs_far_apart() -> None:
    paragraph = "The parties agree to review progress every two years."
    base = "\n\n".join([paragraph, "Middle text.", paragraph])
    head = "\n\n".join(["Title", paragraph, "Middle text, amended.", paragraph])
    amended = "\n\n".join([paragraph, "Middle text.", paragraph.replace("two", "three")])
    assert merged(base, head, amended) == "\n\n".join(
        ["Title", paragraph, "Middle text, amended.", paragraph.replace("two", "three")]
    )


@pytest.mark.parametrize(
    ("base", "head", "amended", "expected"),
    [
        ("café au lait", "café au chocolat", "Café au lait", "Café au chocolat"),
        (  # decomposed accent: the combining mark stays with its letter
            "cafe\u0301 au lait",
            "cafe\u0301 au chocolat",
            "cafe\u0300 au lait",
            "cafe\u0300 au chocolat",
        ),
        (
            "昆明 Kunming 宣言",
            "昆明市 Kunming 宣言",
            "昆明 Kunming 宣言書",
            "昆明市 Kunming 宣言書",
        ),
        (
            f"family {FAMILY} here",
            f"family {FAMILY} there",
            "family 👩\u200d👩\u200d👦 here",
            "family 👩\u200d👩\u200d👦 there",
        ),
        ("flags 🇫🇷 🇩🇪 ok", "flags 🇫🇷 🇩🇪 fine", "flags 🇫🇷 🇮🇹 ok", "flags 🇫🇷 🇮🇹 fine"),
        ("São Paulo, Кызыл", "São Paulo, Кызыл.", "Sao Paulo, Кызыл", "Sao Paulo, Кызыл."),
    ],
)
def test_unicode_merges(base, head, amended, expected) -> None:
    assert merged(base, head, amended) == expected


@pytest.mark.parametrize(
    ("base", "head", "amended", "conflict"),
    [
        (  # two edits to one decomposed character are one word
            "cafe\u0301 noir",
            "cafe\u0300 noir",
            "cafe\u0302 noir",
            Conflict("cafe\u0301", "cafe\u0300", "cafe\u0302"),
        ),
        (  # a ZWJ family is one word: never half of it
            f"the {FAMILY} here",
            "the 👩\u200d👩\u200d👦 here",
            "the 👨\u200d👩\u200d👧 here",
            Conflict(FAMILY, "👩\u200d👩\u200d👦", "👨\u200d👩\u200d👧"),
        ),
        (  # CJK without spaces is one word
            "昆明宣言 text",
            "昆明市宣言 text",
            "昆明宣言书 text",
            Conflict("昆明宣言", "昆明市宣言", "昆明宣言书"),
        ),
    ],
)
def test_unicode_conflicts_never_split_a_character(base, head, amended, conflict) -> None:
    assert conflicts(base, head, amended) == [conflict]


@pytest.mark.parametrize(
    ("base", "head", "amended", "verdict"),
    [
        # a multi-word replacement beside a one-word edit: nothing is ambiguous
        ("alpha beta", "one two beta", "alpha gamma", "one two gamma"),
        # both sides added words at the one space between two words: which comes first?
        ("alpha beta", "one two beta", "alpha three four", None),
        # an insertion between two words touches both of them, wherever a diff put it
        ("alpha beta gamma", "alpha new beta gamma", "ALPHA beta gamma", None),
        ("alpha beta gamma", "alpha new beta gamma", "alpha BETA gamma", None),
        ("alpha beta gamma", "alpha new beta gamma", "alpha beta GAMMA", "alpha new beta GAMMA"),
        # so does a deleted word
        ("alpha beta gamma", "alpha gamma", "ALPHA beta gamma", None),
        ("alpha beta gamma", "alpha gamma", "alpha beta GAMMA", None),
        (
            "alpha beta gamma delta",
            "alpha gamma delta",
            "alpha beta gamma DELTA",
            "alpha gamma DELTA",
        ),
        # one of two equal words deleted on one side, with more: never both deleted
        ("a x x b", "A x b", "a x b", None),
        ("a x x b", "a x b", "a x b", "a x b"),
    ],
)
def test_verdicts_at_the_spaces_between_words(base, head, amended, verdict) -> None:
    assert three_way_merge(base, head, amended).text == verdict
    assert three_way_merge(base, amended, head).text == verdict


def test_a_shared_insertion_folded_into_different_replacements_is_not_doubled() -> None:
    """Both sides inserted "new" after w0. The clean-up folds it into "w0" -> "x new" on
    one side and into "w1 w2 w3" -> "new w1 y y" on the other: two regions either side
    of a space that do not touch. Carrying both would say "new new"."""
    base = "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11"
    head = "w0 new w1 y y w4 w5 w6 w7 w8 w9 w10 w11"
    amended = "x new w1 w2 w3 z z z w7 w8 w9 w10 w11"
    result = three_way_merge(base, head, amended)
    assert result.text is None or result.text.count("new") == 1
    assert not result.clean


PARAGRAPHS = [
    "# Strengthening the momentum",
    "We, the cities and regions,\nmeeting in Kunming,",
    "agree to restore ecosystems\nand to protect species.",
    "We call on the parties to act.",
]
BASE = "\n\n".join(PARAGRAPHS) + "\n"


def with_paragraphs(*replacements: tuple[int, str | None]) -> str:
    paragraphs = list(PARAGRAPHS)
    for index, text in replacements:
        paragraphs[index] = text
    return "\n\n".join(p for p in paragraphs if p is not None) + "\n"


def test_multi_line_edits_in_different_paragraphs_merge() -> None:
    head = with_paragraphs((1, "We, the cities, regions and communities,\nmeeting in Kunming,"))
    amended = with_paragraphs(
        (2, "agree to restore degraded ecosystems,\nto protect species\nand to report.")
    )
    assert merged(BASE, head, amended) == with_paragraphs(
        (1, "We, the cities, regions and communities,\nmeeting in Kunming,"),
        (2, "agree to restore degraded ecosystems,\nto protect species\nand to report."),
    )


def test_deleting_a_whole_paragraph_merges_with_an_edit_elsewhere() -> None:
    head = with_paragraphs((2, None))
    amended = with_paragraphs((3, "We call on all parties to act now."))
    expected = with_paragraphs((2, None), (3, "We call on all parties to act now."))
    assert merged(BASE, head, amended) == expected
    assert merged(BASE, amended, head) == expected


def test_deleting_a_paragraph_conflicts_with_an_edit_inside_it() -> None:
    head = with_paragraphs((2, None))
    amended = with_paragraphs((2, "agree to restore ecosystems\nand to protect all species."))
    [conflict] = conflicts(BASE, head, amended)
    assert "protect species" in conflict.base
    assert "protect all species" in conflict.amendment
    assert "protect" not in conflict.head


def test_conflicts_report_each_cluster_and_nothing_merges() -> None:
    base = "one two three four five six seven eight nine ten"
    head = "ONE two three four FIVE six seven eight nine TEN"
    amended = "uno two three four five six seven eight nine diez"
    result = three_way_merge(base, head, amended)
    assert result == MergeResult(
        None, [Conflict("one", "ONE", "uno"), Conflict("ten", "TEN", "diez")]
    )
    assert [c.as_dict() for c in result.conflicts][0] == {
        "base": "one",
        "head": "ONE",
        "amendment": "uno",
    }


def test_conflicts_cluster_transitively() -> None:
    base = "a b c d"
    head = "a Xc d"  # replaces "b c"
    amended = "a b Y"  # replaces "c d"
    assert conflicts(base, head, amended) == [Conflict("b c d", "Xc d", "b Y")]


def test_change_regions_are_in_base_coordinates_and_whole_words() -> None:
    assert change_regions("the cat sat", "the cats sat") == [Region(4, 7, "cats")]
    assert change_regions("the cat sat", "the cat sat down") == [Region(11, 11, " down")]
    assert change_regions("same", "same") == []


def test_conflicting_regions_answers_which_amendments_overlap() -> None:
    base = "alpha beta gamma delta"
    a1, a2, a3 = "ALPHA beta gamma delta", "alpha beta gamma DELTA", "alpha beta gamma Delta"
    assert not conflicting_regions(base, a1, a2)
    assert conflicting_regions(base, a2, a3)
    assert conflicting_regions(base, a3, a2)
    assert not conflicting_regions(base, a2, a2)


def test_merge_result() -> None:
    assert MergeResult("x").clean
    assert not MergeResult(None, [Conflict("a", "b", "c")]).clean


# --- where a diff puts an ambiguous change must not matter ------------------------------


@pytest.mark.parametrize(
    ("base", "head", "head_diff", "amended", "amended_diff", "expected"),
    [
        (  # one insertion, placed after "a" on one side and before "b" on the other
            "a b c",
            "a X b c",
            [(0, "a"), (1, " X"), (0, " b c")],
            "a X b c",
            [(0, "a "), (1, "X "), (0, "b c")],
            "a X b c",
        ),
        (  # one of three equal words deleted: the first on one side, the last on the other
            "ab ab ab",
            "ab ab",
            [(-1, "ab "), (0, "ab ab")],
            "ab ab",
            [(0, "ab ab"), (-1, " ab")],
            "ab ab",
        ),
        (  # the same, with a change elsewhere on the amendment's side
            "ab ab ab. End",
            "ab ab. End",
            [(-1, "ab "), (0, "ab ab. End")],
            "ab ab. Fin",
            [(0, "ab ab"), (-1, " ab"), (0, ". "), (-1, "End"), (1, "Fin")],
            "ab ab. Fin",
        ),
    ],
)
def test_the_same_change_placed_differently_by_the_diffs_is_applied_once(  # noqa: PLR0917
    monkeypatch, base, head, head_diff, amended, amended_diff, expected
) -> None:
    diffs = {head: head_diff, amended: amended_diff}
    monkeypatch.setattr(merge_module, "diff_texts", lambda _, derived: diffs[derived])
    assert merged(base, head, amended) == expected
    assert merged(base, amended, head) == expected


def test_an_insertion_that_could_sit_next_to_the_other_sides_change_conflicts(monkeypatch) -> None:
    """Head replaced "a" by "QQQ X"; the amendment inserted "X" after "a", which its diff
    happened to put before "b". Carrying it would silently double the X."""
    base, head, amended = "a b c", "QQQ X b c", "a X b c"
    diffs = {
        head: [(-1, "a"), (1, "QQQ X"), (0, " b c")],
        amended: [(0, "a "), (1, "X "), (0, "b c")],
    }
    monkeypatch.setattr(merge_module, "diff_texts", lambda _, derived: diffs[derived])
    assert conflicts(base, head, amended) == [Conflict("a ", "QQQ X ", "a X ")]


def test_resolving_each_conflict_keeps_everything_else_merged() -> None:
    from statements.text.merge import merge_resolving, three_way_merge

    base = "Cities protect nature. Regions report every two years. Towns plant trees.\n"
    head = "Cities protect all nature. Regions report every year. Towns plant trees.\n"
    amended = "Cities restore nature. Regions report each year. Towns plant old trees.\n"
    result = three_way_merge(base, head, amended)
    assert len(result.conflicts) == 2
    assert all(base[c.start:c.end] == c.base for c in result.conflicts)
    assert "protect" in result.conflicts[0].base and "two" in result.conflicts[1].base
    # Choose the head's words for one, the amendment's for the other; the clean change
    # ("old trees") is merged either way.
    first, second = result.conflicts
    assert merge_resolving(base, head, amended, [first.head, second.amendment]) == (
        "Cities protect all nature. Regions report each year. Towns plant old trees.\n")
    own = [first.amendment.replace("restore", "guard"), second.head.replace("every year",
                                                                             "yearly")]
    assert merge_resolving(base, head, amended, own) == (
        "Cities guard nature. Regions report yearly. Towns plant old trees.\n")
    clean = three_way_merge(base, head, base.replace("Towns", "Villages"))
    assert merge_resolving(base, head, base.replace("Towns", "Villages"), []) == clean.text
