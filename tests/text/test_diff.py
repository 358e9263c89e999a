import importlib
import itertools
from types import SimpleNamespace

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st

from statements.text import diff as diff_module
from statements.text import words as words_module
from statements.text.diff import (
    PatchError,
    apply_patch_exact,
    diff_html,
    diff_texts,
    diffs_to_json,
    patch_text,
)
from statements.text.words import inside_word

# The module, not the class the package re-exports under the same name.
dmp_module = importlib.import_module("diff_match_patch.diff_match_patch")

TRICKY = ["e\u0301", "昆明", "👩\u200d👩\u200d👧", "Кызыл", "São", "\u00a0", "&<>\"'", "%"]
WORDS = st.sampled_from(["a", "b", "the", "cat", "colour", "color", "cats", *TRICKY])
SPACES = st.sampled_from([" ", " ", "  ", "\n", "\n\n", "\t"])


def old_of(diffs):
    return "".join(text for op, text in diffs if op != 1)


def new_of(diffs):
    return "".join(text for op, text in diffs if op != -1)


@st.composite
def texts(draw):
    parts = draw(st.lists(st.tuples(WORDS, SPACES), max_size=25))
    return "".join(word + space for word, space in parts)


@st.composite
def text_pairs(draw):
    """A text and an edited copy: random pairs of texts share almost nothing."""
    a = draw(texts())
    tokens = words_module.tokens(a)
    for _ in range(draw(st.integers(0, 5))):
        at = draw(st.integers(0, len(tokens)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        if kind == "insert" or not tokens or at == len(tokens):
            tokens.insert(at, draw(st.one_of(WORDS, SPACES)))
        elif kind == "delete":
            del tokens[at]
        else:
            tokens[at] = draw(st.one_of(WORDS, SPACES, st.text(max_size=3)))
    return a, "".join(tokens)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (
            "The colour red",
            "The color red",
            [(0, "The "), (-1, "colour"), (1, "color"), (0, " red")],
        ),
        ("the cat sat", "the cats sat", [(0, "the "), (-1, "cat"), (1, "cats"), (0, " sat")]),
        ("We agree.", "We fully agree.", [(0, "We "), (1, "fully "), (0, "agree.")]),
        ("a b c d e", "a c d e", [(0, "a "), (-1, "b "), (0, "c d e")]),
        (
            "the quick brown fox jumps",
            "a slow red dog jumps",  # small equalities between edits are folded in
            [(-1, "the quick brown fox"), (1, "a slow red dog"), (0, " jumps")],
        ),
        (
            "cafe\u0301 noir",
            "cafe\u0300 noir",
            [(-1, "cafe\u0301"), (1, "cafe\u0300"), (0, " noir")],
        ),
        (
            "family 👩\u200d👩\u200d👧 here",
            "family 👩\u200d👩\u200d👦 here",
            [(0, "family "), (-1, "👩\u200d👩\u200d👧"), (1, "👩\u200d👩\u200d👦"), (0, " here")],
        ),
        (
            "昆明 declaration",
            "昆明市 declaration",
            [(-1, "昆明"), (1, "昆明市"), (0, " declaration")],
        ),
        ("same", "same", [(0, "same")]),
        ("", "", []),
        ("", "new", [(1, "new")]),
        ("old", "", [(-1, "old")]),
    ],
)
def test_changes_read_as_whole_words(a, b, expected) -> None:
    assert diff_texts(a, b) == expected


def test_multi_line_edits() -> None:
    a = "# Title\n\nFirst paragraph stays.\n\nSecond one\nspans two lines.\n\nThird.\n"
    b = "# Title\n\nFirst paragraph stays.\n\nSecond one, rewritten,\nspans two lines.\n\n"
    diffs = diff_texts(a, b)
    assert old_of(diffs) == a
    assert new_of(diffs) == b
    assert [text for op, text in diffs if op == 1] == ["one, rewritten,"]
    assert [text for op, text in diffs if op == -1] == ["one", "Third.\n"]


@settings(max_examples=300, deadline=None)
@given(text_pairs())
def test_diff_rebuilds_both_texts(pair) -> None:
    a, b = pair
    diffs = diff_texts(a, b)
    assert old_of(diffs) == a
    assert new_of(diffs) == b


