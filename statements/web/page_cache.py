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

:class:`KeptPages` answers from the kept pages in front of Flask (WSGI middleware): a page
read by many people at once costs that one query and a copy of bytes, not a request
through every hook. Whatever it cannot answer goes on to Flask untouched: a signed-in
reader, another query string, a deadline that has passed without its status being
recorded yet (Flask's first hook records it), a statement not published. When a page
must be made, one thread per page makes it and the others asking for the same page at
that moment wait for it, instead of all making it at once.

With several application servers each keeps its own pages, keyed the same way, so none
can serve another's stale one: nothing shared is needed. The key is also the page's
``ETag``: a conditional request for an unchanged page is answered ``304``.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, current_app, request, session
from sqlalchemy import Connection, Select, and_, bindparam, case, exists, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session
from werkzeug.datastructures import Headers, MultiDict
from werkzeug.wrappers import Request as BaseRequest
from werkzeug.wrappers import Response as BaseResponse

from ..database import SINGLE_READ_OPTION, OneRowRead
from ..extensions import db
from ..i18n import current_locale, reader_locale
from ..models import RecordEvent, Statement
from ..models.statement import SLUG_MAX, SLUG_PATTERN
from ..models.types import utcnow
from ..operations.workflow import NOW, deadline_passed
from ..rules import PUBLISHED

MAX_PAGES = 256
ADDITION = "endorsed"  # the record's event for a new (or renewed) endorsement
# live.js asks for the page again (X-Live: 1) because an event said it changed: never late.
LIVE_HEADER = "HTTP_X_LIVE"
# What the public page reads of its query; with anything else in it, a page is not kept
# (so that ?x=1, ?x=2 … cannot push the useful pages out).
PAGE_ARGUMENTS = frozenset({"kind", "country", "q", "page"})
PAGE_PATH = re.compile(r"/s/([^/]+)")
# Set by the view on a page fit to keep, to the page's key.
KEEP = "statements.keep_page"
# Threads making a page: one lock per key, striped (bounded, and no lock is ever removed
# while another thread waits on it).
STRIPES = 64
# What makes an answer conditional (werkzeug's make_conditional reads these).
CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
               "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE")


@dataclass
class Made:
    """A page as it was made: which page, its key, what it was made of, and whether only
    new endorsements came after it (and since when)."""

    identity: str
    key: str
    content: Content
    additions_upto: int = 0  # the events after it up to here are all new endorsements
    first_addition_at: float | None = None  # the first of them (time.time())


class PageCache:
    """The last ``limit`` answers (headers and body), least recently used first out, and
    for each page the last one made."""

    def __init__(self, limit: int = MAX_PAGES) -> None:
        self.limit = limit
        self.pages: OrderedDict[str, tuple[Headers, bytes]] = OrderedDict()
        self.latest: OrderedDict[str, Made] = OrderedDict()
        self.lock = threading.Lock()
        self.making = [threading.Lock() for _ in range(STRIPES)]

    def get(self, key: str) -> tuple[Headers, bytes] | None:
        with self.lock:
            page = self.pages.get(key)
            if page is not None:
                self.pages.move_to_end(key)
            return page

    def put(self, made: Made, headers: Headers, body: bytes) -> None:
        with self.lock:
            self.pages[made.key] = (headers, body)
            self.pages.move_to_end(made.key)
            while len(self.pages) > self.limit:
                self.pages.popitem(last=False)
            before = self.latest.get(made.identity)
            if before is None or before.content.seq <= made.content.seq:
                self.latest[made.identity] = made
                self.latest.move_to_end(made.identity)
                while len(self.latest) > self.limit:
                    self.latest.popitem(last=False)

    def last_made(self, identity: str) -> Made | None:
        with self.lock:
            return self.latest.get(identity)

    def maker(self, key: str) -> threading.Lock:
        return self.making[int(key[:8], 16) % STRIPES]


def _cache(app: Flask) -> PageCache:
    found = app.extensions.get("statements.page_cache")
    if found is None:
        found = app.extensions.setdefault("statements.page_cache", PageCache())
    assert isinstance(found, PageCache)
    return found


def _anonymous(cookies: dict[str, str] | Any, config: dict[str, Any] | Any) -> bool:
    return not any(name in cookies for name in (
        config.get("SESSION_COOKIE_NAME", "session"),
        config.get("REMEMBER_COOKIE_NAME", "remember_token")))


def _looks_kept(args: MultiDict[str, str]) -> bool:
    """Only what the page reads, each once (?page=1&page=2 is rendered, never kept)."""
    return set(args) <= PAGE_ARGUMENTS and len(args) == len(list(args.items(multi=True)))


