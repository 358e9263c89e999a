"""The live session (API.md "Live session"): each statement's events as Server-Sent
Events, and the projector. Events are read from the public record in the database, so a
change reaches every open stream within a poll interval, whichever server it went to."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from flask import Response, current_app, jsonify, request, stream_with_context

from ..http.identity import api_user, require_api_user
from ..http.transaction import end_read
from ..operations.projector import set_projector
from ..read.live import events_after, last_seq, live_event, projector_state
from ..read.lookups import parse_number, statement_or_404
from ..read.watch import record_watch
from ..rules import RULES
from . import bp
from .body import json_body


def _frame(seq: int, type_: str, data: object) -> str:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {seq}\nevent: {type_}\ndata: {payload}\n\n"


@bp.get("/statements/<slug>/events")
def events(slug: str) -> Response:
    viewer = api_user()
    statement = statement_or_404(slug, viewer)
    statement_id, sees_amendments = statement.id, RULES["read_amendments"].permits(viewer)
    since = parse_number(request.headers.get("Last-Event-ID") or request.args.get("since"))
    cursor = last_seq(statement_id) if since is None else since
    config = current_app.config
    poll, lifetime = float(config["EVENT_POLL_SECONDS"]), float(config["EVENT_STREAM_SECONDS"])
    end_read()  # the stream holds no transaction open between polls

    watch = record_watch(current_app._get_current_object())  # type: ignore[attr-defined]

    def stream() -> Iterator[str]:
        nonlocal cursor
        started = quiet_since = time.monotonic()
        yield f"retry: 2000\n: events of {slug} after {cursor}\n\n"
        watch.follow(statement_id)
        try:
            moved = True  # look once at the start: something may be newer than ``since``
            while time.monotonic() - started < lifetime:
                sent = False
                if moved:
                    for event in events_after(statement_id, cursor):
                        cursor = event.seq
                        found = live_event(event, sees_amendments=sees_amendments)
                        if found is not None:
                            yield _frame(event.seq, *found)
                            sent = True
                    end_read()  # so that the next look sees what was committed meanwhile
                now = time.monotonic()
                if sent:
                    quiet_since = now
                elif now - quiet_since >= KEEPALIVE_SECONDS:
                    yield ": keep-alive\n\n"
                    quiet_since = now
                # The process's one look at the record says when this one has moved.
                moved = watch.wait(statement_id, cursor, max(poll, 0.01))
        finally:
            watch.unfollow(statement_id)

    response = Response(stream_with_context(stream()), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # no proxy buffering of the stream
    return response


KEEPALIVE_SECONDS = 15


@bp.get("/statements/<slug>/projector")
def get_projector(slug: str) -> Response:
    return jsonify(projector_state(statement_or_404(slug, api_user())))


@bp.put("/statements/<slug>/projector")
def put_projector(slug: str) -> Response:
    actor = require_api_user()
    statement = statement_or_404(slug, actor)
    RULES["project"].require_who(actor, statement)
    body = json_body()
    return jsonify(set_projector(actor, statement, show=body.get("show"),
                                 amendment=body.get("amendment"), lines=body.get("lines")))
