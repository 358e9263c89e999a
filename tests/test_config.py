"""Settings from the environment: the database default, the secret key rules."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from statements import create_app
from statements.config import ConfigError, instance_secret_key, load_settings

# What production also requires: the signing key and the public address.
PRODUCTION_KEYS = {"SIGNING_KEY": "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=",
                   "PUBLIC_URL": "https://statements.example.org"}


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path: Path) -> None:
    settings = load_settings({}, str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/statements.sqlite3"


def test_postgres_urls_use_psycopg(tmp_path: Path) -> None:
    settings = load_settings({"DATABASE_URL": "postgres://u@h/db"}, str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        load_settings({"STATEMENTS_ENV": "production"}, str(tmp_path))
    assert not (tmp_path / "secret_key").exists()
    with pytest.raises(ConfigError):
        create_app({"STATEMENTS_ENV": "production", "SECRET_KEY": "",
                    "INSTANCE_PATH": str(tmp_path)})


def test_production_takes_the_given_key_and_secure_cookies(tmp_path: Path) -> None:
    settings = load_settings({"STATEMENTS_ENV": "production", "SECRET_KEY": "k" * 40,
                          **PRODUCTION_KEYS},
                             str(tmp_path))
    assert settings["SECRET_KEY"] == "k" * 40
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_registration_is_closed_in_production_unless_opened(tmp_path: Path) -> None:
    production = {"STATEMENTS_ENV": "production", "SECRET_KEY": "k" * 40, **PRODUCTION_KEYS}
    assert load_settings(production, str(tmp_path))["OPEN_REGISTRATION"] is False
    opened = load_settings({**production, "OPEN_REGISTRATION": "1"}, str(tmp_path))
    assert opened["OPEN_REGISTRATION"] is True
    assert load_settings({}, str(tmp_path))["OPEN_REGISTRATION"] is True  # development


def test_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="STATEMENTS_ENV"):
        load_settings({"STATEMENTS_ENV": "prod"}, str(tmp_path))


def test_development_key_is_generated_once_private_and_reused(tmp_path: Path) -> None:
    first = load_settings({}, str(tmp_path))["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert load_settings({}, str(tmp_path))["SECRET_KEY"] == first
    # No temporary left behind: only the two development secrets (the signing key too).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key", "signing_key"]


def _read_key(folder: str, queue) -> None:  # runs in a child process
    queue.put(instance_secret_key(Path(folder)))


def test_workers_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_read_key, args=(str(tmp_path), queue)) for _ in range(8)]
    for worker in workers:
        worker.start()
    keys = {queue.get(timeout=20) for _ in workers}
    for worker in workers:
        worker.join()
    assert len(keys) == 1
    assert keys == {(tmp_path / "secret_key").read_text()}


def test_a_bad_number_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="MAX_BODY_BYTES"):
        load_settings({"MAX_BODY_BYTES": "lots"}, str(tmp_path))


@pytest.mark.parametrize("raw", ["soon", "-1", "61"])
def test_a_bad_number_of_seconds_is_a_clear_error(tmp_path: Path, raw: str) -> None:
    for name in ("MAIL_GATHER_SECONDS", "PUBLIC_PAGE_LAG_SECONDS"):
        with pytest.raises(ConfigError, match=name):
            load_settings({name: raw}, str(tmp_path))
    assert load_settings({"MAIL_GATHER_SECONDS": "0"}, str(tmp_path))["MAIL_GATHER_SECONDS"] == 0
    assert load_settings({}, str(tmp_path))["MAIL_GATHER_SECONDS"] == 0.2  # noqa: PLR2004


def test_the_signing_key_is_required_in_production_and_checked(tmp_path: Path) -> None:
    import base64

    base = {"STATEMENTS_ENV": "production", "SECRET_KEY": "k" * 40,
            "PUBLIC_URL": "https://statements.example.org"}
    with pytest.raises(ConfigError, match="SIGNING_KEY is required"):
        load_settings(base, str(tmp_path))
    with pytest.raises(ConfigError, match="32 bytes"):
        load_settings({**base, "SIGNING_KEY": base64.b64encode(b"short").decode()},
                      str(tmp_path))
    with pytest.raises(ConfigError, match="base64"):
        load_settings({**base, "SIGNING_KEY": "not base64!"}, str(tmp_path))
    seed = base64.b64encode(b"s" * 32).decode()
    retired = base64.b64encode(b"r" * 32).decode()
    settings = load_settings({**base, "SIGNING_KEY": seed, "RETIRED_SIGNING_KEYS": retired},
                             str(tmp_path))
    assert settings["SIGNING_SEED"] == b"s" * 32
    assert settings["RETIRED_SIGNING_KEYS"] == [b"r" * 32]
    development = load_settings({}, str(tmp_path / "dev"))["SIGNING_SEED"]
    assert load_settings({}, str(tmp_path / "dev"))["SIGNING_SEED"] == development
