"""The PDF fonts: found once, and really covering the scripts the spec promises.

Coverage is checked in the fonts' own character maps, read afresh here with fontTools: text
extraction from a PDF passes even when the page shows empty boxes, so it proves nothing.
Under CI (CI=true) missing fonts fail the run; elsewhere these tests skip, saying what to install.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from statements import fonts as fonts_module
from statements.fonts import (
    ENV_VAR,
    INSTALL_HINT,
    FontSet,
    FontsMissing,
    available_fonts,
    find_fonts,
    missing_characters,
)
from tests.needs import unavailable

SIGNATORY_PLACES = ["昆明", "São Paulo", "Кызыл", "Αθήνα", "Łódź", "東京", "Zürich"]
UNCOVERED = "\ue000"  # private use: no font we use gives it a glyph (asserted below)


def require_fonts() -> FontSet:
    try:
        return available_fonts()
    except FontsMissing as exc:
        unavailable(f"PDF fonts not installed ({INSTALL_HINT}): {exc}")


@pytest.fixture
def found() -> FontSet:
    return require_fonts()


def cmap_of(path: Path, index: int) -> set[int]:
    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return set(font.getBestCmap())
    finally:
        font.close()


def test_the_font_files_cover_every_signatory_place(found: FontSet) -> None:
    covered: set[int] = set()
    for family in found.families:
        for face in family.faces:
            covered |= cmap_of(face.path, face.index)
    for place in SIGNATORY_PLACES:
        uncovered = [ch for ch in place if ch != " " and ord(ch) not in covered]
        assert not uncovered, f"{place}: no font file has {uncovered} ({found.files()})"
    assert missing_characters(" ".join(SIGNATORY_PLACES)) == set()


def test_the_text_font_draws_latin_cyrillic_and_greek_itself(found: FontSet) -> None:
    """Only CJK should need a fallback: mixing fonts inside a word looks broken."""
    regular = found.text.face("")
    covered = cmap_of(regular.path, regular.index)
    for place in ("São Paulo", "Кызыл", "Αθήνα", "Łódź", "Zürich"):
        assert all(ord(ch) in covered for ch in place if ch != " "), place
    assert {face.style for face in found.text.faces} >= {"", "B"}


def test_found_once_and_cached(found: FontSet) -> None:
    assert available_fonts() is found


def test_missing_characters_ignores_whitespace_and_controls(found: FontSet) -> None:
    assert missing_characters("a\tb\n\r\x00\u200b\u200e\u202e\ufe0f 昆明") == set()
    assert UNCOVERED not in {chr(c) for c in found.codepoints}
    assert missing_characters(f"São {UNCOVERED} Paulo") == {UNCOVERED}


def test_a_set_without_cjk_is_refused_naming_the_script_and_the_fix(found: FontSet) -> None:
    latin_only = next((face for family in found.families for face in family.faces
                       if ord("昆") not in face.codepoints), None)
    if latin_only is None:
        pytest.skip("every font found has CJK")
    with pytest.raises(FontsMissing) as caught:
        find_fonts(f"{latin_only.path}#{latin_only.index}")
    message = str(caught.value)
    assert "CJK ideographs" in message and "昆" in message
    assert "Cyrillic" not in message.split("Fonts found", maxsplit=1)[0]
    assert "apt-get update && apt-get install -y fonts-dejavu-core" in message
    assert ENV_VAR in message
    assert "昆" in caught.value.characters


def test_no_fonts_at_all_names_every_script(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts_module, "DEBIAN_CANDIDATES", ())
    with pytest.raises(FontsMissing) as caught:
        find_fonts("")
    message = str(caught.value)
    for script in ("Latin with accents", "Cyrillic", "Greek", "CJK ideographs"):
        assert script in message
    assert "Fonts found (Debian font packages): none" in message


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


def test_the_recommended_debian_packages_suffice_on_their_own() -> None:
    """fonts-dejavu-core, fonts-dejavu-extra and fonts-droid-fallback, without Noto CJK:
    what the README installs must cover every promised script, and Hangul too."""
    minimal = [path for path, _, package in fonts_module.DEBIAN_CANDIDATES
               if package in ("fonts-dejavu-core", "fonts-dejavu-extra", "fonts-droid-fallback")]
    absent = [str(path) for path in minimal if not path.is_file()]
    if absent:
        unavailable(f"recommended fonts not installed ({INSTALL_HINT}): no {absent}")
    fonts = find_fonts(":".join(str(path) for path in minimal))
    assert fonts.text.name == "DejaVu Sans"
    assert {face.style for face in fonts.text.faces} == {"", "B", "I", "BI"}
    assert fonts.missing(" ".join(SIGNATORY_PLACES) + " 서울 㐀") == set()
