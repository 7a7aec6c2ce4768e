"""The pages as different readers meet them: on a phone, by keyboard only, in a
dark colour scheme, and on paper. Headless Chromium (tests/chromium.py) over
real HTTP; the JSON API is the oracle for what the pages must show.
"""

from __future__ import annotations

import re

import pdfplumber

from tests.chromium import ARTIFACTS, PHONE, open_page, shot
from tests.conftest import http_json


def api(server: str, path: str) -> dict:
    status, body = http_json(f"{server}{path}")
    assert status == 200, body
    return body


def minutes_with_most_attendees(server: str) -> dict:
    """The minutes (all of /api/documents/<id>) with the longest attendance list."""
    listed = api(server, "/api/documents")["documents"]
    minutes = [d for d in listed if d["doc_type"] == "minutes"]
    best = max(minutes, key=lambda d: len(d.get("present") or []))
    return api(server, f"/api/documents/{best['doc_id']}")


def luminance(css_colour: str) -> float:
    """Relative luminance (WCAG) of an rgb()/rgba() computed colour."""
    r, g, b = (int(v) for v in re.findall(r"\d+", css_colour)[:3])

    def channel(v: int) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


# --- phone -------------------------------------------------------------------------


def test_on_a_phone_the_first_hit_comes_before_the_filters(browser, server):
    errors: list[str] = []
    pg = open_page(browser, server, errors, viewport=PHONE)
    pg.goto("/?q=narkotika")
    shot(pg, "phone-results-first-screen", full_page=False)
    first_hit = pg.locator("ol.hits > li.hit h3 a").first
    assert first_hit.bounding_box()["y"] + 30 < PHONE["height"]  # on the first screen
    panel = pg.locator("details.panel")
    assert panel.get_attribute("open") is None
    year = pg.locator("#facet-year ~ ul a", has_text="2021")
    assert not year.is_visible()
    pg.locator("details.panel > summary").click()
    assert year.is_visible()
    year.click()
    pg.wait_for_url(re.compile(r"year=2021"))
    chip = pg.get_by_role("link", name="Ta bort filtret År: 2021")
    assert chip.is_visible()  # the chosen filter shows with the panel folded
    pg.context.close()
    assert errors == []


def test_long_attendance_folds_on_a_phone_and_not_on_a_desktop(browser, server):
    doc = minutes_with_most_attendees(server)
    present = doc["present"]
    assert len(present) > 6
    errors: list[str] = []
    pg = open_page(browser, server, errors, viewport=PHONE)
    pg.goto(f"/doc/{doc['doc_id']}")
    folded = pg.locator(".docmeta dd details").first
    summary, names = folded.locator("summary"), folded.locator(".names")
    more = len(present) - 2
    assert summary.inner_text() == f"{present[0]}, {present[1]} och {more} till"
    assert not names.is_visible()
    shot(pg, "phone-document-first-screen", full_page=False)
    summary.click()
    assert names.is_visible() and present[-1] in names.inner_text()
    pg.set_viewport_size({"width": 1280, "height": 900})
    pg.reload()
    assert not summary.is_visible()
    assert names.is_visible() and present[-1] in names.inner_text()
    pg.context.close()
    assert errors == []


# --- keyboard ------------------------------------------------------------------------


def test_the_skip_link_leads_straight_to_the_first_hit(page, server):
    first = api(server, "/api/search?q=narkotika")["hits"][0]
    page.goto("/?q=narkotika")
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent")
    assert skip == "Hoppa till träffarna"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # three presses in all, not 23
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused == first["url"]


