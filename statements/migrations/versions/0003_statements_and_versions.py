"""Statements, their moderators and immutable versions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from statements.migrations.append_only import allow, forbid

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(80), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("occasion", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("head_number", sa.Integer(), nullable=False),
        sa.Column("amending_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("endorsing_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'amending', 'reviewing', 'final', 'endorsing', 'closed')",
            name=op.f("ck_statements_status")),
        sa.CheckConstraint("head_number >= 1", name=op.f("ck_statements_head_number")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_statements_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
        sa.UniqueConstraint("slug", name=op.f("uq_statements_slug")),
    )
    op.create_index(op.f("ix_statements_status"), "statements", ["status"])
    op.create_table(
        "statement_moderators",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"], ondelete="RESTRICT",
                                name=op.f("fk_statement_moderators_statement_id_statements")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_statement_moderators_user_id_users")),
        sa.ForeignKeyConstraint(["added_by_id"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_statement_moderators_added_by_id_users")),
        sa.PrimaryKeyConstraint("statement_id", "user_id", name=op.f("pk_statement_moderators")),
    )
    op.create_index(op.f("ix_statement_moderators_user_id"), "statement_moderators",
                    ["user_id"])
    op.create_table(
        "versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message", sa.String(500), nullable=False),
        sa.Column("source_kind", sa.String(20), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_versions_number")),
        sa.CheckConstraint("source_kind IN ('edit', 'import', 'amendment')",
                           name=op.f("ck_versions_source_kind")),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_versions_sha256")),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"], ondelete="RESTRICT",
                                name=op.f("fk_versions_statement_id_statements")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_versions_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_versions")),
        sa.UniqueConstraint("statement_id", "number", name="uq_versions_statement_id_number"),
    )
    forbid("versions")


def downgrade() -> None:
    allow("versions")
    op.drop_table("versions")
    op.drop_table("statement_moderators")
    op.drop_index(op.f("ix_statements_status"), table_name="statements")
    op.drop_table("statements")
