"""The Swedish HTML pages over real HTTP: search, results, facets, documents, errors.

Pages are parsed with html.parser; expectations come from the seed files and
from the JSON API, which the pages must agree with.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

from tests.conftest import http_get, http_json
from tests.dom import Node, parse_page


def get_page(server: str, path: str, status: int = 200) -> Node:
    got, headers, body = http_get(server + path)
    assert got == status, (path, got)
    assert headers["content-type"].startswith("text/html")
    return parse_page(body)


def api(server: str, path: str) -> dict:
    status, body = http_json(server + path)
    assert status == 200, body
    return body


def doc_id_of(server: str, prefix: str) -> str:
    docs = api(server, "/api/documents")["documents"]
    return next(d["doc_id"] for d in docs if d["source"].startswith(prefix))


def header_fields(page: Node) -> dict[str, str]:
    """The document header's <dt>label</dt><dd>value</dd> pairs."""
    dl = page.find("dl", class_="docmeta")
    assert dl is not None
    fields, label = {}, None
    for child in dl.children:
        if isinstance(child, Node) and child.tag == "dt":
            label = child.words()
        elif isinstance(child, Node) and child.tag == "dd":
            fields[label] = child.words()
    return fields


MONTHS = (
    "januari februari mars april maj juni juli augusti september oktober "
    "november december"
).split()


def date_forms(iso: str | None) -> set[str]:
    """How a page may show a date: ISO or Swedish ("2 februari 2021"), or none."""
    if not iso:
        return {"Datum saknas", "datum saknas", "odaterad"}
    day = date.fromisoformat(iso)
    return {iso, f"{day.day} {MONTHS[day.month - 1]} {day.year}"}


def shows_date(node: Node, iso: str | None) -> bool:
    if iso and any(t.attrs.get("datetime") == iso for t in node.find_all("time")):
        return True
    return any(form in node.words() for form in date_forms(iso))


def query_of(link: Node) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link.attrs["href"]).query)


def filter_panel(page: Node) -> Node:
    aside = page.find("aside")
    assert aside is not None, "no filter panel"
    return aside


def facet_options(page: Node, param: str) -> list[tuple[Node, int]]:
    """The panel's links that add a ``param`` filter, with the count beside each."""
    options = []
    for li in filter_panel(page).find_all("li"):
        link = li.find("a")
        counted = re.search(r"\((\d+)\)", li.words())
        if link is None or not counted or link.attrs.get("aria-current"):
            continue
        if param in query_of(link):
            options.append((link, int(counted.group(1))))
    return options


def removal_links(page: Node) -> list[Node]:
    """The links that take a filter away ("Ta bort filtret ...")."""
    return [
        a
        for a in filter_panel(page).find_all("a")
        if "ta bort" in (a.attrs.get("aria-label") or a.words()).lower()
    ]


def hit_count(page: Node) -> int:
    heading = page.by_id("traffar")
    assert heading is not None
    found = re.match(r"(\d+) träff", heading.words())
    assert found, heading.words()
    return int(found.group(1))


def hit_links(page: Node) -> list[str]:
    return [
        li.find("h3").find("a").attrs["href"]
        for li in page.find_all("li", class_="hit")
    ]


# --- language and the form -----------------------------------------------------------


@pytest.mark.parametrize(
    "path, status",
    [("/", 200), ("/?q=narkotika", 200), ("/finns-inte", 404), ("/?q=x&page=0", 400)],
)
def test_pages_declare_swedish(server, path, status):
    html = get_page(server, path, status).find("html")
    assert html is not None and html.attrs.get("lang") == "sv"


def test_document_page_declares_swedish(server):
    html = get_page(server, f"/doc/{doc_id_of(server, '000_')}").find("html")
    assert html.attrs.get("lang") == "sv"


def test_search_form_has_a_labelled_query_field(server):
    page = get_page(server, "/")
    form = page.find("form")
    assert form is not None
    assert form.attrs.get("method", "get").lower() == "get"
    assert urlsplit(form.attrs["action"]).path == "/"
    field = form.find("input", name="q")
    assert field is not None and field.attrs.get("id")
    label = form.find("label", for_=field.attrs["id"])
    assert label is not None and "Sök" in label.words()
    assert any("Sök" in b.words() for b in form.find_all("button"))


