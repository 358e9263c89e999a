"""Template helpers: times in a statement's own time zone, the rules, navigation."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from flask import url_for
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup

from ..http.identity import page_user
from ..i18n import DEFAULT, _, current_locale
from ..models import AmendmentRevision
from ..rules import RULES, template_helpers
from ..text.diff import diff_html, diff_texts
from ..text.markdown import render_markdown
from . import bp


@bp.app_template_filter("local_time")
def local_time(value: datetime | None, zone: str = "UTC") -> str:
    """A stored UTC time, shown in the meeting's time zone with both its name and offset."""
    if value is None:
        return "—"
    local = _in_zone(value, zone)
    if local is None:
        local, zone = value, "UTC"
    when = _wall_clock(local)
    if zone == "UTC":
        return f"{when} UTC"
    return f"{when} {local.tzname()} ({zone})"


def _wall_clock(local: datetime) -> str:
    """The date and time as the page's language writes them (English: 2026-06-01 18:00)."""
    locale = current_locale()
    if locale == DEFAULT:
        return f"{local:%Y-%m-%d %H:%M}"
    wall = local.replace(tzinfo=None)  # already in the meeting's zone, named after it
    pattern = Locale.parse(locale).datetime_formats["medium"]
    return str(pattern).format(format_time(wall, "short", locale=locale),
                               format_date(wall, "medium", locale=locale))


@bp.app_template_filter("number")
def number(value: int) -> str:
    """A count as the page's language writes it (12,345 · 12 345 · 12.345)."""
    return str(format_decimal(value, locale=current_locale()))


@bp.app_template_filter("local_input")
def local_input(value: datetime | None, zone: str = "UTC") -> str:
    """The value of a datetime-local field: wall-clock time in the meeting's time zone."""
    local = None if value is None else _in_zone(value, zone)
    return "" if local is None else f"{local:%Y-%m-%dT%H:%M}"


def _in_zone(value: datetime, zone: str) -> datetime | None:
    """``value`` in ``zone``; None where it cannot be (a time at the end of year 9999 is
    past the calendar's end east of UTC), so that no stored time can break a page."""
    try:
        return value.astimezone(ZoneInfo(zone))
    except OverflowError:
        return None


_HEADING = re.compile(r"<(/?)h([1-6])\b")


@bp.app_template_filter("markdown")
def markdown_filter(text: str, demote: int = 0) -> Markup:
    """Sanitised HTML of a statement; ``demote`` moves its headings down so that the text's
    own "# Title" sits under the page's headings instead of competing with them."""
    html = render_markdown(text)
    if demote:
        html = _HEADING.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + demote)}", html)
    return Markup(html)  # noqa: S704  (sanitised by nh3 with an allowlist)


@bp.app_template_global("revision_changes")
def revision_changes(revision: AmendmentRevision) -> Markup:
    """An earlier form of an amendment as tracked changes against the version it was for."""
    return Markup(diff_html(diff_texts(revision.base_version.text, revision.text)))  # noqa: S704  (escaped by diff_html)


@bp.record_once
def _globals(state: BlueprintSetupState) -> None:
    """The rules' questions as Jinja globals, so that macros imported without context can
    ask them too; each asks for the signed-in user when called."""
    state.app.jinja_env.globals.update(template_helpers(page_user), nav_links=_nav_links)


def _nav_links() -> list[tuple[str, str]]:
    links = [(_("Statements"), url_for("web.statements"))]
    if RULES["create_statement"].permits(page_user()):
        links.append((_("New statement"), url_for("web.new_statement")))
    return links
