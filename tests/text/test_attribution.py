from hypothesis import given, settings
from hypothesis import strategies as st

from statements.text.attribution import Span, attribute


def test_no_versions_no_spans() -> None:
    assert attribute([]) == []


def test_the_first_version_owns_all_its_text() -> None:
    assert attribute([("We agree.", "v1")]) == [Span("We agree.", "v1")]
    assert attribute([("", "v1")]) == []


def test_inserted_text_belongs_to_the_version_that_inserted_it() -> None:
    spans = attribute(
        [
            ("We agree on this.", 1),
            ("We fully agree on this.", 2),
            ("We fully agree on that.", 3),
        ]
    )
    assert spans == [
        Span("We ", 1),
        Span("fully ", 2),
        Span("agree on ", 1),
        Span("that.", 3),
    ]


def test_deleted_text_disappears_and_reworded_words_are_attributed_whole() -> None:
    spans = attribute([("The colour red is nice today.", "a"), ("The color red is nice.", "b")])
    assert spans == [
        Span("The ", "a"),
        Span("color", "b"),  # the whole word, not just its changed letter
        Span(" red is ", "a"),
        Span("nice.", "b"),
    ]


def test_an_unchanged_version_changes_no_attribution() -> None:
    assert attribute([("Text.", "a"), ("Text.", "b")]) == [Span("Text.", "a")]


def test_text_restored_later_belongs_to_the_restoring_version() -> None:
    spans = attribute([("one two", "a"), ("one", "b"), ("one two", "c")])
    assert spans == [Span("one", "a"), Span(" two", "c")]


def test_origins_can_be_any_tag() -> None:
    first, second = ("v1", None), ("v2", 7)
    spans = attribute([("Cities agree.", first), ("Cities and regions agree.", second)])
    assert [span.origin for span in spans] == [first, second, first]


WORDS = st.sampled_from(
    ["We", "agree", "the", "cities", "昆明", "São", "e\u0301", "👩\u200d👩\u200d👧", "."]
)
TEXTS = st.lists(st.tuples(WORDS, st.sampled_from([" ", "\n", "\n\n"])), max_size=15).map(
    lambda parts: "".join(word + space for word, space in parts)
)


@settings(max_examples=150, deadline=None)
@given(st.lists(TEXTS, min_size=1, max_size=5))
def test_spans_join_to_the_last_text_and_are_never_empty_or_split_needlessly(texts) -> None:
    versions = [(text, number) for number, text in enumerate(texts, start=1)]
    spans = attribute(versions)
    assert "".join(span.text for span in spans) == texts[-1]
    assert all(span.text for span in spans)
    assert all(a.origin != b.origin for a, b in zip(spans, spans[1:], strict=False))
    assert all(1 <= span.origin <= len(texts) for span in spans)


@settings(max_examples=100, deadline=None)
@given(TEXTS, TEXTS)
def test_text_kept_from_the_first_version_stays_attributed_to_it(first, second) -> None:
    spans = attribute([(first, "old"), (second, "new")])
    assert "".join(span.text for span in spans) == second
    kept = "".join(span.text for span in spans if span.origin == "old")
    # What keeps the old origin is text both versions share, in the same order.
    for text in (first, second):
        position = 0
        for char in kept:
            position = text.index(char, position) + 1
    if first == second:
        assert spans == ([Span(first, "old")] if first else [])
