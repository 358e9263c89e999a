"""Countries by their ISO 3166-1 alpha-2 code, named in a given language.

The names come from the CLDR territory data that Babel ships, so they are right in every
language it knows and never typed by hand here. CLDR also names regions that are no ISO
3166-1 country (the European Union, the "Pseudo-Accents" test region, Kosovo's
user-assigned XK, …): those are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from babel import Locale, UnknownLocaleError

from .search import search_key

DEFAULT_LOCALE = "en"

# Two-letter CLDR territories that ISO 3166-1 does not list among its 249 countries.
_NOT_ISO = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN",
                      "XA", "XB", "XK", "ZZ"})


def _territories(locale: str) -> Mapping[str, str]:
    try:
        return Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT_LOCALE).territories


COUNTRY_CODES = frozenset(code for code in _territories(DEFAULT_LOCALE)
                          if len(code) == 2 and code.isalpha() and code not in _NOT_ISO)


@cache
def country_names(locale: str = DEFAULT_LOCALE) -> Mapping[str, str]:
    """Every country's name in ``locale`` (English for a language Babel does not know),
    by code, in the order of their names ignoring case and accents ("Åland Islands" among
    the A's)."""
    names = _territories(locale)
    named = {code: names.get(code) or code for code in COUNTRY_CODES}
    return MappingProxyType(dict(sorted(named.items(),
                                        key=lambda item: (search_key(item[1]), item[1]))))


def as_country_code(value: str) -> str | None:
    """``value`` as a country code, if it is one ("at" and " AT " are), else None."""
    code = value.strip().upper()
    return code if code in COUNTRY_CODES else None


def country_name(code: str, locale: str = DEFAULT_LOCALE) -> str:
    """The country's name in ``locale``; an unknown code is given back as it is."""
    return country_names(locale).get(code, code)
