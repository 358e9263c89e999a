"""One look at the record per process and poll interval, for every open live stream.

Each open event stream used to ask the database for new events every poll interval: 200
streams, 200 queries a second, and ordinary requests paid for them (measured: 0.54x of
their throughput with 200 streams open). Now one thread per process asks, once per
interval, for the last event of every statement that some stream of this process follows;
a stream waits on it and reads the events themselves only when its statement's record has
moved. Changes made through another application server reach the streams the same way
(the database is the only thing shared), within one interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ..database import SINGLE_READ_OPTION
from ..extensions import db
from ..models import RecordEvent

log = logging.getLogger(__name__)


class RecordWatch:
    """The last event's number of each followed statement, looked up by one thread."""

    def __init__(self, app: Flask, interval: float) -> None:
        self.app = app
        self.interval = interval
        self.changed = threading.Condition()
        self.heads: dict[int, int] = {}
        self.followers: Counter[int] = Counter()
        self.looked_at = 0.0  # time.monotonic() of the last look that succeeded
        self.thread: threading.Thread | None = None

    def follow(self, statement_id: int) -> None:
        with self.changed:
            self.followers[statement_id] += 1
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self._run, name="record-watch",
                                               daemon=True)
                self.thread.start()

    def unfollow(self, statement_id: int) -> None:
        with self.changed:
            self.followers[statement_id] -= 1
            if self.followers[statement_id] <= 0:
                del self.followers[statement_id]
                self.heads.pop(statement_id, None)

    def wait(self, statement_id: int, seen: int, timeout: float) -> bool:
        """Wait up to ``timeout`` for the statement's record to go past ``seen``: True when
        it has (or may have: the watch has not looked lately, so look yourself)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                # Not looked lately (just started, or the database failed it): not trusted,
                # and the stream looks itself, once a timeout, as it would without it.
                behind = time.monotonic() - self.looked_at > 3 * self.interval + 1
                if not behind and self.heads.get(statement_id, seen) > seen:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return behind
                self.changed.wait(left)

    def _run(self) -> None:
        with self.app.app_context():
            engine = db.engine
        while True:
            with self.changed:
                followed = list(self.followers)
            if not followed:
                with self.changed:
                    if not self.followers:
                        self.thread = None
                        return
                continue
            try:
                with engine.connect().execution_options(**{SINGLE_READ_OPTION: True}) as c:
                    found = {row[0]: row[1] for row in c.execute(
                        select(RecordEvent.statement_id, func.max(RecordEvent.seq))
                        .where(RecordEvent.statement_id.in_(followed))
                        .group_by(RecordEvent.statement_id))}
            except SQLAlchemyError:
                log.warning("the record watch could not look; streams look themselves",
                            exc_info=True)
                time.sleep(self.interval)
                continue
            with self.changed:
                for statement_id in followed:
                    if statement_id in self.followers:
                        self.heads[statement_id] = int(found.get(statement_id) or 0)
                self.looked_at = time.monotonic()
                self.changed.notify_all()
            time.sleep(self.interval)


def record_watch(app: Flask) -> RecordWatch:
    found: Any = app.extensions.get("statements.record_watch")
    if found is None:
        found = app.extensions.setdefault("statements.record_watch", RecordWatch(
            app, float(app.config["EVENT_POLL_SECONDS"])))
    assert isinstance(found, RecordWatch)
    return found
