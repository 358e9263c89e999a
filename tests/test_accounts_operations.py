"""Accounts at the operation level: hashing cost, the throttle window, races."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import func, select

from statements.config import FLOOR, load_settings
from statements.database import write_transaction
from statements.errors import Duplicate, TooManyAttempts
from statements.extensions import db
from statements.models import User
from statements.models.types import utcnow
from statements.operations.accounts import create_user
from statements.operations.sign_in import LIMIT, WINDOW, sign_in
from tests.factories import PASSWORD, make_user

# What production also requires: the signing key and the public address.
PRODUCTION_KEYS = {"SIGNING_KEY": "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s=",
                   "PUBLIC_URL": "https://statements.example.org"}


def test_production_hash_setting_is_the_strong_one(tmp_path) -> None:
    cost = load_settings({"STATEMENTS_ENV": "production", "SECRET_KEY": "k" * 40,
                          **PRODUCTION_KEYS},
                         str(tmp_path))["PASSWORD_HASH_COST"]
    assert cost["memory_cost"] >= 64 * 1024 and cost["time_cost"] >= 3
    assert all(cost[k] >= FLOOR[k] for k in FLOOR)
    hashed = PasswordHasher(**cost).hash("x" * 12)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=1$")


def test_production_refuses_a_weak_hash_setting(tmp_path) -> None:
    from statements.config import ConfigError

    with pytest.raises(ConfigError, match="floor"):
        load_settings({"STATEMENTS_ENV": "production", "SECRET_KEY": "k" * 40,
                       **PRODUCTION_KEYS, "PASSWORD_HASH_MEMORY_KIB": "1024"}, str(tmp_path))


def test_the_window_passes(app: Flask) -> None:
    user = make_user(app)
    start = utcnow()
    with app.app_context():
        for i in range(LIMIT):
            with write_transaction():
                assert sign_in(user.email, "wrong", now=start + timedelta(seconds=i)) is None
        with pytest.raises(TooManyAttempts) as blocked:
            with write_transaction():
                sign_in(user.email, PASSWORD, now=start + timedelta(minutes=1))
        assert blocked.value.retry_after == int((WINDOW - timedelta(minutes=1)).total_seconds())
        # The oldest failure leaves the window: one more try is allowed.
        with write_transaction():
            later = start + WINDOW + timedelta(seconds=0.5)
            assert sign_in(user.email, PASSWORD, now=later).id == user.id


def test_rehash_when_the_cost_changes(app: Flask) -> None:
    user = make_user(app)
    app.config["PASSWORD_HASH_COST"] = {"time_cost": 2, "memory_cost": 16, "parallelism": 1}
    with app.app_context():
        with write_transaction():
            sign_in(user.email, PASSWORD)
        assert "m=16,t=2" in db.session.get(User, user.id).password_hash


def test_parallel_registrations_of_one_address_make_one_account(app: Flask) -> None:
    results: list[str] = []

    def register() -> None:
        with app.app_context():
            try:
                with write_transaction():
                    create_user(None, email="same@example.org", name="Same",
                                password="long enough pw")
                results.append("created")
            except Duplicate:
                results.append("duplicate")

    threads = [threading.Thread(target=register) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["created"] + ["duplicate"] * 7
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