@settings(max_examples=300, deadline=None)
@given(st.one_of(text_pairs(), st.tuples(texts(), texts())))
def test_diff_is_canonical_and_never_cuts_a_word(pair) -> None:
    a, b = pair
    diffs = diff_texts(a, b)
    assert all(text for _, text in diffs)
    ops = [op for op, _ in diffs]
    assert all(not (x == y) for x, y in zip(ops, ops[1:], strict=False))
    assert all((x, y) != (1, -1) for x, y in zip(ops, ops[1:], strict=False))
    at_a = at_b = 0
    for op, text in diffs:
        # Every op boundary is a word boundary in both texts.
        assert not inside_word(a, at_a)
        assert not inside_word(b, at_b)
        at_a += len(text) if op != 1 else 0
        at_b += len(text) if op != -1 else 0


@settings(max_examples=100, deadline=None)
@given(st.text(), st.text())
def test_diff_rebuilds_arbitrary_texts(a, b) -> None:
    diffs = diff_texts(a, b)
    assert (old_of(diffs), new_of(diffs)) == (a, b)


def test_150_kb_with_a_tenth_of_the_words_edited_is_exact(corpus) -> None:
    paragraphs = corpus.copy()
    edited_old, edited_new = [], []
    count = 0
    for words in paragraphs:
        for index, word in enumerate(words):
            count += 1
            if count % 10 == 0:
                edited_old.append(word)
                words[index] = f"EDITED{count}"
                edited_new.append(words[index])
    a, b = corpus.text, corpus.join(paragraphs)
    assert len(a) > 150_000

    diffs = diff_texts(a, b)

    assert old_of(diffs) == a
    assert new_of(diffs) == b
    assert [text for op, text in diffs if op == -1] == edited_old
    assert [text for op, text in diffs if op == 1] == edited_new


def test_no_deadline_ever_cuts_a_diff_short(corpus, monkeypatch) -> None:
    """diff-match-patch checks its deadline against time.time(): with a clock that leaps
    an hour per reading, any deadline at all would expire and coarsen the diff."""
    hours = itertools.count(step=3600)
    monkeypatch.setattr(dmp_module, "time", SimpleNamespace(time=lambda: next(hours)))
    paragraphs = corpus.copy()[:40]
    edited = []
    for words in paragraphs:
        for index in range(3, len(words), 10):
            edited.append(words[index])
            words[index] = "X" + words[index]
    a, b = corpus.join(corpus.paragraphs[:40]), corpus.join(paragraphs)
    diffs = diff_texts(a, b)
    assert (old_of(diffs), new_of(diffs)) == (a, b)
    assert [text for op, text in diffs if op == 1] == ["X" + word for word in edited]


def test_more_distinct_lines_than_65535() -> None:
    a = "".join(f"line {n}\n" for n in range(70_000))
    b = a.replace("line 69998\n", "line sixty-nine thousand nine hundred ninety-eight\n")
    # What is tested is the result, not the time: without the wall-clock budget, which a
    # loaded CI machine under coverage once ran past (tests/test_hardening.py tests it).
    diffs = diff_texts(a, b, budget=None)
    assert [(op, text) for op, text in diffs if op] == [
        (-1, "69998"),
        (1, "sixty-nine thousand nine hundred ninety-eight"),
    ]


def test_falls_back_to_characters_when_units_outnumber_code_points(monkeypatch) -> None:
    monkeypatch.setattr(diff_module, "_ALPHABET", 3)
    a = "one two three four five\nsix seven\n"
    b = "one two 3 four five\nsix eight\n"
    diffs = diff_texts(a, b)
    assert (old_of(diffs), new_of(diffs)) == (a, b)
    assert [text for op, text in diffs if op] == ["three", "3", "seven", "eight"]


def test_diff_html_marks_changes_and_escapes_everything() -> None:
    diffs = [(0, "a <b> & "), (-1, '"old"\n'), (1, "<script>new</script>"), (0, "\nend")]
    assert diff_html(diffs) == (
        "a &lt;b&gt; &amp; "
        '<del class="diff-del">&quot;old&quot;\n</del>'
        '<ins class="diff-ins">&lt;script&gt;new&lt;/script&gt;</ins>'
        "\nend"
    )
    assert "style" not in diff_html(diff_texts("a b", "a c"))


