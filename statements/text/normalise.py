"""How a statement's text is stored, and the hash that endorsements are bound to."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# NUL, and any surrogate: in a Python str a surrogate is always unpaired.
UNSTORABLE = re.compile("[\\x00\\ud800-\\udfff]")


class UnstorableText(ValueError):
    """The text holds code points that cannot be stored or hashed as UTF-8 text."""


def normalise(text: str) -> str:
    """Return `text` with LF line endings and in Unicode NFC.

    CRLF first, then any lone CR, so "\\r\\n" becomes one LF and not two. NFC so that
    the same visible text always has the same code points, whichever keyboard or system
    typed it: diffs then show only real changes, and the SHA-256 is reproducible.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def check_storable(text: str) -> None:
    """Raise UnstorableText if `text` cannot be stored as a statement text.

    JSON can carry lone surrogates ("\\ud800"), which have no UTF-8 form, so hashing
    would fail; PostgreSQL refuses NUL in text columns. Both are caller errors, and
    finding them here lets the caller answer 422 instead of failing later.
    """
    found = UNSTORABLE.search(text)
    if found is None:
        return
    char, offset = found.group(), found.start()
    if char == "\x00":
        raise UnstorableText(f"the text contains a NUL character at offset {offset}")
    raise UnstorableText(
        f"the text contains an unpaired surrogate U+{ord(char):04X} at offset {offset}"
    )


def sha256_hex(text: str) -> str:
    """SHA-256 of the UTF-8 bytes of `text`, as lowercase hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
