"""The PDF fonts: found once, and really covering every script API.md promises.

Coverage is checked in the fonts' own character maps, read afresh here with fontTools: text
extraction from a PDF passes even when the page shows empty boxes, so it proves nothing.
Under CI (CI=true) missing fonts fail the run; elsewhere these tests skip, saying what to install.
A machine without some font still makes PDFs: that is tested with a font set cut down here.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from statements import fonts as fonts_module
from statements.fonts import (
    ENV_VAR,
    FAMILY_NAMES,
    INSTALL_HINT,
    INSTALL_STEP,
    SCRIPTS,
    FontSet,
    FontsMissing,
    Script,
    available_fonts,
    family_for,
    find_fonts,
    missing_characters,
    uncovered_message,
)
from tests.needs import unavailable

UNCOVERED = "\ue000"  # private use: no font we use gives it a glyph (asserted below)


def require_fonts() -> FontSet:
    """The fonts, every promised script covered (else skipped, or failed under CI)."""
    try:
        found = available_fonts()
    except FontsMissing as exc:
        unavailable(f"PDF fonts not installed ({INSTALL_HINT}): {exc}")
    if found.uncovered:
        unavailable(f"PDF fonts not all installed ({INSTALL_HINT}): {uncovered_message(found)}")
    return found


@pytest.fixture
def found() -> FontSet:
    return require_fonts()


def cmap_of(path: Path, index: int) -> set[int]:
    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return set(font.getBestCmap())
    finally:
        font.close()


def drawn_by(script: Script) -> str:
    """The family that draws a script here (every face of the CJK collection has Hangul)."""
    return {"Noto Sans CJK KR": "Noto Sans CJK SC"}.get(script.family, script.family)


@pytest.mark.parametrize("script", SCRIPTS, ids=[script.name for script in SCRIPTS])
def test_the_font_files_cover_every_promised_script(found: FontSet, script: Script) -> None:
    faces = [face for family in found.families if family.name == drawn_by(script)
             for face in family.faces]
    assert faces, f"{script.name}: {drawn_by(script)} is not installed"
    for face in faces:  # the bold face as well as the regular
        covered = cmap_of(face.path, face.index)
        uncovered = [ch for ch in script.sample if ch != " " and ord(ch) not in covered]
        assert not uncovered, f"{script.name}: {face.path} has no {uncovered}"
    assert missing_characters(script.sample) == set()


def test_each_script_is_drawn_by_its_own_noto_family(found: FontSet) -> None:
    """Not by the first font that happens to have the letters (DejaVu has Arabic, unjoined
    without shaping data of Noto's quality): and every one of them has a bold face."""
    for script in SCRIPTS:
        owners = {found.owners[ord(ch)].name for ch in script.sample if ch != " "}
        expected = drawn_by(script)
        assert owners == {expected}, (script.name, owners)
        family = next(f for f in found.families if f.name == expected)
        if expected != "Symbola":  # a monochrome emoji font has no bold
            assert {face.style for face in family.faces} >= {"", "B"}, script.name


def test_the_text_font_draws_latin_cyrillic_and_greek_itself(found: FontSet) -> None:
    """Fallbacks are for other scripts: mixing fonts inside a word looks broken."""
    regular = found.text.face("")
    covered = cmap_of(regular.path, regular.index)
    for place in ("São Paulo", "Кызыл", "Αθήνα", "Łódź", "Zürich", "Hà Nội"):
        assert all(ord(ch) in covered for ch in place if ch != " "), place
    assert found.text.name == "Noto Sans"
    assert {face.style for face in found.text.faces} == {"", "B", "I", "BI"}


def test_other_living_scripts_are_found_too(found: FontSet) -> None:
    """Names in any script: the other Noto Sans fonts of fonts-noto-core are used as well."""
    for place in ("ភ្នំពេញ", "කොළඹ", "ಬೆಂಗಳೂರು", "ຫຼວງພະບາງ", "ܐܘܪܗܝ"):
        assert missing_characters(place) == set(), place


def test_found_once_and_cached(found: FontSet) -> None:
    assert available_fonts() is found


def test_missing_characters_ignores_whitespace_and_controls(found: FontSet) -> None:
    assert missing_characters("a\tb\n\r\x00\u200b\u200e\u202e\ufe0f 昆明") == set()
    assert UNCOVERED not in {chr(c) for c in found.codepoints}
    assert missing_characters(f"São {UNCOVERED} Paulo") == {UNCOVERED}


def test_a_set_without_some_scripts_is_used_and_says_what_is_missing(
        found: FontSet, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    text = found.text.face("")
    monkeypatch.setenv(ENV_VAR, f"{text.path}")
    with caplog.at_level(logging.WARNING, logger="statements.fonts"):
        fonts = available_fonts.__wrapped__()  # uncached: as at start-up
    assert fonts.text.name == "Noto Sans"
    uncovered = dict(fonts.uncovered)
    assert {"Arabic", "Thai", "CJK ideographs", "Korean", "Emoji"} <= set(uncovered)
    assert "Latin with accents" not in uncovered and "Cyrillic" not in uncovered
    assert "昆" in uncovered["CJK ideographs"]
    [record] = caplog.records
    message = record.getMessage()
    assert "Thai (" in message and "CJK ideographs (" in message and INSTALL_STEP in message
    assert ENV_VAR in message and "\ufffd" in message


def test_no_fonts_at_all_is_the_one_refusal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts_module, "debian_candidates", lambda: [])
    with pytest.raises(FontsMissing) as caught:
        find_fonts("")
    message = str(caught.value)
    assert "No font found (Debian font packages)" in message
    assert INSTALL_STEP in message and ENV_VAR in message
    assert "昆" in caught.value.characters


def test_the_override_is_used_alone(found: FontSet) -> None:
    files = ":".join(found.files())
    again = find_fonts(files)
    assert again.source == f"{ENV_VAR}={files}"
    assert again.files() == found.files()
    assert again.codepoints == found.codepoints


@pytest.mark.parametrize("value", ["/nonexistent/font.ttf", __file__])
def test_a_bad_override_is_a_clear_error(value: str) -> None:
    with pytest.raises(FontsMissing, match=ENV_VAR):
        find_fonts(value)


def test_without_noto_dejavu_and_droid_still_cover_latin_cyrillic_greek_and_cjk() -> None:
    """A machine with only the older packages (fonts-dejavu-core, fonts-dejavu-extra,
    fonts-droid-fallback) still prints those scripts, DejaVu Sans as the text font."""
    minimal = [path for path, _, package in fonts_module.DEBIAN_LAST
               if package in ("fonts-dejavu-core", "fonts-dejavu-extra", "fonts-droid-fallback")]
    absent = [str(path) for path in minimal if not path.is_file()]
    if absent:
        unavailable(f"recommended fonts not installed ({INSTALL_HINT}): no {absent}")
    fonts = find_fonts(":".join(str(path) for path in minimal))
    assert fonts.text.name == "DejaVu Sans"
    assert {face.style for face in fonts.text.faces} == {"", "B", "I", "BI"}
    assert fonts.missing("昆明 São Paulo Кызыл Αθήνα Łódź 東京 Zürich 서울 㐀") == set()


def test_the_families_the_html_and_docx_exports_name() -> None:
    assert FAMILY_NAMES[0] == "Noto Sans"
    assert {script.family for script in SCRIPTS} <= set(FAMILY_NAMES)
    assert family_for("Ana") == family_for("Кызыл") == "Noto Sans"
    assert family_for("مُحَمَّد") == "Noto Sans Arabic"
    assert family_for("Ana דוד") == "Noto Sans Hebrew"
    assert family_for("สมชาย") == "Noto Sans Thai"
    assert family_for("서울") == "Noto Sans CJK KR"
