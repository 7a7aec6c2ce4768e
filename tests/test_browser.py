"""End to end in headless Chromium: what staff, journalists and intranets meet.

How the browser is found and launched: tests/chromium.py. Screenshots of the
main pages go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from waitress.server import create_server

from search_app import create_app
from search_app.labels import hits_label
from tests.chromium import PHONE, shot
from tests.conftest import http_json


def api(server: str, args: str) -> dict:
    """The JSON API's answer: the oracle for what the pages must show."""
    status, body = http_json(f"{server}/api/search?{args}")
    assert status == 200, body
    return body


def query(pg) -> dict[str, list[str]]:
    return parse_qs(urlsplit(pg.url).query)


def total(pg) -> int:
    return int(re.match(r"\d+", pg.locator("#traffar").inner_text()).group())


# --- search, facets, timeline --------------------------------------------------


def test_search_by_keyboard_from_the_home_page(page, server):
    expected = api(server, "q=motorburen+ungdom")["total"]
    page.goto("/")
    shot(page, "home-desktop")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")  # skip link to <main>, then on to the search field
    page.locator("#q").focus()
    page.keyboard.type("motorburen ungdom")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/\?q=motorburen\+ungdom$"))
    heading = f"{hits_label(expected)} för ”motorburen ungdom”"
    assert page.locator("#traffar").inner_text() == heading
    assert page.locator("ol.hits > li.hit").count() == min(expected, 10)
    assert page.locator("ol.hits mark").count() >= 3


def test_results_page_shows_everything_a_hit_needs(page, server):
    expected = api(server, "q=narkotika")["hits"]
    page.goto("/?q=narkotika")
    shot(page, "results-desktop")
    hits = page.locator("ol.hits > li.hit")
    hrefs = hits.locator("h3 a").evaluate_all("e => e.map(a => a.getAttribute('href'))")
    assert hrefs == [h["url"] for h in expected]
    for i in range(hits.count()):
        hit = hits.nth(i)
        when = hit.locator("time").get_attribute("datetime")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}|", when)
        original = hit.locator("a", has_text="Originalfilen").get_attribute("href")
        assert original.startswith("/files/")
        assert page.request.get(original.split("#")[0]).status == 200
    assert page.locator(".hit .badge.ocr").count() >= 1  # the OCR'd agreement
    assert page.locator(".hit .badge.decision").count() >= 1
    feed = page.locator('head link[rel="alternate"][type="application/atom+xml"]')
    assert feed.get_attribute("href") == "/feed?q=narkotika"


def test_apply_and_remove_a_year_facet(page):
    page.goto("/?q=narkotika")
    before = total(page)
    option = page.locator("#facet-year ~ ul a", has_text="2021")
    count = option.locator("xpath=..").inner_text()
    expected = int(re.search(r"\((\d+)\)", count).group(1))
    option.click()
    page.wait_for_url(re.compile(r"year=2021"))
    assert total(page) == expected < before
    assert {h[:4] for h in page.locator("ol.hits time").evaluate_all(
        "els => els.map(e => e.getAttribute('datetime'))")} == {"2021"}  # fmt: skip
    chip = page.get_by_role("link", name="Ta bort filtret År: 2021")
    assert chip.is_visible()
    chip.click()
    page.wait_for_url(re.compile(r"/\?q=narkotika$"))
    assert total(page) == before
    assert page.locator(".active-filters").count() == 0


def test_presenter_and_decision_facets_combine(page):
    page.goto("/?q=umeå")
    page.locator("#facet-presenter ~ ul a, #facet-presenter ~ details a").first.click()
    name = query(page)["presenter"][0]
    assert all(name in p for p in page.locator(".hit .presenters").all_inner_texts())
    assert total(page) == page.locator("ol.hits > li").count()
    page.goto("/?q=umeå&has_decision=1")
    assert total(page) >= 1
    assert page.locator(".hit").count() == page.locator(".hit .badge.decision").count()
    page.get_by_role("link", name="Ta bort filtret Endast beslut").click()
    page.wait_for_url(re.compile(r"/\?q=ume%C3%A5$"))


