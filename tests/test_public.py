"""The public statement, its exact source, its exports, and `flask verify`."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re

import pytest
from flask import Flask
from sqlalchemy import text

from statements.extensions import db
from statements.text.normalise import sha256_hex
from tests.factories import SAMPLE_TEXT, api_as, form_post, make_statement, make_user, signed_in

HOSTILE = [
    ("<script>alert(1)</script>", "individual", "", ""),
    ('=HYPERLINK("http://evil.example","click")', "individual", "", "FR"),
    ("[click me](javascript:alert(1))", "individual", "", ""),
    ("Ali \u200fعلي\u200f", "individual", "", "EG"),
    ("昆明市", "government", "昆明", "China"),
    ("São Paulo", "government", "São Paulo", "Brazil"),
    ("Кызыл", "government", "Кызыл", "Russia"),
    ("+cmd|' /C calc'!A0", "individual", "", ""),
    ("@SUM(1+1)", "organisation", "", ""),
    ("-2+3", "individual", "", ""),
]


@pytest.fixture
def published(app: Flask):
    moderator = make_user(app, "moderator", name="Mo")
    slug = make_statement(app, moderator, status="endorsing")
    # The signers' addresses are at a trusted domain: their authority is verified at once.
    api_as(app, moderator).patch(f"/statements/{slug}", {"trusted_domains": ["example.org"]})
    for name, kind, city, country in HOSTILE:
        api_as(app, make_user(app)).post(f"/statements/{slug}/endorsements", {
            "kind": kind, "name": name, "city": city, "country": country,
            "authorised": kind != "individual", "capacity": "Mayor" if kind == "government"
            else ""})
    return slug


def test_public_page_before_endorsing_is_404(app: Flask, client) -> None:
    moderator = make_user(app, "moderator")
    for status in ("draft", "amending", "reviewing", "final"):
        slug = make_statement(app, moderator, status=status, title=f"T {status}")
        for path in ("", "/source.md", "/export.json", "/export.pdf"):
            assert client.get(f"/s/{slug}{path}").status_code == 404, (status, path)
        assert signed_in(app, moderator).get(f"/s/{slug}").status_code == 404


def test_source_is_exactly_the_hashed_bytes(client, published) -> None:
    response = client.get(f"/s/{published}/source.md")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    assert hashlib.sha256(response.data).hexdigest() == sha256_hex(SAMPLE_TEXT)
    assert response.data == SAMPLE_TEXT.encode("utf-8")


def test_public_page(client, published) -> None:
    html = client.get(f"/s/{published}").get_data(as_text=True)
    assert sha256_hex(SAMPLE_TEXT) in html
    assert f"/s/{published}/source.md | sha256sum" in html
    assert '<meta property="og:title" content="Paris city biodiversity statement">' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "On behalf of local and subnational governments" in html
    for fmt in ("md", "html", "txt", "pdf", "json", "csv", "docx"):
        assert f"/s/{published}/export.{fmt}" in html


def test_public_page_filters(client, published) -> None:
    html = client.get(f"/s/{published}?kind=government").get_data(as_text=True)
    assert "3 signatories match" in html and "昆明市" in html and "HYPERLINK" not in html
    html = client.get(f"/s/{published}?country=brazil").get_data(as_text=True)
    assert "1 signatory match" in html and "São Paulo" in html
    html = client.get(f"/s/{published}?q=paulo").get_data(as_text=True)
    assert "1 signatory match" in html
    html = client.get(f"/s/{published}?q=100%25").get_data(as_text=True)
    assert "0 signatories match" in html
    assert client.get(f"/s/{published}?page=x&kind=bogus").status_code == 200


def test_public_page_is_paginated(app: Flask, client) -> None:
    slug = make_statement(app, make_user(app, "moderator"), status="endorsing")
    for i in range(55):
        api_as(app, make_user(app, name=f"Signatory {i:02d}")).post(
            f"/statements/{slug}/endorsements", {"kind": "individual"})
    first = client.get(f"/s/{slug}").get_data(as_text=True)
    assert "Signatory 49" in first and "Signatory 50" not in first and "Page 1 of 2" in first
    second = client.get(f"/s/{slug}?page=2").get_data(as_text=True)
    assert "Signatory 50" in second and "Signatory 54" in second


def _export(client, slug: str, fmt: str):
    response = client.get(f"/s/{slug}/export.{fmt}")
    assert response.status_code == 200, fmt
    assert response.headers["Content-Disposition"] == \
        f'attachment; filename="{slug}-v1.{fmt}"'
    assert response.headers["X-Statement-SHA256"] == sha256_hex(SAMPLE_TEXT)
    return response


def test_json_export(client, published) -> None:
    response = _export(client, published, "json")
    assert response.mimetype == "application/json"
    body = json.loads(response.data)
    assert set(body) == {"slug", "title", "occasion", "version", "sha256", "text",
                         "signatories", "exported_at", "record_head", "signature"}
    assert body["text"] == SAMPLE_TEXT and body["sha256"] == sha256_hex(SAMPLE_TEXT)
    assert [s["name"] for s in body["signatories"]] == [h[0] for h in HOSTILE]
    assert all(s["version"] == 1 for s in body["signatories"])
    assert "@" not in json.dumps([s for s in body["signatories"]]).replace("@SUM", "")


def test_csv_export_neutralises_formulas(client, published) -> None:
    response = _export(client, published, "csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["version", "sha256"]
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil.example\",\"click\")" in names
    assert "'+cmd|' /C calc'!A0" in names and "'@SUM(1+1)" in names and "'-2+3" in names
    assert "昆明市" in names and "Кызыл" in names and "São Paulo" in names
    for row in rows[1:]:
        assert row[-2:] == ["1", sha256_hex(SAMPLE_TEXT)]
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_csv_neutralises_tab_and_carriage_return() -> None:
    from statements.exports.text_formats import neutralise

    assert neutralise("\t=1") == "'\t=1" and neutralise("\r=1") == "'\r=1"
    assert neutralise("plain") == "plain"


def test_markdown_export_carries_the_exact_source_and_escapes_names(client, published) -> None:
    response = _export(client, published, "md")
    assert response.headers["Content-Type"] == "text/markdown; charset=utf-8"
    body = response.data.decode("utf-8")
    assert SAMPLE_TEXT in body and sha256_hex(SAMPLE_TEXT) in body
    assert r"\[click me\]\(javascript\:alert\(1\)\)" in body
    assert r"\<script\>alert\(1\)\</script\>" in body
    assert "- 昆明市 — Mayor, Testville, 昆明, China" in body


def test_markdown_escaping_makes_names_inert() -> None:
    from statements.exports.text_formats import escape_markdown
    from statements.text.markdown import render_markdown

    for hostile in ("[x](javascript:alert(1))", "<img src=x onerror=alert(1)>", "**bold**",
                    "# heading", "1. list", "- item", "`code`", "![i](http://x/i.png)"):
        html = render_markdown("- " + escape_markdown(hostile))
        assert "<a" not in html and "<img" not in html and "<strong>" not in html
        assert "<code>" not in html and "<h1>" not in html


def test_html_export_is_standalone_with_a_strict_policy(client, published) -> None:
    response = _export(client, published, "html")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src" not in csp and "default-src 'none'" in csp and "style-src 'sha256-" in csp
    body = response.data.decode("utf-8")
    assert "<style>" in body and "<link" not in body and "<script" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<bdi>" in body or '<bdi class="who">' in body
    assert sha256_hex(SAMPLE_TEXT) in body and "Version 1" in body
    assert "<h1>Strengthening the momentum" in body  # the Markdown is rendered


def test_text_export(client, published) -> None:
    body = _export(client, published, "txt").data.decode("utf-8")
    assert SAMPLE_TEXT.rstrip() in body and sha256_hex(SAMPLE_TEXT) in body
    assert "<script>alert(1)</script>" in body  # literal, as plain text should be


def test_unknown_export_is_404(client, published) -> None:
    assert client.get(f"/s/{published}/export.exe").status_code == 404


def test_no_email_in_any_public_answer(app: Flask, client, published) -> None:
    with app.app_context():
        emails = db.session.execute(text("SELECT email FROM users")).scalars().all()
    pages = [client.get(f"/s/{published}").data,
             client.get(f"/api/v1/statements/{published}/endorsements").data]
    pages += [client.get(f"/s/{published}/export.{fmt}").data
              for fmt in ("md", "html", "txt", "json", "csv")]
    for page in pages:
        for email in emails:
            assert email.encode() not in page


def test_verify_passes_on_a_real_record_and_fails_on_a_tampered_one(app: Flask,
                                                                   published) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 0, result.output
    assert "Checked 1 version(s) and 10 endorsement(s)." in result.output
    with app.app_context():
        with db.engine.begin() as conn:  # tamper below the app: one endorsement's hash
            conn.execute(text("UPDATE endorsements SET sha256 = :h WHERE id = 1"),
                         {"h": "f" * 64})
    result = runner.invoke(args=["verify"])
    assert result.exit_code == 1
    assert "MISMATCH" in result.output and "endorsement 1" in result.output


def test_verify_catches_a_tampered_version_text(app: Flask, published) -> None:
    with app.app_context():
        with db.engine.begin() as conn:  # drop the guard that would refuse it, as an attacker
            if conn.dialect.name == "sqlite":
                conn.execute(text("DROP TRIGGER versions_no_update"))
            else:
                conn.execute(text("ALTER TABLE versions DISABLE TRIGGER versions_permanent"))
            conn.execute(text("UPDATE versions SET text = 'forged'"))
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 1 and "version 1: stored SHA-256" in result.output


def test_endorse_page_flow(app: Flask) -> None:
    slug = make_statement(app, make_user(app, "moderator"), status="endorsing")
    user = make_user(app, name="Ana")
    client = signed_in(app, user)
    page = client.get(f"/s/{slug}/endorse").get_data(as_text=True)
    assert sha256_hex(SAMPLE_TEXT) in page and "Endorse version 1" in page
    response = form_post(client, f"/s/{slug}/endorse", {
        "kind": "government", "name": "Ana", "sha256": sha256_hex(SAMPLE_TEXT),
        "public": "yes"})
    assert response.status_code == 422
    assert "authorised" in response.get_data(as_text=True)
    response = form_post(client, f"/s/{slug}/endorse", {
        "kind": "government", "name": "Ana", "capacity": "Mayor", "city": "Lyon",
        "country": "France", "sha256": sha256_hex(SAMPLE_TEXT), "public": "yes",
        "authorised": "yes"})
    assert response.status_code == 302
    page = client.get(f"/s/{slug}/endorse").get_data(as_text=True)
    assert "You endorsed this statement" in page and "Withdraw my endorsement" in page
    form_post(client, f"/s/{slug}/endorsement/withdraw", token_from=f"/s/{slug}/endorse")
    assert "Endorse version 1" in client.get(f"/s/{slug}/endorse").get_data(as_text=True)


def test_audit_and_record_pages_for_moderators(app: Flask, published) -> None:
    moderator_client = None
    with app.app_context():
        from sqlalchemy import select

        from statements.models import User

        moderator = db.session.scalars(select(User).where(User.role == "moderator")).first()
        db.session.expunge(moderator)
    moderator_client = signed_in(app, moderator)
    audit = moderator_client.get(f"/statements/{published}/audit").get_data(as_text=True)
    assert "endorsement.create" in audit and "statement.transition" in audit
    record = moderator_client.get(f"/statements/{published}/record").get_data(as_text=True)
    assert "Endorsements (10: unconfirmed and withdrawn ones included)" in record
    download = moderator_client.get(f"/statements/{published}/record.json")
    assert json.loads(download.data)["statement"]["slug"] == published
    delegate = signed_in(app, make_user(app))
    assert delegate.get(f"/statements/{published}/audit").status_code == 403
    assert delegate.get(f"/statements/{published}/record").status_code == 403


def test_pdf_and_docx_exports(client, published) -> None:
    import docx
    import pypdf

    from tests.exports.test_fonts import require_fonts

    require_fonts()
    pdf = _export(client, published, "pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    assert sha256_hex(SAMPLE_TEXT) in reader.metadata.subject
    word = _export(client, published, "docx")
    assert word.mimetype == ("application/vnd.openxmlformats-officedocument."
                             "wordprocessingml.document")
    document = docx.Document(io.BytesIO(word.data))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"昆明市", "Кызыл", "<script>alert(1)</script>"} <= cells


def test_pdf_without_fonts_is_a_clear_503(client, published, monkeypatch) -> None:
    from statements.fonts import FontsMissing
    from statements.web import public

    def no_fonts(pub):
        raise FontsMissing("No installed font covers CJK; apt-get install fonts-droid-fallback.")

    monkeypatch.setattr(public, "render_pdf", no_fonts)
    response = client.get(f"/s/{published}/export.pdf")
    assert response.status_code == 503
    assert "No installed font covers CJK" in response.get_data(as_text=True)
    assert client.get(f"/s/{published}/export.csv").status_code == 200


def test_pdf_is_made_once_per_content(app: Flask, client, published, monkeypatch) -> None:
    from statements.web import public

    made: list[int] = []

    def fake_pdf(pub):
        made.append(len(pub.signatories))
        return b"%PDF-fake " + str(len(pub.signatories)).encode()

    monkeypatch.setattr(public, "render_pdf", fake_pdf)
    first = client.get(f"/s/{published}/export.pdf").data
    assert client.get(f"/s/{published}/export.pdf").data == first
    assert made == [10]
    api_as(app, make_user(app)).post(f"/statements/{published}/endorsements",
                                     {"kind": "individual"})
    assert client.get(f"/s/{published}/export.pdf").data == b"%PDF-fake 11"
    assert made == [10, 11]


# Links come from PUBLIC_URL, never from the request.

ALL_EXPORTS = ("md", "html", "txt", "pdf", "json", "csv", "docx")


def _readable(fmt: str, data: bytes) -> str:
    """What an export says, PDF and DOCX included (their text is compressed inside)."""
    import zipfile

    from tests.exports.test_hidden_text import pdf_text

    if fmt == "pdf":
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(data))
        return pdf_text(data) + json.dumps(dict(reader.metadata or {}), default=str)
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace")
                           for name in archive.namelist())
    return data.decode("utf-8-sig")


def test_links_use_public_url_never_the_host_header(app: Flask) -> None:
    from tests.exports.test_fonts import require_fonts

    require_fonts()
    app.config["PUBLIC_URL"] = "https://statements.example.org"
    slug = make_statement(app, make_user(app, "moderator"), status="endorsing")
    api_as(app, make_user(app, name="Ana")).post(f"/statements/{slug}/endorsements",
                                                 {"kind": "individual"})
    client = app.test_client()
    headers = {"Host": "attacker.invalid", "X-Forwarded-Host": "attacker.invalid"}
    page = client.get(f"/s/{slug}", headers=headers).get_data(as_text=True)
    assert "attacker.invalid" not in page
    assert f'<link rel="canonical" href="https://statements.example.org/s/{slug}">' in page
    assert f'<meta property="og:url" content="https://statements.example.org/s/{slug}">' in page
    assert f"curl -s https://statements.example.org/s/{slug}/source.md | sha256sum" in page
    for fmt in ALL_EXPORTS:
        response = client.get(f"/s/{slug}/export.{fmt}", headers=headers)
        assert response.status_code == 200, fmt
        said = _readable(fmt, response.data)
        assert "attacker.invalid" not in said, fmt
        if fmt not in ("json", "csv"):  # those two carry no link
            assert f"https://statements.example.org/s/{slug}/source.md" in said, fmt


def test_public_url_setting(tmp_path) -> None:
    from statements.config import ConfigError, load_settings

    assert load_settings({}, str(tmp_path))["PUBLIC_URL"] == "http://127.0.0.1:5000"
    assert load_settings({"PUBLIC_URL": " https://statements.example.org/ "},
                         str(tmp_path))["PUBLIC_URL"] == "https://statements.example.org"
    production = {"STATEMENTS_ENV": "production", "SECRET_KEY": "k" * 40,
                  "SIGNING_KEY": base64.b64encode(bytes(range(32))).decode()}
    with pytest.raises(ConfigError, match="PUBLIC_URL is required"):
        load_settings(production, str(tmp_path))
    assert load_settings({**production, "PUBLIC_URL": "https://s.example.org"},
                         str(tmp_path))["PUBLIC_URL"] == "https://s.example.org"
    with pytest.raises(ConfigError, match="PUBLIC_URL must be"):
        load_settings({"PUBLIC_URL": "statements.example.org"}, str(tmp_path))


# The PDF cache: keyed by content only, and bounded.


def _cached_pdfs(app: Flask) -> list[str]:
    from pathlib import Path

    folder = Path(app.instance_path) / "export-cache"
    return sorted(p.name for p in folder.glob("*.pdf")) if folder.is_dir() else []


def test_pdf_cache_ignores_the_host(app: Flask, monkeypatch) -> None:
    from statements.web import public

    monkeypatch.setattr(public, "render_pdf", lambda pub: b"%PDF-fake " + pub.url.encode())
    slug = make_statement(app, make_user(app, "moderator"), status="endorsing")
    client = app.test_client()
    first = client.get(f"/s/{slug}/export.pdf", headers={"Host": "a.example"}).data
    for host in ("b.example", "c.example:8080", "attacker.invalid"):
        assert client.get(f"/s/{slug}/export.pdf", headers={"Host": host}).data == first
    assert len(_cached_pdfs(app)) == 1


def test_pdf_cache_stays_within_its_bounds(app: Flask, monkeypatch) -> None:
    from statements.web import public

    app.config["PDF_CACHE_MAX_FILES"] = 3
    monkeypatch.setattr(public, "render_pdf",
                        lambda pub: b"%PDF-fake " + str(len(pub.signatories)).encode())
    slug = make_statement(app, make_user(app, "moderator"), status="endorsing")
    client = app.test_client()
    for n in range(6):
        client.get(f"/s/{slug}/export.pdf")
        assert len(_cached_pdfs(app)) == min(n + 1, 3)
        api_as(app, make_user(app)).post(f"/statements/{slug}/endorsements",
                                         {"kind": "individual"})
    assert client.get(f"/s/{slug}/export.pdf").data == b"%PDF-fake 6"  # the newest is kept
    app.config["PDF_CACHE_MAX_BYTES"] = 25  # two of these files
    client.get(f"/s/{slug}/export.pdf")
    api_as(app, make_user(app)).post(f"/statements/{slug}/endorsements", {"kind": "individual"})
    client.get(f"/s/{slug}/export.pdf")
    assert len(_cached_pdfs(app)) == 2


# What is hashed is what is shown, on the pages too.


def test_hidden_clauses_are_visible_on_the_public_and_endorse_pages(app: Flask) -> None:
    from tests.text.hidden_text import HIDDEN_CLAUSES, html_visible_text, missing_words

    slug = make_statement(app, make_user(app, "moderator"), status="endorsing",
                          text=HIDDEN_CLAUSES)
    public_page = app.test_client().get(f"/s/{slug}").get_data(as_text=True)
    assert missing_words(HIDDEN_CLAUSES, html_visible_text(public_page)) == set()
    endorse_page = signed_in(app, make_user(app)).get(f"/s/{slug}/endorse").get_data(as_text=True)
    assert missing_words(HIDDEN_CLAUSES, html_visible_text(endorse_page)) == set()


def test_the_public_page_says_who_is_not_listed_and_where_the_record_is(app: Flask,
                                                                        client) -> None:
    from tests.factories import make_endorsement

    moderator = make_user(app, "moderator")
    slug = make_statement(app, moderator, status="endorsing")
    make_endorsement(app, slug, make_user(app, name="Listed"))
    make_endorsement(app, slug, make_user(app, name="Private"), public=False)
    make_endorsement(app, slug, make_user(app, name="Pending City"), kind="government")
    page = client.get(f"/s/{slug}").get_data(as_text=True)
    assert "1 listed below." in page
    assert "The other 2 are not listed: 1 on behalf of an organisation or government " \
           "awaits verification, and the rest asked not to be named publicly." in page
    head = client.get(f"/s/{slug}/record.json").get_json()["head"]
    assert head in page and f'href="/s/{slug}/record.json"' in page
    export = client.get(f"/s/{slug}/export.json").get_json()
    assert export["record_head"] == head and export["signature"]["alg"] == "EdDSA"
    assert [s["verification"] for s in export["signatories"]] == ["not_required"]


def test_a_statement_text_too_long_to_render_in_time_is_refused(app: Flask) -> None:
    from statements.text.markdown import MAX_TEXT_LENGTH

    api = api_as(app, make_user(app, "moderator"))
    text = "word " * (MAX_TEXT_LENGTH // 5 + 1)
    response = api.post("/statements", {"title": "Long", "text": text})
    assert response.status_code == 422 and "at most" in response.get_json()["errors"]["text"]


def test_the_audit_trail_names_versions_and_amendments(app: Flask) -> None:
    moderator = make_user(app, "moderator", name="Mo")
    other_slug = make_statement(app, moderator, status="amending", title="Another one")
    # Another statement's rows come first, so database ids and numbers differ.
    api_as(app, moderator).post(f"/statements/{other_slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "town"), "rationale": "Elsewhere"})
    slug = make_statement(app, moderator, status="amending")
    dee = api_as(app, make_user(app, name="Dee"))
    dee.post(f"/statements/{slug}/amendments", {
        "base": 1, "text": SAMPLE_TEXT.replace("urban", "city"), "rationale": "Plain"})
    dee.post(f"/statements/{slug}/amendments/1/comments", {"body": "Shorter is better"})
    assert api_as(app, moderator).post(f"/statements/{slug}/amendments/1/accept"
                                       ).status_code == 200
    html = signed_in(app, moderator).get(f"/statements/{slug}/audit").get_data(as_text=True)
    cells = [re.sub(r"<[^>]+>", "", c).strip()
             for c in re.findall(r"<td>(.*?)</td>", html, flags=re.S)]
    assert f'<a href="/statements/{slug}/amendments/1">A1</a>' in html
    assert f'<a href="/statements/{slug}/amendments/1">comment on A1</a>' in html
    assert f'<a href="/statements/{slug}/versions/2">version 2</a>' in html
    assert "the statement" in cells and "merged" in cells and "amending" in cells
    assert "version 1" in cells and "version 2" in cells  # the version.create before/after
    # No row names an object by its database id (the other statement's rows shift them).
    with app.app_context():
        from sqlalchemy import select

        from statements.models import Statement, Version

        newest = db.session.scalars(select(Version).join(Statement).where(
            Statement.slug == slug, Version.number == 2)).one()
        assert newest.id != 2
    assert f"version {newest.id}" not in cells
    assert not [c for c in cells if re.fullmatch(r"(amendment|comment) \d+", c)]
