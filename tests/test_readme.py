"""The README's two commands stay true: CI runs exactly its test command."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    head = readme.split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", head, flags=re.S)


def test_readme_opens_with_exactly_two_commands() -> None:
    commands = _commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    assert "flask --app wsgi run" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"bash -c '{_commands()[1]}'" in ci


def test_every_command_works_from_the_repository_root_after_the_two() -> None:
    """Nothing in the README relies on an activated venv: flask, gunicorn, python and
    pytest are always called from .venv/bin."""
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"`([^`\n]+)`", readme) + re.findall(r"```sh\n(.+?)```", readme, re.S)
    bare = [command for command in commands
            if re.search(r"(?<![/\w.-])(?<!-m )(flask|gunicorn|pytest|ruff|mypy)( |$)", command)]
    assert bare == []