def test_sort_and_pagination_keep_the_filters(page):
    page.goto("/?q=umeå&per_page=3&type=minutes")
    page.get_by_role("link", name="Datum, nyast först").click()
    assert query(page)["sort"] == ["date"] and query(page)["type"] == ["minutes"]
    dates = page.locator("ol.hits time").evaluate_all("e => e.map(t => t.dateTime)")
    assert dates == sorted(dates, reverse=True)
    page.get_by_role("link", name="Nästa →").click()
    assert query(page)["page"] == ["2"] and query(page)["sort"] == ["date"]
    assert page.locator(".pages [aria-current=page]").inner_text() == "2"
    assert page.locator("ol.hits").get_attribute("start") == "4"


def test_timeline_bars_link_to_their_years(page):
    page.goto("/?q=umeå")
    bars = page.locator("svg.timeline-chart a.bar-link")
    labels = bars.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    facet = {
        m.group(1): int(m.group(2))
        for m in (re.match(r"(\d{4}): (\d+) träff", label) for label in labels)
    }
    caption = page.locator(".timeline figcaption").inner_text()
    undated = int(re.search(r"(\d+) utan datum", caption).group(1))
    assert facet and sum(facet.values()) + undated == total(page)
    assert page.locator("svg.timeline-chart g.quiet").count() >= 1  # 2020: no meeting
    first = min(facet)
    page.locator(f'svg a.bar-link[aria-label^="{first}:"]').click()
    page.wait_for_url(re.compile(f"year={first}"))
    assert total(page) == facet[first]
    chosen = page.locator(f'svg a.bar-link[aria-label^="{first}:"]')
    assert chosen.get_attribute("aria-current") == "true"
    assert page.locator("svg a.bar-link").count() == len(facet)  # the shape stays
    shot(page, "results-year-filter")
    chosen.click()  # the chosen year's bar takes the filter away again
    page.wait_for_url(re.compile(r"/\?q=ume%C3%A5$"))


def test_empty_results_explain_themselves(page, server):
    page.goto("/?q=narkotika&year=2019&type=agreement")
    assert "med de valda filtren" in page.locator(".empty").inner_text()
    page.locator(".empty a", has_text="träff").click()
    assert total(page) == api(server, "q=narkotika")["total"]
    page.goto("/?q=qwxzy")
    explained = page.locator(".empty").inner_text()
    assert "Inga dagordningspunkter matchade ”qwxzy”" in explained
    shot(page, "results-empty")


def test_a_refused_query_keeps_the_form_to_mend_it(page, console_errors):
    page.goto("/doc/000_fc1aedb1226712d1-24af0d2a?q=%3Fa")  # shown, unmarked
    assert page.locator("section.item").count() == 7
    response = page.goto("/?q=%3Fa&year=2021")
    assert response.status == 400
    assert [e for e in console_errors if "status of 400" not in e] == []
    console_errors.clear()
    assert page.locator("[role=alert]").inner_text().startswith("Sökningen kunde inte")
    assert page.locator("#q").input_value() == "?a"
    page.locator("#q").fill("narkotika")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=narkotika"))
    assert query(page)["year"] == ["2021"] and total(page) > 0


def test_did_you_mean_links_to_the_suggested_search(page, server, index_dir):
    from search_app.search import SearchService

    suggest = getattr(SearchService(index_dir), "suggest", None)
    if suggest is None:
        pytest.skip("SearchService.suggest has not landed yet")
    assert api(server, "q=polsen&exact=1")["total"] == 0  # the words as typed
    suggestion = suggest("polsen")
    assert suggestion == "polisen"
    page.goto("/?q=polsen&exact=1")
    link = page.locator(".empty a", has_text=suggestion)
    assert link.inner_text() == suggestion
    link.click()
    assert query(page)["q"] == [suggestion] and total(page) > 0


