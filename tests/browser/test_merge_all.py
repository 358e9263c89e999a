"""Merging every clean amendment from the queue, in a real browser: the preview names what
will merge and what will be skipped and why, the button's count is what merges, and the
summary after it says the same."""

from __future__ import annotations

import re

from tests.browser.conftest import sign_in
from tests.factories import SAMPLE_TEXT, api_as, make_statement, make_user


def test_the_merge_all_preview_is_what_it_does(page, live_app) -> None:
    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator, status="amending")
    dee, ola = (api_as(live_app, make_user(live_app, name=n)) for n in ("Dee", "Ola"))
    for api, old, new in ((dee, "every two years", "every year"),
                          (ola, "every two years", "each year"),  # overlaps A1
                          (dee, "urban", "city")):
        assert api.post(f"/statements/{slug}/amendments", {
            "base": 1, "text": SAMPLE_TEXT.replace(old, new), "rationale": "Why"}
        ).status_code == 201
    sign_in(page, moderator.email)
    page.goto(f"/statements/{slug}/amendments")
    plan = page.locator(".merge-plan")
    will_merge = sorted(re.findall(r"(A\d) will merge", plan.inner_text()))
    skipped = re.findall(r"(A\d) will be skipped: ([^\n]+)", plan.inner_text())
    assert will_merge == ["A1", "A3"]
    assert skipped == [("A2", "it overlaps a change merged just before it (A1)")]
    plan.get_by_role("button", name="Merge 2 amendments").click()
    assert page.get_by_text("Merged A3, A1 as version(s) 2–3.").is_visible()
    assert page.get_by_text(re.compile("Not merged: A2")).is_visible()
    for number, status in ((1, "merged"), (2, "proposed"), (3, "merged")):
        answer = api_as(live_app, moderator).get(f"/statements/{slug}/amendments/{number}")
        assert answer.get_json()["status"] == status
