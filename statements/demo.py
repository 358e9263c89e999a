"""`flask demo`: accounts for each role (and a sample statement) to try the service with."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .database import write_transaction
from .extensions import db
from .models import User, email_key
from .operations.accounts import create_user

DEMO_PASSWORD = "demo-password"  # noqa: S105  (printed for the person trying the demo)
DEMO_ACCOUNTS = [
    ("admin@demo.example", "Ada Admin", "Summit secretariat", "admin"),
    ("moderator@demo.example", "Mo Moderator", "City of Paris", "moderator"),
    ("delegate@demo.example", "Dee Delegate", "São Paulo", "delegate"),
    ("delegate2@demo.example", "Ким Делегат", "Кызыл", "delegate"),
]


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Create demo accounts (one per role) and print how to sign in. Safe to run twice."""
    with write_transaction():
        for email, name, organisation, role in DEMO_ACCOUNTS:
            exists = db.session.execute(
                select(User.id).where(User.email_key == email_key(email))).first()
            if not exists:
                create_user(None, email=email, name=name, organisation=organisation,
                            password=DEMO_PASSWORD, role=role, via="cli")
    click.echo(f"Demo accounts (password for each: {DEMO_PASSWORD}):")
    for email, name, _, role in DEMO_ACCOUNTS:
        click.echo(f"  {role:<10} {email:<26} {name}")
    click.echo("Run `flask --app wsgi run` and sign in at http://127.0.0.1:5000/login")
