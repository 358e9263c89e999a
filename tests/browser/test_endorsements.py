"""Endorsing and the public statement in a real browser (without JavaScript)."""

from __future__ import annotations

import hashlib

from statements.text.normalise import sha256_hex
from tests.browser.conftest import sign_in
from tests.factories import SAMPLE_TEXT, api_as, make_statement, make_user


def test_endorse_and_withdraw(no_js_page, live_app) -> None:
    page = no_js_page
    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator, status="endorsing")
    # The signer's address is at a trusted domain: signing for a government is verified.
    api_as(live_app, moderator).patch(f"/statements/{slug}", {"trusted_domains": ["example.org"]})
    sign_in(page, make_user(live_app, name="Ana Lima", organisation="São Paulo").email)
    page.goto(f"/s/{slug}")
    page.get_by_role("link", name="Endorse this statement").click()
    assert page.get_by_text(sha256_hex(SAMPLE_TEXT)).first.is_visible()
    page.get_by_label("on behalf of a local or subnational government").check()
    page.get_by_label("Capacity", exact=True).fill("Mayor")
    page.get_by_label("City", exact=True).fill("São Paulo")
    page.get_by_label("Country", exact=True).select_option(label="Brazil")
    page.get_by_role("button", name="Endorse version 1").click()
    assert "Confirm that you are authorised" in page.get_by_role("alert").first.inner_text()
    page.get_by_label("I am authorised").check()
    page.get_by_role("button", name="Endorse version 1").click()
    assert page.get_by_role("heading", name="You endorsed this statement").is_visible()
    page.get_by_role("link", name="See the public page").click()
    assert page.locator(".signatory-list").get_by_text("Ana Lima").is_visible()
    page.goto(f"/s/{slug}/endorse")
    page.get_by_role("button", name="Withdraw my endorsement").click()
    assert page.get_by_text("Your endorsement is withdrawn.").is_visible()
    page.goto(f"/s/{slug}")
    assert page.locator(".signatory-list").count() == 0


def test_public_page_filters_and_downloads(no_js_page, live_app, tmp_path) -> None:
    page = no_js_page
    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator, status="endorsing")
    api_as(live_app, moderator).patch(f"/statements/{slug}", {"trusted_domains": ["example.org"]})
    for name, kind, country in [("昆明市", "government", "China"),
                                ("Кызыл", "government", "Russia"),
                                ("Ana Lima", "individual", "Brazil")]:
        api_as(live_app, make_user(live_app)).post(f"/statements/{slug}/endorsements", {
            "kind": kind, "name": name, "country": country,
            "authorised": kind != "individual"})
    page.goto(f"/s/{slug}")
    assert page.get_by_role("heading", level=1).inner_text() == \
        "Paris city biodiversity statement"
    page.get_by_label("Endorsing as").select_option("government")
    page.get_by_role("button", name="Filter").click()
    names = page.locator(".signatory-list .who").all_inner_texts()
    assert sorted(names) == ["Кызыл", "昆明市"]
    page.get_by_label("Country").select_option("Russia")
    page.get_by_role("button", name="Filter").click()
    assert page.locator(".signatory-list .who").all_inner_texts() == ["Кызыл"]
    page.get_by_role("link", name="Clear").click()
    for label, suffix in [("Markdown", "md"), ("HTML (print-ready)", "html"),
                          ("Plain text", "txt"), ("PDF", "pdf"), ("JSON", "json"),
                          ("CSV (signatories)", "csv"), ("Word (DOCX)", "docx")]:
        with page.expect_download() as info:
            page.get_by_role("link", name=label, exact=True).click()
        download = info.value
        assert download.suggested_filename == f"{slug}-v1.{suffix}"
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        assert saved.stat().st_size > 200, suffix
    source = page.request.get(f"/s/{slug}/source.md").body()
    assert hashlib.sha256(source).hexdigest() == sha256_hex(SAMPLE_TEXT)


def test_endorse_form_errors_come_first_and_take_the_focus(page, live_app) -> None:
    """With JavaScript: the error summary is above the final text, focused, and its link
    leads to the field; the final text does not hide it below the fold."""
    slug = make_statement(live_app, make_user(live_app, "moderator"), status="endorsing")
    sign_in(page, make_user(live_app).email)
    page.goto(f"/s/{slug}/endorse")
    page.get_by_label("on behalf of an organisation").check()
    page.get_by_role("button", name="Endorse version 1").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    # page.js (deferred) moves the focus once it has run: waited for, as long as any wait.
    page.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains('error-summary')")
    text_top = page.locator("#final-heading").bounding_box()
    assert summary.bounding_box()["y"] < text_top["y"]
    summary.get_by_role("link").first.click()
    assert page.url.endswith("#f-authorised") or page.url.endswith("#f-organisation")
