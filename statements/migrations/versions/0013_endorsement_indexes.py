"""Indexes for the public page of a statement with thousands of endorsements: the list in
the order they signed, the counts, and the countries, each from an index.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_endorsements_signed": ["statement_id", "status", "endorsed_at", "id"],
    "ix_endorsements_tally": ["statement_id", "status", "kind", "public", "verification"],
    "ix_endorsements_countries": ["statement_id", "status", "public", "verification",
                                  "country_code", "country"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "endorsements", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="endorsements")
