"""Behaviour that needs a real socket: a refused body still lets the client read the answer.

Checked on the development server and on gunicorn with several workers, the way the
service is deployed.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

from flask import Flask

from tests.live import Gunicorn, LiveServer, production_flags
from tests.smtp import wait_until


def _post_oversized(port: int, size: int) -> tuple[bytes, bytes]:
    """Send a body larger than the limit, as a client that sends all before reading would."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall((
            "POST /api/v1/statements HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
        ).encode())
        chunk = b" " * 65536
        sent = 0
        while sent < size:
            sock.sendall(chunk[: min(len(chunk), size - sent)])
            sent += min(len(chunk), size - sent)
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
        head, _, body = answer.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(body) < length:
            body += sock.recv(65536)
        return head, body


def _assert_413(head: bytes, body: bytes) -> None:
    assert head.startswith(b"HTTP/1.1 413"), head[:80]
    assert b"application/problem+json" in head
    assert json.loads(body)["status"] == 413


def test_client_sending_a_large_body_reads_the_413(app: Flask) -> None:
    with LiveServer(app) as server:
        _assert_413(*_post_oversized(server.port, 3 * 1024 * 1024))


def test_gunicorn_client_sending_a_large_body_reads_the_413(database_url: str, tmp_path) -> None:
    with Gunicorn(database_url, tmp_path, workers=2) as server:
        _assert_413(*_post_oversized(server.port, 3 * 1024 * 1024))
        # The worker that answered is still serving.
        for _ in range(4):
            assert server.get("/healthz") == (200, {"status": "ok"})


def test_throttling_holds_across_gunicorn_workers(app: Flask, database_url: str,
                                                 tmp_path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import CHEAP_HASH_ENV
    from tests.factories import PASSWORD, make_user

    user = make_user(app, email="venue@example.org")
    with Gunicorn(database_url, tmp_path, workers=4, env=CHEAP_HASH_ENV) as server:
        def attempt(_: int) -> int:
            return server.request("POST", "/api/v1/auth/tokens",
                                  {"email": user.email, "password": "wrong password"})[0]

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(attempt, range(30)))
        assert statuses.count(401) == 5
        assert statuses.count(429) == 25
        status, _ = server.request("POST", "/api/v1/auth/tokens",
                                   {"email": user.email, "password": PASSWORD})
        assert status == 429


def _post_chunked(port: int, size: int) -> tuple[bytes, bytes]:
    """A body with no Content-Length at all (Transfer-Encoding: chunked), larger than the
    limit: the server must stop reading at the limit and answer 413."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(b"POST /api/v1/auth/tokens HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b" " * 65536
        try:
            for _ in range(size // len(chunk)):
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before we finished: what we want
        answer = b""
        while b"\r\n\r\n" not in answer:
            received = sock.recv(65536)
            if not received:
                break
            answer += received
        head, _, body = answer.partition(b"\r\n\r\n")
        return head, body


def test_gunicorn_refuses_a_chunked_body_over_the_limit(database_url: str, tmp_path) -> None:
    with Gunicorn(database_url, tmp_path, workers=1) as server:
        head, body = _post_chunked(server.port, 8 * 1024 * 1024)
        assert head.startswith(b"HTTP/1.1 413"), head[:80]
        assert b"application/problem+json" in head
        assert server.get("/healthz") == (200, {"status": "ok"})


def test_confirmations_under_gunicorn_all_land_and_one_link_confirms_once(
        app: Flask, database_url: str, tmp_path) -> None:
    """20 endorsements made without an account, confirmed at once through 4 workers, all
    count; one link clicked 10 times at once confirms once."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from statements.extensions import db
    from statements.models import AuditEvent
    from tests.conftest import CHEAP_HASH_ENV
    from tests.factories import make_statement
    from tests.test_confirmations import last_link

    slug = make_statement(app, status="endorsing")
    with Gunicorn(database_url, tmp_path, workers=4, env=CHEAP_HASH_ENV) as server:
        addresses = [f"p{i}@example.org" for i in range(21)]
        for address in addresses:
            status, _ = server.request("POST", f"/api/v1/statements/{slug}/endorsements", {
                "kind": "individual", "name": f"Person {address}", "email": address})
            assert status == 202
        tokens = [last_link(app, address) for address in addresses]

        def confirm(token: str) -> int:
            return server.request("POST", "/api/v1/confirmations", {"token": token})[0]

        with ThreadPoolExecutor(max_workers=20) as pool:
            assert list(pool.map(confirm, tokens[:20])) == [200] * 20
            assert list(pool.map(confirm, [tokens[20]] * 10)) == [200] * 10
        status, statement = server.request("GET", f"/api/v1/statements/{slug}")
        assert status == 200 and statement["counts"]["endorsements"] == 21
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "endorsement.create")) == 21


LISTEN, ESTABLISHED = "0A", "01"  # socket states in /proc/net/tcp


def _sockets(pid: int, port: int) -> dict[str, set[str]]:
    """The inodes of the TCP sockets process ``pid`` holds on local ``port``, by state."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found: dict[str, set[str]] = {LISTEN: set(), ESTABLISHED: set()}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[9] in inodes \
                and fields[3] in found:
            found[fields[3]].add(fields[9])
    return found


def test_production_workers_each_listen_on_their_own_socket_and_share_connections(
        database_url: str, tmp_path) -> None:
    """The README's production command, as written: each threaded worker listens on a
    socket of its own (SO_REUSEPORT), and the kernel spreads new connections over them.
    On one socket shared by every worker, the worker that woke first took every connection
    of a burst (a threaded worker accepts as many as it is offered) and the other sat idle."""
    flags = production_flags()
    workers = int(flags[flags.index("--workers") + 1])
    assert workers >= 2
    with Gunicorn(database_url, tmp_path, flags=flags) as server:
        assert server.process is not None
        children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")

        def listening_once_booted() -> dict[int, set[str]] | None:
            pids = [int(pid) for pid in children.read_text().split()]
            listening = {pid: _sockets(pid, server.port)[LISTEN] for pid in pids}
            return listening if len(pids) == workers and all(listening.values()) else None

        listening = wait_until(listening_once_booted, 60, "every worker to listen")
        assert len(listening) == workers
        assert all(len(inodes) == 1 for inodes in listening.values()), listening
        assert len(set().union(*listening.values())) == workers, "workers share a socket"
        clients = [socket.create_connection(("127.0.0.1", server.port), timeout=10)
                   for _ in range(64)]
        try:
            def held_once_accepted() -> dict[int, int] | None:
                held = {pid: len(_sockets(pid, server.port)[ESTABLISHED]) for pid in listening}
                return held if sum(held.values()) >= len(clients) else None

            held = wait_until(held_once_accepted, 20, "the workers to accept all 64")
            assert sum(held.values()) == len(clients), held
            # 64 connections hashed over the workers' sockets: the chance that one of 4
            # workers draws none is 4 x (3/4)^64, about 4 in 100 million.
            assert all(held.values()), held
            status, body = server.get("/healthz")
            assert (status, body) == (200, {"status": "ok"})
        finally:
            for client in clients:
                client.close()
