"""Signatories in every script the exports must carry, shared by the PDF and DOCX tests."""

from __future__ import annotations

from datetime import datetime, timezone

from statements.exports.model import Signatory

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def person(name: str, city: str, country: str, *, kind: str = "government",
           capacity: str = "Mayor", organisation: str = "City") -> Signatory:
    return Signatory(name=name, organisation=organisation, capacity=capacity, kind=kind,
                     city=city, country=country, endorsed_at=WHEN)


SIGNATORIES = [
    person("李明", "昆明", "中国", capacity="市长", organisation="昆明市人民政府"),
    person("João da Silva", "São Paulo", "Brasil"),
    person("Айдың Кара-оол", "Кызыл", "Россия", kind="individual"),
    person("Γιώργος Παπαδόπουλος", "Αθήνα", "Ελλάδα", kind="organisation"),
    person("Łucja Żółć", "Łódź", "Polska"),
    person("山田太郎", "東京", "日本", capacity="知事"),
]

# A signatory in every script API.md lists ("Public pages and exports"), each name with letters
# that join, reorder or stack where its script does (مُحَمَّد has its vowel marks).
EVERY_SCRIPT = [
    person("João da Silva", "São Paulo", "Brasil", capacity="Prefeito"),
    person("Айдың Кара-оол", "Кызыл", "Россия", kind="individual", capacity="Мэр"),
    person("Γιώργος Παπαδόπουλος", "Αθήνα", "Ελλάδα", kind="organisation",
           capacity="Δήμαρχος"),
    person("Արամ Խաչատրյան", "Երևան", "Հայաստան", capacity="Քաղաքապետ",
           organisation="Երևանի քաղաքապետարան"),
    person("ნინო ბერიძე", "თბილისი", "საქართველო", capacity="მერი",
           organisation="თბილისის მერია"),
    person("مُحَمَّد عبد الله", "القاهرة", "مصر", capacity="محافظ",
           organisation="محافظة القاهرة"),
    person("דוד לוי", "ירושלים", "ישראל", capacity="ראש העיר",
           organisation="עיריית ירושלים"),
    person("अमित कुमार शर्मा", "नई दिल्ली", "भारत", capacity="महापौर",
           organisation="दिल्ली नगर निगम"),
    person("রবীন্দ্র দাস", "ঢাকা", "বাংলাদেশ", capacity="মেয়র",
           organisation="ঢাকা সিটি কর্পোরেশন"),
    person("முருகன் செல்வம்", "சென்னை", "இந்தியா", capacity="மேயர்",
           organisation="சென்னை மாநகராட்சி"),
    person("สมชาย ใจดี", "กรุงเทพมหานคร", "ประเทศไทย", capacity="ผู้ว่าราชการ",
           organisation="กรุงเทพมหานคร"),
    person("አበበ ቢቂላ", "አዲስ አበባ", "ኢትዮጵያ", capacity="ከንቲባ",
           organisation="የአዲስ አበባ ከተማ አስተዳደር"),
    person("李明", "昆明", "中国", capacity="市长", organisation="昆明市人民政府"),
    person("山田太郎", "東京", "日本", capacity="知事", organisation="東京都"),
    person("김서울", "서울", "대한민국", capacity="시장", organisation="서울특별시"),
    person("Ana Lima 🌍🕊", "Lisboa 🌱", "Portugal", kind="individual", capacity="✊"),
]
