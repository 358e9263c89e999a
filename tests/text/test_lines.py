import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statements.text.diff import diff_texts
from statements.text.lines import Line, lines_for_range, lines_touched, number_lines
from statements.text.normalise import normalise

FAMILY = "👩\u200d👩\u200d👧"


def shown(text):
    return [line.text for line in number_lines(text)]


def test_empty_text_is_one_blank_line() -> None:
    assert number_lines("") == [Line(1, 0, 0, "")]


def test_blank_lines_are_numbered_and_a_final_lf_makes_a_last_blank_line() -> None:
    assert number_lines("a\n\nb\n") == [
        Line(1, 0, 1, "a"),
        Line(2, 2, 2, ""),
        Line(3, 3, 4, "b"),
        Line(4, 5, 5, ""),
    ]


def test_exactly_80_is_one_line() -> None:
    assert shown("x" * 80) == ["x" * 80]


def test_81_without_a_space_is_cut_at_80() -> None:
    assert number_lines("x" * 81) == [Line(1, 0, 80, "x" * 80), Line(2, 80, 81, "x")]


def test_81_ending_in_a_space_stays_one_line_and_the_break_absorbs_the_space() -> None:
    assert number_lines("x" * 80 + " ") == [Line(1, 0, 81, "x" * 80)]


def test_wraps_at_the_last_space_within_80() -> None:
    text = "w" * 50 + " " + "x" * 40
    assert number_lines(text) == [Line(1, 0, 51, "w" * 50), Line(2, 51, 91, "x" * 40)]


def test_80_characters_then_a_space_breaks_at_that_space() -> None:
    text = "a" * 80 + " b"
    assert number_lines(text) == [Line(1, 0, 81, "a" * 80), Line(2, 81, 82, "b")]


def test_a_run_of_spaces_at_a_break_belongs_to_the_earlier_line_and_is_not_shown() -> None:
    text = "a" * 70 + " " * 20 + "b" * 20
    assert number_lines(text) == [Line(1, 0, 90, "a" * 70), Line(2, 90, 110, "b" * 20)]


def test_trailing_spaces_of_a_wrapped_line_make_no_blank_line() -> None:
    assert number_lines("a" * 79 + " " * 5) == [Line(1, 0, 84, "a" * 79)]


def test_trailing_spaces_of_a_short_line_are_kept() -> None:
    assert shown("two spaces  \nnext") == ["two spaces  ", "next"]


def test_a_word_longer_than_80_starts_a_line_and_is_cut() -> None:
    text = "ab " + "x" * 170 + " end"
    assert shown(text) == ["ab", "x" * 80, "x" * 80, "x" * 10 + " end"]


def test_indentation_is_never_a_break() -> None:
    assert shown("    " + "x" * 100) == ["    " + "x" * 76, "x" * 24]


def test_greedy_filling_of_ordinary_prose() -> None:
    text = " ".join(["word"] * 40)  # 199 characters
    lines = shown(text)
    assert lines == [" ".join(["word"] * 16)] * 2 + [" ".join(["word"] * 8)]
    assert all(len(line) <= 80 for line in lines)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("昆" * 80, ["昆" * 80]),  # code points, not display width
        ("昆" * 81, ["昆" * 80, "昆"]),
        ("a\u00a0" * 50, ["a\u00a0" * 40, "a\u00a0" * 10]),  # no-break space never breaks
        ("a\t" * 50, ["a\t" * 40, "a\t" * 10]),  # nor does a tab
        # a family emoji is 5 code points: 12 and a half families with spaces fit in 80
        ((FAMILY + " ") * 20, [(FAMILY + " ") * 12 + FAMILY, (FAMILY + " ") * 7]),
    ],
)
def test_unicode_counts_code_points_and_only_u0020_breaks(text, expected) -> None:
    assert shown(text) == expected


