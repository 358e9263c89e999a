"""The search key: case and accents folded away in every script (statements/text/search.py)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statements.text.countries import COUNTRY_CODES, as_country_code, country_name, country_names
from statements.text.search import (
    SEPARATOR,
    endorsement_key,
    like_anywhere,
    like_country,
    search_key,
)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sao paulo", "São Paulo"),
        ("SAO PAULO", "São Paulo"),
        ("ким", "Ким"),
        ("КИМ", "ким"),
        ("ελένη", "Ελένη"),
        ("ΕΛΕΝΗ", "Ελένη"),
        ("ÖSTERREICH", "Österreich"),
        ("osterreich", "Österreich"),
        ("strasse", "Straße"),
        ("昆明市", "昆明市"),
        ("cafe", "cafe\u0301"),  # decomposed, as some keyboards type it
        ("abc", "ＡＢＣ"),  # full-width
        ("istanbul", "İstanbul"),
        ("zurich", "Zürich"),
        ("lodz", "Łódź"),
        ("kobenhavn", "København"),
        ("aeroskobing", "Ærøskøbing"),
        ("oδυσσευς", "oΔΥΣΣΕΥΣ"),  # the final sigma is a sigma
    ],
)
def test_variants_share_a_key(typed: str, stored: str) -> None:
    assert search_key(typed) == search_key(stored)


def test_what_a_key_looks_like() -> None:
    assert search_key("  São\tPaulo \n") == "sao paulo"
    assert search_key("한국") == "한국"  # Hangul stays composed
    assert search_key("昆明") in search_key("昆明市")
    assert search_key("ким") != search_key("кім")  # a different letter, not an accent


def test_the_endorsement_key_keeps_its_fields_apart() -> None:
    key = endorsement_key("Ana  Souza", "", "São Paulo", "Brasil")
    assert key.split(SEPARATOR) == ["ana souza", "", "sao paulo", "brasil"]
    assert endorsement_key("a\nb", "", "", "") == "a b\n\n\n"


def test_like_patterns_escape_what_like_would_read() -> None:
    assert like_anywhere("100% A_b\\") == "%100\\% a\\_b\\\\%"
    assert like_country("ÖSTERREICH") == "%\nosterreich"


def test_countries() -> None:
    assert len(COUNTRY_CODES) == 249  # ISO 3166-1, without CLDR's other regions
    assert {"EU", "XK", "ZZ", "UN"}.isdisjoint(COUNTRY_CODES)
    assert country_name("AT") == "Austria" and country_name("AT", "ru") == "Австрия"
    assert country_name("AT", "zh") == "奥地利" and country_name("AT", "no-such") == "Austria"
    assert as_country_code(" at ") == "AT" and as_country_code("Austria") is None
    assert as_country_code("ZZ") is None
    names = list(country_names("en").values())
    assert names.index("Åland Islands") < names.index("Albania")  # by name, accents aside


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_the_key_of_a_key_is_itself(text: str) -> None:
    key = search_key(text)
    assert search_key(key) == key
    assert SEPARATOR not in key and key == key.strip()
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", key))


LETTERS = ("abcdefghijklmnopqrstuvwxyz" "абвгдежзиклмнопрстуфхцчшщыьэюя"
           "αβγδεζηθικλμνξοπρστυφχψω")
ACCENTS = ("", "\u0301", "\u0300", "\u0308", "\u0303", "\u0302", "\u0327", "\u030c")


@st.composite
def spellings(draw: st.DrawFn) -> tuple[str, str]:
    """A word, and the same word with each letter in either case and with any accents."""
    word = draw(st.lists(st.sampled_from(LETTERS), min_size=1, max_size=12))
    variant = []
    for letter in word:
        cased = letter.upper() if draw(st.booleans()) else letter
        variant.append(unicodedata.normalize(draw(st.sampled_from(("NFC", "NFD"))),
                                             cased + draw(st.sampled_from(ACCENTS))))
    return "".join(word), "".join(variant)


@settings(max_examples=300, deadline=None)
@given(spellings())
def test_case_and_accents_of_a_word_share_its_key(spelling: tuple[str, str]) -> None:
    plain, variant = spelling
    assert search_key(variant) == search_key(plain) == plain
