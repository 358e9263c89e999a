"""The interface in its languages, in a real browser, on a phone: Arabic pages mirror
(dir="rtl", the line-number gutter and list markers on the right), hashes stay left to
right, nothing sticks out sideways; Chinese pages fit too; the language menu keeps the page.

No translated word is asserted (the catalogues are being written), only the menu's own
language names, which are fixed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import sign_in
from tests.factories import SAMPLE_TEXT, make_endorsement, make_statement, make_user

PHONE = {"width": 390, "height": 844}
TEXT = SAMPLE_TEXT + "\nنلتزم بحماية الطبيعة في مدننا، وبتقديم تقرير كل سنتين.\n"
SIGNATORIES = [("محمد العلي", "الدار البيضاء", "Morocco"), ("李明", "昆明", "China"),
               ("José Álvarez", "São Paulo", "Brazil")]

# Every rendered box that sticks out of the viewport, left or right. Inside the boxes
# that scroll sideways by design (the numbered source, a wide table) content may be wider.
OUTSIDE = """() => {
  const width = window.innerWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.parentElement.closest('ol.numbered, .table-scroll') || el.closest('.visually-hidden'))
      continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.left < -0.5 || box.right > width + 0.5)
      out.push(`${el.tagName}.${el.className} ${Math.round(box.left)}..${Math.round(box.right)}`);
  }
  return out.slice(0, 8);
}"""

# The horizontal extent of an element's text.
TEXT_BOX = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  const box = range.getBoundingClientRect();
  return {left: box.left, right: box.right};
}"""
# Where the last two characters of an element's text are drawn.
LAST_TWO_CHARACTERS = """el => {
  const text = el.lastChild, range = document.createRange(), at = i => {
    range.setStart(text, i); range.setEnd(text, i + 1);
    return range.getBoundingClientRect().left;
  };
  return {before: at(text.length - 2), last: at(text.length - 1)};
}"""
MAIN_PARTS = ("header.site-header", "nav.languages", "main", "footer.site-footer", "h1",
              "code.hash")


@pytest.fixture
def published(live_app) -> str:
    moderator = make_user(live_app, "moderator")
    slug = make_statement(live_app, moderator, status="endorsing", text=TEXT,
                          title="Urban nature")
    for name, city, country in SIGNATORIES:
        make_endorsement(live_app, slug, make_user(live_app, name=name), city=city,
                         country=country, capacity="Mayor")
    return slug


@pytest.fixture
def phone(browser, live_server) -> Iterator[object]:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def html_attributes(page) -> tuple[str | None, str | None]:
    html = page.locator("html")
    return html.get_attribute("lang"), html.get_attribute("dir")


def assert_fits_the_phone(page) -> None:
    for part in MAIN_PARTS:
        assert page.locator(part).first.is_visible(), part
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate(
        "window.innerWidth")
    assert page.evaluate(OUTSIDE) == []


def assert_hashes_left_to_right(page) -> None:
    hashes = page.locator("code.hash")
    assert hashes.count() >= 1
    for i in range(hashes.count()):
        style = hashes.nth(i).evaluate(
            "el => [getComputedStyle(el).direction, getComputedStyle(el).unicodeBidi]")
        assert style == ["ltr", "isolate"]


def test_public_page_in_arabic_mirrors_and_fits_a_phone(phone, published) -> None:
    page = phone
    page.goto(f"/s/{published}?lang=ar")
    assert html_attributes(page) == ("ar", "rtl")
    assert_fits_the_phone(page)
    assert_hashes_left_to_right(page)

    # The download list's markers hang on the right: its indent is on the right.
    downloads = page.locator(".downloads ul")
    padding = downloads.evaluate(
        "el => [getComputedStyle(el).paddingLeft, getComputedStyle(el).paddingRight]")
    assert padding[0] == "0px" and padding[1] != "0px"
    item = downloads.locator("li").first
    ul_box, li_box = downloads.bounding_box(), item.bounding_box()
    assert li_box["x"] + li_box["width"] < ul_box["x"] + ul_box["width"] - 10

    # Every signatory's name, in whatever script, lines up on the right of its entry.
    names = page.locator(".signatory-list .who")
    assert sorted(names.all_inner_texts()) == sorted(name for name, _, _ in SIGNATORIES)
    for i in range(names.count()):
        name = names.nth(i)
        entry = name.locator("xpath=..").bounding_box()
        text = name.evaluate(TEXT_BOX)
        assert abs(text["right"] - (entry["x"] + entry["width"])) <= 1, name.inner_text()

    # The English statement reads left to right inside the Arabic page: the sentence's
    # full stop follows its last word ("years."), it is not moved to the left of it.
    sentence = page.locator(".public-text p", has_text="urban ecosystems")
    assert sentence.inner_text().endswith("years.")
    ends = sentence.evaluate(LAST_TWO_CHARACTERS)
    assert ends["last"] > ends["before"]