def test_crlf_is_normalised_before_numbering() -> None:
    assert number_lines(normalise("a\r\nb\rc")) == number_lines("a\nb\nc")
    assert len(number_lines("a\r\nb")) == 2  # only LF splits: a stray CR stays in its line


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n昆\u0301\u00a0"), max_size=400))
def test_lines_cover_the_text_and_never_show_more_than_80(text) -> None:
    lines = number_lines(text)
    assert [line.number for line in lines] == list(range(1, len(lines) + 1))
    assert all(len(line.text) <= 80 for line in lines)
    pieces = []
    for line, following in zip(lines, [*lines[1:], None], strict=True):
        span = text[line.start : line.end]
        assert span.startswith(line.text)
        assert span[len(line.text) :].strip(" ") == ""  # only break spaces are hidden
        pieces.append(span)
        if following is not None and following.start != line.end:
            assert text[line.end : following.start] == "\n"  # contiguous but for the LF
            pieces.append("\n")
    assert "".join(pieces) == text


TEXT = "First line.\n\n" + " ".join(["word"] * 20) + "\nLast"
#  line 1: "First line."                     0..11, LF at 11
#  line 2: ""                                12..12, LF at 12
#  line 3: 16 words, span 13..93 (its break space at 92)
#  line 4: 4 words, 93..112, LF at 112
#  line 5: "Last"                             113..117


def test_numbering_of_the_range_example() -> None:
    assert [(line.number, line.start, line.end) for line in number_lines(TEXT)] == [
        (1, 0, 11),
        (2, 12, 12),
        (3, 13, 93),
        (4, 93, 112),
        (5, 113, 117),
    ]


@pytest.mark.parametrize(
    ("start", "end", "lines"),
    [
        (0, 5, (1, 1)),
        (0, 11, (1, 1)),
        (11, 12, (1, 1)),  # the LF belongs to the line it ends
        (6, 14, (1, 3)),
        (92, 93, (3, 3)),  # the break space belongs to the line before the break
        (92, 94, (3, 4)),
        (100, 117, (4, 5)),
        # insertions name the line of the character right after them
        (0, 0, (1, 1)),
        (11, 11, (1, 1)),  # appended to line 1 (before its LF)
        (12, 12, (2, 2)),  # into the blank line
        (92, 92, (3, 3)),  # before the break space: appended to line 3
        (93, 93, (4, 4)),  # at the wrap boundary: before the first word of line 4
        (112, 112, (4, 4)),  # appended to line 4
        (117, 117, (5, 5)),  # at the very end: the last line
    ],
)
def test_lines_for_range(start, end, lines) -> None:
    assert lines_for_range(TEXT, start, end) == lines
    assert lines_for_range(number_lines(TEXT), start, end) == lines


def test_lines_for_range_refuses_ranges_outside_the_text() -> None:
    with pytest.raises(ValueError):
        lines_for_range("abc", 2, 4)
    with pytest.raises(ValueError):
        lines_for_range("abc", 2, 1)


BASE = "Line one.\n\nLine three has words.\n\nLine five."


@pytest.mark.parametrize(
    ("edited", "lines"),
    [
        (BASE.replace("three", "3"), (3, 3)),
        (BASE.replace("one", "1").replace("five", "5"), (1, 5)),
        (BASE + " Appended.", (5, 5)),
        ("Preface. " + BASE, (1, 1)),
        (BASE.replace("\n\nLine three has words.", ""), (3, 4)),  # with its blank line
        (BASE, None),
    ],
)
def test_lines_touched_by_a_diff(edited, lines) -> None:
    assert lines_touched(BASE, diff_texts(BASE, edited)) == lines


def test_lines_touched_on_wrapped_lines() -> None:
    base = " ".join(f"w{n:02d}" for n in range(60))  # 20 words of 4 a line: 3 lines
    assert [line.text.split()[0] for line in number_lines(base)] == ["w00", "w20", "w40"]
    assert lines_touched(base, diff_texts(base, base.replace("w25", "changed"))) == (2, 2)
    assert lines_touched(base, diff_texts(base, base.replace("w19 w20", "x"))) == (1, 2)


def test_lines_touched_checks_the_diff_belongs_to_the_base() -> None:
    with pytest.raises(ValueError):
        lines_touched("abc", [(0, "abcd")])
