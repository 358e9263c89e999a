"""The database layer loses nothing: the write lock, SQLite settings, migrations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from statements.database import begin_write, for_update, write_transaction
from statements.extensions import db
from statements.models import AuditEvent, User
from statements.models.types import utcnow

scratch = MetaData()
counters = Table("test_counters", scratch, Column("id", Integer, primary_key=True),
                 Column("value", Integer, nullable=False))


@pytest.fixture
def counter(app: Flask):
    with app.app_context():
        scratch.create_all(db.engine)
        with db.engine.begin() as conn:
            conn.execute(counters.insert().values(id=1, value=0))
    yield
    with app.app_context():
        scratch.drop_all(db.engine)


def _read_modify_write(app: Flask, times: int, errors: list[BaseException]) -> None:
    try:
        for _ in range(times):
            with app.app_context():
                with write_transaction() as session:
                    value = session.execute(
                        for_update(select(counters.c.value).where(counters.c.id == 1))
                    ).scalar_one()
                    session.execute(update(counters).where(counters.c.id == 1)
                                    .values(value=value + 1))
    except BaseException as exc:  # surfaced by the test thread below
        errors.append(exc)


def test_concurrent_read_modify_write_loses_nothing(app: Flask, counter: None) -> None:
    writers, times = 8, 25
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_read_modify_write, args=(app, times, errors))
               for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        value = db.session.execute(select(counters.c.value)).scalar_one()
    assert value == writers * times == 200


def test_write_lock_is_taken_when_the_transaction_begins(app: Flask, counter: None,
                                                         database_url: str) -> None:
    other = create_engine(database_url)
    with app.app_context():
        begin_write()
        if db.engine.dialect.name == "sqlite":
            # Nothing read yet, and already no other writer can begin.
            with other.connect() as conn:
                conn.exec_driver_sql("PRAGMA busy_timeout=0")
                conn.connection.driver_connection.isolation_level = None
                with pytest.raises(OperationalError, match="locked"):
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            db.session.execute(for_update(select(counters.c.value).where(counters.c.id == 1)))
            with other.connect() as conn:
                with pytest.raises(DBAPIError):
                    conn.execute(text("SELECT value FROM test_counters WHERE id = 1 "
                                      "FOR UPDATE NOWAIT"))
        db.session.rollback()
    other.dispose()


def test_reads_do_not_take_the_write_lock(app: Flask, counter: None, database_url: str) -> None:
    other = create_engine(database_url)
    with app.app_context():
        db.session.execute(select(counters.c.value)).scalar_one()  # a plain read transaction
        with other.begin() as conn:  # a writer is not kept waiting by the reader
            conn.execute(update(counters).values(value=41))
        db.session.rollback()
        assert db.session.execute(select(counters.c.value)).scalar_one() == 41
    other.dispose()


def test_begin_write_after_a_read_is_refused(app: Flask) -> None:
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        with pytest.raises(RuntimeError, match="before the transaction reads"):
            begin_write()


def test_sqlite_connection_settings(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite connection settings; this run is on PostgreSQL")
        conn = db.session.connection()
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def _user(email: str = "a@example.org") -> User:
    return User(email=email, email_key=email.casefold(), name="A", organisation="",
                role="delegate", password_hash="x", auth_epoch=0, created_at=utcnow())


def test_email_uniqueness_ignores_case(app: Flask) -> None:
    with app.app_context():
        db.session.add(_user("Ana@Example.org"))
        db.session.commit()
        db.session.add(_user("ana@example.ORG"))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_audit_events_are_append_only_in_the_database(app: Flask) -> None:
    with app.app_context():
        db.session.add(AuditEvent(action="test.made", object_type="thing", object_id="1",
                                  details={}))
        db.session.commit()
        with pytest.raises(DBAPIError, match="permanent record"):
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE audit_events SET action = 'forged'"))
        with pytest.raises(DBAPIError, match="permanent record"):
            with db.engine.begin() as conn:
                conn.execute(text("DELETE FROM audit_events"))
        event = db.session.execute(select(AuditEvent)).scalar_one()
        assert event.action == "test.made"
        event.action = "forged"
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.flush()
        db.session.rollback()


def test_restrict_keeps_a_referenced_user(app: Flask) -> None:
    with app.app_context():
        user = _user()
        db.session.add(user)
        db.session.flush()
        db.session.add(AuditEvent(actor_id=user.id, action="x", object_type="t", object_id="1",
                                  details={}))
        db.session.commit()
        with pytest.raises(IntegrityError):
            with db.engine.begin() as conn:
                conn.execute(text("DELETE FROM users"))


def test_times_come_back_aware_and_in_utc(app: Flask) -> None:
    with app.app_context():
        db.session.add(_user())
        db.session.commit()
        db.session.expire_all()
        created = db.session.execute(select(User.created_at)).scalar_one()
        assert created.tzinfo is not None and created.utcoffset().total_seconds() == 0


def _turn_file(database_url: str) -> str:
    return database_url.removeprefix("sqlite:///") + ".write-turn"


def _turn_is_free(database_url: str) -> bool:
    import fcntl
    import os

    fd = os.open(_turn_file(database_url), os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_sqlite_writers_take_turns_and_every_end_gives_the_turn_back(
        app: Flask, counter: None, database_url: str) -> None:
    """Writers to a SQLite file wait for their turn on a lock beside it (never in SQLite's
    sleeping busy handler); the turn is held from BEGIN IMMEDIATE to the end of the
    transaction, however it ends."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the write turn is SQLite's; PostgreSQL writers queue on row locks")
    with app.app_context():
        begin_write()
        assert not _turn_is_free(database_url)  # another process's writer would wait
        db.session.commit()
        assert _turn_is_free(database_url)
        with pytest.raises(ZeroDivisionError):
            with write_transaction():
                assert not _turn_is_free(database_url)
                _ = 1 / 0
        assert _turn_is_free(database_url)
        begin_write()
        db.session.connection().invalidate()  # the connection is lost mid-transaction
        db.session.rollback()
        assert _turn_is_free(database_url)
        db.session.execute(select(counters.c.value)).scalar_one()  # a read takes no turn
        assert _turn_is_free(database_url)
        db.session.rollback()


