"""Fuzz the running service against its own OpenAPI document with schemathesis.

    .venv/bin/python tests/fuzz/run_schemathesis.py [--database-url sqlite|URL ...]
        [--max-examples N] [--seed N] [--keep]

On a fresh database (an SQLite file in a temporary folder, or the PostgreSQL database in
``--database-url`` / TEST_DATABASE_URL, whose public schema is dropped and re-created) it
runs ``flask db upgrade``, makes an admin, a moderator and two delegates with tokens and
statements in every phase with amendments and endorsements (through the real operations),
serves the app with gunicorn on a free loopback port, and runs schemathesis against
/api/v1/openapi.json for every operation: as the admin (bearer token) and anonymously.
Checks: no 5xx, documented status codes, content types and response schemas. Exits
non-zero on any failure, with each failure's reproduction and the server's tracebacks.

Not a pytest module (its name does not start with test_): CI runs it as a step of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance")
PASSWORD = "fuzzing password 1"
TEXT = (
    "# A statement to fuzz\n"
    "\n"
    "We, the mayors and governors gathered here, recognise that cities and regions are where "
    "most people meet nature every day.\n"
    "\n"
    "We commit to protect and restore urban ecosystems, and to report on our progress every "
    "two years.\n"
)


@dataclass
class World:
    """What the seeding made: tokens by role, slugs, numbers and ids to aim the fuzzer at."""

    tokens: dict[str, str] = field(default_factory=dict)
    slugs: list[str] = field(default_factory=list)
    user_ids: list[int] = field(default_factory=list)


def service_env(database_url: str, instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    env.update({
        "DATABASE_URL": database_url, "SECRET_KEY": "fuzz-secret-key-" + "x" * 32,
        "INSTANCE_PATH": str(instance), "STATEMENTS_ENV": "development",
        # The cheapest argon2id: the fuzzer signs in and creates users by the hundred.
        "PASSWORD_HASH_TIME_COST": "1", "PASSWORD_HASH_MEMORY_KIB": "8",
        "PASSWORD_HASH_PARALLELISM": "1", "LOG_LEVEL": "WARNING",
        "MAIL_URL": "file",
        # Event streams end after a second here, not a minute: the fuzzer reads each answer
        # to its end.
        "EVENT_STREAM_SECONDS": "1", "EVENT_POLL_SECONDS": "0.2",
    })
    return env


def reset_postgres(url: str) -> None:
    """Start from nothing, whatever an earlier run (or the test suite) left."""
    from sqlalchemy import create_engine, text

    from statements.config import normalise_database_url

    engine = create_engine(normalise_database_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def upgrade(env: dict[str, str]) -> None:
    flask = Path(sys.executable).with_name("flask")
    subprocess.run([str(flask), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)


def seed(env: dict[str, str]) -> World:
    """Users with tokens, and a statement in each phase, through the real operations."""
    from statements import create_app
    from statements.database import write_transaction
    from statements.extensions import db
    from statements.models import Statement, User
    from statements.operations import amendments as amend
    from statements.operations.accounts import create_user, issue_token
    from statements.operations.endorsements import endorse
    from statements.operations.statements import create_statement
    from statements.operations.workflow import transition
    from statements.read.lookups import statement_or_404
    from statements.rules import SYSTEM

    names = ("DATABASE_URL", "SECRET_KEY", "INSTANCE_PATH")
    app = create_app({name: env[name] for name in names} | {
        "PASSWORD_HASH_COST": {"time_cost": 1, "memory_cost": 8, "parallelism": 1}})
    world = World()
    ids: dict[str, int] = {}

    def user(name: str) -> User:
        found = db.session.get(User, ids[name])
        assert found is not None
        return found

    def statement(slug: str) -> Statement:
        return statement_or_404(slug, user("admin"))

    with app.app_context():
        for name, role in (("admin", "admin"), ("moderator", "moderator"),
                           ("delegate", "delegate"), ("delegate2", "delegate")):
            with write_transaction():
                made = create_user(SYSTEM, email=f"{name}@fuzz.example.org",
                                   name=name.capitalize(), organisation="Fuzzville",
                                   password=PASSWORD, role=role)
                ids[name] = made.id
            world.user_ids.append(ids[name])
        for name in ("admin", "moderator", "delegate", "delegate2", "revoked"):
            with write_transaction():
                world.tokens[name], _ = issue_token(user("admin" if name == "revoked"
                                                         else name))

        def steps(slug: str, *moves: str) -> None:
            for to in moves:
                with write_transaction():
                    transition(user("moderator"), statement(slug), to)

        def propose(slug: str, who: str, old: str, new: str) -> int:
            with write_transaction():
                found = statement(slug)
                return amend.propose(user(who), found, base=found.head_number,
                                     text=found.head.text.replace(old, new),
                                     rationale=f"{old} -> {new}").number

        def act(slug: str, number: int, do: Any) -> None:
            with write_transaction():
                do(amend.amendment_or_404(statement(slug), number))

        for phase in ("draft", "amending", "reviewing", "final", "endorsing", "closed"):
            with write_transaction():
                slug = create_statement(user("moderator"), title=f"Fuzz {phase}", text=TEXT,
                                        slug=f"fuzz-{phase}", occasion="Fuzzing").slug
            world.slugs.append(slug)
            if phase == "draft":
                continue
            steps(slug, "amending")
            first = propose(slug, "delegate", "most people", "nearly everyone")
            second = propose(slug, "delegate2", "every two years", "every year")
            third = propose(slug, "delegate", "urban", "city")
            act(slug, first, lambda a: amend.support(user("delegate2"), a))
            act(slug, first, lambda a: amend.comment(user("delegate2"), a, "Agreed."))
            if phase == "amending":
                continue
            act(slug, first, lambda a: amend.accept(user("moderator"), a, note="Yes"))
            act(slug, second, lambda a: amend.reject(user("moderator"), a, note="No"))
            if phase != "reviewing":
                act(slug, third, lambda a: amend.withdraw(user("delegate"), a))
            steps(slug, "reviewing")
            if phase == "reviewing":
                continue
            steps(slug, "final")
            if phase == "final":
                continue
            steps(slug, "endorsing")
            with write_transaction():
                endorse(user("delegate"), statement(slug), kind="individual", city="Paris")
            with write_transaction():
                endorse(user("delegate2"), statement(slug), kind="organisation",
                        organisation="City of Fuzz", authorised=True, public=False)
            if phase == "closed":
                steps(slug, "closed")
        db.session.remove()
        db.engine.dispose()
    return world


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def serve(env: dict[str, str], log: Path) -> Iterator[str]:
    """gunicorn on a free loopback port, stopped (by its own pid) on the way out."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", "4",
             "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--no-control-socket",
             "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    raise RuntimeError(f"gunicorn exited with {server.returncode}: see {log}")
                try:
                    with urllib.request.urlopen(url + "/healthz", timeout=2) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                time.sleep(0.2)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def toml_value(value: Any) -> str:
    return json.dumps(value)  # JSON strings, numbers and arrays of them are TOML as well


