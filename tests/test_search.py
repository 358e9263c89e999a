"""Searching the signatories ignores case and accents in every script, on SQLite and on
PostgreSQL alike (the search key, statements/text/search.py); countries by ISO code."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from flask import Flask
from sqlalchemy import select

from statements.extensions import db
from statements.models import Endorsement
from statements.text.normalise import sha256_hex
from tests.factories import (
    SAMPLE_TEXT,
    ApiClient,
    api_as,
    form_post,
    make_statement,
    make_user,
    signed_in,
)

SIGNATORIES = [  # name, kind, organisation, city, country, country_code
    ("Ana Souza", "individual", "", "São Paulo", "", "BR"),
    ("Ким Ен Хо", "individual", "", "Кызыл", "", "RU"),
    ("Ελένη Παπαδοπούλου", "government", "Δήμος Αθηναίων", "Αθήνα", "", "GR"),
    ("Anna Gruber", "individual", "", "Wien", "Österreich", None),
    ("Franz Huber", "individual", "", "Graz", "ÖSTERREICH", None),
    ("王芳", "government", "昆明市人民政府", "昆明市", "", "CN"),
    ("Percent 100% Sure", "individual", "", "", "", None),
    ("Under_Score", "individual", "", "", "", None),
    ("Back\\Slash", "individual", "", "", "", None),
]


@pytest.fixture
def published(app: Flask) -> str:
    moderator = make_user(app, "moderator", name="Mo")
    slug = make_statement(app, moderator, status="endorsing")
    # The signers' addresses are at a trusted domain: their authority is verified at once.
    api_as(app, moderator).patch(f"/statements/{slug}", {"trusted_domains": ["example.org"]})
    for name, kind, organisation, city, country, code in SIGNATORIES:
        body = {"kind": kind, "name": name, "organisation": organisation, "city": city,
                "country": country, "authorised": kind != "individual"}
        if code is not None:
            body["country_code"] = code
        response = api_as(app, make_user(app)).post(f"/statements/{slug}/endorsements", body)
        assert response.status_code == 201, response.get_json()
    return slug


def _api_names(client, slug: str, query: str) -> list[str]:
    body = client.get(f"/api/v1/statements/{slug}/endorsements?{query}").get_json()
    assert body["count"] == len(body["items"])
    return [e["name"] for e in body["items"]]


def _page_names(client, slug: str, query: str) -> list[str]:
    html = client.get(f"/s/{slug}?{query}").get_data(as_text=True)
    return re.findall(r'<bdi class="who">(.*?)</bdi>', html)


@pytest.mark.parametrize(("q", "found"), [
    ("sao paulo", ["Ana Souza"]),
    ("SÃO", ["Ana Souza"]),
    ("ким", ["Ким Ен Хо"]),
    ("КЫЗЫЛ", ["Ким Ен Хо"]),
    ("ελένη", ["Ελένη Παπαδοπούλου"]),
    ("ΕΛΕΝΗ", ["Ελένη Παπαδοπούλου"]),
    ("αθηναιων", ["Ελένη Παπαδοπούλου"]),  # the organisation
    ("ÖSTERREICH", ["Anna Gruber", "Franz Huber"]),  # the country as written
    ("昆明", ["王芳"]),  # a fragment of 昆明市, in the city and the organisation
    ("人民", ["王芳"]),
    ("  anna   GRUBER ", ["Anna Gruber"]),
    ("100%", ["Percent 100% Sure"]),  # % _ and \ match only themselves
    ("%", ["Percent 100% Sure"]),
    ("_", ["Under_Score"]),
    ("\\", ["Back\\Slash"]),
    ("nobody", []),
])
def test_q_ignores_case_and_accents_in_every_script(client, published: str, q: str,
                                                   found: list[str]) -> None:
    query = "q=" + quote(q)
    assert _api_names(client, published, query) == found
    assert _page_names(client, published, query) == found


@pytest.mark.parametrize(("country", "found"), [
    ("ÖSTERREICH", ["Anna Gruber", "Franz Huber"]),
    ("Österreich", ["Anna Gruber", "Franz Huber"]),
    ("osterreich", ["Anna Gruber", "Franz Huber"]),
    ("Wien", []),  # a city is no country
    ("BR", ["Ana Souza"]),
    ("br", ["Ana Souza"]),
    ("Brazil", ["Ana Souza"]),  # a code's signatory is also found by the country's name
    ("CN", ["王芳"]),
    ("FR", []),
])
def test_country_filter_by_code_or_by_name(client, published: str, country: str,
                                           found: list[str]) -> None:
    query = "country=" + quote(country)
    assert _api_names(client, published, query) == found
    assert _page_names(client, published, query) == found


def test_filters_combine(client, published: str) -> None:
    assert _api_names(client, published, "kind=government") == ["Ελένη Παπαδοπούλου", "王芳"]
    assert _api_names(client, published, "kind=government&q=%E6%98%86%E6%98%8E") == ["王芳"]
    assert _api_names(client, published, "kind=government&country=BR") == []
    assert _page_names(client, published, "kind=individual&country=AT&q=anna") == []


def test_the_page_lists_the_countries_present_by_name_and_each_finds_its_signatories(
        client, published: str) -> None:
    html = client.get(f"/s/{published}").get_data(as_text=True)
    select_html = re.search(r'<select id="filter-country".*?</select>', html, re.S).group(0)
    options = re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select_html)
    assert options == [("", "All countries"), ("BR", "Brazil"), ("CN", "China"),
                       ("GR", "Greece"), ("Österreich", "Österreich"), ("RU", "Russia")]
    for value, _ in options[1:]:
        assert _page_names(client, published, "country=" + quote(value))
    chosen = client.get(f"/s/{published}?country=%C3%96STERREICH").get_data(as_text=True)
    assert '<option value="Österreich" selected>' in chosen
    # Each signatory shows the country's name, not its code.
    assert re.search(r"Ana Souza</bdi><span class=\"details\"><bdi>São Paulo</bdi>, "
                     r"<bdi>Brazil</bdi>", html)


def test_country_code_in_the_api(app: Flask, published: str, client) -> None:
    api = api_as(app, make_user(app))
    path = f"/statements/{published}/endorsements"
    for bad in ("ZZ", "XK", "EU", "fr", "FRA", "F", 12, True, ["FR"]):
        refused = api.post(path, {"kind": "individual", "country_code": bad})
        assert refused.status_code == 422, bad
        assert "country_code" in refused.get_json()["errors"]
    anonymous = ApiClient(app.test_client())
    refused = anonymous.post(path, {"kind": "individual", "name": "Zed",
                                    "email": "zed@example.org", "country_code": "QQ"})
    assert refused.status_code == 422 and "country_code" in refused.get_json()["errors"]
    pending = anonymous.post(path, {"kind": "individual", "name": "Zed",
                                    "email": "zed@example.org", "country_code": "SN"})
    assert pending.status_code == 202
    with app.app_context():
        waiting = db.session.scalars(select(Endorsement).where(
            Endorsement.email == "zed@example.org")).one()
        assert waiting.country == "Senegal"
    made = api.post(path, {"kind": "individual", "country_code": "FR"})
    assert made.status_code == 201
    body = made.get_json()
    assert body["country_code"] == "FR" and body["country"] == "France"
    own = api_as(app, make_user(app)).post(path, {"kind": "individual", "country_code": "AT",
                                                  "country": "Österreich"})
    assert own.get_json()["country"] == "Österreich"  # the signatory's own words are kept
    listed = client.get(f"/api/v1{path}?country=AT").get_json()["items"]
    assert [(e["country"], e["country_code"]) for e in listed] == [("Österreich", "AT")]
    legacy = client.get(f"/api/v1{path}?q=gruber").get_json()["items"]
    assert [e["country_code"] for e in legacy] == [None]


def test_the_form_offers_countries_by_name_and_stores_the_code(app: Flask) -> None:
    slug = make_statement(app, make_user(app, "moderator"), status="endorsing")
    user = make_user(app, name="Lena")
    browser = signed_in(app, user)
    page = browser.get(f"/s/{slug}/endorse").get_data(as_text=True)
    assert '<select id="f-country_code" name="country_code"' in page
    assert '<option value="AT">Austria</option>' in page
    assert page.index(">Åland Islands<") < page.index(">Albania<")
    fields = {"kind": "individual", "name": "Lena", "city": "Linz",
              "sha256": sha256_hex(SAMPLE_TEXT), "public": "yes"}
    refused = form_post(browser, f"/s/{slug}/endorse", {**fields, "country_code": "QQ"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Choose a country from the list" in html and 'aria-invalid="true"' in html
    chosen = form_post(browser, f"/s/{slug}/endorse", {**fields, "country_code": "AT"},
                       token_from=f"/s/{slug}/endorse")
    assert chosen.status_code == 302
    with app.app_context():
        endorsement = db.session.scalars(select(Endorsement)).one()
        assert (endorsement.country_code, endorsement.country) == ("AT", "Austria")
    public = app.test_client().get(f"/s/{slug}?country=AT").get_data(as_text=True)
    assert "<bdi>Linz</bdi>, <bdi>Austria</bdi>" in public
    assert '<option value="AT" selected>Austria</option>' in public


def test_without_an_account_the_form_refuses_an_unknown_code(app: Flask) -> None:
    slug = make_statement(app, make_user(app, "moderator"), status="endorsing")
    browser = app.test_client()
    refused = form_post(browser, f"/s/{slug}/endorse", {
        "kind": "individual", "name": "Zed", "email": "zed@example.org",
        "country_code": "QQ", "sha256": sha256_hex(SAMPLE_TEXT), "public": "yes"})
    assert refused.status_code == 422
    assert "Choose a country from the list" in refused.get_data(as_text=True)


def test_the_key_follows_a_renewed_endorsement(app: Flask, client) -> None:
    slug = make_statement(app, make_user(app, "moderator"), status="endorsing")
    api = api_as(app, make_user(app))
    path = f"/statements/{slug}/endorsements"
    api.post(path, {"kind": "individual", "name": "Old Name", "city": "Łódź"})
    assert _api_names(client, slug, "q=lodz") == ["Old Name"]
    assert api.delete(f"{path}/mine").status_code == 204
    assert api.post(path, {"kind": "individual", "name": "Nouveau Nom",
                           "city": "Genève"}).status_code == 201
    assert _api_names(client, slug, "q=old") == [] and _api_names(client, slug, "q=lodz") == []
    assert _api_names(client, slug, "q=GENEVE") == ["Nouveau Nom"]


def test_the_migration_gives_existing_endorsements_their_key(app: Flask, published: str,
                                                             client) -> None:
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        downgrade(revision="0010")
        upgrade()
    assert _api_names(client, published, "q=sao%20paulo") == ["Ana Souza"]
    assert _api_names(client, published, "country=%C3%B6sterreich") == ["Anna Gruber",
                                                                        "Franz Huber"]
    # The codes are gone with the column on the way down; the country names stayed.
    assert _api_names(client, published, "country=Brazil") == ["Ana Souza"]