def test_a_writer_that_never_gets_its_turn_is_a_503_and_changes_nothing(
        database_url: str, tmp_path) -> None:
    import fcntl
    import os

    from tests.conftest import make_app
    from tests.factories import api_as, make_statement, make_user

    if not database_url.startswith("sqlite"):
        pytest.skip("the write turn is SQLite's; PostgreSQL writers queue on row locks")
    app = make_app(database_url, tmp_path / "instance", SQLITE_BUSY_TIMEOUT_MS=300)
    slug = make_statement(app, status="endorsing")
    signer = api_as(app, make_user(app))
    fd = os.open(_turn_file(database_url), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process is writing, and does not stop
    try:
        refused = signer.post(f"/statements/{slug}/endorsements", {"kind": "individual"})
    finally:
        os.close(fd)
    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert signer.get(f"/statements/{slug}/endorsements").get_json()["count"] == 0
    assert signer.post(f"/statements/{slug}/endorsements", {"kind": "individual"}
                       ).status_code == 201
    with app.app_context():
        db.engine.dispose()


def _deadline_cases(app: Flask) -> Iterator[tuple[str, timedelta | None]]:
    """The statement in each status, its deadlines passed, to come, or not set."""
    from statements.models import Statement

    for status in ("amending", "endorsing", "closed"):
        for offset in (timedelta(seconds=-1), timedelta(days=1), None):
            with app.app_context():
                statement = db.session.scalars(select(Statement)).one()
                statement.status = status
                due = None if offset is None else utcnow() + offset
                statement.amending_until = statement.endorsing_until = due
                db.session.commit()
            yield status, offset


def test_a_one_row_read_answers_as_sqlalchemy_does(app: Flask) -> None:
    """Asked of the driver directly, the kept page's query and the deadline check give
    what the same query gives through a session, in every case (a time, a status and a
    LIMIT among its parameters, the statement missing)."""
    from statements.operations.workflow import _any_due_query, any_deadline_due
    from statements.web.page_cache import _content
    from tests.factories import make_statement

    slug = make_statement(app, status="endorsing")
    seen_due = set()
    for status, offset in _deadline_cases(app):
        with app.app_context():
            direct, ordinary = _content(db.engine, slug), _content(db.session, slug)
            assert direct == ordinary and direct is not None and direct.status == status
            due = db.session.execute(_any_due_query(), {"now": utcnow()}).first() is not None
            assert any_deadline_due() is due
            assert due is (status != "closed" and offset is not None
                           and offset.total_seconds() < 0)
            seen_due.add(due)
            assert _content(db.engine, "no-such-statement") is None
            db.session.rollback()
    assert seen_due == {True, False}


def test_a_one_row_read_whose_driver_fails_is_asked_the_ordinary_way(
        app: Flask, monkeypatch) -> None:
    """The driver refuses: the connection is thrown away, not put back, and the answer
    comes through SQLAlchemy (whose errors the request cycle knows: a lost database is a
    503, not a 500)."""
    from sqlalchemy import event

    from statements.web import page_cache
    from tests.factories import make_statement

    slug = make_statement(app, status="endorsing")
    with app.app_context():
        engine = db.engine
        expected = page_cache._content(db.session, slug)
        db.session.rollback()
        read = page_cache._content_read()
        compiled = read._for(engine)
        monkeypatch.setitem(read._compiled, engine, type(compiled)(
            "SELECT no_such_column FROM no_such_table", None, {}, {}))
        thrown_away = []
        event.listen(engine.pool, "invalidate", lambda *args: thrown_away.append(args))
        assert page_cache._content(engine, slug) == expected
        assert len(thrown_away) == 1
        monkeypatch.setitem(read._compiled, engine, compiled)
        assert page_cache._content(engine, slug) == expected
        assert len(thrown_away) == 1
