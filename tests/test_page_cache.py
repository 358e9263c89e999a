"""The public page kept whole for anonymous readers: keyed by the statement's record, so a
new endorsement shows at once and a withdrawn one is gone at once; ETag and 304; never
for a signed-in reader."""

from __future__ import annotations

from flask import Flask

from tests.factories import api_as, make_statement, make_user, signed_in


def test_a_kept_page_follows_every_change_and_answers_304(app: Flask, client) -> None:
    app.config["PUBLIC_PAGE_LAG_SECONDS"] = 0  # no lag: see the lag's own test below
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


def test_a_kept_page_is_answered_as_flask_answered_it(app: Flask, client) -> None:
    """The second reader gets the page from in front of Flask: the same bytes and headers
    (security headers included), and HEAD the same without the body."""
    from statements.web.page_cache import _cache

    slug = make_statement(app, status="endorsing")
    made = client.get(f"/s/{slug}")
    assert len(_cache(app).pages) == 1
    kept = client.get(f"/s/{slug}")
    assert kept.get_data() == made.get_data()
    drop = {"Date"}
    assert {k: v for k, v in kept.headers if k not in drop} == \
        {k: v for k, v in made.headers if k not in drop}
    assert kept.headers["Content-Security-Policy"] and kept.headers["X-Frame-Options"] == "DENY"
    head = client.head(f"/s/{slug}")
    assert head.status_code == 200 and not head.get_data()
    assert head.headers["ETag"] == made.headers["ETag"]


def test_a_passed_deadline_is_never_hidden_by_a_kept_page(app: Flask, client) -> None:
    """A deadline passes without any write: the kept page still says "open", so the
    request goes on to Flask, which records the deadline, and the reader sees it closed."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import select

    from statements.extensions import db
    from statements.models import Statement

    slug = make_statement(app, status="endorsing")
    with app.app_context():
        statement = db.session.scalars(select(Statement)).one()
        statement.endorsing_until = datetime.now(timezone.utc) + timedelta(days=1)
        db.session.commit()
    assert "Open for endorsement until" in client.get(f"/s/{slug}").get_data(as_text=True)
    assert "Open for endorsement until" in client.get(f"/s/{slug}").get_data(as_text=True)
    with app.app_context():
        statement = db.session.scalars(select(Statement)).one()
        statement.endorsing_until = datetime.now(timezone.utc) - timedelta(seconds=1)
        db.session.commit()  # the deadline passes; nothing is written
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    assert "Endorsement closed" in page and "Open for endorsement" not in page
    with app.app_context():
        assert db.session.scalars(select(Statement)).one().status == "closed"


def test_readers_arriving_together_wait_for_one_page_to_be_made(app: Flask, monkeypatch
                                                                 ) -> None:
    import threading

    from statements.web import public

    slug = make_statement(app, status="endorsing")
    made: list[int] = []
    real = public._public_page

    def counting(slug: str) -> str:
        made.append(1)
        return real(slug)

    monkeypatch.setattr(public, "_public_page", counting)
    start = threading.Barrier(8)
    pages: list[bytes] = []

    def read() -> None:
        client = app.test_client()
        start.wait()
        response = client.get(f"/s/{slug}")
        assert response.status_code == 200
        pages.append(response.get_data())

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(pages) == 8 and len(set(pages)) == 1
    assert len(made) == 1


def test_new_endorsements_may_lag_a_moment_but_nothing_else_ever(app: Flask, client) -> None:
    """While only new endorsements arrive, the page made last may be shown for the lag
    after the first it lacks; a withdrawal (or any other change) shows at once, and a new
    endorsement older than the lag too."""
    import time

    app.config["PUBLIC_PAGE_LAG_SECONDS"] = 60
    slug = make_statement(app, status="endorsing")
    early = api_as(app, make_user(app, name="Early Signer"))
    assert early.post(f"/statements/{slug}/endorsements", {"kind": "individual"}
                      ).status_code == 201
    assert "Early Signer" in client.get(f"/s/{slug}").get_data(as_text=True)
    late = api_as(app, make_user(app, name="Late Signer"))
    assert late.post(f"/statements/{slug}/endorsements", {"kind": "individual"}
                     ).status_code == 201
    lagging = client.get(f"/s/{slug}").get_data(as_text=True)
    assert "Early Signer" in lagging and "Late Signer" not in lagging
    # The page live.js fetches after the event that announced it is never late.
    live = client.get(f"/s/{slug}", headers={"X-Live": "1"}).get_data(as_text=True)
    assert "Late Signer" in live
    assert early.delete(f"/statements/{slug}/endorsements/mine").status_code == 204
    fresh = client.get(f"/s/{slug}").get_data(as_text=True)
    assert "Early Signer" not in fresh and "Late Signer" in fresh

    app.config["PUBLIC_PAGE_LAG_SECONDS"] = 0.2
    third = api_as(app, make_user(app, name="Third Signer"))
    assert third.post(f"/statements/{slug}/endorsements", {"kind": "individual"}
                      ).status_code == 201
    time.sleep(0.3)
    assert "Third Signer" in client.get(f"/s/{slug}").get_data(as_text=True)


def test_a_kept_page_leaves_no_garbage_for_the_collector(app: Flask, client) -> None:
    """Answered from in front of Flask, a kept page makes no reference cycle (a werkzeug
    request in its own environ was one, each request): nothing for the collector to find,
    so a page read by many at once does not make it run (each run stops every thread)."""
    import gc

    from werkzeug.test import EnvironBuilder

    slug = make_statement(app, status="endorsing")
    assert client.get(f"/s/{slug}").status_code == 200  # made and kept
    asks = [EnvironBuilder(path=f"/s/{slug}", headers=headers).get_environ()
            for headers in [{}, {"If-None-Match": '"other"'}, {"Accept-Language": "en"}] * 20]
    answered: list[str] = []
    while gc.collect():  # what the set-up left behind (a collection can free more)
        pass
    gc.disable()
    try:
        while asks:  # (each environ let go once answered)
            b"".join(app(asks.pop(), lambda status, headers, *_: answered.append(status)))
        garbage = gc.collect()
    finally:
        gc.enable()
    assert answered == ["200 OK"] * 60
    assert garbage == 0
