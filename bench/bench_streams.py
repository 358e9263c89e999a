"""Open live-event streams against gunicorn run as the README says (threaded workers), and
how ordinary requests fare meanwhile: the latency of GET /api/v1/statements/{slug} with no
stream open, then with N streams open.

Run: .venv/bin/python bench/bench_streams.py [streams] [workers] [threads]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from tests.conftest import CHEAP_HASH_ENV, make_app  # noqa: E402
from tests.factories import make_statement  # noqa: E402
from tests.live import Gunicorn, production_flags  # noqa: E402


def _latencies(url: str, n: int = 100) -> list[float]:
    found = []
    for _ in range(n):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (loopback)
            response.read()
        found.append((time.perf_counter() - started) * 1000)
    return found


def main(streams: int = 200, workers: int = 4, threads: int = 64) -> None:
    folder = Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder}/bench.sqlite3"
    app = make_app(url, folder / "instance")
    with app.app_context():
        upgrade()
    slug = make_statement(app, status="endorsing")
    flags = production_flags(workers)
    flags[flags.index("--threads") + 1] = str(threads)
    server = Gunicorn(url, folder, env=CHEAP_HASH_ENV, flags=flags)
    with server:
        page = f"{server.url}/api/v1/statements/{slug}"
        quiet = _latencies(page)
        opened, stop = [], threading.Event()

        def listen() -> None:
            with urllib.request.urlopen(f"{page}/events", timeout=90) as stream:  # noqa: S310
                opened.append(1)
                while not stop.is_set() and stream.readline():
                    pass

        listeners = [threading.Thread(target=listen, daemon=True) for _ in range(streams)]
        for listener in listeners:
            listener.start()
        deadline = time.monotonic() + 30
        while len(opened) < streams and time.monotonic() < deadline:
            time.sleep(0.1)
        busy = _latencies(page)
        stop.set()
    print(f"gunicorn: {workers} workers x {threads} threads; {len(opened)} of {streams} "
          "streams open")
    for label, values in (("no stream open", quiet), (f"{len(opened)} streams open", busy)):
        print(f"  GET statement, {label:>18}: median {statistics.median(values):6.1f} ms, "
              f"p95 {sorted(values)[int(len(values) * 0.95)]:6.1f} ms")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:4]))
