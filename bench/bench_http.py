"""Every figure of the performance goals, as ratios against the project's own baselines
(bench/baseline_apps.py) served by the same gunicorn beside the service, in one run, with
wrk at 16 connections, one line per figure and its goal:

Under 2 sync workers (how the goals were measured first):
- the public page of a statement with 5,000 signatories against a bare Flask "hello"
  (req/s and p99), and the same while endorsements arrive (10 a second), with how long
  each new endorsement took to show on the page;
- an endorsement POST, each request a new person (a confirmed account with a bearer
  token, prepared beforehand: the endorsement counts at once, with its record event and
  receipt), against a raw one-row SQLite INSERT+COMMIT endpoint (WAL, synchronous=FULL);
  then that none was lost or doubled.
Under the README's production settings (its gunicorn command, with 2 workers):
- the public page against hello again, and with 200 live-event streams open (rounds
  taking turns with and without);
- the moderation queue page and the API list of 200 open amendments (latency);
- the PDF of 5,000 signatories in every script against fpdf2's raw line writing of the
  same names, and its second download (from the export cache).

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
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from bench.baseline_apps import create_table  # noqa: E402
from statements.database import write_transaction  # noqa: E402
from statements.extensions import db  # noqa: E402
from statements.models import Endorsement, OutboxMessage, Statement, User  # noqa: E402
from statements.models.types import utcnow  # noqa: E402
from statements.operations.accounts import create_user, issue_token  # noqa: E402
from statements.operations.amendments import propose  # noqa: E402
from statements.operations.endorsements import endorse  # noqa: E402
from statements.rules import SYSTEM  # noqa: E402
from tests.conftest import CHEAP_HASH_ENV, make_app  # noqa: E402
from tests.factories import PASSWORD, make_statement, make_user  # noqa: E402
from tests.live import production_flags  # noqa: E402

SYNC = ["--workers", "2", "--worker-class", "sync"]
# The README's production command, with as many workers as this machine has cores.
THREADED = production_flags(workers=2)
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
        with write_transaction():  # all this happened before the run: its mail went out
            db.session.execute(db.update(OutboxMessage).values(sent_at=utcnow()))
    return published, amending, moderator, tokens


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One gunicorn, with the same settings for every app."""

    def __init__(self, target: str, env: dict[str, str], workers: list[str]) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *workers, "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--no-control-socket", "--graceful-timeout", "3", target],
            cwd=ROOT, env={**os.environ, **env})

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

    def cpu_seconds(self) -> float:
        """The CPU time (user and system) the server's workers have used so far."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        for pid in children.read_text().split():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

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
    found: dict[str, float] = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
                               "seconds": seconds}
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    found["p99"] = float(p99[1]) * {"us": 0.001, "ms": 1, "s": 1000}[p99[2]]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    found["non2xx"] = float(errors[1]) if errors else 0
    status = re.search(r"STATUS created=(\d+) duplicate=(\d+) other=(\d+) ran_out=(\d+)", out)
    if status:
        found.update(created=float(status[1]), duplicate=float(status[2]),
                     other=float(status[3]), ran_out=float(status[4]))
    return found


def _per(cpu: float, run: dict[str, float]) -> str:
    """CPU milliseconds per answered request of a wrk run."""
    answered = run.get("created") or run["rps"] * run["seconds"]
    return f"{cpu * 1000 / max(answered, 1):.1f}"


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


COUNT = re.compile(r'data-live-value="endorsements.count">([\d,]+)<')
BODY = '{"kind": "individual", "public": true}'


def servers(env: dict[str, str], workers: list[str], stack: ExitStack, page: str,
            seconds: int) -> tuple[Server, Server, Server]:
    """The service and both baselines, under the same gunicorn settings, warmed up (as
    long as a measured run, of the public page and of hello: first requests import and
    compile, and a threaded worker starts its threads)."""
    started = (Server("wsgi:app", env, workers), Server("bench.baseline_apps:hello", env, workers),
               Server("bench.baseline_apps:insert", env, workers))
    for server in started:
        stack.callback(server.stop)
    started[0].wait("/healthz")
    started[1].wait("/")
    started[2].wait("/")
    wrk(started[0].url + page, seconds)
    wrk(started[1].url + "/", seconds)
    return started


def shown_count(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
        found = COUNT.search(response.read().decode("utf-8"))
    assert found, "the page shows no count"
    return int(found[1].replace(",", ""))


def trickle(post_url: str, page_url: str, tokens: list[str], stop: threading.Event,
            delays: list[float], *, rate: float = 10.0) -> None:
    """Endorse ``rate`` times a second, each time a new person, while another thread reads
    the public page's count every 50 ms: how long after its 201 each new endorsement
    showed (the count reached it), until ``stop``."""
    start_count = shown_count(page_url)
    answered: list[float] = []  # when the n-th new endorsement was answered
    lock = threading.Lock()

    def watch() -> None:
        seen = 0
        while not stop.is_set() or seen < len(answered):
            count = shown_count(page_url) - start_count
            now = time.monotonic()
            with lock:
                while seen < min(count, len(answered)):
                    delays.append((now - answered[seen]) * 1000)
                    seen += 1
            if stop.is_set() and now - (answered[-1] if answered else now) > 10:
                delays.extend([float("inf")] * (len(answered) - seen))  # never showed
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    for token in tokens:
        if stop.is_set():
            break
        started = time.monotonic()
        request = urllib.request.Request(post_url, data=BODY.encode(), method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            assert response.status == 201
        with lock:
            answered.append(time.monotonic())
        time.sleep(max(0.0, 1 / rate - (time.monotonic() - started)))
    stop.set()
    watcher.join()


def open_streams(url: str, n: int) -> tuple[list[int], list[float]]:
    """``n`` live-event streams, each a thread reading it until the server ends it; the
    streams opened, and the monotonic times at which ended ones ended (filled in as
    they do)."""
    opened: list[int] = []
    ended: list[float] = []

    def listen() -> None:
        try:
            with urllib.request.urlopen(url, timeout=120) as stream:  # noqa: S310
                opened.append(1)
                while stream.readline():
                    pass
        except OSError:
            pass
        ended.append(time.monotonic())

    for _ in range(n):
        threading.Thread(target=listen, daemon=True).start()
    _until(lambda: len(opened) + len(ended) >= n, 60)
    return opened, ended


def _until(done: Callable[[], bool], seconds: float) -> None:
    """Wait until ``done()`` or ``seconds`` have passed (whichever comes first: the lines
    say what fell short)."""
    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        time.sleep(0.1)


def stored_endorsements(app: Flask, like: str) -> tuple[int, int]:
    """How many endorsements of the prepared people are stored, and how many doubled."""
    with app.app_context():
        stored = db.session.scalar(db.select(db.func.count()).select_from(Endorsement)
                                   .join(User, Endorsement.user_id == User.id)
                                   .where(User.email.like(like))) or 0
        doubled = db.session.scalar(db.select(db.func.count()).select_from(
            db.select(Endorsement.user_id).group_by(Endorsement.statement_id,
                                                    Endorsement.user_id)
            .having(db.func.count() > 1).subquery())) or 0
        db.engine.dispose()
    return stored, doubled


def public_page_lines(label: str, page: dict[str, float], hello: dict[str, float]) -> None:
    ratio = page["rps"] / hello["rps"]
    line(f"public page, {label}",
         f"{page['rps']:.0f} req/s vs hello {hello['rps']:.0f} = {ratio:.2f}x",
         ">= 0.5x hello", ratio >= 0.5)
    line(f"public page p99, {label}", f"{page['p99']:.1f} ms (hello {hello['p99']:.1f} ms)",
         "< 20 ms", page["p99"] < 20)


STREAM_ROUNDS_LIFETIME = 4  # seconds a stream outlives the run it is measured in
STREAMS = 200


def streams_lines(base: str, slug: str, seconds: int, rounds: int) -> None:
    """The public page's throughput with STREAMS event streams open against none, in
    rounds that take turns (without, with): under threaded workers one run of the same
    page differs from the next by as much as a third (how the threads of a worker happen
    to take turns for the interpreter: from 3 to 15 context switches a request, so the CPU
    per request differs, not the load), so one pair of runs cannot tell a cost of 10 %;
    the sums of the rounds can. The service ends each stream STREAM_ROUNDS_LIFETIME s
    after its run (EVENT_STREAM_SECONDS), and a round without streams starts only when
    all have ended.

    Before the rounds, STREAMS streams are opened and left to end, as in a room: a worker
    starts a thread only when no idle one is left, and the page is slower once its pool
    has grown (ten 3-s runs each: 5,700 req/s before any stream, as in this phase's first
    line; 4,500 after 200 had ended; 5,300 while 200 are open), so that both sides of the
    comparison have the grown pool."""
    events, page = f"{base}/api/v1/statements/{slug}/events", f"{base}/s/{slug}"
    _, ended = open_streams(events, STREAMS)
    _until(lambda: len(ended) >= STREAMS, 60)
    quiet: list[float] = []
    busy: list[float] = []
    short = 0  # streams that ended before the run they were open for
    whole = 0  # rounds in which every stream opened and ended
    for _ in range(rounds):
        quiet.append(wrk(page, seconds)["rps"])
        opened, ended = open_streams(events, STREAMS)
        busy.append(wrk(page, seconds)["rps"])
        measured = time.monotonic()
        _until(lambda got=ended: len(got) >= STREAMS, 3 * STREAM_ROUNDS_LIFETIME)
        short += sum(1 for at in ended if at < measured)
        whole += len(opened) == STREAMS and len(ended) == STREAMS
    ratio = sum(busy) / sum(quiet)
    each = ", ".join(f"{b / q:.2f}" for b, q in zip(busy, quiet, strict=True))
    line(f"public page with {STREAMS} event streams open",
         f"{sum(busy) / rounds:.0f} req/s vs {sum(quiet) / rounds:.0f} without = {ratio:.2f}x",
         ">= 0.9x (costs < 10 %)", ratio >= 0.9 and whole == rounds and not short)
    line(f"  ({rounds} rounds of {seconds} s each way)", f"each round {each}; {short} streams "
         "ended early", "(reported)", True)


def pdf_lines(service: Server, slug: str, signatories: int, cache: Path) -> None:
    from bench.bench_exports import EVERY_SCRIPT, publication, raw_lines, timed
    from statements.exports.pdf import render_pdf

    pub = publication(signatories, EVERY_SCRIPT)
    _, _, ours = timed(lambda: render_pdf(pub), 2)
    _, _, raw = timed(lambda: raw_lines(pub, True), 2)
    line(f"PDF, {signatories} signatories in every script", f"{ours:.0f} ms CPU vs fpdf2 raw "
         f"lines {raw:.0f} ms = {ours / raw:.2f}x", "<= 3x raw", ours / raw <= 3)
    url = f"{service.url}/s/{slug}/export.pdf"
    times, made = [], []
    for _ in range(2):
        started = time.perf_counter()
        urllib.request.urlopen(url, timeout=300).read()  # noqa: S310 (loopback)
        times.append((time.perf_counter() - started) * 1000)
        made.append(sorted(f.name for f in cache.glob("*.pdf")))  # (a hit touches its file)
    line("PDF download, first and again", f"{times[0]:.0f} ms, then {times[1]:.0f} ms "
         f"({len(made[1])} made)", "never made twice", len(made[1]) == 1 and made[0] == made[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run with small data")
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run's duration")
    parser.add_argument("--keep", help="keep the data in this folder (made if missing)")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    signatories, amendments, endorsers = (200, 20, 600) if options.quick else (5000, 200, 8000)
    seconds = 2 if options.quick else options.seconds
    trickling = 300
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
    burst, slow = tokens[:-trickling], tokens[-trickling:]
    (folder / "tokens.txt").write_text("\n".join(burst) + "\n")
    with app.app_context():
        db.engine.dispose()
    create_table(str(folder / "baseline.sqlite3"))
    print(f"data: {signatories} signatories, {amendments} open amendments, {endorsers} "
          f"endorsers ready ({time.perf_counter() - started:.0f} s); "
          f"wrk -t{WRK_THREADS} -c{CONNECTIONS} -d{seconds}s")
    env = {"DATABASE_URL": url, "INSTANCE_PATH": str(instance),
           "SECRET_KEY": "bench-secret-key-" + "k" * 32, "PUBLIC_URL": "http://127.0.0.1",
           "BASELINE_DB": str(folder / "baseline.sqlite3"), "LOG_LEVEL": "WARNING",
           **CHEAP_HASH_ENV}
    page = f"/s/{published}"
    posts_path = f"/api/v1/statements/{published}/endorsements"
    print(f"-- gunicorn {' '.join(SYNC)}")
    with ExitStack() as stack:
        service, hello, insert = servers(env, SYNC, stack, page, seconds)
        base = wrk(hello.url + "/", seconds)
        public_page_lines(f"{signatories} signatories", wrk(service.url + page, seconds), base)
        stop, delays = threading.Event(), []
        endorsing = threading.Thread(target=trickle, args=(
            service.url + posts_path, service.url + page, slow, stop, delays))
        endorsing.start()
        meanwhile = wrk(service.url + page, seconds)
        stop.set()
        endorsing.join()
        public_page_lines("while endorsements arrive", meanwhile, base)
        worst = max(delays, default=float("inf"))
        line("a new endorsement shows on the page", f"{len(delays)} endorsed: median "
             f"{statistics.median(delays or [0]):.0f} ms, worst {worst:.0f} ms", "< 1 s",
             worst < 1000)
        raw_cpu = insert.cpu_seconds()
        raw = wrk(insert.url + "/", seconds, BODY)
        raw_cpu = insert.cpu_seconds() - raw_cpu
        posts_cpu = service.cpu_seconds()
        posts = wrk(service.url + posts_path, seconds, BODY, str(folder / "tokens.txt"))
        time.sleep(1)  # the receipts still being sent (each worker's mail thread)
        posts_cpu = service.cpu_seconds() - posts_cpu
        ratio = posts["rps"] / raw["rps"]
        line("endorsement POST (new account each)",
             f"{posts['rps']:.0f} req/s vs insert {raw['rps']:.0f} = {ratio:.2f}x",
             ">= 0.6x raw INSERT", ratio >= 0.6)
        line("endorsement POST p99", f"{posts['p99']:.0f} ms (insert {raw['p99']:.1f} ms)",
             "(reported)", True)
        line("CPU of the workers per request", f"endorsement {_per(posts_cpu, posts)} ms "
             f"with its receipt sent, insert {_per(raw_cpu, raw)} ms", "(reported)", True)
    stored, doubled = stored_endorsements(app, "endorser%")
    # wrk stops with up to one request per connection unanswered: stored, not counted.
    created = int(posts.get("created", 0)) + len(delays)
    whole = created <= stored <= created + CONNECTIONS and not doubled \
        and not posts.get("other") and not posts.get("ran_out")
    line("endorsements lost or doubled", f"{created} answered 201, {stored} stored, "
         f"{doubled} doubled, {posts.get('other', 0):.0f} refused", "0 lost, 0 doubled", whole)
    if posts.get("ran_out"):
        print("  (the prepared accounts ran out: run with fewer --seconds)")
    print(f"-- gunicorn {' '.join(THREADED)} (the README's production settings)")
    with ExitStack() as stack:
        round_seconds = max(2, seconds // 2)
        lifetime = {"EVENT_STREAM_SECONDS": str(round_seconds + STREAM_ROUNDS_LIFETIME)}
        service, hello, _ = servers({**env, **lifetime}, THREADED, stack, page, seconds)
        quiet = wrk(service.url + page, seconds)
        public_page_lines(f"{signatories} signatories", quiet, wrk(hello.url + "/", seconds))
        streams_lines(service.url, published, round_seconds, 1 if options.quick else 3)
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
        pdf_lines(service, published, signatories, instance / "export-cache")
    if not options.keep:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
