"""Settings, read once from the environment.

Every setting a deployer may change is listed in README.md ("Configuration").
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

# argon2id cost: the strong default (64 MiB, 3 passes: 0.2-0.5 s here), and OWASP's
# minimum for argon2id, below which the settings may not go outside tests.
STRONG = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 1}
FLOOR = {"time_cost": 2, "memory_cost": 19 * 1024}


MIB = 1024 * 1024


class ConfigError(RuntimeError):
    """The environment does not describe a service that can start safely."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from exc
    if not 0 < value <= 3600:
        raise ConfigError(f"{name} must be between 0 and 3600 seconds, not {raw!r}")
    return value


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from exc
    if not 0 <= value <= 60:  # noqa: PLR2004
        raise ConfigError(f"{name} must be between 0 and 60 seconds, not {raw!r}")
    return value


def load_settings(env: Mapping[str, str], instance_path: str) -> dict[str, Any]:
    """Turn environment variables into Flask settings."""
    mode = env.get("STATEMENTS_ENV", "development").strip().lower() or "development"
    if mode not in {"development", "production"}:
        raise ConfigError(f"STATEMENTS_ENV must be 'development' or 'production', not {mode!r}")
    production = mode == "production"

    secret_key = env.get("SECRET_KEY", "")
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is required when STATEMENTS_ENV=production: set it to a long random "
                "string shared by every application server (e.g. `python3 -c 'import secrets; "
                "print(secrets.token_hex(32))'`)."
            )
        secret_key = instance_secret_key(Path(instance_path))

    public_url = public_site_url(env.get("PUBLIC_URL", ""), production)
    database_url = env.get("DATABASE_URL") or default_database_url(instance_path)
    secure_cookies = _flag(env.get("SECURE_COOKIES"), production)

    return {
        "STATEMENTS_ENV": mode,
        "PASSWORD_HASH_COST": password_hash_cost(env, production),
        # Anyone may register in development; in production only when OPEN_REGISTRATION=1.
        "OPEN_REGISTRATION": _flag(env.get("OPEN_REGISTRATION"), not production),
        "SECRET_KEY": secret_key,
        # The site's address in every link the service writes out (e-mails, the public
        # page's canonical link, the exports): never taken from a request's Host header.
        "PUBLIC_URL": public_url,
        "SIGNING_SEED": signing_seed(env, Path(instance_path), production),
        "RETIRED_SIGNING_KEYS": retired_keys(env),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        # A server's connection can be gone (restarted, idle too long): each is tried
        # before use. A file opened by this process cannot, so SQLite is spared the query.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": not normalise_database_url(database_url).startswith("sqlite")},
        "SQLITE_BUSY_TIMEOUT_MS": _int(env, "SQLITE_BUSY_TIMEOUT_MS", 30_000),
        # How long the public page kept for anonymous readers may go on without the newest
        # endorsements while more arrive (never without a withdrawal or any other change).
        "PUBLIC_PAGE_LAG_SECONDS": _float(env, "PUBLIC_PAGE_LAG_SECONDS", 0.5),
        # Requests larger than this are refused (413) from Content-Length alone.
        "MAX_BODY_BYTES": _int(env, "MAX_BODY_BYTES", 2 * MIB),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "PREFERRED_URL_SCHEME": "https" if secure_cookies else "http",
        # Number of reverse proxies in front of the service whose X-Forwarded-* to trust.
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        "WTF_CSRF_TIME_LIMIT": None,
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        # Live event streams: how often each looks for new events, and how long it stays
        # open before the client reconnects (with Last-Event-ID, so it misses nothing).
        "EVENT_POLL_SECONDS": _seconds(env, "EVENT_POLL_SECONDS", 1.0),
        "EVENT_STREAM_SECONDS": _seconds(env, "EVENT_STREAM_SECONDS", 60.0),
        # Where e-mail goes: "file" (.eml files in instance/mail/) or an SMTP server.
        "MAIL_URL": mail_url(env.get("MAIL_URL", "")),
        "MAIL_FROM": mail_from(env.get("MAIL_FROM", "")),
        # How long a worker's sender waits, after a request queued mail, for more to queue
        # before it sends: a burst's receipts go out in batches (two write transactions a
        # batch), not one by one, which would cost each endorsement two more.
        "MAIL_GATHER_SECONDS": _float(env, "MAIL_GATHER_SECONDS", 0.2),
    }


DEVELOPMENT_URL = "http://127.0.0.1:5000"
_SITE_URL = re.compile(r"https?://[^\s/?#]+(?:/[^\s?#]*)?")


def public_site_url(value: str, production: bool) -> str:
    """PUBLIC_URL without its trailing slash; required in production, where a default would
    send people to a development address."""
    url = value.strip().rstrip("/")
    if not url:
        if production:
            raise ConfigError(
                "PUBLIC_URL is required when STATEMENTS_ENV=production: set it to the address "
                "people reach the site at, e.g. https://statements.example.org (it is used in "
                "the links of e-mails and exports)."
            )
        return DEVELOPMENT_URL
    if not _SITE_URL.fullmatch(url):
        raise ConfigError(f"PUBLIC_URL must be an http:// or https:// address, not {value!r}")
    return url


