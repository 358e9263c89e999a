"""The public record: each statement's events in a hash chain, signed; a secret salt per
endorsement for the commitments of private ones. The chain of every existing statement is
built from its audit trail, in order.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import secrets

import sqlalchemy as sa
from alembic import op

from statements.migrations.append_only import allow, forbid
from statements.migrations.chain_backfill import replay_audit_trail

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("prev", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("kid", sa.String(16), nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(["statement_id"], ["statements.id"], ondelete="RESTRICT",
                                name=op.f("fk_record_events_statement_id_statements")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_events")),
        sa.UniqueConstraint("statement_id", "seq", name="uq_record_events_statement_id_seq"),
    )
    with op.batch_alter_table("endorsements") as batch:
        batch.add_column(sa.Column("salt", sa.String(32), nullable=True))
    endorsements = sa.table("endorsements", sa.column("id", sa.Integer),
                            sa.column("salt", sa.String))
    bind = op.get_bind()
    for (endorsement_id,) in bind.execute(sa.select(endorsements.c.id)).fetchall():
        bind.execute(endorsements.update().where(endorsements.c.id == endorsement_id)
                     .values(salt=secrets.token_hex(16)))
    with op.batch_alter_table("endorsements") as batch:
        batch.alter_column("salt", nullable=False)
    replay_audit_trail(bind)  # existing statements get their chain from their audit trail
    forbid("record_events")


def downgrade() -> None:
    allow("record_events")
    op.drop_table("record_events")
    with op.batch_alter_table("endorsements") as batch:
        batch.drop_column("salt")
