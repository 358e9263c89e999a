"""How long the moderation queue's bookkeeping takes: for N open amendments on a long text,
whether each applies cleanly to the head and which overlap (the n² pairwise check).

Run: .venv/bin/python bench/bench_queue.py [amendments] [paragraphs]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from statements.extensions import db  # noqa: E402
from statements.read.lookups import statement_or_404  # noqa: E402
from statements.read.standing import standing, standings  # noqa: E402
from tests.conftest import make_app  # noqa: E402
from tests.factories import api_as, make_statement, make_user  # noqa: E402


def main(n: int = 30, paragraphs: int = 60) -> None:
    folder = Path(tempfile.mkdtemp())
    app = make_app(f"sqlite:///{folder}/bench.sqlite3", folder / "instance")
    with app.app_context():
        upgrade()
    text = "\n\n".join(
        f"Paragraph {i}: cities and regions commit to protect and restore urban ecosystems, "
        f"to connect green corridors, and to report on progress number {i} every two years."
        for i in range(paragraphs)) + "\n"
    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="amending", text=text)
    api = api_as(app, make_user(app))
    for i in range(n):
        # Every third pair touches the same words, so some overlap.
        target = f"progress number {i if i % 3 else max(i - 1, 0)}"
        api.post(f"/statements/{slug}/amendments", {
            "base": 1, "text": text.replace(target, target + f" (amended by {i})", 1),
            "rationale": f"Amendment {i}"})
    with app.app_context():
        statement = statement_or_404(slug, moderator)
        start = time.perf_counter()
        every = standings(statement)
        queue = time.perf_counter() - start
        one = statement_or_404(slug, moderator)
        from statements.read.standing import open_amendments

        first = open_amendments(one)[0]
        start = time.perf_counter()
        standing(first)
        single = time.perf_counter() - start
        db.session.rollback()
    overlapping = sum(1 for s in every.values() if s.overlaps)
    print(f"text: {len(text):,} characters, {paragraphs} paragraphs; {n} open amendments "
          f"({overlapping} overlapping another)")
    print(f"whole queue (applies_cleanly + overlaps for all): {queue * 1000:.0f} ms")
    print(f"one amendment's standing:                       {single * 1000:.0f} ms")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
