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
