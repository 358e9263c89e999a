"""Browser sessions that signing out ends, API tokens that expire, kept answers for
retried requests (Idempotency-Key), and the room's vote on an amendment.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TOKEN_DAYS = 90


def upgrade() -> None:
    op.create_table(
        "browser_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("auth_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_browser_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_browser_sessions")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_browser_sessions_secret_hash")),
    )
    op.create_index(op.f("ix_browser_sessions_user_id"), "browser_sessions", ["user_id"])
    op.create_table(
        "idempotent_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("caller", sa.String(40), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("location", sa.String(500), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotent_answers")),
        sa.UniqueConstraint("caller", "key", name="uq_idempotent_answers_caller_key"),
    )
    op.create_index(op.f("ix_idempotent_answers_created_at"), "idempotent_answers",
                    ["created_at"])
    # Tokens issued before this had no end: they last TOKEN_DAYS from now.
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table("api_tokens", sa.column("expires_at", sa.DateTime(timezone=True)))
    op.execute(tokens.update().values(
        expires_at=datetime.now(UTC) + timedelta(days=TOKEN_DAYS)))
    with op.batch_alter_table("api_tokens") as batch:
        batch.alter_column("expires_at", nullable=False)
    with op.batch_alter_table("amendments") as batch:
        for column in ("vote_for", "vote_against", "vote_abstain"):
            batch.add_column(sa.Column(column, sa.Integer(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_amendments_vote"),
            "(vote_for IS NULL AND vote_against IS NULL AND vote_abstain IS NULL) OR "
            "(vote_for >= 0 AND vote_against >= 0 AND vote_abstain >= 0)")


def downgrade() -> None:
    with op.batch_alter_table("amendments") as batch:
        batch.drop_constraint(op.f("ck_amendments_vote"), type_="check")
        for column in ("vote_for", "vote_against", "vote_abstain"):
            batch.drop_column(column)
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
    op.drop_table("idempotent_answers")
    op.drop_table("browser_sessions")
