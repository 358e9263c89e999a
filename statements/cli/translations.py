"""flask translations: extract every message of the Python code and the templates into
``statements/translations/messages.pot``, bring each language's ``messages.po`` up to date
with it (making the ones that are missing), and say what is left to translate. The
catalogues are compiled when the service starts (statements/i18n.py)."""

from __future__ import annotations

from pathlib import Path

import click
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from ..i18n import DEFAULT, LOCALES, SOURCE

ROOT = SOURCE.parent.parent
TEMPLATE = SOURCE / "messages.pot"
TRANSLATED = tuple(code for code in LOCALES if code != DEFAULT)  # English is the source


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])  # type: ignore[no-untyped-call]


def extract_and_update() -> dict[str, tuple[int, int, int]]:
    """Per language: how many messages, how many untranslated, how many fuzzy."""
    _pybabel("extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l", "-k", "_n:1,2", "-k", "_lp:1c,2",
             "--no-location", "--sort-output", "--project", "statements",
             "-o", str(TEMPLATE), str(ROOT))
    report = {}
    for language in TRANSLATED:
        po_path = SOURCE / language / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            _pybabel("init", "-i", str(TEMPLATE), "-d", str(SOURCE), "-l", language)
        else:
            _pybabel("update", "-i", str(TEMPLATE), "-d", str(SOURCE), "-l", language,
                     "--no-fuzzy-matching", "--ignore-obsolete")
        report[language] = count(po_path)
    return report


def count(po_path: Path) -> tuple[int, int, int]:
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    untranslated = [m for m in messages if not (all(m.string) if isinstance(m.string, tuple)
                                                else m.string)]
    return len(messages), len(untranslated), sum(1 for m in messages if m.fuzzy)


@click.command("translations")
def translations_command() -> None:
    """Extract the messages and update every language's catalogue."""
    for language, (total, untranslated, fuzzy) in extract_and_update().items():
        click.echo(f"{language}: {total} messages, {untranslated} untranslated, {fuzzy} fuzzy")
