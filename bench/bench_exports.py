"""Time the PDF and DOCX exports of a statement with thousands of signatories.

    .venv/bin/python bench/bench_exports.py

Prints milliseconds (best and median of a few runs) for: finding the fonts (once per process,
at start-up), render_pdf and render_docx with 2,000 signatories in Latin, Cyrillic, Greek, CJK
and Hangul, the same without CJK names (the PDF then loads no CJK font), 2,000 and 5,000 in all
fifteen scripts of API.md (a third of them shaped by HarfBuzz), and 6 signatories. Then the
yardstick: fpdf2 writing the same 5,000 signatories' lines raw, one cell() each down the page,
in the same fonts (shaped where the text needs it, and not at all), with render_pdf's ratio
to it (the goal: at most 3).
No assertion on time (a benchmark, not a test); it does check that every output opens and
names the hash, because a fast wrong answer is worth nothing.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docx import Document
from fpdf import FPDF
from pypdf import PdfReader

from statements.exports.docx import render_docx
from statements.exports.markup import details, literal
from statements.exports.model import Published, Signatory
from statements.exports.pdf import _register, needs_shaping, render_pdf
from statements.fonts import available_fonts

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
SHA = "5e" * 32
KINDS = ("individual", "organisation", "government")
PEOPLE = [
    ("李明", "市长", "昆明市人民政府", "昆明", "中国"),
    ("João da Silva", "Prefeito", "Prefeitura de São Paulo", "São Paulo", "Brasil"),
    ("Айдың Кара-оол", "Мэр", "Мэрия города Кызыла", "Кызыл", "Россия"),
    ("Γιώργος Παπαδόπουλος", "Δήμαρχος", "Δήμος Αθηναίων", "Αθήνα", "Ελλάδα"),
    ("Łucja Żółć", "Prezydent", "Urząd Miasta Łodzi", "Łódź", "Polska"),
    ("山田太郎", "知事", "東京都", "東京", "日本"),
    ("김서울", "시장", "서울특별시", "서울", "대한민국"),
    ("Anna Müller", "Stadträtin", "Stadt Zürich", "Zürich", "Schweiz"),
]
NO_CJK = [p for p in PEOPLE if all(ord(ch) < 0x2E80 for ch in "".join(p))]
EVERY_SCRIPT = PEOPLE + [
    ("Արամ Խաչատրյան", "Քաղաքապետ", "Երևանի քաղաքապետարան", "Երևան", "Հայաստան"),
    ("ნინო ბერიძე", "მერი", "თბილისის მერია", "თბილისი", "საქართველო"),
    ("مُحَمَّد عبد الله", "محافظ", "محافظة القاهرة", "القاهرة", "مصر"),
    ("דוד לוי", "ראש העיר", "עיריית ירושלים", "ירושלים", "ישראל"),
    ("अमित कुमार शर्मा", "महापौर", "दिल्ली नगर निगम", "नई दिल्ली", "भारत"),
    ("রবীন্দ্র দাস", "মেয়র", "ঢাকা সিটি কর্পোরেশন", "ঢাকা", "বাংলাদেশ"),
    ("முருகன் செல்வம்", "மேயர்", "சென்னை மாநகராட்சி", "சென்னை", "இந்தியா"),
    ("สมชาย ใจดี", "ผู้ว่าราชการ", "กรุงเทพมหานคร", "กรุงเทพมหานคร", "ประเทศไทย"),
    ("አበበ ቢቂላ", "ከንቲባ", "የአዲስ አበባ ከተማ አስተዳደር", "አዲስ አበባ", "ኢትዮጵያ"),
    ("Ana Lima 🌍🕊", "✊", "Câmara Municipal", "Lisboa 🌱", "Portugal"),
]
TEXT = "\n\n".join(
    [
        "# Strengthening the momentum for a post-2020 Global Biodiversity Framework",
        "We, the cities and subnational governments gathered in **Edinburgh**, *agree*:",
        *(f"{n}. Operative paragraph {n}: we commit to restore ecosystems, report on "
          "progress and mobilise finance for nature-based solutions." for n in range(1, 16)),
        "## Commitments",
        "\n".join(f"- Commitment {n} on urban biodiversity" for n in range(1, 11)),
    ]
) + "\n"


def publication(count: int, people: list[tuple[str, ...]]) -> Published:
    signatories = [
        Signatory(name=f"{name} {i}", capacity=capacity, organisation=organisation,
                  kind=KINDS[i % 3], city=city, country=country, endorsed_at=WHEN)
        for i in range(count)
        for name, capacity, organisation, city, country in [people[i % len(people)]]
    ]
    return Published(slug="gbf", title="Strengthening the momentum for a post-2020 GBF",
                     occasion="Edinburgh Summit, 2020", version=4, sha256=SHA, text=TEXT,
                     signatories=signatories, exported_at=WHEN)


def timed(fn: Callable[[], bytes], runs: int) -> tuple[bytes, list[float], float]:
    """The output, the wall-clock times (ms) and the best CPU time (ms): on a shared machine
    the CPU time is the steadier of the two."""
    times, cpu, out = [], [], b""
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        out = fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return out, times, min(cpu)


def check_pdf(data: bytes, count: int) -> str:
    reader = PdfReader(io.BytesIO(data))
    last = reader.pages[-1].extract_text()
    assert SHA in last.replace(" ", ""), "the hash is missing from the last page"
    assert f"Signatories ({count})" in "".join(p.extract_text() for p in reader.pages[:3])
    return f"{len(reader.pages)} pages, {len(data) // 1024} KiB"


def check_docx(data: bytes, count: int) -> str:
    document = Document(io.BytesIO(data))
    rows = sum(len(table.rows) - 1 for table in document.tables)
    assert rows == count, f"{rows} signatory rows for {count} signatories"
    assert SHA in document.core_properties.subject
    return f"{rows} table rows, {len(data) // 1024} KiB"


def report(label: str, times: list[float], cpu: float, detail: str) -> None:
    print(f"{label:<48} best {min(times):6.0f} ms  median {statistics.median(times):6.0f} ms"
          f"  cpu {cpu:6.0f} ms  ({detail})")


def raw_lines(pub: Published, shaped: bool) -> bytes:
    """fpdf2 alone: each signatory's name and details a cell() down the page, in the fonts
    render_pdf loads, shaped where the text needs it (`shaped`) or never; no layout at all."""
    pdf = FPDF(unit="mm", format="A4")
    fonts = available_fonts()
    lines = [(literal(s.name), "B", 9.5) for s in pub.signatories]
    lines += [(details(s), "", 8.5) for s in pub.signatories]
    drawn = {"": "\n".join(t for t, style, _ in lines if not style),
             "B": "\n".join(t for t, style, _ in lines if style)}
    _register(pdf, fonts, drawn)
    pdf.add_page()
    for text, style, size in lines:
        pdf.set_text_shaping(shaped and needs_shaping(text))
        pdf.set_font(fonts.text.key, style, size)
        pdf.cell(87, size * 0.44, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def main() -> None:
    start = time.perf_counter()
    fonts = available_fonts()
    elapsed = 1000 * (time.perf_counter() - start)
    print(f"{'available_fonts() (once, at start-up)':<48} {elapsed:7.0f} ms   "
          f"({len(fonts.files())} faces in {len(fonts.families)} families: {fonts.text.name} "
          f"first, then {', '.join(f.name for f in fonts.families[1:4])}, ...)")
    cases = [("2,000 signatories, Latin/Cyrillic/Greek/CJK", 2000, PEOPLE, 3),
             ("2,000 signatories, no CJK", 2000, NO_CJK, 3),
             ("2,000 signatories, all 15 scripts", 2000, EVERY_SCRIPT, 3),
             ("5,000 signatories, all 15 scripts", 5000, EVERY_SCRIPT, 2),
             ("6 signatories, Latin/Cyrillic/Greek/CJK", 6, PEOPLE, 5)]
    best: dict[str, float] = {}
    for label, count, people, runs in cases:
        pub = publication(count, people)
        data, times, cpu = timed(lambda pub=pub: render_pdf(pub), runs)
        report(f"render_pdf, {label}", times, cpu, check_pdf(data, count))
        best[label] = cpu
        data, times, cpu = timed(lambda pub=pub: render_docx(pub), runs)
        report(f"render_docx, {label}", times, cpu, check_docx(data, count))
    pub = publication(5000, EVERY_SCRIPT)
    for shaped in (True, False):
        data, times, cpu = timed(lambda shaped=shaped: raw_lines(pub, shaped), 2)
        ratio = best["5,000 signatories, all 15 scripts"] / cpu
        report(f"fpdf2 raw cell() lines, 5,000, {'shaped' if shaped else 'unshaped'}", times,
               cpu, f"{len(PdfReader(io.BytesIO(data)).pages)} pages; render_pdf: {ratio:.2f}x")


if __name__ == "__main__":
    main()
