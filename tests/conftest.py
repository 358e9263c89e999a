"""Fixtures: an app on a fresh database per test, clients, factories.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
The schema is migrated once per run (through the real Alembic migrations); each test
then gets empty tables: on SQLite a copy of the migrated file, on PostgreSQL the
tables emptied after the test (see _empty_postgres).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, text

from statements import create_app
from statements.config import normalise_database_url
from statements.extensions import db
from statements.i18n import SOURCE, compile_catalogues

CHEAP_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
CHEAP_HASH_ENV = {"PASSWORD_HASH_TIME_COST": "1", "PASSWORD_HASH_MEMORY_KIB": "8",
                  "PASSWORD_HASH_PARALLELISM": "1"}
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
# The catalogues compiled once per run (compiling them is a quarter of a second, and every
# test's app has an instance folder of its own): see make_app.
_compiled_translations: Path | None = None


@pytest.fixture(scope="session", autouse=True)
def compiled_translations(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    global _compiled_translations
    target = tmp_path_factory.mktemp("translations")
    compile_catalogues(SOURCE, target)
    _compiled_translations = target
    yield target
    _compiled_translations = None


def _seed_translations(instance: Path) -> None:
    """Hard-link the run's compiled catalogues into ``instance``/translations, where
    create_app looks first: it then finds each one up to date (same mtime) and compiles
    nothing. create_app still compiles whatever is missing or older than its .po file."""
    if _compiled_translations is None or (instance / "translations").exists():
        return
    try:
        shutil.copytree(_compiled_translations, instance / "translations",
                        copy_function=os.link)
    except OSError:  # another filesystem: copies, with their mtimes, do as well
        shutil.rmtree(instance / "translations", ignore_errors=True)
        shutil.copytree(_compiled_translations, instance / "translations")


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "x" * 32, "INSTANCE_PATH": str(instance)})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a database migrated to head, once per run."""
    instance = tmp_path_factory.mktemp("instance")
    if TEST_DATABASE_URL:
        url = normalise_database_url(TEST_DATABASE_URL)
        engine = create_engine(url)
        with engine.begin() as conn:  # start from nothing, whatever an earlier run left
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(url, instance)
        return url
    template = tmp_path_factory.mktemp("db") / "template.sqlite3"
    url = f"sqlite:///{template}"
    _migrate(url, instance)
    engine = create_engine(url)
    with engine.connect() as conn:  # fold the WAL into the file so a plain copy is whole
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def postgres_cleaner(migrated_database: str) -> Iterator[Engine | None]:
    """One engine for the run that empties the tables after each test (on PostgreSQL)."""
    if migrated_database.startswith("sqlite"):
        yield None
        return
    engine = create_engine(migrated_database)
    yield engine
    engine.dispose()


def _empty_postgres(engine: Engine) -> None:
    """Empty every table and restart every sequence, as TRUNCATE ... RESTART IDENTITY CASCADE
    does. TRUNCATE gives each of the 20-odd tables new files and costs about half a second a
    test; DELETE from tables of a few rows costs milliseconds. It needs foreign keys and the
    append-only triggers off (session_replication_role = replica), which only a superuser may
    set, as CI's postgres is; for any other role it is TRUNCATE as before."""
    with engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )).scalars().all()
        if not tables:
            return
        quoted = [f'"{t}"' for t in tables]
        if conn.execute(text("SELECT current_setting('is_superuser')")).scalar() != "on":
            conn.execute(text("TRUNCATE " + ", ".join(quoted) + " RESTART IDENTITY CASCADE"))
            return
        conn.execute(text("SET LOCAL synchronous_commit = off"))  # a test database
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("; ".join(f"DELETE FROM {t}" for t in quoted)))
        conn.execute(text(
            "SELECT setval(c.oid::regclass, s.seqstart, false) FROM pg_sequence s "
            "JOIN pg_class c ON c.oid = s.seqrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'"
        ))


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path,
                 postgres_cleaner: Engine | None) -> Iterator[str]:
    if postgres_cleaner is None:
        template = migrated_database.removeprefix("sqlite:///")
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(template, copy)
        yield f"sqlite:///{copy}"
        return
    yield migrated_database
    _empty_postgres(postgres_cleaner)


def make_app(database_url: str, instance: Path, **settings: object) -> Flask:
    overrides: dict[str, object] = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "INSTANCE_PATH": str(instance),
        "TESTING": True,
        # The cheapest argon2id: a strong hash costs 0.2-0.5 s, and the suite signs in a lot.
        "PASSWORD_HASH_COST": CHEAP_HASH,
        # Mail after a request goes at once (its gathering has a test of its own).
        "MAIL_GATHER_SECONDS": 0,
    }
    overrides.update(settings)
    _seed_translations(Path(str(overrides["INSTANCE_PATH"])))
    return create_app(overrides)


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = make_app(database_url, tmp_path / "instance")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def on_postgres() -> bool:
    return bool(TEST_DATABASE_URL)
