"""The app served on a real socket on 127.0.0.1, for tests that need one."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent


class _Http:
    """JSON requests to a running server at ``self.url``."""

    url: str

    def request(self, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json", **(headers or {})}
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as err:
            raw, status = err.read(), err.code
        return status, (json.loads(raw) if raw else None)

    def get(self, path: str) -> tuple[int, Any]:
        return self.request("GET", path)


class LiveServer(_Http):
    """The development server in a thread: quick, shares the test's app object."""

    def __init__(self, app, host: str = "127.0.0.1") -> None:
        self.app = app
        self.server = make_server(host, 0, app, threaded=True)
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_flags(workers: int | None = None) -> list[str]:
    """The options of the README's production command (``.venv/bin/gunicorn … wsgi:app``)
    but its ``--bind``; with ``workers`` instead of its number of workers if given."""
    readme = (ROOT / "README.md").read_text()
    found = re.search(r"`\.venv/bin/gunicorn ([^`]+) wsgi:app`", readme)
    assert found, "the README gives no production command"
    flags = found[1].split()
    at = flags.index("--bind")
    del flags[at:at + 2]
    if workers is not None:
        flags[flags.index("--workers") + 1] = str(workers)
    return flags


class Gunicorn(_Http):
    """gunicorn with several worker processes, as the service is deployed: ``workers``
    sync workers, or with ``flags`` (say :func:`production_flags`) those options."""

    def __init__(self, database_url: str, tmp_path: Path, workers: int = 2,
                 env: dict[str, str] | None = None, flags: list[str] | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "gunicorn-test-" + "k" * 32,
            "INSTANCE_PATH": str(tmp_path / "gunicorn-instance"),
            **(env or {}),
        }
        self.args = [sys.executable, "-m", "gunicorn",
                     *(flags if flags is not None else ["--workers", str(workers)]),
                     "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                if self.get("/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.1)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within 30 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
