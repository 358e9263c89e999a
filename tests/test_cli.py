"""flask create-user, set-role and demo, as API.md's command-line section says."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from statements.extensions import db
from statements.models import AuditEvent, Statement, User
from tests.factories import make_user


def test_create_user_prints_the_id(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=[
        "create-user", "ana@example.org", "--name", "Ana", "--role", "moderator",
        "--organisation", "Paris", "--password", "long enough pw"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User)).one()
    assert result.output.strip() == str(user.id)
    assert (user.role, user.organisation) == ("moderator", "Paris")


def test_create_user_prompts_for_the_password(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["create-user", "ana@example.org", "--name", "Ana", "--role", "delegate"],
        input="long enough pw\nlong enough pw\n")
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].isdigit()


def test_create_user_refuses_a_taken_address(app: Flask) -> None:
    make_user(app, email="ana@example.org")
    result = app.test_cli_runner().invoke(args=[
        "create-user", "ANA@example.org", "--name", "Ana", "--role", "delegate",
        "--password", "long enough pw"])
    assert result.exit_code != 0
    assert "taken" in result.output


def test_create_user_refuses_a_short_password_and_bad_role(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "a@example.org", "--name", "A", "--role",
                                 "delegate", "--password", "short"])
    assert result.exit_code != 0 and "at least 10" in result.output
    result = runner.invoke(args=["create-user", "a@example.org", "--name", "A", "--role",
                                 "king", "--password", "long enough pw"])
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalars(select(User)).all() == []


def test_set_role_is_audited(app: Flask) -> None:
    user = make_user(app, email="ana@example.org")
    result = app.test_cli_runner().invoke(args=["set-role", "Ana@example.org", "moderator"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.get(User, user.id).role == "moderator"
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "user.role_change")).one()
        assert (event.before, event.after, event.object_id) == ("delegate", "moderator",
                                                                str(user.id))
    result = app.test_cli_runner().invoke(args=["set-role", "nobody@example.org", "admin"])
    assert result.exit_code != 0 and "No account" in result.output


def test_demo_creates_one_account_per_role_and_can_run_twice(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert "admin@demo.example" in first.output and "password" in first.output
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        roles = sorted(db.session.scalars(select(User.role)))
    assert set(roles) == {"admin", "moderator", "delegate"}
    assert len(roles) == 4
    with app.app_context():
        statement = db.session.scalars(select(Statement)).one()  # not two after a second run
        assert statement.title.startswith("Strengthening the momentum")
        assert statement.moderators[0].email == "moderator@demo.example"
    assert "/statements/post-2020-biodiversity-momentum" in first.output