def test_works_without_javascript(browser, server):
    context = browser.new_context(base_url=server, java_script_enabled=False)
    pg = context.new_page()
    pg.goto("/?q=narkotika")
    pg.locator("#facet-type ~ ul a", has_text="Överenskommelse").click()
    assert query(pg)["type"] == ["agreement"]
    pg.locator("ol.hits h3 a").first.click()
    assert pg.locator("button.copy-link").first.is_hidden()  # nothing half-working
    assert pg.locator("a.permalink").first.is_visible()
    context.close()


# --- the document page -------------------------------------------------------------


def test_a_hit_leads_to_its_item_anchor(page, server):
    first = api(server, "q=sugardejting")["hits"][0]
    number = first["item_number"]
    page.goto("/?q=sugardejting")
    page.locator("ol.hits h3 a").first.click()
    page.wait_for_url(re.compile(rf"/doc/[^?#]+\?q=sugardejting#item-{number}$"))
    item = page.locator(f"section#item-{number}")
    assert item.evaluate("el => el.matches(':target')")
    assert item.locator("mark", has_text="sugardejting").count() >= 1
    top = item.evaluate("el => el.getBoundingClientRect().top")
    assert 0 <= top < 100  # scrolled to the item
    assert page.locator(".toc li").nth(number - 1).locator(".badge.match").count() == 1
    shot(page, "document-from-search")


def test_document_header_and_contents(page):
    page.goto("/")
    title = "UmeBrå styrgrupp – minnesanteckningar 2021-02-02"
    page.get_by_role("link", name=title).click()
    header = dict(
        zip(
            page.locator(".docmeta dt").all_inner_texts(),
            page.locator(".docmeta dd").all_inner_texts(),
            strict=True,
        )
    )
    assert header["Datum"] == "2 februari 2021" and header["Tid"] == "15.00"
    assert header["Plats"] == "Videokonferens"
    assert header["Antecknat av"] == "Elin Lindqvist"
    assert "Maria Falck" in header["Frånvarande"]
    assert "Hans Lindberg" in header["Närvarande"]
    toc = page.locator(".toc a")
    assert toc.count() == page.locator("section.item").count() == 7
    toc.nth(5).click()
    assert page.evaluate("location.hash") == "#item-6"


def test_previous_and_next_hit_within_the_document(page, server):
    _, result = http_json(f"{server}/api/search?q=narkotika&type=agreement")
    page.goto(result["hits"][0]["url"].split("#")[0])
    matched = page.locator("section.item.matched").evaluate_all("e => e.map(s => s.id)")
    assert len(matched) >= 2
    page.locator(".searching a", has_text="första träffen").click()
    for here in matched[:-1]:
        assert page.evaluate("location.hash") == f"#{here}"
        page.locator(f"#{here} .hitnav a[rel=next]").click()
    assert page.evaluate("location.hash") == f"#{matched[-1]}"
    assert page.locator(f"#{matched[-1]} .hitnav a[rel=next]").count() == 0
    page.locator(f"#{matched[-1]} .hitnav a[rel=prev]").click()
    assert page.evaluate("location.hash") == f"#{matched[-2]}"


def test_copy_link_puts_the_items_address_on_the_clipboard(page, server):
    page.goto("/doc/000_fc1aedb1226712d1-24af0d2a?q=narkotika#item-3")
    doc_id = "000_fc1aedb1226712d1-24af0d2a"
    button = page.locator("#item-3 button.copy-link")
    assert button.is_visible()
    button.focus()
    page.keyboard.press("Enter")  # keyboard, like a real user
    expected = f"{server}/doc/{doc_id}#item-3"
    page.locator(".copy-status", has_text="Länken är kopierad").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == expected
    page.goto(expected)
    assert page.locator("section#item-3").evaluate("el => el.matches(':target')")


