"""How long the moderation queue's bookkeeping takes: for N open amendments on a long text,
whether each applies cleanly to the head and which overlap, and the plan of merging every
clean one — the first time a process works them out (one merge and one diff per
amendment, then a sweep over their changed ranges; the plan one merge per amendment onto
the text as the ones before left it), and kept (`statements/read/memo.py`).

Run: .venv/bin/python bench/bench_queue.py [amendments] [paragraphs]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from statements.extensions import db  # noqa: E402
from statements.read import standing as standing_module  # noqa: E402
from statements.read.lookups import statement_or_404  # noqa: E402
from statements.read.standing import (  # noqa: E402
    merge_plan,
    open_amendments,
    standing,
    standings,
)
from tests.conftest import make_app  # noqa: E402
from tests.factories import api_as, make_statement, make_user  # noqa: E402

T = TypeVar("T")


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
        for memo in (standing_module._ON_HEAD, standing_module._CHANGES,
                     standing_module._MERGED):
            memo.clear()
        queue, every = timed(lambda: standings(statement))
        queue_kept, _ = timed(lambda: standings(statement))
        plan, steps = timed(lambda: merge_plan(statement, every))
        plan_kept, _ = timed(lambda: merge_plan(statement, every))
        first = open_amendments(statement_or_404(slug, moderator))[0]
        single, _ = timed(lambda: standing(first))
        db.session.rollback()
    overlapping = sum(1 for s in every.values() if s.overlaps)
    print(f"text: {len(text):,} characters, {paragraphs} paragraphs; {n} open amendments "
          f"({overlapping} overlapping another, {sum(p.merges for p in steps)} would merge)")
    print(f"whole queue (applies_cleanly + overlaps for all): {queue:.0f} ms first, "
          f"{queue_kept:.1f} ms kept")
    print(f"merge plan:                                      {plan:.0f} ms first, "
          f"{plan_kept:.1f} ms kept")
    print(f"one amendment's standing (kept):                 {single:.1f} ms")


def timed(work: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = work()
    return (time.perf_counter() - start) * 1000, result

if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
