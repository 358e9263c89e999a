"""The service over HTTP against its own baselines, in one run, under the same gunicorn
(the README's production settings with 2 workers: gthread, 128 threads), with wrk at 16
connections. Figures are ratios, so they hold from one machine to another:

- the public page of a statement with 5,000 signatories against a bare Flask "hello"
  (req/s and p99);
- an endorsement POST, each request a new person (a confirmed account with a bearer
  token, prepared beforehand: the endorsement counts at once, with its record event and
  receipt), against a raw one-row SQLite INSERT+COMMIT endpoint (WAL, synchronous=FULL);
  then that none was lost or doubled;
- the moderation queue page and the API list of 200 open amendments (latency).

Run: .venv/bin/python bench/bench_http.py [--quick] [--seconds N]
(needs Debian's wrk: apt-get install -y wrk). --quick is a smoke run with small data.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import logging
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench.baseline_apps import create_table  # noqa: E402
from statements.database import write_transaction  # noqa: E402
from statements.extensions import db  # noqa: E402
from statements.models import Endorsement, Statement, User  # noqa: E402
from statements.operations.accounts import create_user, issue_token  # noqa: E402
from statements.operations.amendments import propose  # noqa: E402
from statements.operations.endorsements import endorse  # noqa: E402
from statements.rules import SYSTEM  # noqa: E402
from tests.conftest import CHEAP_HASH_ENV, make_app  # noqa: E402
from tests.factories import PASSWORD, make_statement, make_user  # noqa: E402

GUNICORN = ["--workers", "2", "--worker-class", "gthread", "--threads", "128"]
CONNECTIONS, WRK_THREADS = 16, 2
COUNTRIES = ["FR", "DE", "AT", "BR", "JP", "KE", "IN", "US", "CA", "MX", None]


def _by_slug(slug: str) -> Statement:
    return db.session.execute(db.select(Statement).where(Statement.slug == slug)).scalar_one()


def _people(app: Flask, prefix: str, n: int, batch: int = 500) -> list[int]:
    ids: list[int] = []
    with app.app_context():
        for start in range(0, n, batch):
            with write_transaction():
                for i in range(start, min(n, start + batch)):
                    user = create_user(SYSTEM, email=f"{prefix}{i}@example.org",
                                       name=f"{prefix.capitalize()} Person {i}",
                                       organisation=f"Town {i % 97}", password=PASSWORD)
                    db.session.flush()
                    ids.append(user.id)
    return ids


def fill(app: Flask, signatories: int, amendments: int, endorsers: int
         ) -> tuple[str, str, User, list[str]]:
    """The published statement with its signatories, the one in amendment with its open
    amendments, the moderator, and bearer tokens of people who have not endorsed yet."""
    moderator = make_user(app, "moderator", email="moderator@example.org")
    published = make_statement(app, moderator, status="endorsing", slug="published")
    signers = _people(app, "signer", signatories)
    with app.app_context():
        for start in range(0, len(signers), 500):
            with write_transaction():
                statement = _by_slug(published)
                for n, user_id in enumerate(signers[start:start + 500], start):
                    code = COUNTRIES[n % len(COUNTRIES)]
                    endorse(db.session.get(User, user_id), statement, kind="individual",
                            city=f"City {n % 50}", country_code=code, public=n % 10 != 0,
                            country="" if code else "Atlantis")
    text = "\n\n".join(
        f"Paragraph {i}: cities and regions commit to protect and restore urban ecosystems, "
        f"to connect green corridors, and to report on progress number {i} every two years."
        for i in range(max(60, amendments // 2))) + "\n"
    amending = make_statement(app, moderator, status="amending", slug="amending", text=text)
    proposers = _people(app, "proposer", 20)
    with app.app_context():
        with write_transaction():
            statement = _by_slug(amending)
            for i in range(amendments):
                target = f"progress number {i // 2}"
                propose(db.session.get(User, proposers[i % len(proposers)]), statement,
                        base=1, rationale=f"Amendment {i}",
                        text=text.replace(target, target + f" (amended by {i})", 1))
    people = _people(app, "endorser", endorsers)
    tokens = []
    with app.app_context():
        for start in range(0, len(people), 1000):
            with write_transaction():
                for user_id in people[start:start + 1000]:
                    tokens.append(issue_token(db.session.get(User, user_id))[0])
    return published, amending, moderator, tokens


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One gunicorn, with the same settings for every app."""

    def __init__(self, target: str, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *GUNICORN, "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", target], cwd=ROOT, env={**os.environ, **env})

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                urllib.request.urlopen(self.url + path, timeout=5).read()  # noqa: S310
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.url} did not answer")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def wrk(url: str, seconds: int, *script_args: str) -> dict[str, float]:
    """wrk's req/s and p99 (ms), and for POSTs the answers by status."""
    args = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency",
            "--timeout", "10s"]
    if script_args:
        args += ["-s", str(ROOT / "bench" / "wrk_post.lua"), url, "--", *script_args]
    else:
        args.append(url)
    out = subprocess.run(args, capture_output=True, text=True, check=True,
                         env={**os.environ, "WRK_THREADS": str(WRK_THREADS)}).stdout
    found: dict[str, float] = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])}
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    found["p99"] = float(p99[1]) * {"us": 0.001, "ms": 1, "s": 1000}[p99[2]]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    found["non2xx"] = float(errors[1]) if errors else 0
    status = re.search(r"STATUS created=(\d+) duplicate=(\d+) other=(\d+) ran_out=(\d+)", out)
    if status:
        found.update(created=float(status[1]), duplicate=float(status[2]),
                     other=float(status[3]), ran_out=float(status[4]))
    return found


