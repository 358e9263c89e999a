"""How this service talks to its database so that no write is ever lost.

Two traps, both measured on this machine: with SQLAlchemy's default SQLite handling,
173 of 200 concurrent read-modify-write transactions were lost; PostgreSQL at READ
COMMITTED lost 165 of 200. So every transaction that will change data takes the
write lock when it begins, before it reads anything it will change:

* SQLite: the driver's own transaction handling is switched off and we emit
  ``BEGIN IMMEDIATE`` ourselves (SQLAlchemy's documented pysqlite recipe), which
  takes the database's single write lock up front. Reads emit a plain ``BEGIN``
  and, under WAL, never wait for a writer.
* PostgreSQL: the writer locks the parent row it is about to change with
  ``SELECT … FOR UPDATE`` (:func:`for_update`), so writers of one statement queue
  up and each sees the state its predecessor committed.

:func:`begin_write` is the one way a write starts; the request cycle calls it for
every unsafe method, the CLI and tests through :func:`write_transaction`.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine, Pool, Select, event, insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .extensions import db

WRITE_OPTION = "statements_write_lock"
# A connection that runs one SELECT and nothing else: SQLite needs no BEGIN for it (a
# statement reads one snapshot on its own), which spares two calls per such request.
SINGLE_READ_OPTION = "statements_single_read"
_S = TypeVar("_S", bound=Select[Any])
_M = TypeVar("_M")


def install_engine_events(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
        # Turn off pysqlite's own BEGIN handling: it begins too late (at the first
        # write, after the reads) and can't take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    turn = _turn_for(engine.url.database, busy_timeout_ms / 1000)

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(SINGLE_READ_OPTION):
            return
        if not options.get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN")
            return
        if turn is not None:
            turn.take(conn.connection.dbapi_connection)
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            if turn is not None:
                turn.give_back()
            raise


class WriteTurn:
    """Writers to one SQLite file take turns here, before ``BEGIN IMMEDIATE``.

    SQLite makes a writer that finds the file locked sleep and try again, 1, 2, 5, 10 …
    up to 100 ms apart, and the lock stays idle while it sleeps: under a burst of writes
    the waiters mostly sleep (measured: 43 endorsements a second, p99 3.3 s). Here the
    threads of a process wait on a lock that wakes the next one the moment the last is
    done, and the one thread of each process that holds it waits for the other
    processes' writer on ``flock`` of a file beside the database, asking every 0.2 ms: a
    writer waits as long as the writer before it writes, not longer. Within the busy
    timeout as before; past it, the same error SQLite would give (a 503). The turn is
    the connection's until it is back in the pool: after its commit or rollback."""

    POLL_SECONDS = 0.0002

    def __init__(self, path: str, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self.threads = threading.Lock()
        self.fd: int | None = None
        self.holder: Any = None  # the DBAPI connection whose transaction has the turn

    def take(self, holder: Any) -> None:
        deadline = time.monotonic() + self.timeout
        if not self.threads.acquire(timeout=self.timeout):
            raise _locked()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        os.close(fd)
                        raise _locked() from None
                    time.sleep(self.POLL_SECONDS)
        except BaseException:
            self.threads.release()
            raise
        self.fd, self.holder = fd, holder

    def give_back(self) -> None:
        fd, self.fd, self.holder = self.fd, None, None
        if fd is not None:
            os.close(fd)  # closing the file lets the lock go
        self.threads.release()


_turns: dict[str, WriteTurn] = {}
_turns_lock = threading.Lock()


def _turn_for(database: str | None, timeout: float) -> WriteTurn | None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return None  # no file of its own to stand beside
    path = os.path.abspath(database) + ".write-turn"
    with _turns_lock:
        return _turns.setdefault(path, WriteTurn(path, timeout))


def _locked() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", {},
                            sqlite3.OperationalError("database is locked"))


@event.listens_for(Pool, "checkin")
@event.listens_for(Pool, "invalidate")
def _back_in_pool(dbapi_connection: Any, *_: Any) -> None:
    """A connection comes back to the pool once its transaction has ended (committed or
    rolled back), or is thrown away (lost): its write turn, if it had one, goes to the
    next writer."""
    for turn in list(_turns.values()):
        if turn.holder is not None and turn.holder is dbapi_connection:
            turn.give_back()


def begin_write(session: Session | None = None) -> None:
    """Begin the session's transaction holding the write lock.

    Must run before the transaction has read anything: a lock taken after the read
    protects nothing, so that is a programming error, not a runtime condition.
    """
    session = session or db.session()
    if session.in_transaction():
        raise RuntimeError("begin_write() must be called before the transaction reads anything")
    session.connection(execution_options={WRITE_OPTION: True})


def for_update(stmt: _S) -> _S:
    """Lock the selected parent row(s) for this write transaction.

    PostgreSQL renders ``FOR UPDATE``; SQLite renders nothing, as ``BEGIN IMMEDIATE``
    already holds the whole database's write lock.
    """
    return stmt.with_for_update()


def lock_rows(stmt: Select[Any]) -> None:
    """Lock the rows ``stmt`` selects, for the lock alone (nothing is read from them).
    PostgreSQL runs it ``FOR UPDATE``; on SQLite this transaction's ``BEGIN IMMEDIATE``
    already holds the whole database, so nothing needs to run."""
    session = db.session()
    if session.get_bind().dialect.name != "sqlite":
        session.execute(for_update(stmt))