def _is_slug(slug: str) -> bool:
    # Not a slug at all (say, with a NUL, which PostgreSQL refuses): a 404, never a query.
    return len(slug) <= SLUG_MAX and SLUG_PATTERN.fullmatch(slug) is not None


@functools.cache
def _content_query() -> Select[tuple[str, str | None, int | None, bool, int]]:
    """Built once (each request only binds its slug and the time)."""
    last = select(RecordEvent.hash, RecordEvent.seq) \
        .where(RecordEvent.statement_id == Statement.id).order_by(RecordEvent.seq.desc()).limit(1)
    due = exists().where(deadline_passed(NOW))
    return select(Statement.status, last.with_only_columns(RecordEvent.hash).scalar_subquery(),
                  last.with_only_columns(RecordEvent.seq).scalar_subquery(), due,
                  Statement.id).where(Statement.slug == bindparam("slug"))


@dataclass(frozen=True)
class Content:
    """What a statement's public page is made of, as far as the key goes."""

    status: str
    head: str | None  # the hash of the record's last event
    seq: int  # and its number
    due: bool  # some deadline has passed without its status being recorded yet
    statement_id: int


def _content(source: scoped_session[Any] | Session | Engine, slug: str) -> Content | None:
    """The statement's status and its record's head, and whether some deadline has passed
    without its status being recorded yet (then a request must go through Flask, whose
    first hook records it): in one indexed query, in the request's transaction or (in
    front of Flask) asked of the engine's driver directly."""
    row: Any
    if isinstance(source, Engine):
        row = _content_read().first(source, slug=slug, now=utcnow())
    else:
        row = source.execute(_content_query(), {"slug": slug, "now": utcnow()}).first()
    return None if row is None else Content(str(row[0]), row[1], row[2] or 0, bool(row[3]),
                                            row[4])


@functools.cache
def _content_read() -> OneRowRead:
    return OneRowRead(_content_query())


@functools.cache
def _since_query() -> Select[tuple[int, int, str]]:
    """The events after a kept page's: how many, how many are not new endorsements, and
    when the first was."""
    later = and_(RecordEvent.statement_id == bindparam("statement"),
                 RecordEvent.seq > bindparam("seq"))
    return select(func.count(), func.count(case((RecordEvent.type != ADDITION, 1))),
                  func.min(RecordEvent.at)).where(later)


def page_identity(slug: str, locale: str, args: MultiDict[str, str]) -> str:
    """Which page it is (of which statement, in which language, with which query)."""
    query = urlencode(sorted(args.items(multi=True)))
    return "\0".join([slug, locale, query])


def page_key(identity: str, content: Content) -> str:
    """What the page is made of, as one string."""
    made_of = "\0".join([identity, content.status, str(content.head)])
    return hashlib.sha256(made_of.encode("utf-8")).hexdigest()


def _answer(page: str, key: str) -> Response:
    response = Response(page, mimetype="text/html")
    response.set_etag(key)
    response.headers["Cache-Control"] = "no-cache"  # a browser asks again, with the ETag
    response.vary.update(("Cookie", "Accept-Language"))
    response.make_conditional(request)  # 304 when the reader has this very page
    return response


def cached_page(slug: str, render: Callable[[], str]) -> Response | str:
    """The page ``render`` makes: for an anonymous reader with its ``ETag`` (``304`` when
    unchanged), and marked for :class:`KeptPages` to keep when nothing in it was made for
    this very request."""
    args = request.args
    lang = args.getlist("lang")
    if not _anonymous(request.cookies, current_app.config) or len(lang) > 1 \
            or not _looks_kept(MultiDict([(k, v) for k, v in args.items(multi=True)
                                          if k != "lang"])):
        return render()  # any other query (?x=1, ?x=2 …) is rendered, never kept
    content = _content(db.session, slug) if _is_slug(slug) else None
    if content is None or content.status not in PUBLISHED:
        return render()
    identity = page_identity(slug, current_locale(), args)
    key = page_key(identity, content)
    html = render()
    if session.modified or session:  # the page was made for this reader after all
        return html
    if not lang:  # a page asked in a language (?lang=) sets its cookie: not kept
        request.environ[KEEP] = Made(identity, key, content)
    return _answer(html, key)


@dataclass(frozen=True)
class Asked:
    """A request the kept pages may answer: which page, its key now, and what it is made
    of now."""

    identity: str
    key: str
    content: Content


