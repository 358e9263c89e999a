"""The interface's languages: how a page's language is chosen, that the choice stays and
keeps the page, the direction of Arabic, and that every catalogue is complete — no
untranslated or fuzzy message, and the same placeholders as the English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from statements.i18n import LOCALES, SOURCE, compile_catalogues
from tests.factories import api_as, make_statement, make_user, signed_in

TRANSLATED = [code for code in LOCALES if code != "en"]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


def html_lang(html: str) -> tuple[str, str]:
    found = re.search(r'<html lang="([a-z]+)" dir="(ltr|rtl)">', html)
    assert found, html[:200]
    return found.group(1), found.group(2)


def test_the_language_is_chosen_by_lang_then_cookie_then_account_then_browser(
        app: Flask) -> None:
    client = app.test_client()
    assert html_lang(client.get("/").get_data(as_text=True)) == ("en", "ltr")
    french = {"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"}
    assert html_lang(client.get("/", headers=french).get_data(as_text=True))[0] == "fr"
    unknown = {"Accept-Language": "de, it;q=0.8"}
    assert html_lang(client.get("/", headers=unknown).get_data(as_text=True))[0] == "en"
    answer = client.get("/?lang=ar", headers=french)
    assert html_lang(answer.get_data(as_text=True)) == ("ar", "rtl")
    assert "lang=ar" in answer.headers["Set-Cookie"]
    # The choice stays, over the browser's own preference.
    assert html_lang(client.get("/", headers=french).get_data(as_text=True))[0] == "ar"
    assert html_lang(client.get("/?lang=xx").get_data(as_text=True))[0] == "ar"  # ignored
    # Without a choice, a signed-in user's own language comes before the browser's.
    user = make_user(app)
    assert api_as(app, user).patch("/me", {"locale": "ru"}).status_code == 200
    browser = signed_in(app, user)
    assert html_lang(browser.get("/", headers=french).get_data(as_text=True))[0] == "ru"
    assert html_lang(browser.get("/?lang=zh").get_data(as_text=True))[0] == "zh"


def test_the_language_menu_keeps_the_page_and_its_query(app: Flask) -> None:
    slug = make_statement(app, status="endorsing")
    html = app.test_client().get(f"/s/{slug}?kind=individual").get_data(as_text=True)
    for code in LOCALES:
        assert f'href="/s/{slug}?kind=individual&amp;lang={code}"' in html
    assert 'lang="ar" hreflang="ar"' in html and "العربية" in html and "中文" in html
    # The menu is translated too: its label is in the page's language.
    arabic = app.test_client().get(f"/s/{slug}?lang=ar").get_data(as_text=True)
    assert 'aria-label="اللغة"' in arabic


def _catalogues() -> list[Path]:
    return sorted(SOURCE.glob("*/LC_MESSAGES/messages.po"))


def test_there_is_a_catalogue_for_every_language_but_english() -> None:
    assert [p.parent.parent.name for p in _catalogues()] == TRANSLATED


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_with_the_same_placeholders(language: str) -> None:
    path = SOURCE / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            # A plural form may leave the count out (Arabic's "one", Chinese's only form).
            got = sorted(PLACEHOLDER.findall(string))
            if got != wanted and not (len(ids) > 1 and set(got) <= set(wanted)):
                problems.append(f"placeholders {got} for {wanted}: {ids[0]!r}")
    assert not problems, f"{language}: " + "; ".join(problems[:20])


def test_catalogues_compile_at_start_into_the_instance_folder(tmp_path: Path) -> None:
    compiled = compile_catalogues(SOURCE, tmp_path)
    assert compiled == TRANSLATED
    for language in TRANSLATED:
        assert (tmp_path / language / "LC_MESSAGES" / "messages.mo").stat().st_size > 0
    # Unchanged catalogues are not compiled again.
    before = (tmp_path / "ar" / "LC_MESSAGES" / "messages.mo").stat().st_mtime_ns
    compile_catalogues(SOURCE, tmp_path)
    assert (tmp_path / "ar" / "LC_MESSAGES" / "messages.mo").stat().st_mtime_ns == before


def test_times_are_written_in_the_pages_language_in_the_meetings_zone(app: Flask) -> None:
    from datetime import UTC, datetime

    from statements.web.display import local_time

    june = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    written = {}
    for language in LOCALES:
        with app.test_request_context(f"/?lang={language}"):
            written[language] = local_time(june, "Europe/Paris")
    assert written["en"] == "2026-06-01 18:00 CEST (Europe/Paris)"
    assert written["fr"].startswith("1 juin 2026") and "18:00 CEST" in written["fr"]
    assert written["zh"].startswith("2026年6月1日")
    assert "июн" in written["ru"] and "jun" in written["es"]
    assert "م" in written["ar"]  # the evening, as Arabic writes it


def test_the_account_page_saves_the_language_of_pages_and_e_mails(app: Flask) -> None:
    from tests.factories import form_post

    user = make_user(app)
    browser = signed_in(app, user)
    browser.get("/?lang=zh")  # an earlier choice from the menu
    page = browser.get("/account").get_data(as_text=True)
    assert '<option value="ru" lang="ru">Русский</option>' in page
    answer = form_post(browser, "/account", {"name": user.name, "organisation": "",
                                             "locale": "ru", "notifications": "yes"})
    assert answer.status_code == 302 and "lang=;" in answer.headers["Set-Cookie"]
    assert api_as(app, user).get("/me").get_json()["locale"] == "ru"
    assert html_lang(browser.get("/").get_data(as_text=True))[0] == "ru"
    refused = form_post(browser, "/account", {"name": user.name, "locale": "xx"})
    assert refused.status_code == 422
    assert api_as(app, user).get("/me").get_json()["locale"] == "ru"


@pytest.mark.parametrize("language", TRANSLATED)
def test_pages_speak_each_language(app: Flask, language: str) -> None:
    from statements.i18n import _

    slug = make_statement(app, status="endorsing")
    client = app.test_client()
    with app.test_request_context(f"/?lang={language}"):
        words = [_("Sign in"), _("Individuals"), _("Statements")]
    assert "Sign in" not in words and "Statements" not in words
    login = client.get(f"/login?lang={language}").get_data(as_text=True)
    assert words[0] in login and words[2] in login
    public = client.get(f"/s/{slug}").get_data(as_text=True)  # the cookie keeps the choice
    assert html_lang(public) == (language, "rtl" if language == "ar" else "ltr")
    assert words[2] in public


def test_a_notification_is_in_its_recipients_language(app: Flask) -> None:
    from sqlalchemy import select

    from statements.extensions import db
    from statements.models import OutboxMessage

    moderator = make_user(app, "moderator")
    follower = make_user(app, email="suivi@example.org")
    slug = make_statement(app, moderator)
    api = api_as(app, follower)
    assert api.patch("/me", {"locale": "fr"}).status_code == 200
    assert api.post(f"/statements/{slug}/subscription").status_code == 204
    # The moderator works in Russian; the follower reads French.
    answer = api_as(app, moderator).post(f"/statements/{slug}/transitions", {"to": "amending"},
                                         headers={"Accept-Language": "ru"})
    assert answer.status_code == 200
    with app.app_context():
        (message,) = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "notification")).all()
    assert message.subject == "« Paris city biodiversity statement » est ouverte aux amendements"
    assert "Ne plus la suivre" in message.body_text


def test_api_problem_answers_stay_in_english(app: Flask) -> None:
    from tests.factories import ApiClient

    answer = ApiClient(app.test_client()).post(
        "/statements", {"title": "T", "text": "x"},
        headers={"Accept-Language": "fr", "Cookie": "lang=fr"})
    assert answer.status_code == 401
    assert answer.get_json()["title"] == "Not signed in"
    delegate = api_as(app, make_user(app))
    refused = delegate.post("/statements?lang=ru", {"title": "T", "text": "x"})
    assert refused.status_code == 403
    assert refused.get_json()["detail"] == "Only moderators and admins create statements."


def test_counts_are_written_in_the_pages_language(app: Flask) -> None:
    from statements.web.display import number

    written = {}
    for language in LOCALES:
        with app.test_request_context(f"/?lang={language}"):
            written[language] = number(12345)
    assert written["en"] == "12,345" and written["es"] == "12.345"
    assert written["fr"] == "12\u202f345" and written["ru"] == "12\xa0345"
    assert written["ar"] == "12,345"  # Latin digits, as the live updates write them too


def test_workers_starting_together_compile_the_catalogues_without_a_clash(
        tmp_path: Path) -> None:
    """Several application servers start at once on one instance folder (gunicorn's
    workers): each compiles, none fails, and every catalogue is whole."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=8) as pool:
        done = list(pool.map(lambda _: compile_catalogues(SOURCE, tmp_path), range(16)))
    assert all(languages == TRANSLATED for languages in done)
    from babel.messages.mofile import read_mo

    for language in TRANSLATED:
        with (tmp_path / language / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
            assert len(read_mo(handle)) > 600
    assert not list(tmp_path.rglob("*.partial"))