def test_endorse_form_in_arabic_mirrors_and_fits_a_phone(phone, published) -> None:
    page = phone
    page.goto(f"/s/{published}/endorse?lang=ar")
    assert html_attributes(page) == ("ar", "rtl")
    assert_fits_the_phone(page)
    assert_hashes_left_to_right(page)
    assert page.locator("form.stack").is_visible()

    # Each choice's radio button is on the right of its label, the label against it.
    for value in ("individual", "organisation", "government"):
        radio = page.locator(f"#kind-{value}").bounding_box()
        label = page.locator(f"label[for='kind-{value}']").bounding_box()
        assert radio["x"] >= label["x"] + label["width"], value
    field = page.locator("#f-name").bounding_box()
    label = page.locator("label[for='f-name']").evaluate(TEXT_BOX)
    assert abs(label["right"] - (field["x"] + field["width"])) <= 1  # aligned on the right
    assert label["left"] > field["x"] + 1


def test_numbered_source_gutter_is_on_the_right_in_arabic(phone, live_app, published) -> None:
    page = phone
    sign_in(page, make_user(live_app).email)

    def gutter(lang: str) -> tuple[Any, Any, Any, list[str]]:
        page.goto(f"/statements/{published}?lang={lang}")
        line = page.locator("ol.numbered li").first
        number, text = line.locator(".ln"), line.locator(".lt")
        borders = number.evaluate(
            "el => [getComputedStyle(el).borderLeftWidth, getComputedStyle(el).borderRightWidth]")
        return (page.locator("ol.numbered").bounding_box(), number.bounding_box(),
                text.bounding_box(), borders)

    source, number, text, borders = gutter("ar")
    assert html_attributes(page) == ("ar", "rtl")
    assert number["x"] >= text["x"] + text["width"] - 0.5  # the number right of its text
    assert abs((number["x"] + number["width"]) - (source["x"] + source["width"])) <= 1.5
    assert borders == ["1px", "0px"]  # the gutter's rule faces the text
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # An English line keeps its own direction: its full stop stays after its last word.
    line = page.locator("ol.numbered .lt", has_text="nature every day.")
    ends = line.evaluate(LAST_TWO_CHARACTERS)
    assert ends["last"] > ends["before"]

    source, number, text, borders = gutter("en")
    assert html_attributes(page) == ("en", "ltr")
    assert number["x"] + number["width"] <= text["x"] + 0.5
    assert abs(number["x"] - source["x"]) <= 1.5
    assert borders == ["0px", "1px"]


@pytest.mark.parametrize("path", ["/s/{slug}", "/s/{slug}/endorse"])
def test_pages_in_chinese_fit_a_phone(phone, published, path) -> None:
    page = phone
    page.goto(path.format(slug=published) + "?lang=zh")
    assert html_attributes(page) == ("zh", "ltr")
    assert_fits_the_phone(page)
    assert_hashes_left_to_right(page)


def test_the_language_menu_keeps_the_page_and_its_query(phone, published) -> None:
    page = phone
    page.goto(f"/s/{published}?kind=individual&lang=ar")
    assert html_attributes(page) == ("ar", "rtl")
    menu = page.locator("nav.languages")
    assert menu.get_by_role("link", name="العربية").get_attribute("aria-current") == "true"

    menu.get_by_role("link", name="中文", exact=True).click()
    page.wait_for_load_state()
    url = urlsplit(page.url)
    assert url.path == f"/s/{published}"
    assert parse_qs(url.query) == {"kind": ["individual"], "lang": ["zh"]}
    assert html_attributes(page) == ("zh", "ltr")
    assert page.locator("#filter-kind").input_value() == "individual"
    assert menu.get_by_role("link", name="中文", exact=True).get_attribute("aria-current") \
        == "true"

    page.goto(f"/s/{published}")  # the choice stays
    assert html_attributes(page) == ("zh", "ltr")

    menu.get_by_role("link", name="العربية").click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == f"/s/{published}"
    assert html_attributes(page) == ("ar", "rtl")