# --- phone width -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name, path",
    [
        ("results", "/?q=narkotika"),
        ("document", "/doc/002_724673700caeea02-da07e21c?q=narkotika#item-2"),
        ("home", "/"),
    ],
)
def test_readable_on_a_phone(page, name, path):
    page.set_viewport_size(PHONE)
    page.goto(path)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of sideways scrolling"
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 16
    shot(page, f"{name}-phone")


# --- keyboard ------------------------------------------------------------------------


def test_focus_is_always_visible(page):
    page.goto("/?q=umeå&year=2021")
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => {
              const el = document.activeElement;
              if (!el || el === document.body) return null;
              const target = el.querySelector('.hitbox') || el;
              const s = getComputedStyle(target), own = getComputedStyle(el);
              const ring = own.outlineStyle !== 'none'
                && parseFloat(own.outlineWidth) > 0;
              const halo = own.boxShadow !== 'none';
              const filled = target !== el && s.fill !== 'rgba(0, 0, 0, 0)'
                && s.fill !== 'transparent';
              return {id: el.outerHTML.slice(0, 80), visible: ring || halo || filled};
            }"""
        )
        if info is None:
            break
        assert info["visible"], f"no visible focus on {info['id']}"
        seen.add(info["id"])
    assert len(seen) > 20


# --- intranet: CORS and the embedded list -------------------------------------------


class _Intranet(BaseHTTPRequestHandler):
    """A stand-in intranet page that frames /embed and fetches /api/search."""

    app_url = ""

    def do_GET(self):  # noqa: N802 (http.server's name)
        body = f"""<!doctype html><html lang="sv"><title>Intranät</title>
<h1>Intranätet</h1>
<iframe id="embed" title="UmeBrå-sök" width="600" height="400"
        src="{self.app_url}/embed?q=narkotika&amp;per_page=3"></iframe>
<p id="api">…</p>
<script>
fetch("{self.app_url}/api/search?q=narkotika")
  .then(r => r.json())
  .then(d => {{ document.getElementById("api").textContent = d.total; }})
  .catch(e => {{ document.getElementById("api").textContent = "blocked"; }});
</script></html>""".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def intranet(index_dir):
    """An intranet on 127.0.0.1 that the app allows, and the app configured so."""
    site = ThreadingHTTPServer(("127.0.0.1", 0), _Intranet)
    origin = f"http://127.0.0.1:{site.server_port}"
    app = create_app(
        {"INDEX_DIR": str(index_dir), "CORS_ORIGINS": [origin], "EMBED_ORIGINS": origin}
    )
    srv = create_server(app, host="127.0.0.1", port=0, threads=2)
    _Intranet.app_url = f"http://127.0.0.1:{srv.effective_port}"
    for run in (site.serve_forever, srv.run):
        threading.Thread(target=run, daemon=True).start()
    yield site.server_port
    site.shutdown()
    site.server_close()
    srv.close()


def test_an_allowed_intranet_page_embeds_and_fetches(browser, intranet, server):
    context = browser.new_context(viewport={"width": 700, "height": 700})
    pg = context.new_page()
    pg.goto(f"http://127.0.0.1:{intranet}/")
    frame = pg.frame_locator("#embed")
    assert frame.locator(".embed-hits li").count() == 3
    assert frame.locator(".embed-hits a").first.get_attribute("target") == "_blank"
    pg.wait_for_function("document.getElementById('api').textContent !== '…'")
    assert pg.locator("#api").inner_text() == str(api(server, "q=narkotika")["total"])
    shot(pg, "intranet-embed")
    context.close()


def test_another_origin_may_neither_embed_nor_fetch(browser, intranet):
    context = browser.new_context()
    pg = context.new_page()
    pg.goto(f"http://localhost:{intranet}/")  # same page, an origin not configured
    pg.wait_for_function("document.getElementById('api').textContent !== '…'")
    assert pg.locator("#api").inner_text() == "blocked"
    framed = pg.frame_locator("#embed").locator(".embed-hits li")
    pg.wait_for_timeout(300)
    assert framed.count() == 0  # frame-ancestors refused it
    context.close()
