"""Database triggers that refuse changes to rows that are records (audit events, versions).

Used by the migrations, so any client of the database, not just this app, is refused.
"""

from __future__ import annotations

from alembic import op


def forbid(table: str, operations: tuple[str, ...] = ("UPDATE", "DELETE")) -> None:
    message = f"{table} rows are permanent records"
    if op.get_bind().dialect.name == "sqlite":
        for operation in operations:
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        return
    op.execute(
        f"CREATE FUNCTION {table}_permanent() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{message}'; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        f"CREATE TRIGGER {table}_permanent BEFORE {' OR '.join(operations)} ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_permanent()"
    )


def allow(table: str, operations: tuple[str, ...] = ("UPDATE", "DELETE")) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for operation in operations:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation.lower()}")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_permanent ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {table}_permanent()")
