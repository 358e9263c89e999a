"""Confirmed addresses: users' confirmation, locale and notifications; endorsements keyed
on their e-mail address (one per address per statement), made with or without an account,
with a status (unconfirmed, active, withdrawn); the tokens of confirmation links.

Accounts that exist already were made before confirmation existed: they count as
confirmed from their creation, so that nobody loses what they could do. Existing
endorsements take their user's address and are active unless withdrawn.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("locale", sa.String(5), nullable=True))
        batch.add_column(sa.Column("notifications", sa.Boolean(), nullable=False,
                                   server_default=sa.true()))
    op.execute("UPDATE users SET email_confirmed_at = created_at")
    with op.batch_alter_table("endorsements") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
        batch.add_column(sa.Column("email_key", sa.String(254), nullable=True))
        batch.add_column(sa.Column("status", sa.String(20), nullable=False,
                                   server_default="active"))
    op.execute("UPDATE endorsements SET email_key = (SELECT users.email_key FROM users "
               "WHERE users.id = endorsements.user_id)")
    op.execute("UPDATE endorsements SET status = 'withdrawn' WHERE withdrawn_at IS NOT NULL")
    with op.batch_alter_table("endorsements") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("email_key", existing_type=sa.String(254), nullable=False)
        batch.create_unique_constraint("uq_endorsements_statement_id_email_key",
                                       ["statement_id", "email_key"])
        batch.create_check_constraint(
            op.f("ck_endorsements_status"),
            "status IN ('unconfirmed', 'active', 'withdrawn')")
        batch.create_check_constraint(
            op.f("ck_endorsements_status_withdrawn"),
            "(status = 'withdrawn') = (withdrawn_at IS NOT NULL)")
        batch.create_check_constraint(op.f("ck_endorsements_address"),
                                      "user_id IS NOT NULL OR email IS NOT NULL")
    op.create_table(
        "confirmation_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("endorsement_id", sa.Integer(), nullable=True),
        sa.Column("requested", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("purpose IN ('account', 'endorsement', 'withdrawal')",
                           name=op.f("ck_confirmation_tokens_purpose")),
        sa.CheckConstraint("(purpose = 'account') = (user_id IS NOT NULL)",
                           name=op.f("ck_confirmation_tokens_account_user")),
        sa.CheckConstraint("(purpose = 'account') = (endorsement_id IS NULL)",
                           name=op.f("ck_confirmation_tokens_endorsement_target")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="RESTRICT",
                                name=op.f("fk_confirmation_tokens_user_id_users")),
        sa.ForeignKeyConstraint(["endorsement_id"], ["endorsements.id"], ondelete="RESTRICT",
                                name=op.f("fk_confirmation_tokens_endorsement_id_endorsements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confirmation_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_confirmation_tokens_token_hash")),
    )
    op.create_index(op.f("ix_confirmation_tokens_user_id"), "confirmation_tokens", ["user_id"])
    op.create_index(op.f("ix_confirmation_tokens_endorsement_id"), "confirmation_tokens",
                    ["endorsement_id"])
    op.create_index(op.f("ix_confirmation_tokens_created_at"), "confirmation_tokens",
                    ["created_at"])


def downgrade() -> None:
    op.drop_table("confirmation_tokens")
    # Endorsements made without an account have no user to go back to.
    op.execute("DELETE FROM endorsements WHERE user_id IS NULL")
    with op.batch_alter_table("endorsements") as batch:
        batch.drop_constraint(op.f("ck_endorsements_address"), type_="check")
        batch.drop_constraint(op.f("ck_endorsements_status_withdrawn"), type_="check")
        batch.drop_constraint(op.f("ck_endorsements_status"), type_="check")
        batch.drop_constraint("uq_endorsements_statement_id_email_key", type_="unique")
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
        for column in ("status", "email_key", "email"):
            batch.drop_column(column)
    with op.batch_alter_table("users") as batch:
        for column in ("notifications", "locale", "email_confirmed_at"):
            batch.drop_column(column)
