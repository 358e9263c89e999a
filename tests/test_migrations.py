"""Migrations never lose or orphan a row, and run down and up cleanly."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask import Flask
from sqlalchemy import create_engine, text

from statements.database import check_foreign_keys, migration_guard
from statements.extensions import db


def _seed(conn: sa.Connection) -> None:
    conn.execute(text(
        "INSERT INTO users (id, email, email_key, name, organisation, role, password_hash, "
        "auth_epoch, created_at) VALUES (1, 'a@x.org', 'a@x.org', 'A', '', 'delegate', 'h', 0, "
        "'2026-01-01 00:00:00')"))
    for i in range(3):
        conn.execute(text(
            "INSERT INTO audit_events (actor_id, action, object_type, object_id, details, at) "
            f"VALUES (1, 'seed', 'user', '1', '{{}}', '2026-01-01 00:00:0{i}')"))


def _rebuild_users(conn: sa.Connection) -> None:
    """A batch migration that makes SQLite copy, drop and recreate the parent table."""
    ops = Operations(MigrationContext.configure(conn, opts={"render_as_batch": True}))
    with ops.batch_alter_table("users", recreate="always") as batch:
        batch.add_column(sa.Column("nickname", sa.String(50), nullable=True))


@pytest.fixture
def sqlite_engine(app: Flask, database_url: str):
    if not database_url.startswith("sqlite"):
        pytest.skip("table rebuilds are SQLite's batch mode; this run is on PostgreSQL")
    with app.app_context():
        engine = db.engine
        with engine.begin() as conn:
            _seed(conn)
        yield engine


def test_guarded_rebuild_of_a_parent_table_keeps_every_child_row(sqlite_engine) -> None:
    with sqlite_engine.connect() as conn:
        with migration_guard(conn):
            with conn.begin():
                _rebuild_users(conn)
                check_foreign_keys(conn)
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar() == 3
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 1
        assert "nickname" in [c["name"] for c in sa.inspect(conn).get_columns("users")]
        # The guard switched foreign keys back on for the pooled connection.
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_unguarded_rebuild_is_refused_by_restrict_rather_than_losing_rows(sqlite_engine) -> None:
    with sqlite_engine.connect() as conn:
        with pytest.raises(sa.exc.IntegrityError):
            with conn.begin():
                _rebuild_users(conn)
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_events")).scalar() == 3


def test_a_migration_that_orphans_a_row_is_rolled_back(sqlite_engine) -> None:
    with sqlite_engine.connect() as conn:
        with migration_guard(conn):
            with pytest.raises(RuntimeError, match="foreign key violation"):
                with conn.begin():
                    conn.execute(text("DELETE FROM users"))
                    check_foreign_keys(conn)
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 1


def test_downgrade_to_base_and_upgrade_again(app: Flask, database_url: str) -> None:
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        downgrade(revision="base")
        assert "users" not in sa.inspect(db.engine).get_table_names()
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
    assert {"users", "audit_events", "alembic_version"} <= tables
    check = create_engine(database_url)
    with check.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    check.dispose()


def test_the_record_of_existing_statements_is_built_from_their_audit_trail(
        app: Flask, database_url: str) -> None:
    """Statements that existed before the public record get their chain from their audit
    trail when migration 0007 runs, and it verifies."""
    from flask_migrate import downgrade, upgrade

    from tests.factories import (
        api_as,
        make_amendment,
        make_endorsement,
        make_statement,
        make_user,
    )

    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending")
    make_amendment(app, slug, make_user(app))
    api = api_as(app, moderator)
    api.post(f"/statements/{slug}/amendments/1/accept", {})
    for step in ("reviewing", "final", "endorsing"):
        api.post(f"/statements/{slug}/transitions", {"to": step})
    make_endorsement(app, slug, make_user(app, name="Ana"))
    make_endorsement(app, slug, make_user(app, name="Hidden"), public=False)
    live = app.test_client().get(f"/s/{slug}/record.json").get_json()["events"]
    with app.app_context():
        downgrade(revision="0006")
        assert "record_events" not in sa.inspect(db.engine).get_table_names()
        upgrade()
    rebuilt = app.test_client().get(f"/s/{slug}/record.json").get_json()["events"]
    assert [e["type"] for e in rebuilt] == [e["type"] for e in live]
    assert [e["data"].get("number") for e in rebuilt] == [e["data"].get("number")
                                                         for e in live]
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 0, result.output


def test_the_migrations_build_exactly_the_models_schema(app: Flask) -> None:
    """Every table, column, type and index the models declare is made by a migration, and
    nothing else: a model changed without its migration fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
