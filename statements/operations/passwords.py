"""Password hashing with argon2id; the cost is a setting.

Production uses the strong default (64 MiB, 3 passes: 0.2–0.5 s on this machine,
above OWASP's argon2id floor of 19 MiB and 2 passes). Tests set a cheap cost, as a
suite that signs in hundreds of times must not pay that each time.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from ..i18n import _, _n

MIN_LENGTH = 10
MAX_LENGTH = 1024


def hasher() -> PasswordHasher:
    cost = current_app.config["PASSWORD_HASH_COST"]
    cached = current_app.extensions.get("statements.hasher")
    if cached is None or cached[0] != cost:
        cached = (cost, PasswordHasher(**cost))
        current_app.extensions["statements.hasher"] = cached
    return cached[1]


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def password_problem(password: object) -> str | None:
    """Why this password is refused, or None."""
    if not isinstance(password, str):
        return _("Password must be a string.")
    if len(password) < MIN_LENGTH:
        return _n("Password must be at least %(num)d character.",
                  "Password must be at least %(num)d characters.", MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _n("Password must be at most %(num)d character.",
                  "Password must be at most %(num)d characters.", MAX_LENGTH)
    return None


# A hash of nothing anyone knows, verified against when the e-mail is unknown so that
# answers take as long for unknown addresses as for known ones.
_DUMMY: dict[tuple[int, int, int], str] = {}


def verify_against_nothing(password: str) -> None:
    h = hasher()
    key = (h.time_cost, h.memory_cost, h.parallelism)
    if key not in _DUMMY:
        _DUMMY[key] = h.hash("no account has this password")
    verify_password(_DUMMY[key], password)
