"""How many SQL statements a request costs: the public page, the moderation queue and an
endorsement each have a budget that does not grow with the number of signatories or
amendments, so that a regression to N+1 queries fails here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from statements.database import OneRowRead, write_transaction
from statements.extensions import db
from statements.models import Statement, User
from statements.operations.accounts import create_user
from statements.operations.amendments import propose
from statements.operations.endorsements import endorse
from statements.rules import SYSTEM
from statements.web.page_cache import _cache
from tests.factories import PASSWORD, api_as, make_statement, make_user, signed_in

# Statements per request, at most (what they are today, with a little room).
PUBLIC_PAGE = 14
KEPT_PAGE = 2
QUEUE = 16
# An endorsement is checked before the write lock and written under it (hooks.LOCK_LATER):
# the statement and the signer are read once in each (17 today).
ENDORSEMENT = 18


@contextmanager
def counted(app: Flask) -> Iterator[list[str]]:
    """Every SQL statement the app's engine runs meanwhile (BEGIN included), those asked of
    the driver directly (OneRowRead, which SQLAlchemy's events do not see) too."""
    seen: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    asked_directly = OneRowRead.first

    def first(read: OneRowRead, engine: Any, **values: Any) -> Any:
        if engine is app_engine:
            seen.append(read._for(engine).sql)
        return asked_directly(read, engine, **values)

    with app.app_context():
        engine = app_engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    OneRowRead.first = first  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        OneRowRead.first = asked_directly  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", before)


def _signatories(app: Flask, slug: str, n: int, start: int = 0) -> None:
    with app.app_context(), write_transaction():
        statement = db.session.execute(
            db.select(Statement).where(Statement.slug == slug)).scalar_one()
        for i in range(start, start + n):
            user = create_user(SYSTEM, email=f"signer{i}@example.org", name=f"Signer {i}",
                               password=PASSWORD, organisation=f"Town {i % 7}")
            endorse(user, statement, kind="individual", city=f"City {i % 5}",
                    country_code=["FR", "DE", "BR", None][i % 4],
                    country="" if i % 4 != 3 else "Atlantis", public=i % 9 != 0)


def _open_amendments(app: Flask, slug: str, proposer: User, n: int, start: int = 0) -> None:
    with app.app_context(), write_transaction():
        statement = db.session.execute(
            db.select(Statement).where(Statement.slug == slug)).scalar_one()
        head = statement.head
        for i in range(start, start + n):
            propose(db.session.get(User, proposer.id), statement, base=head.number,
                    rationale=f"Amendment {i}", text=head.text + f"\nAddition {i}.\n")


def test_the_public_page_costs_the_same_for_50_and_500_signatories(app: Flask) -> None:
    slug = make_statement(app, status="endorsing")
    client = app.test_client()
    counts = []
    for have, more in ((0, 50), (50, 450)):
        _signatories(app, slug, more, start=have)
        client.get(f"/s/{slug}")  # what is done once per process is done
        _cache(app).pages.clear()  # so that the next one is rendered anew
        with counted(app) as seen:
            response = client.get(f"/s/{slug}")
        assert response.status_code == 200
        counts.append(len(seen))
        with counted(app) as seen:  # the same page again: kept, checked by one query
            again = client.get(f"/s/{slug}")
        assert again.get_data() == response.get_data()
        assert len(seen) <= KEPT_PAGE, seen
    print("public page", counts)
    assert counts[0] == counts[1], counts
    assert counts[1] <= PUBLIC_PAGE, counts


def _queries_at_5_and_40_open(app: Flask, client_for: Callable[[User], Any]) -> list[int]:
    """What a GET of a statement's amendments costs, with 5 and then 40 open (each by
    another delegate: their names are on the page), through ``client_for`` a moderator."""
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    client = client_for(moderator)
    counts = []
    for have, more in ((0, 5), (5, 35)):
        for i in range(more):
            _open_amendments(app, slug, make_user(app), 1, start=have + i)
        client.get(f"/statements/{slug}/amendments")
        with counted(app) as seen:
            response = client.get(f"/statements/{slug}/amendments")
        assert response.status_code == 200
        counts.append(len(seen))
    return counts


def test_the_queue_costs_the_same_for_5_and_40_open_amendments(app: Flask) -> None:
    counts = _queries_at_5_and_40_open(app, lambda user: signed_in(app, user))
    print("queue", counts)
    assert counts[0] == counts[1], counts
    assert counts[1] <= QUEUE, counts


def test_the_api_list_of_amendments_costs_the_same_for_5_and_40(app: Flask) -> None:
    counts = _queries_at_5_and_40_open(app, lambda user: api_as(app, user))
    print("api list", counts)
    assert counts[0] == counts[1], counts
    assert counts[1] <= QUEUE, counts


def test_an_endorsement_has_a_budget(app: Flask) -> None:
    slug = make_statement(app, status="endorsing")
    _signatories(app, slug, 30)
    first, second = api_as(app, make_user(app)), api_as(app, make_user(app))
    assert first.post(f"/statements/{slug}/endorsements", {"kind": "individual"}
                      ).status_code == 201
    with counted(app) as seen:
        response = second.post(f"/statements/{slug}/endorsements", {"kind": "individual"})
    assert response.status_code == 201, response.get_json()
    print("endorsement", len(seen), *seen, sep="\n")
    assert len(seen) <= ENDORSEMENT, seen


def test_an_endorsement_made_in_one_transaction_looks_for_a_second_once(app: Flask) -> None:
    """Outside a request (the CLI, the fill of a benchmark) endorse() runs in a write
    transaction already: "already endorsed" is asked once, under its lock, and still
    refused."""
    from statements.errors import Duplicate

    slug = make_statement(app, status="endorsing")
    user = make_user(app)
    with app.app_context(), write_transaction():
        statement = db.session.execute(
            db.select(Statement).where(Statement.slug == slug)).scalar_one()
        signer = db.session.get(User, user.id)
        with counted(app) as seen:
            endorse(signer, statement, kind="individual")
        looks = [s for s in seen if s.lstrip().upper().startswith("SELECT")
                 and "FROM endorsements" in s and "email_key" in s.split("WHERE")[-1]]
        assert len(looks) == 1, looks
    with app.app_context(), write_transaction():
        statement = db.session.execute(
            db.select(Statement).where(Statement.slug == slug)).scalar_one()
        with pytest.raises(Duplicate):
            endorse(db.session.get(User, user.id), statement, kind="individual")
