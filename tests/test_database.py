"""The database layer loses nothing: the write lock, SQLite settings, migrations."""

from __future__ import annotations

import threading

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