def test_search_form_keeps_the_query_and_the_active_filters(server):
    page = get_page(
        server,
        "/?"
        + urlencode(
            {"q": "narkotika", "year": "2021", "type": "minutes", "sort": "date"}
        ),
    )
    form = page.find("form")
    assert form.find("input", name="q").attrs["value"] == "narkotika"
    hidden = {
        i.attrs["name"]: i.attrs["value"] for i in form.find_all("input", type="hidden")
    }
    assert hidden == {"year": "2021", "type": "minutes", "sort": "date"}


def test_front_page_without_query_shows_no_results(server):
    for path in ("/", "/?q=", "/?q=%20%20"):
        page = get_page(server, path)
        assert page.find("form") is not None
        assert page.find_all("li", class_="hit") == []
        assert page.by_id("traffar") is None


# --- results -------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["motorburen ungdom", "narkotika", "polisen"])
def test_results_show_title_date_item_heading_presenters_fragments_and_link(server, q):
    hits = api(server, "/api/search?" + urlencode({"q": q}))["hits"]
    page = get_page(server, "/?" + urlencode({"q": q}))
    items = page.find_all("li", class_="hit")
    assert len(items) == len(hits) > 0
    for li, hit in zip(items, hits, strict=True):
        assert hit["title"] in li.words()
        assert shows_date(li, hit["date"]), (hit["date"], li.words())
        link = li.find("h3").find("a")
        assert link.attrs["href"] == hit["url"]
        # A scan's heading reads corrected in the list (item_title_read).
        assert hit["item_title_read"] in link.words()
        if hit["presenters"]:
            presenters = li.find("p", class_="presenters").words()
            assert all(name in presenters for name in hit["presenters"])
        fragments = li.find_all("p", class_="fragment")
        assert len(fragments) == len(hit["highlights"]) > 0
        marked = [f.find("mark") is not None for f in fragments]
        assert marked == ["<mark>" in h for h in hit["highlights"]]


def test_the_2021_02_02_hit_for_motorburen_ungdom(server):
    page = get_page(server, "/?q=motorburen+ungdom")
    li = next(
        li for li in page.find_all("li", class_="hit") if shows_date(li, "2021-02-02")
    )
    assert "Aktuellt Umebrå" in li.find("h3").words()
    assert "Kerstin Rörsch" in li.find("p", class_="presenters").words()
    marks = [m.words().lower() for m in li.find_all("mark")]
    assert "motorburen" in marks and "ungdom" in marks


def test_result_heading_counts_the_hits(server):
    total = api(server, "/api/search?q=polisen")["total"]
    page = get_page(server, "/?q=polisen")
    assert hit_count(page) == total
    assert "”polisen”" in page.by_id("traffar").words()


def test_no_match_says_so_in_swedish(server):
    page = get_page(server, "/?q=xyzzyqwertz")
    assert hit_count(page) == 0
    assert page.find_all("li", class_="hit") == []
    empty = [n for n in page.iter() if "empty" in (n.attrs.get("class") or "").split()]
    assert empty and "Inga" in empty[0].words()


def test_ocr_hits_carry_a_warning_badge(server):
    page = get_page(server, "/?q=samverkan&type=agreement")
    items = page.find_all("li", class_="hit")
    assert items
    assert all("OCR" in li.find("p", class_="meta").words() for li in items)


# --- facets, filters, sorting and pages ----------------------------------------------


@pytest.mark.parametrize("param, api_facet", [("year", "year"), ("type", "doc_type")])
def test_facet_links_filter_to_their_count(server, param, api_facet):
    facets = api(server, "/api/search?q=polisen")["facets"][api_facet]
    page = get_page(server, "/?q=polisen")
    options = facet_options(page, param)
    assert len(options) == len(facets) >= 2
    chosen = set()
    for link, count in options:
        query = query_of(link)
        assert query["q"] == ["polisen"] and len(query[param]) == 1
        value = query[param][0]
        assert facets[value] == count
        chosen.add(value)
        filtered = get_page(server, link.attrs["href"])
        assert hit_count(filtered) == count
        # The chosen value is now marked as current in the panel.
        current = [
            n for n in filter_panel(filtered).iter() if n.attrs.get("aria-current")
        ]
        assert any(link.words() in n.words() for n in current)
    assert chosen == set(facets)