def insert_row(model: type[_M], **values: Any) -> _M:
    """Insert one row of an append-only table (the audit trail, the record, the outbox)
    with one INSERT, now, in this transaction: none of the unit of work's flush, which
    costs several times the statement (measured, with its receipt's query spared too: an
    endorsement's request went from 21.8 to 17.3 ms). What comes back holds the values and
    the new id, and is in no session (nothing reads it back as an object in the same
    request). Column defaults apply as for any insert."""
    table = model.__table__  # type: ignore[attr-defined]
    result = db.session.execute(insert(table), values)
    row = model(**values)
    row.id = result.inserted_primary_key[0]  # type: ignore[attr-defined]
    return row


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positions: tuple[str, ...] | None  # the parameters' order, for a positional driver
    values: dict[str, Any]  # the values the query holds itself (a status, a LIMIT)
    processors: dict[str, Any]  # how a value is handed to the driver (a time, say)


class OneRowRead:
    """One SELECT asked on every request of a hot path (is a kept page still the page,
    has a deadline passed), compiled once per engine and asked of the driver directly.

    SQLAlchemy's execution of an already compiled statement (a connection object, its
    transaction, the cache key, the result's metadata, the events) cost more than all the
    rest of such a request: a kept public page took 116 us in one process, 58 us asked
    this way. Here a request costs the pool's checkout, the driver's execute and fetch, and
    the checkin. It reads one snapshot: on SQLite without a BEGIN, as
    :data:`SINGLE_READ_OPTION` reads; on PostgreSQL in the driver's own transaction, which
    the pool rolls back. Values come back as the driver gives them (no result types), and
    SQLAlchemy's statement events do not see the query. A failure of the driver is asked
    again the ordinary way, so that SQLAlchemy handles it as anywhere else (a lost
    connection thrown away, the error wrapped: a 503)."""

    def __init__(self, query: Select[Any]) -> None:
        self.query = query
        self._compiled: weakref.WeakKeyDictionary[Engine, _Compiled] = \
            weakref.WeakKeyDictionary()

    def _for(self, engine: Engine) -> _Compiled:
        compiled = self._compiled.get(engine)
        if compiled is None:
            done = self.query.compile(dialect=engine.dialect,
                                      compile_kwargs={"render_postcompile": True})
            dialect = engine.dialect
            processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                          for bind, name in done.bind_names.items()}
            compiled = self._compiled.setdefault(engine, _Compiled(
                done.string, tuple(done.positiontup) if done.positiontup else None,
                {name: bind.effective_value for bind, name in done.bind_names.items()
                 if not bind.required},
                {name: p for name, p in processors.items() if p is not None}))
        return compiled

    def first(self, engine: Engine, **values: Any) -> tuple[Any, ...] | None:
        compiled = self._for(engine)
        params = {**compiled.values, **values}
        for name, process in compiled.processors.items():
            params[name] = process(params[name])
        bound = tuple(params[name] for name in compiled.positions) \
            if compiled.positions is not None else params
        failed = engine.dialect.loaded_dbapi.Error
        try:
            raw = engine.raw_connection()
        except failed:
            return self._ordinary(engine, values)
        try:
            cursor = raw.cursor()
            try:
                cursor.execute(compiled.sql, bound)
                row = cursor.fetchone()
            finally:
                cursor.close()
        except failed:
            raw.invalidate()  # in an unknown state: not back into the pool
            raw.close()
            return self._ordinary(engine, values)
        raw.close()
        return None if row is None else tuple(row)

    def _ordinary(self, engine: Engine, values: dict[str, Any]) -> tuple[Any, ...] | None:
        with engine.connect().execution_options(**{SINGLE_READ_OPTION: True}) as connection:
            row = connection.execute(self.query, values).first()
        return None if row is None else tuple(row)


def is_write_transaction(session: Session | None = None) -> bool:
    session = session or db.session()
    if not session.in_transaction():
        return False
    return bool(session.connection().get_execution_options().get(WRITE_OPTION))


@contextmanager
def write_transaction(session: Session | None = None) -> Iterator[Session]:
    """A whole write outside the request cycle (CLI, tests): lock, run, commit or roll back."""
    session = session or db.session()
    begin_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


@contextmanager
def migration_guard(connection: Any) -> Iterator[None]:
    """Wrap a schema migration so that it can never lose or orphan a row.

    SQLite rebuilds a table to alter it (Alembic's batch mode: copy, drop, rename).
    With foreign keys on, dropping a parent table deletes every child row that
    cascades; with ``ON DELETE RESTRICT`` the rebuild fails instead. So foreign keys
    go off for the migration, which PRAGMA allows only outside a transaction, and
    before commit ``PRAGMA foreign_key_check`` must find no violation, else the whole
    migration rolls back. On PostgreSQL an advisory lock keeps two servers that
    start together from migrating at once.

    The caller opens the transaction inside this block and commits it inside too.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _raw_sqlite(connection, "PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        if sqlite:
            _raw_sqlite(connection, "PRAGMA foreign_keys=ON")


def lock_for_migration(connection: Any) -> None:
    """Inside the migration's transaction: serialise concurrent migrators on PostgreSQL."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(7242817)")


def check_foreign_keys(connection: Any) -> None:
    """Inside the migration's transaction: fail (and so roll back) on any orphaned row."""
    if connection.dialect.name != "sqlite":
        return
    violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if violations:
        listed = ", ".join(f"{row[0]} row {row[1]} -> {row[2]}" for row in violations[:10])
        raise RuntimeError(f"migration left {len(violations)} foreign key violation(s): {listed}")


def _raw_sqlite(connection: Any, sql: str) -> None:
    # Straight to the driver: through SQLAlchemy this would first BEGIN, and SQLite
    # ignores foreign_keys changes inside a transaction.
    if connection.in_transaction():
        raise RuntimeError("foreign keys can only be switched outside a transaction")
    connection.connection.driver_connection.execute(sql)
