import hashlib
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statements.text.normalise import UnstorableText, check_storable, normalise, sha256_hex


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\r\r\nb", "a\n\nb"),  # a lone CR, then a CRLF
        ("a\n\rb", "a\n\nb"),
        ("\r\n\r\n", "\n\n"),
        ("no breaks", "no breaks"),
        ("cafe\u0301", "caf\u00e9"),  # NFD -> NFC
        ("\u1100\u1161", "\uac00"),  # Hangul jamo compose
        ("São Paulo, 昆明, Кызыл", "São Paulo, 昆明, Кызыл"),
        ("👩\u200d👩\u200d👧", "👩\u200d👩\u200d👧"),  # ZWJ sequences are left alone
    ],
)
def test_normalise(raw: str, stored: str) -> None:
    assert normalise(raw) == stored


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \r\n\u0301\u00e9e\u1100\u1161\u212b")))
def test_normalised_text_has_only_lf_is_nfc_and_is_stable(raw: str) -> None:
    stored = normalise(raw)
    assert "\r" not in stored
    assert unicodedata.is_normalized("NFC", stored)
    assert normalise(stored) == stored
    # Line breaks are kept one for one: CRLF is one, any other CR or LF is one each.
    assert stored.count("\n") == raw.count("\n") + raw.count("\r") - raw.count("\r\n")


def test_sha256_of_utf8_bytes() -> None:
    assert sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert (
        sha256_hex("São 昆明") == hashlib.sha256(b"S\xc3\xa3o \xe6\x98\x86\xe6\x98\x8e").hexdigest()
    )


def test_sha256_differs_for_nfc_and_nfd_so_texts_must_be_normalised_first() -> None:
    assert sha256_hex("caf\u00e9") != sha256_hex("cafe\u0301")
    assert sha256_hex(normalise("cafe\u0301")) == sha256_hex("caf\u00e9")


@pytest.mark.parametrize(
    ("text", "message"),
    [("a\x00b", "NUL character at offset 1"), ("ab\ud800", r"surrogate U\+D800 at offset 2")],
)
def test_check_storable_refuses_what_cannot_be_stored(text: str, message: str) -> None:
    with pytest.raises(UnstorableText, match=message):
        check_storable(text)


def test_check_storable_accepts_any_real_text() -> None:
    check_storable("São Paulo 昆明 Кызыл 👩\u200d👩\u200d👧 \t\n")
