"""In the browser: the search says how it read the query, time ranges, browsing.

Uses the Chromium fixtures of ``tests/chromium.py`` (skipped locally without it).
"""

from __future__ import annotations

import re

from tests.test_browser import query, total


def test_help_is_linked_from_the_search_box(page):
    page.goto("/")
    page.locator("#q-hint").get_by_role("link", name="Så söker du").click()
    page.wait_for_url(re.compile(r"/hjalp$"))
    assert page.get_by_role("heading", name="Så söker du").is_visible()
    assert "ELLER" in page.locator("table.help").inner_text()


def test_dangling_operator_is_read_leniently_and_said(page):
    page.goto("/")
    page.locator("#q").fill("(narkotika OR")
    page.locator("#q").press("Enter")
    page.wait_for_url(re.compile(r"q="))
    reading = page.locator(".reading")
    assert reading.is_visible()
    assert "Tolkad som narkotika" in reading.inner_text()
    assert total(page) > 0
    assert page.locator(".empty").count() == 0


def test_a_spelling_correction_is_shown_with_a_way_back(page):
    page.goto("/?q=narkotka")
    note = page.locator("p.correction")
    assert "Visar träffar för narkotika" in note.inner_text()
    shown = total(page)
    note.get_by_role("link", name="narkotka").click()
    page.wait_for_url(re.compile(r"exact=1"))
    assert total(page) == 0 < shown
    page.locator(".empty").get_by_role("link", name="narkotika").click()
    assert query(page)["q"] == ["narkotika"] and total(page) == shown


def test_the_timeline_selects_a_range_of_years(page):
    page.goto("/?q=umeå")
    bars = page.locator("svg.timeline-chart a.bar-link")
    labels = bars.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    counts = {int(m[1]): int(m[2]) for m in (re.match(r"(\d{4}): (\d+)", x)
                                             for x in labels)}  # fmt: skip
    assert len(counts) >= 2
    first, last = min(counts), max(counts)
    page.locator(f'svg a.bar-link[aria-label^="{first}:"]').click()
    page.wait_for_url(re.compile(f"year={first}"))
    page.locator(f'svg a.bar-link[aria-label^="{last}:"]').click()
    page.wait_for_url(re.compile(f"from={first}&to={last}|from={first}.*to={last}"))
    assert total(page) == sum(counts.values())
    chosen = page.locator('svg a.bar-link[aria-current="true"]')
    assert chosen.count() == len(counts)
    chip = page.get_by_role("link", name=re.compile(r"Ta bort filtret Tid"))
    assert chip.is_visible()


def test_filters_alone_browse_newest_or_oldest_first(page):
    page.goto("/?has_decision=1")
    assert total(page) > 0
    assert "nyast först" in page.locator("#traffar").inner_text()
    dates = page.locator("ol.hits time").evaluate_all("e => e.map(t => t.dateTime)")
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    page.get_by_role("link", name="Datum, äldst först").click()
    assert query(page)["sort"] == ["date_asc"]
    dates = page.locator("ol.hits time").evaluate_all("e => e.map(t => t.dateTime)")
    dated = [d for d in dates if d]
    assert dated == sorted(dated)
