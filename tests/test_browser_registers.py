"""The registers in headless Chromium, as a journalist uses them.

Find what was decided about a subject, open the item, download the list;
look up a person, see their attendance and the look-alike names, search the
meetings they were at; browse the meetings by year. The JSON API is the
oracle; any console error (a CSP violation included) fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from tests.chromium import shot
from tests.conftest import http_json


def api(server: str, path: str) -> dict:
    status, body = http_json(server + quote(path, safe="/?&=%+"))
    assert status == 200, body
    return body


def test_find_a_decision_open_it_and_download_the_list(page, server):
    expected = api(server, "/api/decisions?q=uppdrag")["decisions"]
    page.goto("/")
    page.get_by_role("link", name="Beslut", exact=True).first.click()
    page.wait_for_url(re.compile(r"/beslut$"))
    page.locator("#bq").fill("uppdrag")
    page.locator("#bq").press("Enter")
    page.wait_for_url(re.compile(r"/beslut\?q=uppdrag"))
    shot(page, "beslut-desktop")
    rows = page.locator("li.decision-row")
    assert rows.count() == len(expected) >= 3
    for i in range(rows.count()):
        text = rows.nth(i).locator(".decision-text").inner_text()
        assert text == f"Beslut: {expected[i]['decision']}"
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner som CSV (Excel)").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith("\ufeff".encode()) and download.value.suggested_filename == (
        "beslut.csv"
    )
    assert data.decode("utf-8-sig").count("\r\n") == len(expected) + 1
    rows.first.locator("h3 a").click()
    page.wait_for_url(re.compile(re.escape(expected[0]["url"]) + "$"))
    item = page.locator(":target")
    assert item.locator(".decision-para").count() == 1
    assert expected[0]["decision"] in item.locator(".decision-para").inner_text()
    assert item.locator(".decisions").count() == 0  # not repeated below the text


def test_filter_decisions_by_year_and_dates(page, server):
    page.goto("/beslut")
    page.locator("nav.years a", has_text="2019").click()
    page.wait_for_url(re.compile(r"year=2019"))
    total = api(server, "/api/decisions?year=2019")["total"]
    assert page.locator("li.decision-row").count() == total
    page.goto("/beslut")
    page.locator("#from").fill("2021-01-01")
    page.locator("#to").fill("2021-12-31")
    page.locator("#to").press("Enter")
    page.wait_for_url(re.compile(r"from=2021-01-01"))
    dates = page.locator("li.decision-row time").evaluate_all(
        "e => e.map(t => t.getAttribute('datetime'))"
    )
    assert dates and all(d.startswith("2021") for d in dates)


def test_look_up_a_person_and_search_their_meetings(page, server):
    person = api(server, "/api/people/Maria Falck")
    page.goto("/personer")
    page.locator("#pq").fill("falck")
    page.locator("#pq").press("Enter")
    page.get_by_role("link", name="Maria Falck").click()
    page.wait_for_url(re.compile(r"/person/Maria%20Falck$"))
    shot(page, "person-desktop")
    assert page.locator("h1").inner_text() == "Maria Falck"
    assert page.locator("dd.attended").inner_text() == str(person["meetings_attended"])
    assert page.locator("dd.missed").inner_text() == str(person["meetings_missed"])
    years = page.locator("table.per-year tbody th").all_inner_texts()
    assert years == list(person["per_year"])
    page.locator("form.search input[name=q]").fill("umebrå")
    page.locator("form.search input[name=q]").press("Enter")
    page.wait_for_url(re.compile(r"person=Maria"))
    expected = api(server, "/api/search?q=umebrå&person=Maria Falck")["total"]
    assert page.locator("#traffar").inner_text().startswith(f"{expected} ")
    assert "Person: Maria Falck" in page.locator(".facets").inner_text()


def test_look_alike_names_are_linked_not_merged(page):
    page.goto("/person/" + quote("Robert Axebro"))
    aside = page.locator("aside.maybe-same")
    assert "Kanske samma person" in aside.inner_text()
    aside.get_by_role("link", name="Robert Axelbro").click()
    page.wait_for_url(re.compile(r"/person/Robert%20Axelbro$"))
    assert page.locator("h1").inner_text() == "Robert Axelbro"


def test_browse_meetings_by_year(page, server):
    meetings = api(server, "/api/meetings")["meetings"]
    page.goto("/moten")
    shot(page, "moten-desktop")
    years = page.locator("section.meeting-year h2").all_inner_texts()
    assert years == ["2025", "2021", "2019", "Datum saknas"]
    page.locator("table.meetings a").first.click()
    page.wait_for_url(re.compile(re.escape(meetings[0]["url"]) + "$"))
    assert page.locator("h1").inner_text() == meetings[0]["title"]
