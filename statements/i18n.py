"""The interface's languages: the six UN languages, chosen per request, with gettext
catalogues kept as ``.po`` files in ``statements/translations/`` and compiled at start.

The language of a page is, in this order: ``?lang=`` (which also sets a cookie, so the
choice stays), that cookie, the signed-in user's ``locale``, the browser's
``Accept-Language``, and English. An e-mail is in its recipient's language
(:func:`in_language`)."""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import (
    Babel,
    force_locale,
    get_locale,
    get_translations,
    lazy_gettext,
    lazy_pgettext,
)
from werkzeug.datastructures import LanguageAccept
from werkzeug.wrappers import Response as BaseResponse

log = logging.getLogger(__name__)

LOCALES = ("ar", "en", "es", "fr", "ru", "zh")
DEFAULT = "en"
# Each language by its own name, as a language menu shows it.
NAMES = {"ar": "العربية", "en": "English", "es": "Español", "fr": "Français",
         "ru": "Русский", "zh": "中文"}
RIGHT_TO_LEFT = frozenset({"ar"})
COOKIE = "lang"
COOKIE_SECONDS = 365 * 24 * 3600
SOURCE = Path(__file__).parent / "translations"

babel = Babel()


def translations() -> Any:
    """The catalogue of this request's (or e-mail's) language: looked up once per language
    in use, not at every message (Flask-Babel's own lookup goes through the request
    context half a dozen times, and a page has hundreds of messages)."""
    locale = get_locale()  # Flask-Babel keeps it for the request; force_locale swaps it
    if locale is None:
        return get_translations()
    kept = g.get("_statements_catalogue")
    if kept is not None and kept[0] is locale:
        return kept[1]
    found = get_translations()
    g._statements_catalogue = (locale, found)
    return found


def _(message: str, **variables: Any) -> str:
    """``message`` in the language of this request (or e-mail), its ``%(name)s``
    placeholders filled from ``variables``."""
    text = str(translations().ugettext(message))
    return text % variables if variables else text


def _l(message: str) -> str:
    """As :func:`_`, translated only when used: for messages defined once, at import.
    (A lazy string behaves as the str it becomes; typed so, for the code that uses it.)"""
    return cast(str, lazy_gettext(message))


def _lp(context: str, message: str) -> str:
    """As :func:`_l`, for a message whose words depend on where it stands (``context``):
    the same English can be a button in one place and a heading in another."""
    return cast(str, lazy_pgettext(context, message))


def _n(singular: str, plural: str, count: int, **variables: Any) -> str:
    variables.setdefault("num", count)
    return str(translations().ungettext(singular, plural, count)) % variables


def _asked() -> str | None:
    asked = request.args.get(COOKIE)
    return asked if asked in LOCALES else None


def reader_locale(asked: str | None, cookies: Mapping[str, str],
                  accept_languages: LanguageAccept) -> str:
    """The language of a reader who is not signed in: ``?lang=``, the cookie, the browser,
    English. (The page cache works out the same before the request reaches Flask.)"""
    chosen = asked or cookies.get(COOKIE)
    if chosen in LOCALES:
        return str(chosen)
    return accept_languages.best_match(LOCALES) or DEFAULT


def select_locale() -> str:
    if not has_request_context() or request.blueprint == "api":
        return DEFAULT  # API problem answers stay in English (API.md, "Languages")
    asked = _asked()
    reader = reader_locale(asked, request.cookies, request.accept_languages)
    if asked or request.cookies.get(COOKIE) in LOCALES:
        return reader  # a choice made in the menu comes before the account's
    if g.get("_choosing_locale"):
        # Loading the signed-in user wrote a message (say, that the session ended): that
        # one is in the browser's language, and the user's own is chosen after.
        return reader
    from .http.identity import page_user  # noqa: PLC0415  (http imports this module)

    g._choosing_locale = True
    try:
        user = page_user()
    finally:
        g._choosing_locale = False
    if user is not None and user.locale in LOCALES:
        return str(user.locale)
    return reader


def current_locale() -> str:
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT


def text_direction(locale: str | None = None) -> str:
    return "rtl" if (locale or current_locale()) in RIGHT_TO_LEFT else "ltr"


def language_links() -> list[tuple[str, str, str]]:
    """The language menu: each language's code, its own name, and this very page in it."""
    query = request.args.to_dict()
    links = []
    for code in LOCALES:
        query[COOKIE] = code
        links.append((code, NAMES[code], f"{request.path}?{urlencode(query)}"))
    return links


def _remember_choice(response: Response) -> Response:
    asked = _asked()
    if asked is not None and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=COOKIE_SECONDS, samesite="Lax",
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
                            httponly=True)
    return response


def forget_choice(response: BaseResponse) -> BaseResponse:
    """Drop the menu's cookie, so that the language saved with the account applies."""
    response.delete_cookie(COOKIE)
    return response


@contextmanager
def in_language(locale: str | None) -> Iterator[None]:
    """Write (an e-mail, say) in ``locale``, or English for none or an unknown one."""
    with force_locale(locale if locale in LOCALES else DEFAULT):
        yield


def compile_catalogues(source: Path, target: Path) -> list[str]:
    """Compile each ``<lang>/LC_MESSAGES/messages.po`` under ``source`` into ``target``
    (the instance folder: the package may be read-only). Fuzzy entries are left out, as
    gettext does. Returns the languages compiled."""
    compiled = []
    for po_path in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        language = po_path.parent.parent.name
        mo_path = target / language / "LC_MESSAGES" / "messages.mo"
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            compiled.append(language)
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        # A file of this process's own, then renamed: workers starting together each write
        # theirs, and none ever reads half a catalogue.
        handle_no, partial = tempfile.mkstemp(dir=mo_path.parent, suffix=".partial")
        with os.fdopen(handle_no, "wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        os.replace(partial, mo_path)
        compiled.append(language)
    return compiled


def init_i18n(app: Flask) -> None:
    target = Path(app.instance_path) / "translations"
    compile_catalogues(SOURCE, target)
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True)  # as Flask-Babel installs them, with the catalogue looked up once
    app.after_request(_remember_choice)
    app.jinja_env.globals.update(current_locale=current_locale, text_direction=text_direction,
                                 language_links=language_links, language_names=NAMES)
