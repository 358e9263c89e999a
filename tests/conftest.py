"""Fixtures: an app on a fresh database per test, clients, factories.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
The schema is migrated once per run (through the real Alembic migrations); each test
then gets empty tables: on SQLite a copy of the migrated file, on PostgreSQL the
tables truncated after the test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from statements import create_app
from statements.config import normalise_database_url
from statements.extensions import db

CHEAP_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}
CHEAP_HASH_ENV = {"PASSWORD_HASH_TIME_COST": "1", "PASSWORD_HASH_MEMORY_KIB": "8",
                  "PASSWORD_HASH_PARALLELISM": "1"}
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


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


@pytest.fixture
def database_url(migrated_database: str, tmp_path: Path) -> Iterator[str]:
    if migrated_database.startswith("sqlite"):
        template = migrated_database.removeprefix("sqlite:///")
        copy = tmp_path / "test.sqlite3"
        shutil.copyfile(template, copy)
        yield f"sqlite:///{copy}"
        return
    yield migrated_database
    engine = create_engine(migrated_database)
    with engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )).scalars().all()
        if tables:
            conn.execute(text(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
            ))
    engine.dispose()


def make_app(database_url: str, instance: Path, **settings: object) -> Flask:
    overrides: dict[str, object] = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "INSTANCE_PATH": str(instance),
        "TESTING": True,
        # The cheapest argon2id: a strong hash costs 0.2-0.5 s, and the suite signs in a lot.
        "PASSWORD_HASH_COST": CHEAP_HASH,
    }
    overrides.update(settings)
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