def test_active_filter_can_be_removed(server):
    unfiltered = hit_count(get_page(server, "/?q=polisen"))
    page = get_page(server, "/?q=polisen&year=2021")
    links = removal_links(page)
    assert links
    for link in links:
        assert query_of(link) == {"q": ["polisen"]}
    after = get_page(server, links[0].attrs["href"])
    assert hit_count(after) == unfiltered
    assert removal_links(after) == []


def test_removing_one_filter_keeps_the_other(server):
    page = get_page(server, "/?q=polisen&year=2021&type=minutes")
    targets = [query_of(a) for a in removal_links(page)]
    assert {"q": ["polisen"], "type": ["minutes"]} in targets  # the year removed
    assert {"q": ["polisen"], "year": ["2021"]} in targets  # the type removed
    without_year = next(
        a
        for a in removal_links(page)
        if query_of(a) == {"q": ["polisen"], "type": ["minutes"]}
    )
    total = api(server, "/api/search?q=polisen&type=minutes")["total"]
    assert hit_count(get_page(server, without_year.attrs["href"])) == total


def test_sort_by_date_link_orders_results_by_date(server):
    page = get_page(server, "/?q=polisen&per_page=100")
    link = next(
        a
        for a in filter_panel(page).find_all("a")
        if query_of(a).get("sort") == ["date"]
    )
    assert query_of(link)["q"] == ["polisen"]
    by_date = get_page(server, link.attrs["href"])
    expected = api(server, "/api/search?q=polisen&sort=date&per_page=100")["hits"]
    assert hit_links(by_date) == [h["url"] for h in expected][: len(hit_links(by_date))]
    assert hit_links(by_date)
    shown = [h["date"] for h in expected if h["url"] in hit_links(by_date)]
    dated = [d for d in shown if d]
    assert dated == sorted(dated, reverse=True)


def test_pagination_links_move_between_pages(server):
    first = get_page(server, "/?q=polisen")
    assert first.find("a", rel="prev") is None
    next_link = first.find("a", rel="next")
    assert next_link is not None
    assert query_of(next_link)["page"] == ["2"]
    second = get_page(server, next_link.attrs["href"])
    assert not set(hit_links(first)) & set(hit_links(second))
    assert hit_count(second) == hit_count(first)
    assert second.find("a", rel="next") is None
    back = get_page(server, second.find("a", rel="prev").attrs["href"])
    assert hit_links(back) == hit_links(first)


def test_no_pagination_when_one_page_holds_all(server):
    page = get_page(server, "/?q=motorburen+ungdom")
    assert page.find("a", rel="next") is None and page.find("a", rel="prev") is None


# --- the document page ---------------------------------------------------------------


def test_document_header_of_the_2021_02_02_minutes(server):
    page = get_page(server, f"/doc/{doc_id_of(server, '000_')}")
    fields = header_fields(page)
    assert fields["Datum"] in date_forms("2021-02-02")
    assert fields["Tid"] == "15.00"
    assert fields["Plats"] == "Videokonferens"
    assert fields["Frånvarande"] == "Lennart Johansson, Maria Falck"
    present = fields["Närvarande"].split(", ")
    assert "Lennart Johansson" not in present and "Maria Falck" not in present
    assert {"Michael Rystedt", "Anna-Karin Sjölander", "Anders Hanberger"} <= set(
        present
    )
    assert fields["Antecknat av"] == "Elin Lindqvist"
    assert page.find("h1").words() == "UmeBrå styrgrupp – minnesanteckningar 2021-02-02"


def test_document_header_of_the_2025_02_18_minutes(server):
    fields = header_fields(get_page(server, f"/doc/{doc_id_of(server, '002_')}"))
    assert fields["Datum"] in date_forms("2025-02-18")
    assert fields["Tid"] == "15.00–16.30"
    assert fields["Plats"] == "Fysiskt möte, KS sammanträdesrum"
    absent = fields["Frånvarande"].split(", ")
    assert {"Moa Brydsten", "Maria Falck", "Karin Isaksson"} <= set(absent)
    # The substitute in "~~Karin Isaksson~~ (ersättare Annika Kjellson Lind)" attended.
    assert "Annika Kjellson Lind" in fields["Närvarande"].split(", ")
    assert fields["Antecknat av"] == "Frida Puntonet Davidila"


