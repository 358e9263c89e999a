"""The public page, kept whole per process for anonymous readers, by content.

A reader without a session (no session or remember-me cookie: no flashes, no signed-in
menu, no CSRF token on the page) is shown the same bytes as every such reader of the same
statement, language and query string, as long as the statement's public record ends at
the same event. Every change the page shows (a new, withdrawn or verified endorsement, a
version, a status, a detail of the statement, a deadline that passed) appends an event to
that record in the very transaction that makes it, so the record's head is the key: one
indexed query per request tells whether a kept page is still the page, and a page kept
before a change is never served after it. A draft is never kept (only published
statements are), and signed-in readers always get a page rendered for them.

With several application servers each keeps its own pages, keyed the same way, so none
can serve another's stale one: nothing shared is needed. The key is also the page's
``ETag``: a conditional request for an unchanged page is answered ``304``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from flask import Flask, Response, current_app, request, session
from sqlalchemy import select

from ..extensions import db
from ..i18n import current_locale
from ..models import RecordEvent, Statement
from ..models.statement import SLUG_MAX, SLUG_PATTERN
from ..rules import PUBLISHED

MAX_PAGES = 256
# What the public page reads of its query; with anything else in it, a page is not kept
# (so that ?x=1, ?x=2 … cannot push the useful pages out).
PAGE_ARGUMENTS = ("kind", "country", "q", "page")


class PageCache:
    """The last ``limit`` pages, least recently used first out."""

    def __init__(self, limit: int = MAX_PAGES) -> None:
        self.limit = limit
        self.pages: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, key: str, page: bytes) -> None:
        with self.lock:
            self.pages[key] = page
            self.pages.move_to_end(key)
            while len(self.pages) > self.limit:
                self.pages.popitem(last=False)


def _cache(app: Flask) -> PageCache:
    found = app.extensions.get("statements.page_cache")
    if found is None:
        found = app.extensions.setdefault("statements.page_cache", PageCache())
    assert isinstance(found, PageCache)
    return found


def _anonymous() -> bool:
    config = current_app.config
    return not any(name in request.cookies for name in (
        config.get("SESSION_COOKIE_NAME", "session"),
        config.get("REMEMBER_COOKIE_NAME", "remember_token")))


def _content_key(slug: str) -> str | None:
    """What the page is made of, as one string; None unless the statement is published."""
    if not SLUG_PATTERN.fullmatch(slug) or len(slug) > SLUG_MAX:
        return None  # not a slug at all (say, with a NUL, which PostgreSQL refuses): a 404
    head = select(RecordEvent.hash).where(RecordEvent.statement_id == Statement.id) \
        .order_by(RecordEvent.seq.desc()).limit(1).scalar_subquery()
    row = db.session.execute(select(Statement.status, head).where(Statement.slug == slug)
                             ).first()
    if row is None or row[0] not in PUBLISHED:
        return None
    query = "&".join(f"{name}={request.args.get(name, '')}" for name in PAGE_ARGUMENTS)
    made_of = "\0".join([slug, str(row[0]), str(row[1]), current_locale(), query])
    return hashlib.sha256(made_of.encode("utf-8")).hexdigest()


def _answer(page: bytes, key: str) -> Response:
    response = Response(page, mimetype="text/html")
    response.set_etag(key)
    response.headers["Cache-Control"] = "no-cache"  # a browser asks again, with the ETag
    response.vary.update(("Cookie", "Accept-Language"))
    response.make_conditional(request)  # 304 when the reader has this very page
    return response


def cached_page(slug: str, render: Callable[[], str]) -> Response | str:
    """The page ``render`` makes, from the cache when the reader is anonymous and the
    statement's content has not changed since it was kept."""
    if not _anonymous() or not set(request.args) <= {*PAGE_ARGUMENTS, "lang"}:
        return render()  # any other query (?x=1, ?x=2 …) is rendered, never kept
    key = _content_key(slug)
    if key is None:
        return render()
    cache = _cache(current_app)
    page = cache.get(key)
    if page is None:
        html = render()
        if session.modified or session:  # the page was made for this reader after all
            return html
        page = html.encode("utf-8")
        cache.put(key, page)
    return _answer(page, key)