class KeptPages:
    """WSGI middleware in front of Flask: kept public pages, answered without Flask.

    While new endorsements arrive (and nothing else changes), the page last made may be
    answered for ``PUBLIC_PAGE_LAG_SECONDS`` after the first endorsement it lacks: a page
    read by many while hundreds sign is then made a few times a second, not once per
    endorsement, and a new endorsement still shows within that lag and the time to make
    the page. Anything else (a withdrawn endorsement, a verification, a new version, a
    status) is never answered from a page made before it; nor is the page live.js asks for
    again after an event (``X-Live``), which must show what the event announced."""

    def __init__(self, app: Flask, wsgi: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.wsgi = wsgi
        self.engine: Engine | None = None

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        asked = self._asked(environ)
        if asked is None:
            return self.wsgi(environ, start_response)
        cache = _cache(self.app)
        kept = cache.get(asked.key)
        if kept is None and not environ.get(LIVE_HEADER):
            kept = self._lagging(asked, cache)
        if kept is None:
            with cache.maker(asked.key):  # one thread makes it; the others wait, then read it
                kept = cache.get(asked.key)
                if kept is None:
                    return self._make(environ, start_response, cache)
        headers, body = kept
        if any(name in environ for name in CONDITIONAL):
            response = BaseResponse(body, 200, headers)
            # 304 when unchanged. (populate_request=False, here and in _asked: a request in
            # its own environ is a reference cycle, garbage for the collector each request.)
            response.make_conditional(BaseRequest(environ, populate_request=False))
            return response(environ, start_response)
        start_response("200 OK", headers.to_wsgi_list())
        return [b""] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _engine(self) -> Engine:
        if self.engine is None:
            with self.app.app_context():
                self.engine = db.engine
        return self.engine

    def _connection(self) -> Connection:
        return self._engine().connect().execution_options(**{SINGLE_READ_OPTION: True})

    def _asked(self, environ: dict[str, Any]) -> Asked | None:
        """The page asked for, when it may be answered from the kept pages."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        path = PAGE_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if path is None or not _is_slug(path[1]) \
                or environ.get("CONTENT_LENGTH", "0") not in ("", "0") \
                or environ.get("HTTP_TRANSFER_ENCODING"):
            return None  # not the page, or a body (which Flask refuses or ignores)
        asking = BaseRequest(environ, populate_request=False)
        if "HTTP_COOKIE" in environ and not _anonymous(asking.cookies, self.app.config):
            return None
        if environ.get("QUERY_STRING") and not _looks_kept(asking.args):
            return None
        content = _content(self._engine(), path[1])
        if content is None or content.status not in PUBLISHED or content.due:
            return None
        locale = reader_locale(None, asking.cookies, asking.accept_languages)
        identity = page_identity(path[1], locale, asking.args)
        return Asked(identity, page_key(identity, content), content)

    def _lagging(self, asked: Asked, cache: PageCache) -> tuple[Headers, bytes] | None:
        """The page last made, if since then only new endorsements came, the first of
        them less than the allowed lag ago."""
        lag = float(self.app.config.get("PUBLIC_PAGE_LAG_SECONDS", 0))
        made = cache.last_made(asked.identity)
        if lag <= 0 or made is None or made.content.status != asked.content.status \
                or made.content.seq >= asked.content.seq:
            return None
        if made.additions_upto < asked.content.seq:
            with self._connection() as connection:
                later, others, first = connection.execute(_since_query(), {
                    "statement": asked.content.statement_id, "seq": made.content.seq}).one()
            if others or not later or first is None:
                return None
            made.additions_upto = asked.content.seq
            made.first_addition_at = datetime.fromisoformat(first).timestamp()
        if made.first_addition_at is None or time.time() - made.first_addition_at > lag:
            return None
        return cache.get(made.key)

    def _make(self, environ: dict[str, Any], start_response: Callable[..., Any],
              cache: PageCache) -> Iterable[bytes]:
        """Flask answers; a page it marked as fit to keep is kept, under its own key (it
        looked again, after its hooks)."""
        answered: list[Any] = []

        def keep_status(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            answered[:] = [status, headers]
            return start_response(status, headers, *rest)

        result = self.wsgi(environ, keep_status)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        made = environ.get(KEEP)
        if isinstance(made, Made) and environ["REQUEST_METHOD"] == "GET" and answered \
                and answered[0].startswith("200 ") \
                and not any(name.lower() == "set-cookie" for name, _ in answered[1]):
            cache.put(made, Headers(answered[1]), body)
        return [body]
