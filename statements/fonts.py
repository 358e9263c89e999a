"""The font files the PDF export draws with, found once and checked against the scripts we promise.

fpdf2 embeds real font files and, unlike a browser, silently drops every character its fonts
lack: a PDF of 昆明 made without a CJK font looks fine to text extraction and shows nothing on
paper. So the fonts are found once, at start-up, their character maps (cmaps) read with
fontTools, and :func:`available_fonts` refuses (:class:`FontsMissing`) when they do not cover
Latin with accents, Cyrillic, Greek and CJK ideographs together. The PDF writer then asks
:func:`missing_characters` before drawing anything, so an uncovered character is an error, never
an empty space.

Where the fonts come from, in order of preference (the first found family is the text font;
the rest are fallbacks used only for characters it lacks):

- ``STATEMENTS_FONT_PATHS``: a colon-separated list of font files (``.ttf``, ``.otf``, or a
  ``.ttc`` collection with ``#N`` to pick face N). When set, only these files are used.
- Otherwise Debian's font packages, at their standard paths (never copied into this repository):
  ``fonts-dejavu-core`` and ``fonts-dejavu-extra`` (DejaVu Sans: Latin, Cyrillic, Greek; regular,
  bold, oblique), ``fonts-noto-core`` (Noto Sans), ``fonts-noto-cjk`` (Noto Sans CJK SC, if
  installed) and ``fonts-droid-fallback`` (Droid Sans Fallback: CJK ideographs, kana, Hangul).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont, TTLibError

ENV_VAR = "STATEMENTS_FONT_PATHS"
INSTALL_HINT = "apt-get install -y fonts-dejavu-core fonts-dejavu-extra fonts-droid-fallback"
INSTALL_STEP = f"apt-get update && {INSTALL_HINT}"

# Every script the spec promises, with the names it uses as examples.
REQUIRED_SAMPLES: dict[str, str] = {
    "Latin with accents": "São Paulo Zürich Łódź Kraków Gdańsk Reykjavík Nîmes",
    "Cyrillic": "Кызыл Москва Київ",
    "Greek": "Αθήνα Θεσσαλονίκη",
    "CJK ideographs": "昆明東京北京",
}

_TRUETYPE = Path("/usr/share/fonts/truetype")
_OPENTYPE = Path("/usr/share/fonts/opentype")
# (path, face in a collection, Debian package), in order of preference. Each family's regular
# face comes first; its bold and italic faces are attached to it by name (see _group).
DEBIAN_CANDIDATES: tuple[tuple[Path, int, str], ...] = (
    (_TRUETYPE / "dejavu/DejaVuSans.ttf", 0, "fonts-dejavu-core"),
    (_TRUETYPE / "dejavu/DejaVuSans-Bold.ttf", 0, "fonts-dejavu-core"),
    (_TRUETYPE / "dejavu/DejaVuSans-Oblique.ttf", 0, "fonts-dejavu-extra"),
    (_TRUETYPE / "dejavu/DejaVuSans-BoldOblique.ttf", 0, "fonts-dejavu-extra"),
    (_TRUETYPE / "noto/NotoSans-Regular.ttf", 0, "fonts-noto-core"),
    (_TRUETYPE / "noto/NotoSans-Bold.ttf", 0, "fonts-noto-core"),
    (_TRUETYPE / "noto/NotoSans-Italic.ttf", 0, "fonts-noto-core"),
    (_TRUETYPE / "noto/NotoSans-BoldItalic.ttf", 0, "fonts-noto-core"),
    # Face 2 of the collection is Simplified Chinese (0 JP, 1 KR, 2 SC, 3 TC, 4 HK).
    (_OPENTYPE / "noto/NotoSansCJK-Regular.ttc", 2, "fonts-noto-cjk"),
    (_OPENTYPE / "noto/NotoSansCJK-Bold.ttc", 2, "fonts-noto-cjk"),
    # Debian ships two cuts: this one has Hangul, the "Full" one the rarer ideographs
    # (CJK Extension A) instead. Same family name: _group keeps them as two fallbacks.
    (Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf"), 0,
     "fonts-droid-fallback"),
    (_TRUETYPE / "droid/DroidSansFallbackFull.ttf", 0, "fonts-droid-fallback"),
)

_FS_ITALIC = 0x01
_FS_BOLD = 0x20


class FontsMissing(RuntimeError):
    """The installed fonts cannot draw some characters; a PDF would show blanks instead."""

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

    @property
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
    """The families found, the text family first, and what they cover together."""

    families: tuple[FontFamily, ...]
    source: str  # where they came from, for messages

    @property
    def text(self) -> FontFamily:
        return self.families[0]

    @property
    def codepoints(self) -> frozenset[int]:
        return frozenset().union(*(family.codepoints for family in self.families))

    def missing(self, text: str) -> set[str]:
        """Characters of `text` that no face covers (whitespace and control characters aside)."""
        covered = self.codepoints
        return {ch for ch in set(text) if not is_ignorable(ch) and ord(ch) not in covered}

    def fallbacks_for(self, text: str) -> list[FontFamily]:
        """The fallback families `text` needs, in order: loading a CJK font costs a PDF ~0.3 s."""
        base = self.text.codepoints
        needed: list[FontFamily] = []
        for ch in sorted(set(text)):
            if is_ignorable(ch) or ord(ch) in base:
                continue
            family = next((f for f in self.families[1:] if ord(ch) in f.codepoints), None)
            if family is not None and family not in needed:
                needed.append(family)
        return sorted(needed, key=self.families.index)

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


def _read_face(path: Path, index: int, package: str = "") -> FontFace:
    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        names = font["name"]
        family = str(names.getDebugName(16) or names.getDebugName(1) or path.stem)
        os2 = font["OS/2"]
        bold = bool(os2.fsSelection & _FS_BOLD) or os2.usWeightClass >= 600
        italic = bool(os2.fsSelection & _FS_ITALIC) or font["post"].italicAngle != 0
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


def _from_debian() -> list[FontFace]:
    faces = []
    for path, index, package in DEBIAN_CANDIDATES:
        if path.is_file():
            try:
                faces.append(_read_face(path, index, package))
            except (TTLibError, IndexError, OSError):
                continue  # a damaged or unexpected file is as good as none; the check decides
    return faces


def find_fonts(env_value: str | None = None) -> FontSet:
    """Find and check the fonts (uncached: :func:`available_fonts` is the cached entry point).

    Raises :class:`FontsMissing` naming every promised script no face covers, and the install
    step that fixes it.
    """
    if env_value is None:
        env_value = os.environ.get(ENV_VAR, "")
    if env_value.strip():
        faces, source = _from_env(env_value), f"{ENV_VAR}={env_value}"
    else:
        faces, source = _from_debian(), "Debian font packages"
    fonts = FontSet(families=_group(faces), source=source) if faces else None
    uncovered = {script: sorted(fonts.missing(sample) if fonts else set(sample) - {" "})
                 for script, sample in REQUIRED_SAMPLES.items()}
    uncovered = {script: chars for script, chars in uncovered.items() if chars}
    if fonts is None or uncovered:
        found = ", ".join(fonts.files()) if fonts else "none"
        scripts = "; ".join(f"{script} ({''.join(chars)})" for script, chars in uncovered.items())
        raise FontsMissing(
            f"No font for {scripts}: the PDF export cannot draw these scripts. Fonts found "
            f"({source}): {found}. Install them as root: `{INSTALL_STEP}`, "
            f"or point {ENV_VAR} at colon-separated font files that cover them.",
            characters=[ch for chars in uncovered.values() for ch in chars])
    return fonts


@cache
def available_fonts() -> FontSet:
    """The fonts, found once per process (call it at start-up to fail early and loudly).

    A failure is not cached: installing the packages fixes the next call without a restart.
    """
    return find_fonts()


def missing_characters(text: str) -> set[str]:
    """The characters of `text` no available font covers, whitespace and controls aside."""
    return available_fonts().missing(text)