def test_diffs_to_json() -> None:
    assert diffs_to_json([(0, "a "), (-1, "b"), (1, "c")]) == [[0, "a "], [-1, "b"], [1, "c"]]


@settings(max_examples=200, deadline=None)
@given(text_pairs())
def test_patch_round_trip(pair) -> None:
    a, b = pair
    assert apply_patch_exact(a, patch_text(a, b=b)) == b
    assert patch_text(a, diff_texts(a, b)) == patch_text(a, b=b)


def test_patch_offsets_count_code_points() -> None:
    patch = patch_text("😀😀 x", b="😀😀 y")
    assert patch.startswith("@@ -1,4 +1,4 @@\n")  # UTF-16 would count 6
    assert apply_patch_exact("😀😀 x", patch) == "😀😀 y"


def test_later_hunks_apply_after_earlier_ones_changed_the_length() -> None:
    a = " ".join(f"word{n}" for n in range(40))
    b = a.replace("word3 ", "word3 inserted at length ").replace("word35", "w35")
    patch = patch_text(a, b=b)
    assert patch.count("@@ -") == 2
    assert apply_patch_exact(a, patch) == b


BASE = "We, the delegates, agree to strengthen the momentum for a global framework."
NEW = "We, the delegates, agree to strengthen the momentum for an ambitious global framework."


def test_patch_made_against_another_text_is_refused_where_fuzzy_patching_succeeds() -> None:
    patch = patch_text(BASE, b=NEW)
    elsewhere = "Preamble. " + BASE
    _, applied = diff_match_patch().patch_apply(diff_match_patch().patch_fromText(patch), elsewhere)
    assert all(applied)  # what this module must never do
    with pytest.raises(PatchError, match="hunk 1 does not match the base text at character"):
        apply_patch_exact(elsewhere, patch)


def test_shifted_hunk_is_refused() -> None:
    patch = patch_text(BASE, b=NEW)
    header, body = patch.split("\n", 1)
    start = int(header.split()[1].split(",")[0][1:])
    shifted = header.replace(f"-{start},", f"-{start + 1},").replace(f"+{start},", f"+{start + 1},")
    with pytest.raises(PatchError, match=f"at character {start + 1}"):
        apply_patch_exact(BASE, shifted + "\n" + body)


def test_wrong_context_is_refused() -> None:
    patch = patch_text(BASE, b=NEW)
    with pytest.raises(PatchError, match="hunk 1 does not match"):
        apply_patch_exact(BASE.replace("momentum for", "momentum For"), patch)


def test_second_hunk_that_does_not_match_is_named() -> None:
    a = " ".join(f"word{n}" for n in range(40))
    b = a.replace("word3 ", "word3 new ").replace("word35", "w35")
    with pytest.raises(PatchError, match="hunk 2 does not match"):
        apply_patch_exact(a.replace("word36", "changed"), patch_text(a, b=b))


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ("garbage", "cannot be read"),
        ("@@ -1,3 +1,3 @@\n*abc\n", "cannot be read"),
        ("@@ -1,3 +1,3 @@\n abc\n+d\n", "malformed"),  # the body makes 4 characters
        ("@@ -1,5 +1,5 @@\n abc\n", "malformed"),
        ("@@ -0,3 +0,3 @@\n abc\n", "does not match"),  # offset -1
        ("@@ -90,3 +90,3 @@\n abc\n", "does not match"),  # past the end
    ],
)
def test_unusable_patches_are_refused(patch, message) -> None:
    with pytest.raises(PatchError, match=message):
        apply_patch_exact("abc", patch)


def test_empty_patch_changes_nothing() -> None:
    assert patch_text("same", b="same") == ""
    assert apply_patch_exact("same", "") == "same"


def test_patch_text_checks_the_diffs_belong_to_the_text() -> None:
    with pytest.raises(ValueError, match="do not start from this text"):
        patch_text("abc", [(0, "abd")])
    with pytest.raises(TypeError):
        patch_text("abc")
