"""The room's screen: the projector page, large type, following the moderator."""

from __future__ import annotations

from flask import render_template

from ..http.identity import page_user
from ..operations.amendments import amendment_or_404
from ..read.live import projector_state
from ..read.lookups import statement_or_404
from ..text.lines import number_lines
from . import bp
from .amendments import _lines_label, excerpt


@bp.get("/statements/<slug>/projector")
def projector(slug: str) -> str:
    statement = statement_or_404(slug, page_user())
    state = projector_state(statement)
    head = statement.head
    lines = number_lines(head.text)
    amendment = tracked = None
    if state["show"] == "amendment" and state["amendment"] is not None:
        amendment = amendment_or_404(statement, state["amendment"])
        tracked = excerpt(amendment.base_version.text, amendment.text, amendment.first_line,
                          amendment.last_line)
    if state["show"] == "lines" and state["lines"]:
        first, last = state["lines"]
        lines = lines[first - 1:last]
    return render_template("statements/projector.html", statement=statement, state=state,
                           head=head, lines=lines, amendment=amendment, tracked=tracked,
                           lines_label=_lines_label)
