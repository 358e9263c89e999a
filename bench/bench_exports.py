"""Time the PDF and DOCX exports of a statement with 2,000 signatories.

    .venv/bin/python bench/bench_exports.py

Prints milliseconds (best and median of a few runs) for: finding the fonts (once per process,
at start-up), render_pdf and render_docx with 2,000 signatories in every promised script, the
same without CJK names (the PDF then loads no CJK font), and with 6 signatories.
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
from pypdf import PdfReader

from statements.exports.docx import render_docx
from statements.exports.model import Published, Signatory
from statements.exports.pdf import render_pdf
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


def timed(fn: Callable[[], bytes], runs: int) -> tuple[bytes, list[float]]:
    times, out = [], b""
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - start) * 1000)
    return out, times


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


def report(label: str, times: list[float], detail: str) -> None:
    print(f"{label:<44} best {min(times):7.0f} ms   median {statistics.median(times):7.0f} ms"
          f"   ({detail})")


def main() -> None:
    start = time.perf_counter()
    fonts = available_fonts()
    elapsed = 1000 * (time.perf_counter() - start)
    print(f"{'available_fonts() (once, at start-up)':<44} {elapsed:7.0f} ms   "
          f"({len(fonts.files())} faces: {fonts.text.name} + "
          f"{', '.join(f.name for f in fonts.families[1:]) or 'no fallback'})")
    cases = [("2,000 signatories, every script", 2000, PEOPLE, 3),
             ("2,000 signatories, no CJK", 2000, NO_CJK, 3),
             ("6 signatories, every script", 6, PEOPLE, 5)]
    for label, count, people, runs in cases:
        pub = publication(count, people)
        data, times = timed(lambda pub=pub: render_pdf(pub), runs)
        report(f"render_pdf, {label}", times, check_pdf(data, count))
        data, times = timed(lambda pub=pub: render_docx(pub), runs)
        report(f"render_docx, {label}", times, check_docx(data, count))


if __name__ == "__main__":
    main()
