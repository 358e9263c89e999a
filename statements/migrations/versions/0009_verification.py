"""Verified authority: each endorsement's verification (not required for individuals,
else pending, verified or rejected, with who decided and a note); each statement's trusted
e-mail domains and whether unverified endorsements are listed.

Endorsements on behalf of organisations and governments made before this were listed at
once; they stay listed as they were, recorded as verified by nobody (no moderator
decided), so that no public list changes by the migration.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("endorsements") as batch:
        batch.add_column(sa.Column("verification", sa.String(20), nullable=False,
                                   server_default="not_required"))
        batch.add_column(sa.Column("verification_note", sa.String(2000), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(op.f("fk_endorsements_verified_by_id_users"), "users",
                                 ["verified_by_id"], ["id"], ondelete="RESTRICT")
    op.execute("UPDATE endorsements SET verification = 'verified' WHERE kind != 'individual'")
    with op.batch_alter_table("endorsements") as batch:
        batch.create_check_constraint(
            op.f("ck_endorsements_verification"),
            "verification IN ('not_required', 'pending', 'verified', 'rejected')")
        batch.create_check_constraint(
            op.f("ck_endorsements_verification_kind"),
            "(kind = 'individual') = (verification = 'not_required')")
    with op.batch_alter_table("statements") as batch:
        batch.add_column(sa.Column("trusted_domains_json", sa.Text(), nullable=False,
                                   server_default="[]"))
        batch.add_column(sa.Column("list_unverified", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("statements") as batch:
        batch.drop_column("list_unverified")
        batch.drop_column("trusted_domains_json")
    with op.batch_alter_table("endorsements") as batch:
        batch.drop_constraint(op.f("ck_endorsements_verification_kind"), type_="check")
        batch.drop_constraint(op.f("ck_endorsements_verification"), type_="check")
        batch.drop_constraint(op.f("fk_endorsements_verified_by_id_users"), type_="foreignkey")
        for column in ("verified_at", "verified_by_id", "verification_note", "verification"):
            batch.drop_column(column)
