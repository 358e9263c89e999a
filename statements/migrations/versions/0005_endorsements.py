"""Endorsements, bound to a version's number and SHA-256.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "endorsements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("capacity", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("city", sa.String(200), nullable=False),
        sa.Column("country", sa.String(100), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("authorised", sa.Boolean(), nullable=False),
        sa.Column("endorsed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('individual', 'organisation', 'government')",
                           name=op.f("ck_endorsements_kind")),
        sa.CheckConstraint("kind = 'individual' OR authorised",
                           name=op.f("ck_endorsements_authorised")),
        sa.CheckConstraint("length(sha256) = 64", name=op.f("ck_endorsements_sha256")),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"], ondelete="RESTRICT",
                                name=op.f("fk_endorsements_statement_id_statements")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_endorsements_user_id_users")),
        sa.ForeignKeyConstraint(["version_id"], ["versions.id"], ondelete="RESTRICT",
                                name=op.f("fk_endorsements_version_id_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_endorsements")),
        sa.UniqueConstraint("statement_id", "user_id",
                            name="uq_endorsements_statement_id_user_id"),
    )
    op.create_index(op.f("ix_endorsements_user_id"), "endorsements", ["user_id"])
    op.create_index(op.f("ix_endorsements_country"), "endorsements", ["country"])


def downgrade() -> None:
    op.drop_table("endorsements")
