"""Amendments, supporters, comments, earlier forms, and which versions merged them.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from statements.migrations.append_only import allow, forbid
from statements.models.amendment import STATUS_COLUMNS

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], ondelete="RESTRICT",
                                   name=op.f(f"fk_{table}_{column}_{target}"))


def upgrade() -> None:
    op.create_table(
        "amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("base_version_id", sa.Integer(), nullable=False),
        sa.Column("proposer_id", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("patch", sa.Text(), nullable=False),
        sa.Column("first_line", sa.Integer(), nullable=False),
        sa.Column("last_line", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("result_version_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("number >= 1", name=op.f("ck_amendments_number")),
        sa.CheckConstraint(
            "status IN ('proposed', 'withdrawn', 'rejected', 'merged', 'merged_modified')",
            name=op.f("ck_amendments_status")),
        sa.CheckConstraint(STATUS_COLUMNS, name=op.f("ck_amendments_status_columns")),
        sa.CheckConstraint("first_line >= 1 AND last_line >= first_line",
                           name=op.f("ck_amendments_lines")),
        _fk("amendments", "statement_id", "statements"),
        _fk("amendments", "base_version_id", "versions"),
        _fk("amendments", "proposer_id", "users"),
        _fk("amendments", "decided_by_id", "users"),
        _fk("amendments", "result_version_id", "versions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendments")),
        sa.UniqueConstraint("statement_id", "number", name="uq_amendments_statement_id_number"),
    )
    op.create_index(op.f("ix_amendments_statement_id"), "amendments", ["statement_id"])
    op.create_table(
        "amendment_supporters",
        sa.Column("amendment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("amendment_supporters", "amendment_id", "amendments"),
        _fk("amendment_supporters", "user_id", "users"),
        sa.PrimaryKeyConstraint("amendment_id", "user_id", name=op.f("pk_amendment_supporters")),
    )
    op.create_table(
        "amendment_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("amendment_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("amendment_comments", "amendment_id", "amendments"),
        _fk("amendment_comments", "author_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendment_comments")),
    )
    op.create_index(op.f("ix_amendment_comments_amendment_id"), "amendment_comments",
                    ["amendment_id"])
    op.create_table(
        "amendment_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("amendment_id", sa.Integer(), nullable=False),
        sa.Column("base_version_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("patch", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        _fk("amendment_revisions", "amendment_id", "amendments"),
        _fk("amendment_revisions", "base_version_id", "versions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendment_revisions")),
    )
    op.create_index(op.f("ix_amendment_revisions_amendment_id"), "amendment_revisions",
                    ["amendment_id"])
    op.create_table(
        "version_amendments",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("amendment_id", sa.Integer(), nullable=False),
        sa.Column("amendment_number", sa.Integer(), nullable=False),
        _fk("version_amendments", "version_id", "versions"),
        _fk("version_amendments", "amendment_id", "amendments"),
        sa.PrimaryKeyConstraint("version_id", "amendment_id", name=op.f("pk_version_amendments")),
    )
    op.create_index(op.f("ix_version_amendments_amendment_id"), "version_amendments",
                    ["amendment_id"])
    forbid("amendment_revisions")
    forbid("version_amendments")


def downgrade() -> None:
    allow("version_amendments")
    allow("amendment_revisions")
    for table in ("version_amendments", "amendment_revisions", "amendment_comments",
                  "amendment_supporters", "amendments"):
        op.drop_table(table)
