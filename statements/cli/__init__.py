"""Flask commands for administration, calling the same operations as the pages."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from ..database import write_transaction
from ..errors import DomainError
from ..extensions import db
from ..models import User, email_key
from ..operations.accounts import create_user, set_role
from ..rules import SYSTEM, Role
from .demo import demo_command
from .mail import send_mail_command
from .translations import translations_command
from .verify import all_problems


def _fail(error: DomainError) -> None:
    details = getattr(error, "errors", None) or {}
    message = "; ".join(f"{field}: {text}" for field, text in details.items()) or error.detail
    raise click.ClickException(message)


def _find_user(email: str) -> User:
    user = db.session.execute(
        select(User).where(User.email_key == email_key(email))
    ).scalar_one_or_none()
    if user is None:
        raise click.ClickException(f"No account with the e-mail address {email}.")
    return user


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--name", required=True, help="The person's name, as shown to others.")
@click.option("--role", required=True, type=click.Choice([str(r) for r in Role]))
@click.option("--organisation", default="", help="Organisation, city or region.")
@click.option("--password", help="Prompted for (hidden, twice) when not given.")
def create_user_command(email: str, name: str, role: str, organisation: str,
                        password: str | None) -> None:
    """Create an account and print its id."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with write_transaction():
            user = create_user(SYSTEM, email=email, name=name, organisation=organisation,
                               password=password, role=role)
    except DomainError as exc:
        _fail(exc)
    click.echo(user.id)


@click.command("set-role")
@with_appcontext
@click.argument("email")
@click.argument("role", type=click.Choice([str(r) for r in Role]))
def set_role_command(email: str, role: str) -> None:
    """Change an account's role (recorded in the audit trail)."""
    with write_transaction():
        user = _find_user(email)
        before = user.role
        set_role(SYSTEM, user, role)
    click.echo(f"{user.email}: {before} -> {role}")


@click.command("verify")
@with_appcontext
def verify_command() -> None:
    """Re-compute every version's SHA-256 and every statement's record chain, check the
    record's signatures, and check the tables against the record."""
    summary, problems = all_problems()
    click.echo(summary)
    for problem in problems:
        click.echo(f"MISMATCH {problem}", err=True)
    if problems:
        raise click.exceptions.Exit(1)
    click.echo("Every hash matches, and every record holds.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(set_role_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(verify_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(translations_command)