def latency(opener: urllib.request.OpenerDirector, url: str, n: int,
            headers: dict[str, str] | None = None) -> float:
    """The median of ``n`` requests one after the other (after one to warm up), in ms."""
    times = []
    for i in range(n + 1):
        started = time.perf_counter()
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=60) as r:
            r.read()
        if i:
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def signed_in(base: str, email: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    data = urllib.parse.urlencode({"email": email, "password": PASSWORD,
                                   "csrf_token": token}).encode()
    opener.open(base + "/login", data=data, timeout=30).read()
    return opener


def line(label: str, value: str, goal: str, met: bool) -> None:
    print(f"{label:<44} {value:<34} goal {goal:<26} {'MET' if met else 'NOT MET'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run with small data")
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run's duration")
    parser.add_argument("--keep", help="keep the data in this folder (made if missing)")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    signatories, amendments, endorsers = (200, 20, 300) if options.quick else (5000, 200, 8000)
    seconds = 2 if options.quick else options.seconds
    folder = Path(options.keep or tempfile.mkdtemp(prefix="bench-http-"))
    folder.mkdir(parents=True, exist_ok=True)
    url, instance = f"sqlite:///{folder}/bench.sqlite3", folder / "instance"
    started = time.perf_counter()
    app = make_app(url, instance)
    with app.app_context():
        logging.disable(logging.INFO)
        upgrade()
        logging.disable(logging.NOTSET)
    published, amending, moderator, tokens = fill(app, signatories, amendments, endorsers)
    (folder / "tokens.txt").write_text("\n".join(tokens) + "\n")
    with app.app_context():
        db.engine.dispose()
    create_table(str(folder / "baseline.sqlite3"))
    print(f"data: {signatories} signatories, {amendments} open amendments, {endorsers} "
          f"endorsers ready ({time.perf_counter() - started:.0f} s); gunicorn "
          f"{' '.join(GUNICORN)}; wrk -t{WRK_THREADS} -c{CONNECTIONS} -d{seconds}s")
    env = {"DATABASE_URL": url, "INSTANCE_PATH": str(instance),
           "SECRET_KEY": "bench-secret-key-" + "k" * 32, "PUBLIC_URL": "http://127.0.0.1",
           "BASELINE_DB": str(folder / "baseline.sqlite3"), "LOG_LEVEL": "WARNING",
           **CHEAP_HASH_ENV}
    with ExitStack() as stack:
        service = Server("wsgi:app", env)
        hello = Server("bench.baseline_apps:hello", env)
        insert = Server("bench.baseline_apps:insert", env)
        for server in (service, hello, insert):
            stack.callback(server.stop)
        service.wait("/healthz")
        hello.wait("/")
        insert.wait("/")
        page = f"{service.url}/s/{published}"
        urllib.request.urlopen(page, timeout=60).read()  # noqa: S310 (warm up)
        base = wrk(hello.url + "/", seconds)
        public = wrk(page, seconds)
        ratio = public["rps"] / base["rps"]
        line(f"public page, {signatories} signatories",
             f"{public['rps']:.0f} req/s vs hello {base['rps']:.0f} = {ratio:.2f}x",
             ">= 0.5x hello", ratio >= 0.5)
        line("public page p99", f"{public['p99']:.1f} ms (hello {base['p99']:.1f} ms)",
             "< 20 ms", public["p99"] < 20)
        body = '{"kind": "individual", "public": true}'
        raw = wrk(insert.url + "/", seconds, body)
        posts = wrk(f"{service.url}/api/v1/statements/{published}/endorsements", seconds,
                    body, str(folder / "tokens.txt"))
        ratio = posts["rps"] / raw["rps"]
        line("endorsement POST (new account each)",
             f"{posts['rps']:.0f} req/s vs insert {raw['rps']:.0f} = {ratio:.2f}x",
             ">= 0.6x raw INSERT", ratio >= 0.6)
        line("endorsement POST p99", f"{posts['p99']:.0f} ms (insert {raw['p99']:.1f} ms)",
             "(reported)", True)
        with app.app_context():
            stored = db.session.scalar(db.select(db.func.count()).select_from(Endorsement)
                                       .join(User, Endorsement.user_id == User.id)
                                       .where(User.email.like("endorser%"))) or 0
            doubled = db.session.scalar(db.select(db.func.count()).select_from(
                db.select(Endorsement.user_id).group_by(Endorsement.statement_id,
                                                        Endorsement.user_id)
                .having(db.func.count() > 1).subquery())) or 0
            db.engine.dispose()
        # wrk stops with up to one request per connection unanswered: stored, not counted.
        created = int(posts.get("created", 0))
        whole = created <= stored <= created + CONNECTIONS and not doubled \
            and not posts.get("other") and not posts.get("ran_out")
        line("endorsements lost or doubled",
             f"{created} answered 201, {stored} stored, {doubled} doubled, "
             f"{posts.get('other', 0):.0f} refused",
             "0 lost, 0 doubled", whole)
        if posts.get("ran_out"):
            print("  (the prepared accounts ran out: run with fewer --seconds)")
        mod = signed_in(service.url, moderator.email)
        with app.app_context():
            with write_transaction():
                api_token = issue_token(db.session.get(User, moderator.id))[0]
            db.engine.dispose()
        reps = 3 if options.quick else 10
        statement_ms = latency(mod, f"{service.url}/statements/{amending}", reps)
        queue_ms = latency(mod, f"{service.url}/statements/{amending}/amendments", reps)
        api_ms = latency(mod, f"{service.url}/api/v1/statements/{amending}/amendments", reps,
                         {"Authorization": f"Bearer {api_token}"})
        line(f"moderation queue, {amendments} open", f"{queue_ms:.0f} ms median "
             f"(statement page {statement_ms:.0f} ms)", "< 200 ms", queue_ms < 200)
        line(f"API list of {amendments} amendments", f"{api_ms:.0f} ms median", "< 200 ms",
             api_ms < 200)
    if not options.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