def write_config(folder: Path, world: World) -> Path:
    """Point path, query and body parameters at what exists most of the time, so the fuzzer
    gets past the 404s; the rest of the time they are generated freely."""
    numbers = [1, 2, 3, 4]
    lines = ["[dictionaries]",
             f"slugs = {{ values = {toml_value(world.slugs + ['no-such-statement'])} }}",
             f"numbers = {{ values = {toml_value(numbers)} }}",
             f"users = {{ values = {toml_value(world.user_ids)} }}",
             "", "[parameters]"]
    for key, dictionary, probability in (
            ("path.slug", "slugs", 0.9), ("path.number", "numbers", 0.8),
            ("query.from", "numbers", 0.8), ("query.to", "numbers", 0.8),
            ("query.version", "numbers", 0.8), ("body.base", "numbers", 0.7),
            ("body.user_id", "users", 0.7)):
        lines.append(f'"{key}" = {{ dictionary = "{dictionary}", probability = {probability} }}')
    lines += ["", "[cache]", "enabled = false"]
    path = folder / "schemathesis.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class Outcome:
    caller: str
    returncode: int
    cases: int
    seconds: float
    report: Path
    failures: dict[str, int]


def summary(message: str) -> str:
    """A failure's message in one line that is the same for every case it comes with."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    where = next((line for line in lines if line.startswith("Schema at ")), "")
    first = lines[0] if lines and not lines[0].startswith(("{", "[")) else ""
    said = "; ".join(part[:120].rstrip(":") for part in (first, where) if part)
    return f": {said}" if said else ""


def read_report(folder: Path) -> tuple[int, dict[str, int]]:
    """From schemathesis' NDJSON event log: how many test cases it generated and sent, and
    each distinct failure ("operation: code title: first line") with how often it came."""
    cases, failures = 0, {}
    for ndjson in folder.glob("*.ndjson"):
        for line in ndjson.read_text().splitlines():
            recorder = json.loads(line).get("ScenarioFinished", {}).get("recorder", {})
            cases += len(recorder.get("cases", {}))
            for checks in recorder.get("checks", {}).values():
                for check in checks:
                    failure = (check.get("failure_info") or {}).get("failure")
                    if check.get("status") != "failure" or not failure:
                        continue
                    key = (f"{failure.get('operation', recorder.get('label'))}: "
                           f"{failure.get('code')} {failure.get('title')}"
                           f"{summary(failure.get('message') or '')}")
                    failures[key] = failures.get(key, 0) + 1
    return cases, failures


def fuzz(caller: str, *, url: str, config: Path, folder: Path, args: argparse.Namespace,
         token: str | None, only: list[str] | None = None,
         skip: list[str] | None = None) -> Outcome:
    report = folder / f"report-{caller}"
    command = [str(Path(sys.executable).with_name("schemathesis")), "--config-file", str(config),
               "run", url + "/api/v1/openapi.json", "--url", url,
               "--checks", args.checks, "--max-examples", str(args.max_examples),
               "--workers", str(args.workers), "--generation-database", "none",
               "--generation-with-security-parameters", "false", "--request-timeout", "30",
               "--report", "ndjson,junit", "--report-dir", str(report), "--no-color",
               "--suppress-health-check", "all", "--seed", str(args.seed),
               "--continue-on-failure"]
    if token is not None:
        command += ["--header", f"Authorization: Bearer {token}"]
    else:  # that every signed-in endpoint answers an anonymous caller 401 is the point here
        command += ["--warnings", "off"]
    for operation_id in only or []:
        command += ["--include-operation-id", operation_id]
    for operation_id in skip or []:
        command += ["--exclude-operation-id", operation_id]
    print(f"== schemathesis as {caller}", flush=True)
    started = time.monotonic()
    returncode = subprocess.run(command, cwd=folder, check=False).returncode
    seconds = time.monotonic() - started
    cases, failures = read_report(report)
    return Outcome(caller, returncode, cases, seconds, report, failures)


def server_errors(log: Path) -> list[str]:
    """The service's unhandled errors (its 500s), once each: the request, the innermost
    frame of ours, and the exception."""
    found: dict[tuple[str, str], str] = {}
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    for i, line in enumerate(lines):
        if not line.startswith("unhandled error on "):
            continue
        block = []
        for following in lines[i + 1:]:
            if following.startswith(("[", "unhandled error on ")):
                break
            block.append(following)
        ours = [b.strip() for b in block if b.strip().startswith(f'File "{ROOT}/statements')]
        exception = block[-1] if block else "?"
        found.setdefault((line, exception), f"{line}\n    {ours[-1] if ours else ''}\n"
                                             f"    {exception}")
    return list(found.values())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", action="append", default=[],
                        help="'sqlite' (a new file in a temporary folder) or a PostgreSQL "
                             "URL; repeat it to run on several, each in turn (default: "
                             "TEST_DATABASE_URL, else sqlite)")
    parser.add_argument("--max-examples", type=int, default=20,
                        help="schemathesis' most test cases per operation and phase")
    # One worker: schemathesis' threads trip over CPython 3.11's ast.parse (hypothesis
    # describes lambdas with it) and report "AST constructor recursion depth mismatch".
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=int(time.time()) % 100_000,
                        help="the random seed (printed, to repeat a run)")
    parser.add_argument("--checks", default=",".join(CHECKS),
                        help=f"schemathesis checks (default: {','.join(CHECKS)})")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (database, reports, server log)")
    return parser.parse_args(argv)


def fuzz_database(database: str, args: argparse.Namespace) -> bool:
    """One whole run on a fresh database ("sqlite" or a PostgreSQL URL); True if it passed."""
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="statements-fuzz-"))
    if database == "sqlite":
        database_url, where = f"sqlite:///{folder / 'fuzz.sqlite3'}", "SQLite"
    else:
        reset_postgres(database)
        database_url, where = database, "PostgreSQL"
    print(f"== fuzzing on {where}, seed {args.seed}, in {folder}", flush=True)
    env = service_env(database_url, folder / "instance")
    upgrade(env)
    world = seed(env)
    config = write_config(folder, world)
    log = folder / "server.log"
    with serve(env, log) as url:
        common = {"url": url, "config": config, "folder": folder, "args": args}
        outcomes = [
            fuzz("admin", token=world.tokens["admin"], skip=["revoke_token"], **common),
            fuzz("anonymous", token=None, **common),
            # Revoking the token the admin fuzzes with would leave it nothing but 401s.
            fuzz("admin-revoking", token=world.tokens["revoked"], only=["revoke_token"],
                 **common),
        ]
    failed = [o for o in outcomes if o.returncode != 0]
    errors = server_errors(log)
    if errors:
        print("== the service's unhandled errors (500s), from its log:\n" + "\n".join(errors))
    for o in outcomes:
        print(f"== as {o.caller}: {o.cases} cases in {o.seconds:.0f} s, "
              f"{'FAILED' if o.returncode else 'passed'} (reports in {o.report})")
        for failure, times in sorted(o.failures.items()):
            print(f"   {times:4d} x {failure}")
    total = sum(o.cases for o in outcomes)
    print(f"== schemathesis on {where}: {total} cases generated in "
          f"{time.monotonic() - started:.0f} s; {len(failed)} of {len(outcomes)} runs failed",
          flush=True)
    if not args.keep and not failed:
        shutil.rmtree(folder, ignore_errors=True)
    return not failed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT))
    databases = args.database_url or [os.environ.get("TEST_DATABASE_URL", "").strip()
                                      or "sqlite"]
    passed = [fuzz_database(database.strip(), args) for database in databases]
    return 0 if all(passed) else 1


if __name__ == "__main__":
    sys.exit(main())
