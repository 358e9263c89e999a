"""`flask demo`: accounts for each role (and a sample statement) to try the service with."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..models import Statement, User, email_key
from ..operations.accounts import create_user
from ..operations.statements import create_statement
from ..rules import SYSTEM

DEMO_PASSWORD = "demo-password"  # noqa: S105  (printed for the person trying the demo)
DEMO_ACCOUNTS = [
    ("admin@demo.example", "Ada Admin", "Summit secretariat", "admin"),
    ("moderator@demo.example", "Mo Moderator", "City of Paris", "moderator"),
    ("delegate@demo.example", "Dee Delegate", "São Paulo", "delegate"),
    ("delegate2@demo.example", "Ким Делегат", "Кызыл", "delegate"),
]


SAMPLE_SLUG = "post-2020-biodiversity-momentum"
SAMPLE_TITLE = "Strengthening the momentum for a post-2020 Global Biodiversity Framework"
SAMPLE_OCCASION = "Summit of cities and regions for biodiversity, Paris — city session"
# Written for this demo: a plausible draft, not the text of any real declaration.
SAMPLE_TEXT = """# Strengthening the momentum for a post-2020 Global Biodiversity Framework

We, mayors, governors and representatives of local and subnational governments meeting \
in Paris, speak for the places where most people meet nature every day: streets and \
parks, rivers and coasts, the farmland at the edge of town.

## We recognise

1. that the loss of species and ecosystems is as urgent as the climate crisis, and that \
the two must be answered together;
2. that cities and regions already protect, restore and manage a large share of the \
land and water that a global framework will count;
3. that nature-based solutions cool streets, hold back floods and clean the air, and \
that their benefits must reach every neighbourhood.

## We commit

- to adopt local biodiversity action plans aligned with the global framework within two \
years of its adoption;
- to protect and restore urban ecosystems and the corridors that connect them;
- to report on our progress every two years, in the open, with data anyone can check.

## We call on national governments

to recognise the role of local and subnational governments in the framework, to include \
them in national biodiversity strategies, and to open finance to the places where action \
happens.
"""


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create demo accounts (one per role) and a sample statement, and print how to sign
    in. Safe to run twice."""
    with write_transaction():
        for email, name, organisation, role in DEMO_ACCOUNTS:
            exists = db.session.execute(
                select(User.id).where(User.email_key == email_key(email))).first()
            if not exists:
                create_user(SYSTEM, email=email, name=name, organisation=organisation,
                            password=DEMO_PASSWORD, role=role)
        if db.session.execute(select(Statement.id).where(Statement.slug == SAMPLE_SLUG)
                              ).first() is None:
            moderator = db.session.execute(select(User).where(
                User.email_key == "moderator@demo.example")).scalar_one()
            create_statement(moderator, title=SAMPLE_TITLE, text=SAMPLE_TEXT, slug=SAMPLE_SLUG,
                             occasion=SAMPLE_OCCASION)
    click.echo(f"Demo accounts (password for each: {DEMO_PASSWORD}):")
    for email, name, _, role in DEMO_ACCOUNTS:
        click.echo(f"  {role:<10} {email:<26} {name}")
    click.echo(f"Sample statement: http://127.0.0.1:5000/statements/{SAMPLE_SLUG}")
    click.echo("Run `flask --app wsgi run` and sign in at http://127.0.0.1:5000/login")
