"""The projector: what the room's screen shows, set by a moderator. Each change is an
event of the statement's public record, so every page and server follows it."""

from __future__ import annotations

from typing import Any

from ..errors import Invalid, NotFound
from ..i18n import _
from ..models import Statement, User
from ..models.types import utcnow
from ..rules import RULES
from ..text.lines import number_lines
from .amendments import amendment_or_404
from .chain import append, stamp

SHOWS = ("text", "amendment", "lines")


def set_projector(actor: User, statement: Statement, *, show: object,
                  amendment: object = None, lines: object = None) -> dict[str, Any]:
    RULES["project"].require_who(actor, statement)
    errors: dict[str, str] = {}
    if show not in SHOWS:
        errors["show"] = _("Show the text, an amendment, or some lines.")
    number = None
    if show == "amendment":
        try:
            number = amendment_or_404(statement, amendment).number
        except NotFound:  # in a body, an amendment that does not exist is a bad field
            errors["amendment"] = _("This statement has no amendment %(number)s.",
                                    number=repr(amendment))
    span = None
    if show == "lines":
        count = len(number_lines(statement.head.text))
        if (not isinstance(lines, list) or len(lines) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in lines)
                or not 1 <= lines[0] <= lines[1] <= count):
            errors["lines"] = _("Give [first, last] lines of the text, between 1 and "
                                "%(count)s.", count=count)
        else:
            span = [lines[0], lines[1]]
    if errors:
        raise Invalid(errors=errors)
    RULES["project"].require_open(statement)
    state = {"show": show, "amendment": number, "lines": span,
             "version": statement.head_number}
    append(statement.id, "projector", state, stamp(utcnow()))
    return state