def test_slash_moves_to_the_search_box_and_types_in_it(page):
    page.goto("/doc/000_fc1aedb1226712d1-24af0d2a?q=narkotika")
    page.locator("section#item-3 h2").click()  # somewhere in the page
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    selected = page.evaluate("document.getSelection().toString() || "
                             "document.activeElement.value.substring("
                             "document.activeElement.selectionStart,"
                             "document.activeElement.selectionEnd)")  # fmt: skip
    assert selected == "narkotika"  # typing replaces the old query
    page.keyboard.type("polis/ungdom")  # inside the box "/" is just a character
    assert page.locator("#q").input_value() == "polis/ungdom"
    page.goto("/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_the_document_search_box_searches_within_it_and_across(page, server):
    doc_id = "000_fc1aedb1226712d1-24af0d2a"
    page.goto(f"/doc/{doc_id}")
    page.locator("#q").fill("narkotika")
    page.get_by_role("button", name="Sök i dokumentet").click()
    page.wait_for_url(re.compile(rf"/doc/{doc_id}\?q=narkotika$"))
    marked = page.locator("section.item.matched").count()
    in_doc = [
        h for h in api(server, "/api/search?q=narkotika&per_page=100")["hits"]
        if h["url"].startswith(f"/doc/{doc_id}")
    ]  # fmt: skip
    assert marked == len(in_doc) >= 1
    assert page.locator("section.item mark").count() >= marked
    page.locator("#q").fill("trygghet")
    page.get_by_role("button", name="Sök i hela arkivet").click()
    page.wait_for_url(re.compile(r"/\?q=trygghet$"))
    expected = api(server, "/api/search?q=trygghet")["total"]
    assert page.locator("#traffar").inner_text().startswith(str(expected))


# --- colour scheme -----------------------------------------------------------------


def test_the_pages_follow_the_readers_colour_scheme(browser, server):
    errors: list[str] = []
    pg = open_page(browser, server, errors)
    for scheme in ("light", "dark"):
        pg.emulate_media(color_scheme=scheme)
        for path in ("/?q=narkotika", "/doc/000_fc1aedb1226712d1-24af0d2a"):
            pg.goto(path)
            style = pg.evaluate(
                "(() => { const s = getComputedStyle(document.body);"
                " return [s.backgroundColor, s.color]; })()"
            )
            background, text = (luminance(c) for c in style)
            if scheme == "dark":
                assert background < 0.05 and text > 0.6, style
            else:
                assert background > 0.9 and text < 0.05, style
        shot(pg, f"document-desktop-{scheme}", full_page=False)
    pg.context.close()
    assert errors == []  # contrast in both schemes: tests/test_accessibility.py


# --- paper -------------------------------------------------------------------------


def test_a_meeting_prints_as_minutes(browser, server):
    doc = minutes_with_most_attendees(server)
    errors: list[str] = []
    pg = open_page(browser, server, errors)
    pg.goto(f"/doc/{doc['doc_id']}?q=narkotika")
    pg.emulate_media(media="print")
    shot(pg, "document-print")
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / "document-print.pdf"
    pg.pdf(path=str(pdf_path), format="A4")
    pg.context.close()
    assert errors == []
    with pdfplumber.open(pdf_path) as pdf:
        pages = len(pdf.pages)
        text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    words = re.sub(r"-\s*\n", "-", text)  # names broken at a hyphen
    words = " ".join(words.split())
    assert doc["title"] in words
    for label in ("Datum", "Närvarande", "Frånvarande", "Antecknat av"):
        assert label in words
    for name in doc["present"] + (doc.get("absent") or []):
        assert name in words, name
    for item in doc["items"]:
        assert f"{item['item_number']}. {item['item_title']}" in words
        assert f"{server}{item['url']}" in words  # each item's address
        for decision in item["decisions"]:
            assert " ".join(decision.split())[:40] in words
    assert f"{server}/files/" in words  # the original file's address
    for screen_only in (
        "Permanent länk",
        "Kopiera länk",
        "Originalfilen ·",
        "Innehåll",
        "Sök i dokumentet",
        "Nästa träff",
    ):
        assert screen_only not in words, screen_only
    assert pages <= len(text) // 2000 + 1, f"{pages} pages for {len(text)} characters"