def test_document_header_of_the_2019_12_10_minutes(server):
    fields = header_fields(get_page(server, f"/doc/{doc_id_of(server, '001_')}"))
    assert fields["Datum"] in date_forms("2019-12-10")
    assert fields["Plats"] == "Kommunstyrelsens sammanträdesrum"
    assert {"Lena Karlsson Engman", "Monica Wahlström"} <= set(
        fields["Frånvarande"].split(", ")
    )
    assert fields["Kallat av"] == "Hans Lindberg"  # convened; no one is named as noting
    assert "Antecknat av" not in fields


def test_undated_document_says_the_date_is_missing(server):
    fields = header_fields(get_page(server, f"/doc/{doc_id_of(server, '004_')}"))
    assert fields["Datum"] in date_forms(None)
    assert fields["Antecknat av"] == "Elin Lindqvist"


def test_every_item_has_an_anchor_a_toc_entry_and_a_permalink(server):
    for summary in api(server, "/api/documents")["documents"]:
        doc = api(server, f"/api/documents/{quote(summary['doc_id'])}")
        page = get_page(server, f"/doc/{quote(doc['doc_id'])}")
        toc = page.find("nav", class_="toc")
        assert toc is not None
        toc_targets = [a.attrs["href"] for a in toc.find_all("a")]
        assert toc_targets == [f"#item-{i['item_number']}" for i in doc["items"]]
        for item in doc["items"]:
            element = page.by_id(f"item-{item['item_number']}")
            assert element is not None, (doc["doc_id"], item["item_number"])
            assert item["item_title"] in element.words()
            permalink = element.find("a", class_="permalink")
            assert (
                permalink.attrs["href"]
                == f"/doc/{doc['doc_id']}#item-{item['item_number']}"
            )
            for name in item["presenters"]:
                assert name in element.words()


def test_arriving_from_a_result_marks_the_query_in_the_item(server):
    for hit in api(server, "/api/search?q=motorburen+ungdom")["hits"]:
        url = urlsplit(hit["url"])
        page = get_page(server, f"{url.path}?{url.query}")
        element = page.by_id(url.fragment)
        marks = {m.words().lower() for m in element.find_all("mark")}
        assert {"motorburen", "ungdom"} <= marks
        searching = page.find("p", class_="searching")
        assert searching is not None and "motorburen ungdom" in searching.words()
        back = next(
            a.attrs["href"]
            for a in searching.find_all("a")
            if urlsplit(a.attrs["href"]).path == "/"
        )
        assert parse_qs(urlsplit(back).query) == {"q": ["motorburen ungdom"]}
        assert hit["url"] in hit_links(get_page(server, back))


def test_document_page_without_query_marks_nothing(server):
    page = get_page(server, f"/doc/{doc_id_of(server, '000_')}")
    assert page.find_all("mark") == []
    assert page.find("p", class_="searching") is None


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/finns-inte", "/doc/finns-inte", "/doc/", "/sok/ingenting"]
)
def test_missing_page_is_a_swedish_404(server, path):
    page = get_page(server, path, status=404)
    assert page.find("html").attrs["lang"] == "sv"
    assert "Sidan finns inte" in page.find("h1").words()
    assert page.find("a", href="/") is not None


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "abc"},
        {"per_page": "101"},
        {"year": "20x1"},
        {"type": "foo"},
        {"sort": "foo"},
        {"q": "x" * 2000},
    ],
    ids=lambda p: "-".join(f"{k}={v[:8]}" for k, v in p.items()),
)
def test_bad_parameter_renders_a_400_page(server, params):
    page = get_page(server, "/?" + urlencode({"q": "narkotika", **params}), status=400)
    assert page.find("html").attrs["lang"] == "sv"
    alert = page.find("p", role="alert")
    assert alert is not None and "Sökningen kunde inte göras" in alert.words()
    assert page.find("form") is not None
    assert page.find_all("li", class_="hit") == []