MAIL_FILE = "file"
# The port each way of speaking SMTP uses unless the URL names one.
MAIL_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class MailServer:
    """An SMTP server, as MAIL_URL names it."""

    scheme: str  # one of MAIL_SCHEMES
    host: str
    port: int
    username: str | None = None
    password: str | None = None


def mail_server(url: str) -> MailServer | None:
    """The SMTP server MAIL_URL names, or None for the ``file`` transport."""
    value = url.strip()
    if value in {"", MAIL_FILE}:
        return None
    parts = urlsplit(value)
    shown = value
    if parts.password is not None:  # never echo a password
        userinfo, _, host = parts.netloc.rpartition("@")
        shown = value.replace(parts.netloc, f"{userinfo.partition(':')[0]}:***@{host}", 1)
    if parts.scheme not in MAIL_SCHEMES or parts.path not in {"", "/"} or parts.query:
        raise ConfigError(
            f"MAIL_URL must be 'file', smtp://host:port, smtp+starttls://user:password@host:587 "
            f"or smtps://user:password@host:465, not {shown!r}")
    try:
        port = parts.port or MAIL_SCHEMES[parts.scheme]
    except ValueError as exc:
        raise ConfigError(f"MAIL_URL has an invalid port: {shown!r}") from exc
    if not parts.hostname:
        raise ConfigError(f"MAIL_URL names no host: {shown!r}")
    return MailServer(
        scheme=parts.scheme, host=parts.hostname, port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None)


def mail_url(value: str) -> str:
    """MAIL_URL, checked at start-up so that a typo fails there, not at the first e-mail."""
    mail_server(value)
    return value.strip() or MAIL_FILE


def mail_from(value: str) -> str:
    """MAIL_FROM: an address, with or without a name (``Statements <noreply@example.org>``)."""
    value = value.strip() or "statements@localhost"
    _name, address = parseaddr(value)
    if "\r" in value or "\n" in value or "@" not in address:
        raise ConfigError(f"MAIL_FROM must be an e-mail address, not {value!r}")
    return value


def password_hash_cost(env: Mapping[str, str], production: bool) -> dict[str, int]:
    cost = {
        "time_cost": _int(env, "PASSWORD_HASH_TIME_COST", STRONG["time_cost"]),
        "memory_cost": _int(env, "PASSWORD_HASH_MEMORY_KIB", STRONG["memory_cost"]),
        "parallelism": _int(env, "PASSWORD_HASH_PARALLELISM", STRONG["parallelism"]),
    }
    if production and any(cost[k] < FLOOR[k] for k in FLOOR):
        raise ConfigError(
            "PASSWORD_HASH_TIME_COST / PASSWORD_HASH_MEMORY_KIB are below OWASP's argon2id "
            f"floor ({FLOOR['time_cost']} passes, {FLOOR['memory_cost']} KiB) in production"
        )
    return cost


def default_database_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "statements.sqlite3")


def normalise_database_url(url: str) -> str:
    """Accept the common `postgres://` and `postgresql://` spellings; we drive psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret(instance: Path, name: str, make: Callable[[], str]) -> str:
    """A development secret: generated once into the instance folder, then reused.

    Written to a private temporary file and hard-linked into place, so the file appears
    whole or not at all, and of two workers starting together exactly one secret wins and
    both read it.
    """
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / name
    if not path.exists():
        tmp = instance / f".{name}.{os.getpid()}.{secrets.token_hex(4)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(make())
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text().strip()


def instance_secret_key(instance: Path) -> str:
    """The development secret key (see ``instance_secret``)."""
    key = instance_secret(instance, "secret_key", lambda: secrets.token_hex(32))
    if len(key) < 32:
        raise ConfigError(f"{instance / 'secret_key'} holds no usable key; delete it to have "
                          "a new one generated")
    return key


def _seed(value: str, name: str) -> bytes:
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except ValueError as exc:
        raise ConfigError(f"{name} must be base64: {exc}") from exc
    if len(raw) != 32:
        raise ConfigError(f"{name} must be the base64 of 32 bytes, not of {len(raw)}")
    return raw


def signing_seed(env: Mapping[str, str], instance: Path, production: bool) -> bytes:
    """The Ed25519 seed that signs the public record: SIGNING_KEY (required in
    production), else generated once into the instance folder."""
    value = env.get("SIGNING_KEY", "")
    if value:
        return _seed(value, "SIGNING_KEY")
    if production:
        raise ConfigError(
            "SIGNING_KEY is required when STATEMENTS_ENV=production: the base64 of 32 random "
            "bytes, the same on every application server (e.g. `python3 -c 'import base64, "
            "secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())'`). Keep it: "
            "it signs the public record.")
    made = instance_secret(instance, "signing_key",
                           lambda: base64.b64encode(secrets.token_bytes(32)).decode())
    return _seed(made, str(instance / "signing_key"))


def retired_keys(env: Mapping[str, str]) -> list[bytes]:
    """Public keys that signed earlier records: still published, so old signatures check."""
    return [_seed(part, "RETIRED_SIGNING_KEYS")
            for part in env.get("RETIRED_SIGNING_KEYS", "").split(",") if part.strip()]
