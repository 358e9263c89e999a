"""The public page kept whole for anonymous readers: keyed by the statement's record, so a
new endorsement shows at once and a withdrawn one is gone at once; ETag and 304; never
for a signed-in reader."""

from __future__ import annotations

from flask import Flask

from tests.factories import api_as, make_statement, make_user, signed_in


def test_a_kept_page_follows_every_change_and_answers_304(app: Flask, client) -> None:
    slug = make_statement(app, status="endorsing")
    first = client.get(f"/s/{slug}")
    etag = first.headers["ETag"]
    assert client.get(f"/s/{slug}").headers["ETag"] == etag
    unchanged = client.get(f"/s/{slug}", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and not unchanged.get_data()
    signer = api_as(app, make_user(app, name="Ada Newcomer"))
    assert signer.post(f"/statements/{slug}/endorsements", {"kind": "individual"}
                       ).status_code == 201
    shown = client.get(f"/s/{slug}", headers={"If-None-Match": etag})
    assert shown.status_code == 200 and "Ada Newcomer" in shown.get_data(as_text=True)
    assert shown.headers["ETag"] != etag
    assert signer.delete(f"/statements/{slug}/endorsements/mine").status_code == 204
    assert "Ada Newcomer" not in client.get(f"/s/{slug}").get_data(as_text=True)


def test_languages_and_signed_in_readers_get_their_own_page(app: Flask, client) -> None:
    slug = make_statement(app, status="endorsing")
    english = client.get(f"/s/{slug}", headers={"Accept-Language": "en"})
    french = client.get(f"/s/{slug}", headers={"Accept-Language": "fr"})
    assert english.headers["ETag"] != french.headers["ETag"]
    assert 'lang="fr"' in french.get_data(as_text=True)
    user = make_user(app, name="Signed Reader")
    page = signed_in(app, user).get(f"/s/{slug}")
    assert "ETag" not in page.headers
    assert "Signed Reader" in page.get_data(as_text=True)
    assert "Signed Reader" not in client.get(f"/s/{slug}").get_data(as_text=True)


def test_a_query_the_page_does_not_read_is_never_kept(app: Flask) -> None:
    from statements.web.page_cache import _cache

    slug = make_statement(app, status="endorsing")
    client = app.test_client()
    for n in range(5):
        assert client.get(f"/s/{slug}?x={n}").status_code == 200
    assert len(_cache(app).pages) == 0
    assert client.get(f"/s/{slug}?kind=individual").status_code == 200
    assert len(_cache(app).pages) == 1
