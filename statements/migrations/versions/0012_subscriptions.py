"""Following statements (an e-mail at each change of status) and telling a proposer once
when a merge leaves their amendment no longer applying cleanly.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"], ondelete="RESTRICT",
                                name=op.f("fk_subscriptions_statement_id_statements")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_subscriptions_user_id_users")),
        sa.PrimaryKeyConstraint("statement_id", "user_id", name=op.f("pk_subscriptions")),
    )
    op.create_index(op.f("ix_subscriptions_user_id"), "subscriptions", ["user_id"])
    with op.batch_alter_table("amendments") as batch:
        batch.add_column(sa.Column("conflict_told_at", sa.DateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("amendments") as batch:
        batch.drop_column("conflict_told_at")
    op.drop_index(op.f("ix_subscriptions_user_id"), table_name="subscriptions")
    op.drop_table("subscriptions")
