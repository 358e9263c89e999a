"""Search for everyone, countries by code: each endorsement's search key (its name,
organisation, city and country folded for case and accents, statements/text/search.py)
and its country as an ISO 3166-1 alpha-2 code, or null.

Existing endorsements get their search key computed here, in Python, by the same
function the application uses; their country stays as the free text it was, with no code.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-15
"""

import string

import sqlalchemy as sa
from alembic import op

from statements.text.search import endorsement_key

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# Two capital letters A-Z, spelt out: BETWEEN 'A' AND 'Z' would follow the database's
# collation, under which 'b' sorts between them on PostgreSQL.
_LETTERS = ", ".join(repr(c) for c in string.ascii_uppercase)
COUNTRY_CODE_CHECK = (
    "country_code IS NULL OR (length(country_code) = 2"
    f" AND substr(country_code, 1, 1) IN ({_LETTERS})"
    f" AND substr(country_code, 2, 1) IN ({_LETTERS}))")

_endorsements = sa.table(
    "endorsements",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("organisation", sa.String()),
    sa.column("city", sa.String()),
    sa.column("country", sa.String()),
    sa.column("search_key", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("endorsements") as batch:
        batch.add_column(sa.Column("search_key", sa.Text(), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("country_code", sa.String(2), nullable=True))
        batch.create_check_constraint(op.f("ck_endorsements_country_code"),
                                      COUNTRY_CODE_CHECK)
    conn = op.get_bind()
    rows = conn.execute(sa.select(_endorsements.c.id, _endorsements.c.name,
                                  _endorsements.c.organisation, _endorsements.c.city,
                                  _endorsements.c.country))
    for row in rows.all():
        conn.execute(_endorsements.update().where(_endorsements.c.id == row.id).values(
            search_key=endorsement_key(row.name, row.organisation, row.city, row.country)))
    op.create_index(op.f("ix_endorsements_country_code"), "endorsements", ["country_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_endorsements_country_code"), table_name="endorsements")
    with op.batch_alter_table("endorsements") as batch:
        batch.drop_constraint(op.f("ck_endorsements_country_code"), type_="check")
        batch.drop_column("country_code")
        batch.drop_column("search_key")
