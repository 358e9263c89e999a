"""flask send-mail: deliver the queued e-mail that is due, once or (--loop) for good."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from types import FrameType

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from ..mail import deliver_pending, unsent

BATCH = 100
LOOP_SECONDS = 5


def deliver_due(stopping: Callable[[], bool] = lambda: False) -> tuple[int, int]:
    """Deliver until nothing due is left to try now: every due message was sent or has
    failed and waits for its next attempt, or the server cannot be reached at all."""
    sent = failed = 0
    while True:
        batch_sent, batch_failed = deliver_pending(BATCH)
        sent, failed = sent + batch_sent, failed + batch_failed
        if batch_sent + batch_failed < BATCH or stopping():
            return sent, failed


def summary(sent: int, failed: int) -> str:
    waiting, due = unsent()
    line = f"sent {sent}, failed {failed}, waiting {waiting}"
    if due is not None:
        line += f" (next attempt at {due.isoformat(timespec='seconds')})"
    return line


class _Stop:
    """The first Ctrl-C or SIGTERM lets the batch under way finish (so that what was sent
    is recorded as sent, not sent again later); a second one stops at once."""

    requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.requested and time.monotonic() < deadline:
            time.sleep(0.1)


@click.command("send-mail")
@with_appcontext
@click.option("--loop", is_flag=True,
              help=f"Keep delivering, every {LOOP_SECONDS} seconds, until interrupted.")
def send_mail_command(loop: bool) -> None:
    """Deliver the queued e-mail that is due (failed messages are retried later, with a
    growing delay) and print: sent N, failed M, waiting K."""
    if not loop:
        click.echo(summary(*deliver_due()))
        return
    stop = _Stop()
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    click.echo(f"Delivering e-mail every {LOOP_SECONDS} s; Ctrl-C stops.")
    while not stop.requested:
        try:
            sent, failed = deliver_due(lambda: stop.requested)
            if sent or failed:
                click.echo(summary(sent, failed))
        except SQLAlchemyError as exc:  # the database is away: try again next round
            click.echo(f"database error, trying again in {LOOP_SECONDS} s: {exc}", err=True)
        stop.wait(LOOP_SECONDS)
    click.echo("Stopped.")
