"""What the public record costs on the endorsement path: N endorsements through the API
(the Flask test client, SQLite, a cheap password hash), with the chain as it is, then with
appending to the chain switched off, alternating in rounds so that both meet the same
machine state.

Run: .venv/bin/python bench/bench_record.py [endorsements per round] [rounds]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from statements.operations import audit  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.factories import api_as, make_statement, make_user  # noqa: E402


def _round(app, n: int) -> float:
    slug = make_statement(app, status="endorsing", title=f"Bench {time.monotonic_ns()}")
    signers = [api_as(app, make_user(app)) for _ in range(n)]
    started = time.perf_counter()
    for api in signers:
        response = api.post(f"/statements/{slug}/endorsements", {"kind": "individual"})
        assert response.status_code == 201, response.get_data(as_text=True)
    return (time.perf_counter() - started) / n * 1000


def main(n: int = 100, rounds: int = 5) -> None:
    folder = Path(tempfile.mkdtemp())
    app = make_app(f"sqlite:///{folder}/bench.sqlite3", folder / "instance")
    with app.app_context():
        upgrade()
    real = audit.record_event
    with_chain, without = [], []
    _round(app, 10)  # warm up
    for _ in range(rounds):
        audit.record_event = real
        with_chain.append(_round(app, n))
        audit.record_event = lambda *args, **kwargs: None
        without.append(_round(app, n))
    audit.record_event = real
    a, b = statistics.median(with_chain), statistics.median(without)
    print(f"{n} endorsements x {rounds} rounds, median per request:")
    print(f"  with the record chain    {a:6.2f} ms")
    print(f"  without the chain        {b:6.2f} ms")
    print(f"  cost of the chain        {a - b:6.2f} ms ({(a - b) / b * 100:.1f} %)")


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
