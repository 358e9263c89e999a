"""The search key: text folded so that case and accents do not matter, in every script.

A signatory's name, organisation, city and country are folded into one key stored with
the endorsement, and a search is folded the same way and looked for in the stored key with
LIKE. The folding is done here, in Python, so that SQLite and PostgreSQL find the same
rows: neither database's ``lower()`` knows every script (SQLite's knows only ASCII), and
neither removes accents.
"""

from __future__ import annotations

import unicodedata

# Between the folded fields of a key, so that a search cannot match across two of them.
SEPARATOR = "\n"

# Letters whose stroke or bar Unicode does not write as a combining mark, so that NFKD
# leaves them whole: folded by hand, as readers type them ("lodz" finds "Łódź"). Lowercase
# only: this applies after casefold().
_STROKES = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ƶ": "z",
                          "ƀ": "b", "ɨ": "i", "ı": "i", "æ": "ae", "œ": "oe"})


def search_key(text: str) -> str:
    """Return `text` folded for searching: "São Paulo" and "SAO PAULO" both give "sao paulo".

    NFKD splits each letter from its accents (and compatibility forms such as "ﬁ" or
    full-width letters into plain ones); the combining marks are then dropped; casefold()
    is the caseless match of every script ("Straße" → "strasse", "ΕΛΈΝΗ" → "ελενη");
    the few Latin letters with a stroke lose it ("ł" → "l", "ø" → "o"); once more NFKD and
    marks, since casefolding can bring back decomposable letters; NFC last, so that what
    remains (Hangul, for one) is in its composed form. Runs of whitespace become one
    space and the ends are stripped.

    Idempotent: search_key(search_key(s)) == search_key(s).
    """
    folded = _strip_marks(_strip_marks(text).casefold().translate(_STROKES))
    return " ".join(unicodedata.normalize("NFC", folded).split())


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))


def endorsement_key(name: str, organisation: str, city: str, country: str) -> str:
    """The key stored with an endorsement: its name, organisation, city and country folded,
    one line each, the country last. No folded field holds a line break (whitespace runs
    become one space), so a search never matches across two fields."""
    return SEPARATOR.join(search_key(part) for part in (name, organisation, city, country))


ESCAPE = "\\"


def like_anywhere(query: str) -> str:
    """A LIKE pattern (``ESCAPE '\\'``) that finds the folded `query` anywhere in a key."""
    return f"%{_escaped(search_key(query))}%"


def like_country(country: str) -> str:
    """A LIKE pattern (``ESCAPE '\\'``) that finds the keys whose country is `country`,
    ignoring case and accents: the last line of the key is the folded `country`."""
    return f"%{SEPARATOR}{_escaped(search_key(country))}"


def _escaped(key: str) -> str:
    """%, _ and the escape character itself escaped, so that they match only themselves."""
    for char in (ESCAPE, "%", "_"):
        key = key.replace(char, ESCAPE + char)
    return key
