"""Reading a PDF back as a printer would: which glyphs of which embedded font each text
operator draws, what those glyphs look like (their outlines, read with fontTools from the font
file embedded in the PDF), and where on the page each piece of text is.

Independent of fpdf2: pypdf parses the file, fontTools the fonts in it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fontTools.cffLib import CFFFontSet
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

Outline = tuple[Any, ...]


@dataclass
class EmbeddedFont:
    """A Type0 font of a page: its name and, per character code (two bytes in a string
    shown), the text and the glyph it draws."""

    name: str  # the BaseFont without its subset tag: "NotoSansArabic-Bold"
    text: dict[int, str] = field(default_factory=dict)  # ToUnicode: code -> characters
    draw: dict[int, Callable[[Any], None]] = field(default_factory=dict)  # code -> draw(pen)
    notdef: set[int] = field(default_factory=set)  # codes that draw glyph 0 (.notdef)
    glyph_set: Any = None

    def outline(self, cid: int) -> Outline:
        pen = DecomposingRecordingPen(self.glyph_set)
        self.draw[cid](pen)
        return tuple(pen.value)

    def inks(self, cid: int) -> bool:
        """Whether the CID's glyph draws anything (a space or .notdef-as-blank does not)."""
        if cid not in self.draw or cid in self.notdef:
            return False
        pen = BoundsPen(self.glyph_set)
        self.draw[cid](pen)
        return pen.bounds is not None


def _to_unicode(cmap: str) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for cid, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            mapping[int(cid, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, start in re.findall(
                r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            first = ord(bytes.fromhex(start).decode("utf-16-be"))
            for offset, cid in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[cid] = chr(first + offset)
    return mapping


def embedded_fonts(reader: PdfReader) -> dict[int, EmbeddedFont]:
    """Every Type0 font of the document, by the id of its font object."""
    fonts: dict[int, EmbeddedFont] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            if ref.idnum in fonts:
                continue
            font = ref.get_object()
            descendant = font["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = EmbeddedFont(str(font["/BaseFont"]).split("+", 1)[-1])
            embedded.text = _to_unicode(font["/ToUnicode"].get_object().get_data().decode())
            if "/FontFile2" in descriptor:  # TrueType: code = CID (Identity-H) -> GID by the
                # CIDToGIDMap
                tt = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
                order, glyphs = tt.getGlyphOrder(), tt.getGlyphSet()
                gid_map = descendant.get("/CIDToGIDMap")
                raw = gid_map.get_object().get_data() if gid_map is not None and not isinstance(
                    gid_map.get_object(), str) else None
                for cid in embedded.text:
                    gid = int.from_bytes(raw[2 * cid:2 * cid + 2], "big") if raw else cid
                    if gid < len(order):
                        embedded.draw[cid] = glyphs[order[gid]].draw
                        if gid == 0:
                            embedded.notdef.add(cid)
                embedded.glyph_set = glyphs
            else:  # a CID-keyed CFF: code -> CID by the font's Encoding CMap, CID -> glyph
                # by the CFF's charset ("cid09544")
                cff = CFFFontSet()
                cff.decompile(io.BytesIO(descriptor["/FontFile3"].get_object().get_data()), None)
                strings = cff[cff.fontNames[0]].CharStrings
                encoding = font["/Encoding"].get_object().get_data().decode()
                cids = {int(code, 16): int(cid) for block in re.findall(
                    r"begincidchar(.*?)endcidchar", encoding, re.S)
                    for code, cid in re.findall(r"<([0-9A-Fa-f]+)>\s*(\d+)", block)}
                for code in embedded.text:
                    name = f"cid{cids.get(code, 0):05d}"
                    if name in strings:
                        embedded.draw[code] = strings[name].draw
                    if cids.get(code, 0) == 0:
                        embedded.notdef.add(code)
                embedded.glyph_set = strings
            fonts[ref.idnum] = embedded
    return fonts


@dataclass(frozen=True)
class Shown:
    """One text-showing operator: in which font, which CIDs, from where on the page."""

    page: int
    font: int  # the id of the font object (a key of embedded_fonts)
    cids: tuple[int, ...]
    x: float  # PDF points from the left
    y: float  # PDF points from the bottom


def shown(reader: PdfReader) -> list[Shown]:
    """Every Tj/TJ of the document in order. Raises if one shows text with no font set:
    a viewer draws nothing for it ("No font in show")."""
    out: list[Shown] = []
    for number, page in enumerate(reader.pages, start=1):
        resources = page["/Resources"]["/Font"]
        stack: list[int | None] = []
        font: int | None = None
        x = y = 0.0
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"q":
                stack.append(font)
            elif operator == b"Q":
                font = stack.pop()
            elif operator == b"Tf":
                font = resources.raw_get(operands[0]).idnum
            elif operator == b"Td":
                x, y = float(operands[0]), float(operands[1])
            elif operator == b"Tm":
                x, y = float(operands[4]), float(operands[5])
            elif operator in (b"Tj", b"TJ"):
                parts = [operands[0]] if operator == b"Tj" else [
                    p for p in operands[0] if not isinstance(p, (int, float))]
                data = b"".join(bytes(p.original_bytes if hasattr(p, "original_bytes") else p)
                                for p in parts)
                if not data:
                    continue
                assert font is not None, f"page {number}: text shown with no font set"
                cids = tuple(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
                out.append(Shown(number, font, cids, x, y))
    return out


def read(data: bytes) -> tuple[dict[int, EmbeddedFont], list[Shown]]:
    reader = PdfReader(io.BytesIO(data))
    return embedded_fonts(reader), shown(reader)


def text_of(fonts: dict[int, EmbeddedFont], item: Shown) -> str:
    return "".join(fonts[item.font].text.get(cid, "") for cid in item.cids)
