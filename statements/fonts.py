"""The font files the PDF export draws with: found once, and what they cover of every script.

fpdf2 embeds real font files and, unlike a browser, has no system fonts to fall back on: a
character none of its fonts has would be drawn as nothing, or as an empty box. So the fonts are
found once, at start-up, and their character maps (cmaps) read with fontTools. A person's name
never stops a statement's PDF: a promised script (:data:`SCRIPTS`, API.md's list) that no
installed font covers is logged at start-up with the packages that add it, and the PDF writer
prints :data:`PLACEHOLDER` for each character no font has, visibly, and logs it. Only when no
font at all is found does :func:`available_fonts` raise :class:`FontsMissing`.

Where the fonts come from, in order of preference (the first family found is the text font;
the rest are fallbacks, used for the characters it lacks, the first that has one drawing it):

- ``STATEMENTS_FONT_PATHS``: a colon-separated list of font files (``.ttf``, ``.otf``, or a
  ``.ttc`` collection with ``#N`` to pick face N). When set, only these files are used.
- Otherwise Debian's font packages, at their standard paths (never copied into this repository):
  ``fonts-noto-core`` (Noto Sans: the text font, Latin, Cyrillic and Greek in four styles; then
  Noto Sans Arabic, Hebrew, Armenian, Georgian, Devanagari, Bengali, Tamil, Thai and Ethiopic,
  regular and bold), ``fonts-noto-cjk`` (Noto Sans CJK SC: ideographs, kana and Hangul, regular
  and bold), ``fonts-symbola`` (Symbola: monochrome emoji and symbols; a PDF cannot use a colour
  emoji font), every other Noto Sans font of ``fonts-noto-core`` (names in any other living
  script: Khmer, Sinhala, Gujarati, ...), ``fonts-dejavu-core`` and ``fonts-dejavu-extra``
  (DejaVu Sans: the text font where Noto is missing) and ``fonts-droid-fallback`` (the rarer
  ideographs, CJK Extension A).
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

log = logging.getLogger(__name__)

ENV_VAR = "STATEMENTS_FONT_PATHS"
PACKAGES = ("fonts-dejavu-core", "fonts-dejavu-extra", "fonts-droid-fallback", "fonts-noto-core",
            "fonts-noto-cjk", "fonts-symbola")
INSTALL_HINT = f"apt-get install -y {' '.join(PACKAGES)}"
INSTALL_STEP = f"apt-get update && {INSTALL_HINT}"
# What the PDF prints for a character no font has: visible, and what it means is well known.
PLACEHOLDER = "\ufffd"


@dataclass(frozen=True)
class Script:
    """A script the exports promise to print: names in it, and the font family that prints it."""

    name: str
    sample: str
    family: str  # the Noto family (named in the HTML and DOCX exports too)


# API.md, "Public pages and exports": every script a name, an organisation or a place may be
# written in, with examples of each.
SCRIPTS: tuple[Script, ...] = (
    Script("Latin with accents", "São Paulo Zürich Łódź Kraków Gdańsk Reykjavík Nîmes Hà Nội",
           "Noto Sans"),
    Script("Cyrillic", "Кызыл Москва Київ", "Noto Sans"),
    Script("Greek", "Αθήνα Θεσσαλονίκη", "Noto Sans"),
    Script("Armenian", "Երևան Գյումրի", "Noto Sans Armenian"),
    Script("Georgian", "თბილისი ქუთაისი", "Noto Sans Georgian"),
    Script("Arabic", "القاهرة الرياض مُحَمَّد", "Noto Sans Arabic"),
    Script("Hebrew", "ירושלים תל אביב", "Noto Sans Hebrew"),
    Script("Devanagari", "नई दिल्ली मुंबई", "Noto Sans Devanagari"),
    Script("Bengali", "ঢাকা কলকাতা", "Noto Sans Bengali"),
    Script("Tamil", "சென்னை மதுரை", "Noto Sans Tamil"),
    Script("Thai", "กรุงเทพมหานคร เชียงใหม่", "Noto Sans Thai"),
    Script("Ethiopic", "አዲስ አበባ", "Noto Sans Ethiopic"),
    Script("CJK ideographs", "昆明東京北京", "Noto Sans CJK SC"),
    Script("Korean", "서울 부산", "Noto Sans CJK KR"),
    Script("Emoji", "🌍🕊🌱✊", "Symbola"),
)
REQUIRED_SAMPLES: dict[str, str] = {script.name: script.sample for script in SCRIPTS}
# The font families the HTML and DOCX exports name, in the order a reader's machine should try
# them (CSS font-family): the PDF's own, then the colour emoji a screen has.
FAMILY_NAMES: tuple[str, ...] = (
    *dict.fromkeys(script.family for script in SCRIPTS if script.family != "Symbola"),
    "Noto Color Emoji", "Symbola", "DejaVu Sans")
# The first word of a character's Unicode name, for the scripts with a family of their own.
_FAMILY_BY_NAME_WORD = {"ARMENIAN": "Noto Sans Armenian", "GEORGIAN": "Noto Sans Georgian",
                        "ARABIC": "Noto Sans Arabic", "HEBREW": "Noto Sans Hebrew",
                        "DEVANAGARI": "Noto Sans Devanagari", "BENGALI": "Noto Sans Bengali",
                        "TAMIL": "Noto Sans Tamil", "THAI": "Noto Sans Thai",
                        "ETHIOPIC": "Noto Sans Ethiopic", "CJK": "Noto Sans CJK SC",
                        "HIRAGANA": "Noto Sans CJK JP", "KATAKANA": "Noto Sans CJK JP",
                        "HANGUL": "Noto Sans CJK KR"}

_TRUETYPE = Path("/usr/share/fonts/truetype")
_OPENTYPE = Path("/usr/share/fonts/opentype")
NOTO_DIR = _TRUETYPE / "noto"
_PROMISED_NOTO = ("Arabic", "Hebrew", "Armenian", "Georgian", "Devanagari", "Bengali", "Tamil",
                  "Thai", "Ethiopic")


def _noto(name: str, styles: tuple[str, ...] = ("Regular", "Bold")
          ) -> tuple[tuple[Path, int, str], ...]:
    return tuple((NOTO_DIR / f"{name}-{style}.ttf", 0, "fonts-noto-core") for style in styles)


# (path, face in a collection, Debian package), in order of preference. Each family's regular
# face comes first; its bold and italic faces are attached to it by name (see _group).
DEBIAN_FIRST: tuple[tuple[Path, int, str], ...] = (
    *_noto("NotoSans", ("Regular", "Bold", "Italic", "BoldItalic")),
    *(face for script in _PROMISED_NOTO for face in _noto(f"NotoSans{script}")),
    # Face 2 of the collection is Simplified Chinese (0 JP, 1 KR, 2 SC, 3 TC, 4 HK); every face
    # has the ideographs, kana and Hangul, only their regional shapes differ.
    (_OPENTYPE / "noto/NotoSansCJK-Regular.ttc", 2, "fonts-noto-cjk"),
    (_OPENTYPE / "noto/NotoSansCJK-Bold.ttc", 2, "fonts-noto-cjk"),
    (_TRUETYPE / "ancient-scripts/Symbola_hint.ttf", 0, "fonts-symbola"),
)
# After every other Noto Sans font found in NOTO_DIR (see _other_noto).
DEBIAN_LAST: tuple[tuple[Path, int, str], ...] = (
    (_TRUETYPE / "dejavu/DejaVuSans.ttf", 0, "fonts-dejavu-core"),
    (_TRUETYPE / "dejavu/DejaVuSans-Bold.ttf", 0, "fonts-dejavu-core"),
    (_TRUETYPE / "dejavu/DejaVuSans-Oblique.ttf", 0, "fonts-dejavu-extra"),
    (_TRUETYPE / "dejavu/DejaVuSans-BoldOblique.ttf", 0, "fonts-dejavu-extra"),
    # Debian ships two cuts: this one has Hangul, the "Full" one the rarer ideographs
    # (CJK Extension A) instead. Same family name: _group keeps them as two fallbacks.
    (Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf"), 0,
     "fonts-droid-fallback"),
    (_TRUETYPE / "droid/DroidSansFallbackFull.ttf", 0, "fonts-droid-fallback"),
)
# Noto Sans variants that would only duplicate a script found already, in another design.
_NOT_OTHER = re.compile(r"UI|Display|Mono|Unjoined|Tifinagh.+-")

_FS_ITALIC = 0x01
_FS_BOLD = 0x20
_MAC_ITALIC = 0x02


class FontsMissing(RuntimeError):
    """No font at all could be found: the PDF cannot be drawn."""

    def __init__(self, message: str, characters: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.characters = frozenset(characters)


@dataclass(frozen=True)
class FontFace:
    """One face of one font file: where it is, what it is called, which characters it has."""

    path: Path
    index: int  # the face within a .ttc/.otc collection, else 0
    family: str
    style: str  # "", "B", "I" or "BI", as fpdf2 spells it
    codepoints: frozenset[int]
    package: str = ""  # the Debian package it came from, when it came from one


@dataclass(frozen=True)
class FontFamily:
    """Faces that share a name and differ only in weight and slant."""

    key: str  # the name fpdf2 knows it by: short, lower-case, no "b"/"i" confusion
    name: str
    faces: tuple[FontFace, ...]

    @cached_property
    def codepoints(self) -> frozenset[int]:
        return frozenset().union(*(face.codepoints for face in self.faces))

    def face(self, style: str) -> FontFace:
        """The face for a style, or the nearest one there is (bold for bold italic, else regular).

        A family without an italic still needs one registered, or fpdf2 cannot set <em> text.
        """
        by_style = {face.style: face for face in self.faces}
        for wanted in (style, style.replace("I", ""), ""):
            if wanted in by_style:
                return by_style[wanted]
        return self.faces[0]


@dataclass(frozen=True)
class FontSet:
    """The families found, the text family first, what they cover, and what they do not."""

    families: tuple[FontFamily, ...]
    source: str  # where they came from, for messages

    @property
    def text(self) -> FontFamily:
        return self.families[0]

    @cached_property
    def uncovered(self) -> tuple[tuple[str, str], ...]:
        """The promised scripts (SCRIPTS) with characters no family has, and those characters."""
        missing = ((script.name, "".join(sorted(self.missing(script.sample))))
                   for script in SCRIPTS)
        return tuple((name, chars) for name, chars in missing if chars)

    @cached_property
    def owners(self) -> dict[int, FontFamily]:
        """Each code point any family has -> the first family that has it (who draws it)."""
        owners: dict[int, FontFamily] = {}
        for family in reversed(self.families):
            owners.update(dict.fromkeys(family.codepoints, family))
        return owners

    @property
    def codepoints(self) -> frozenset[int]:
        return frozenset(self.owners)

    def missing(self, text: str) -> set[str]:
        """Characters of `text` that no face covers (whitespace and control characters aside)."""
        owners = self.owners
        return {ch for ch in set(text) if ord(ch) not in owners and not is_ignorable(ch)}

    def fallbacks_for(self, text: str) -> list[FontFamily]:
        """The fallback families `text` needs, in order: loading a CJK font costs a PDF ~0.3 s."""
        base, owners = self.text.codepoints, self.owners
        needed = {owners[ord(ch)] for ch in set(text)
                  if ord(ch) not in base and ord(ch) in owners and not is_ignorable(ch)}
        return sorted(needed - {self.text}, key=self.families.index)

    def files(self) -> list[str]:
        return [f"{face.path}#{face.index}" if face.index else str(face.path)
                for family in self.families for face in family.faces]


def is_ignorable(ch: str) -> bool:
    """Whitespace, controls, format marks and variation selectors draw nothing of their own."""
    return ch.isspace() or unicodedata.category(ch) in {"Cc", "Cf", "Cs"} or (
        0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF)


def describe(characters: Iterable[str]) -> str:
    """'U+E000 (unassigned or private use), U+6606 CJK UNIFIED IDEOGRAPH-6606 (昆)', sorted."""
    parts = []
    for ch in sorted(characters):
        name = unicodedata.name(ch, "")
        parts.append(f"U+{ord(ch):04X} {name} ({ch})" if name
                     else f"U+{ord(ch):04X} (unassigned or private use)")
    return ", ".join(parts)


def scripts_of(characters: Iterable[str]) -> list[str]:
    """A rough script name per character, from its Unicode name ('CYRILLIC', 'HANGUL', ...)."""
    scripts = set()
    for ch in characters:
        name = unicodedata.name(ch, "")
        if not name:
            scripts.add("unassigned or private use")
        elif name.startswith("CJK"):
            scripts.add("CJK")
        else:
            scripts.add(name.split()[0].title())
    return sorted(scripts)


def family_for(text: str) -> str:
    """The Noto family for the first character of `text` in a script with a family of its own
    ("Noto Sans Arabic" for an Arabic name), else "Noto Sans"."""
    for ch in text:
        if ord(ch) >= 0x0530:  # below: Latin, Greek, Cyrillic, all in Noto Sans
            word = unicodedata.name(ch, "").split(" ", 1)[0]
            if word in _FAMILY_BY_NAME_WORD:
                return _FAMILY_BY_NAME_WORD[word]
    return "Noto Sans"


def _read_face(path: Path, index: int, package: str = "") -> FontFace:
    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        # Numbered glyphs: the cmap then needs neither the names in 'post' nor a CFF charset,
        # which are most of the time reading ~190 fonts would take (4 s instead of 0.3 s).
        font.setGlyphOrder([f"g{number}" for number in range(font["maxp"].numGlyphs)])
        names = font["name"]
        family = str(names.getDebugName(16) or names.getDebugName(1) or path.stem)
        os2 = font["OS/2"]
        bold = bool(os2.fsSelection & _FS_BOLD) or os2.usWeightClass >= 600
        italic = bool(os2.fsSelection & _FS_ITALIC) or bool(font["head"].macStyle & _MAC_ITALIC)
        cmap = font.getBestCmap() or {}
        return FontFace(path=path, index=index, family=family,
                        style=("B" if bold else "") + ("I" if italic else ""),
                        codepoints=frozenset(cmap), package=package)
    finally:
        font.close()


def _group(faces: list[FontFace]) -> tuple[FontFamily, ...]:
    """Attach each face to the first family of its name whose slot for its style is free.

    A face that finds none starts a family of its own: so two regular cuts sharing a name
    (Droid Sans Fallback and its "Full" cut) stay two fallbacks instead of one hiding the other.
    """
    groups: list[tuple[str, dict[str, FontFace]]] = []
    for face in faces:
        for name, by_style in groups:
            if name == face.family and face.style not in by_style:
                by_style[face.style] = face
                break
        else:
            groups.append((face.family, {face.style: face}))
    families = []
    for number, (name, by_style) in enumerate(groups):
        ordered = sorted(by_style.values(), key=lambda f: ("", "B", "I", "BI").index(f.style))
        families.append(FontFamily(key=f"font{number}", name=name, faces=tuple(ordered)))
    return tuple(families)


def _from_env(value: str) -> list[FontFace]:
    faces = []
    for entry in filter(None, (part.strip() for part in value.split(":"))):
        path_text, _, number = entry.partition("#")
        path = Path(path_text)
        if not path.is_file():
            raise FontsMissing(f"{ENV_VAR} names {path_text!r}, which is not a file.")
        try:
            faces.append(_read_face(path, int(number or 0)))
        except (TTLibError, ValueError, IndexError, OSError) as exc:
            raise FontsMissing(f"{ENV_VAR}: cannot read {entry!r} as a font: {exc}") from exc
    return faces


def _other_noto() -> list[tuple[Path, int, str]]:
    """Every other Noto Sans font of fonts-noto-core, for names in the scripts not listed."""
    listed = {path for path, _, _ in DEBIAN_FIRST}
    found = []
    for style in ("Regular", "Bold"):
        for path in sorted(NOTO_DIR.glob(f"NotoSans?*-{style}.ttf")):
            if path not in listed and not _NOT_OTHER.search(path.stem):
                found.append((path, 0, "fonts-noto-core"))
    return found


def debian_candidates() -> list[tuple[Path, int, str]]:
    return [*DEBIAN_FIRST, *_other_noto(), *DEBIAN_LAST]


def _from_debian() -> list[FontFace]:
    faces = []
    for path, index, package in debian_candidates():
        if path.is_file():
            try:
                faces.append(_read_face(path, index, package))
            except (TTLibError, IndexError, OSError):
                continue  # a damaged or unexpected file is as good as none
    return faces


def find_fonts(env_value: str | None = None) -> FontSet:
    """Find the fonts and what they leave uncovered (uncached: see :func:`available_fonts`).

    Raises :class:`FontsMissing` only when there is no font at all, naming the install step.
    """
    if env_value is None:
        env_value = os.environ.get(ENV_VAR, "")
    if env_value.strip():
        faces, source = _from_env(env_value), f"{ENV_VAR}={env_value}"
    else:
        faces, source = _from_debian(), "Debian font packages"
    if not faces:
        raise FontsMissing(
            f"No font found ({source}): the PDF export cannot draw any text. Install them as "
            f"root: `{INSTALL_STEP}`, or point {ENV_VAR} at colon-separated font files.",
            characters=[ch for script in SCRIPTS for ch in script.sample if ch != " "])
    return FontSet(families=_group(faces), source=source)


def uncovered_message(fonts: FontSet) -> str:
    """'No font for Thai (กค...), Emoji (🌍): ...', or "" when every promised script is covered."""
    if not fonts.uncovered:
        return ""
    scripts = "; ".join(f"{name} ({chars})" for name, chars in fonts.uncovered)
    return (f"No font for {scripts}: the PDF prints {PLACEHOLDER} for these characters. "
            f"Fonts found ({fonts.source}): {len(fonts.files())} faces. Install them as root: "
            f"`{INSTALL_STEP}`, or add font files that cover them to {ENV_VAR}.")


@cache
def available_fonts() -> FontSet:
    """The fonts, found once per process (called at start-up: what is missing is logged then).

    A failure is not cached: installing the packages fixes the next call without a restart.
    """
    fonts = find_fonts()
    if fonts.uncovered:
        log.warning("PDF fonts: %s", uncovered_message(fonts))
    return fonts


def missing_characters(text: str) -> set[str]:
    """The characters of `text` no available font covers, whitespace and controls aside."""
    return available_fonts().missing(text)
