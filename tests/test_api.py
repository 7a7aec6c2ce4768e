"""The JSON API contract, field by field, over real HTTP on the seed corpus.

Every request goes through the ``server`` fixture (waitress on a loopback
port); the expected values come from the seed files themselves or from
consistency between requests, never from the implementation.
"""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest

from indexer import build_index
from search_app import create_app
from tests.conftest import http_get, http_json
from tests.dom import Node, parse_page

HIT_FIELDS = {
    "doc_id": str,
    "source": str,
    "doc_type": str,
    "title": str,
    "item_id": str,
    "item_number": int,
    "item_title": str,
    "presenters": list,
    "highlights": list,
    "url": str,
    "decisions": list,
    "ocr": bool,
    "pages": list,
}
SEED_SOURCES = {
    "000_fc1aedb1226712d1.txt",
    "001_16d2cf0df2da2920.txt",
    "002_724673700caeea02.txt",
    "003_9269a0f94d92dece.txt",
    "004_0c2c73417de47a69.txt",
}
# Queries with several hits, spread over documents, years and both types.
QUERIES = ["narkotika", "polisen", "motorburen ungdom", "trygg*", "samverkan"]


# --- helpers -------------------------------------------------------------------------


def search(server: str, q: str, **params) -> dict:
    """GET /api/search and insist on 200."""
    status, body = http_json(f"{server}/api/search?{urlencode({'q': q, **params})}")
    assert status == 200, body
    return body


def all_hits(server: str, q: str, **params) -> list[dict]:
    """Every hit of a query on one page (the seed corpus has < 100 items)."""
    body = search(server, q, per_page=100, **params)
    assert len(body["hits"]) == body["total"]
    return body["hits"]


def document(server: str, doc_id: str) -> dict:
    status, body = http_json(f"{server}/api/documents/{quote(doc_id)}")
    assert status == 200, body
    return body


def synonyms(corpus: Path) -> list[set[str]]:
    """The synonym groups staff configured (corpus/synonyms.txt), as folded words."""
    path = corpus / "synonyms.txt"
    if not path.is_file():
        return []
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            groups.append(
                {fold(w) for member in line.split(",") for w in member.split()}
            )
    return groups


def related(marked: str, words: list[str], corpus: Path) -> bool:
    """Whether a marked word is a form, compound or configured synonym of a query word.

    A form or compound holds the query word's first four letters ("polis" in
    "områdespolisen", "trygg" in "tryggheten"); OCR'd text is compared folded.
    """
    wanted = {fold(w.strip('"*')) for w in words}
    for group in synonyms(corpus):
        if wanted & group:
            wanted |= group
    word = fold(unescape(marked))
    return any(w[:4] in word for w in wanted if w)


def fold(word: str) -> str:
    """Lowercase without diacritics: "Umeå" and an OCR'd "Umea" compare equal."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


class _Tags(HTMLParser):
    """Every tag (with attributes) and the plain text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(("start", tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append(("startend", tag, attrs))

    def handle_endtag(self, tag):
        self.tags.append(("end", tag, []))

    def handle_data(self, data):
        self.text.append(data)


def parse_fragment(fragment: str) -> _Tags:
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    return parser


def squash(text: str) -> str:
    return " ".join(text.split())


# --- the response, field by field ----------------------------------------------------


def test_search_response_has_every_contract_field_with_its_type(server):
    body = search(server, "narkotika")
    assert list(body)[:6] == ["query", "total", "page", "per_page", "hits", "facets"]
    assert body["query"] == "narkotika"
    assert type(body["total"]) is int and body["total"] > 0
    assert body["page"] == 1 and body["per_page"] == 10
    assert isinstance(body["hits"], list) and 0 < len(body["hits"]) <= 10
    assert {"year", "doc_type"} <= set(body["facets"])
    for name in ("year", "doc_type"):
        facet = body["facets"][name]
        assert all(
            isinstance(k, str) and type(v) is int and v > 0 for k, v in facet.items()
        )
    for hit in body["hits"]:
        for name, kind in HIT_FIELDS.items():
            assert type(hit[name]) is kind, (name, hit[name])
        assert hit["doc_type"] in ("minutes", "agreement")
        assert (
            hit["date"] is None
            or date.fromisoformat(hit["date"]).isoformat() == hit["date"]
        )
        assert isinstance(hit["score"], (int, float)) and not isinstance(
            hit["score"], bool
        )
        assert hit["score"] > 0
        assert hit["item_number"] >= 1
        assert all(isinstance(p, str) and p for p in hit["presenters"])
        assert (
            all(isinstance(h, str) and h for h in hit["highlights"])
            and hit["highlights"]
        )
        assert all(isinstance(d, str) for d in hit["decisions"])
        assert all(type(p) is int and p >= 1 for p in hit["pages"])
        confidence = hit["ocr_confidence"]
        assert confidence is None or (
            isinstance(confidence, (int, float)) and 0 <= confidence <= 100
        )


def test_api_answers_json_with_nosniff(server):
    status, headers, _ = http_get(f"{server}/api/search?q=narkotika")
    assert status == 200
    assert headers["content-type"].startswith("application/json")
    assert headers["x-content-type-options"] == "nosniff"


def test_query_is_echoed_exactly(server):
    q = 'motorburen "ungdom" & Umeå'
    assert search(server, q)["query"] == q


def test_motorburen_ungdom_finds_aktuellt_umebra_of_2021_02_02(server):
    hits = all_hits(server, "motorburen ungdom")
    in_000 = [h for h in hits if h["source"].startswith("000_")]
    assert len(in_000) == 1
    hit = in_000[0]
    assert hit["date"] == "2021-02-02"
    assert hit["item_title"] == "Aktuellt Umebrå"
    assert hit["presenters"] == ["Kerstin Rörsch"]
    assert hit["doc_type"] == "minutes"
    assert "2021-02-02" in hit["title"]
    assert any(
        "<mark>motorburen</mark>" in h and "<mark>ungdom</mark>" in h
        for h in hit["highlights"]
    )


def test_motorburen_ungdom_also_finds_the_undated_minutes_004(server):
    hits = [
        h
        for h in all_hits(server, "motorburen ungdom")
        if h["source"].startswith("004_")
    ]
    assert hits
    assert all(h["date"] is None and h["doc_type"] == "minutes" for h in hits)
    assert all(
        any("<mark>motorburen</mark>" in f for f in h["highlights"]) for h in hits
    )


def test_total_counts_matching_agenda_items_not_documents(server):
    hits = all_hits(server, "motorburen ungdom")
    item_ids = [h["item_id"] for h in hits]
    assert len(set(item_ids)) == len(item_ids)
    # 004 matches in two of its items: more items than documents.
    assert len(item_ids) > len({h["doc_id"] for h in hits})


def test_source_is_the_path_relative_to_the_corpus(server, seed_corpus):
    for hit in all_hits(server, "polisen"):
        assert not Path(hit["source"]).is_absolute()
        assert (seed_corpus / hit["source"]).is_file()
        assert hit["source"] in SEED_SOURCES


def test_item_number_is_the_one_based_position_in_the_document(server):
    docs = {}
    for hit in all_hits(server, "polisen"):
        doc = docs.setdefault(hit["doc_id"], document(server, hit["doc_id"]))
        item = doc["items"][hit["item_number"] - 1]
        assert item["item_number"] == hit["item_number"]
        assert item["item_id"] == hit["item_id"]
        assert item["item_title"] == hit["item_title"]
        assert doc["title"] == hit["title"] and doc["source"] == hit["source"]
        assert doc["date"] == hit["date"] and doc["doc_type"] == hit["doc_type"]


def test_ocr_agreement_hits_are_flagged_as_ocr(server):
    hits = all_hits(server, "samverkan", type="agreement")
    assert hits
    assert all(h["ocr"] is True for h in hits)
    assert all(h["ocr"] is False for h in all_hits(server, "samverkan", type="minutes"))


# --- query syntax --------------------------------------------------------------------


def test_phrase_query_needs_the_words_in_order(server):
    phrase = all_hits(server, '"motorburen ungdom"')
    assert {h["source"][:3] for h in phrase} == {"000", "004"}
    assert all_hits(server, '"ungdom motorburen"') == []
    # Without quotes, word order does not matter.
    loose = {h["item_id"] for h in all_hits(server, "ungdom motorburen")}
    assert {h["item_id"] for h in phrase} <= loose


def test_phrase_marks_the_adjacent_words(server):
    for hit in all_hits(server, '"motorburen ungdom"'):
        joined = " ".join(hit["highlights"])
        assert re.search(r"<mark>motorburen</mark>\s+<mark>ungdom</mark>", joined, re.I)


@pytest.mark.parametrize(
    "a, b",
    [("narkotika", "polisen"), ("narkotika", "doping"), ("trygghet", "polisen")],
)
def test_boolean_operators_combine_result_sets(server, a, b):
    hits_a = {h["item_id"] for h in all_hits(server, a)}
    hits_b = {h["item_id"] for h in all_hits(server, b)}
    assert hits_a and hits_b
    for word in ("AND", "OCH"):
        assert {
            h["item_id"] for h in all_hits(server, f"{a} {word} {b}")
        } == hits_a & hits_b
    for word in ("OR", "ELLER"):
        assert {
            h["item_id"] for h in all_hits(server, f"{a} {word} {b}")
        } == hits_a | hits_b
    for word in ("NOT", "INTE"):
        assert {
            h["item_id"] for h in all_hits(server, f"{a} {word} {b}")
        } == hits_a - hits_b
    # Two words with no operator: both are required.
    assert {h["item_id"] for h in all_hits(server, f"{a} {b}")} == hits_a & hits_b


def test_truncation_finds_words_starting_with_the_stem(server):
    exact = {h["item_id"] for h in all_hits(server, "trygghet")}
    prefix = all_hits(server, "trygg*")
    assert exact <= {h["item_id"] for h in prefix}
    for hit in prefix:
        marks = re.findall(r"<mark>(.*?)</mark>", " ".join(hit["highlights"]))
        assert marks and all(fold(m).startswith("trygg") for m in marks)


# --- filters and facets --------------------------------------------------------------


@pytest.mark.parametrize("q", QUERIES)
def test_year_filter_total_equals_that_years_facet(server, q):
    unfiltered = search(server, q)
    assert unfiltered["facets"]["year"], "the query should match dated items"
    for year, count in unfiltered["facets"]["year"].items():
        assert re.fullmatch(r"\d{4}", year)
        filtered = search(server, q, year=year)
        assert filtered["total"] == count
        assert filtered["facets"]["year"] == {year: count}
        assert sum(filtered["facets"]["doc_type"].values()) == count
        assert filtered["total"] <= unfiltered["total"]
        for hit in all_hits(server, q, year=year):
            assert hit["date"] is not None and hit["date"].startswith(year)


@pytest.mark.parametrize("q", QUERIES)
def test_type_filter_total_equals_that_types_facet(server, q):
    unfiltered = search(server, q)
    assert sum(unfiltered["facets"]["doc_type"].values()) == unfiltered["total"]
    assert set(unfiltered["facets"]["doc_type"]) <= {"minutes", "agreement"}
    for doc_type in ("minutes", "agreement"):
        filtered = search(server, q, type=doc_type)
        assert filtered["total"] == unfiltered["facets"]["doc_type"].get(doc_type, 0)
        if filtered["total"]:
            assert filtered["facets"]["doc_type"] == {doc_type: filtered["total"]}
        assert all(
            h["doc_type"] == doc_type for h in all_hits(server, q, type=doc_type)
        )


@pytest.mark.parametrize("q", QUERIES)
def test_facets_count_the_unfiltered_hits(server, q):
    hits = all_hits(server, q)
    facets = search(server, q)["facets"]
    years: dict[str, int] = {}
    types: dict[str, int] = {}
    for hit in hits:
        if hit["date"]:
            years[hit["date"][:4]] = years.get(hit["date"][:4], 0) + 1
        types[hit["doc_type"]] = types.get(hit["doc_type"], 0) + 1
    assert facets["year"] == years
    assert facets["doc_type"] == types


def test_year_and_type_filters_combine(server):
    hits = all_hits(server, "polisen")
    for year in {h["date"][:4] for h in hits if h["date"]}:
        for doc_type in ("minutes", "agreement"):
            expected = {
                h["item_id"]
                for h in hits
                if h["date"] and h["date"][:4] == year and h["doc_type"] == doc_type
            }
            got = all_hits(server, "polisen", year=year, type=doc_type)
            assert {h["item_id"] for h in got} == expected


def test_year_without_matches_gives_empty_result(server):
    body = search(server, "narkotika", year="1999")
    assert body["total"] == 0 and body["hits"] == []
    assert body["facets"]["year"] == {} and body["facets"]["doc_type"] == {}


# --- sorting -------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["polisen", "narkotika", "trygg*"])
def test_sort_by_date_orders_newest_first_with_undated_last(server, q):
    by_relevance = all_hits(server, q)
    by_date = all_hits(server, q, sort="date")
    assert {h["item_id"] for h in by_date} == {h["item_id"] for h in by_relevance}
    dates = [h["date"] for h in by_date]
    dated = [d for d in dates if d]
    assert dated == sorted(dated, reverse=True)
    assert dates == dated + [None] * (len(dates) - len(dated)), dates
    assert len(set(dated)) > 1, "the query should span several dates"


def test_sort_by_date_keeps_each_hits_relevance_score(server):
    scores = {h["item_id"]: h["score"] for h in all_hits(server, "polisen")}
    for hit in all_hits(server, "polisen", sort="date"):
        assert isinstance(hit["score"], (int, float))
        assert hit["score"] == pytest.approx(scores[hit["item_id"]], rel=1e-3)


@pytest.mark.parametrize("q", QUERIES)
def test_relevance_is_the_default_and_orders_by_descending_score(server, q):
    default = all_hits(server, q)
    assert default == all_hits(server, q, sort="relevance")
    scores = [h["score"] for h in default]
    assert scores == sorted(scores, reverse=True)


# --- paging --------------------------------------------------------------------------


def test_second_page_is_disjoint_from_the_first_with_equal_totals(server):
    first = search(server, "polisen", per_page=5)
    second = search(server, "polisen", per_page=5, page=2)
    assert first["total"] == second["total"] > 5
    assert second["page"] == 2 and second["per_page"] == 5
    assert len(first["hits"]) == 5 and second["hits"]
    ids_1 = {h["item_id"] for h in first["hits"]}
    ids_2 = {h["item_id"] for h in second["hits"]}
    assert not ids_1 & ids_2
    assert first["facets"] == second["facets"]


@pytest.mark.parametrize("per_page", [1, 3, 10])
def test_pages_together_are_exactly_the_whole_result(server, per_page):
    whole = [h["item_id"] for h in all_hits(server, "polisen")]
    paged: list[str] = []
    page = 1
    while True:
        body = search(server, "polisen", per_page=per_page, page=page)
        assert body["total"] == len(whole)
        if not body["hits"]:
            break
        assert len(body["hits"]) <= per_page
        paged += [h["item_id"] for h in body["hits"]]
        page += 1
    assert paged == whole
    assert page == -(-len(whole) // per_page) + 1


def test_page_beyond_the_end_is_200_with_no_hits(server):
    total = search(server, "polisen")["total"]
    body = search(server, "polisen", page=total + 1)
    assert body["hits"] == []
    assert body["total"] == total
    assert body["page"] == total + 1


@pytest.mark.parametrize("per_page", ["1", "2", "100"])
def test_per_page_within_bounds_is_honoured(server, per_page):
    body = search(server, "polisen", per_page=per_page)
    assert body["per_page"] == int(per_page)
    assert len(body["hits"]) == min(int(per_page), body["total"])


def test_default_page_size_is_ten(server):
    body = search(server, "polisen")
    assert body["total"] > 10
    assert body["per_page"] == 10 and len(body["hits"]) == 10


# --- bad parameters ------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "abc"},
        {"page": "-1"},
        {"page": "1.5"},
        {"per_page": "101"},
        {"per_page": "0"},
        {"per_page": "ten"},
        {"year": "20x1"},
        {"year": "21"},
        {"year": "20211"},
        {"type": "foo"},
        {"type": "protocol"},
        {"sort": "foo"},
        {"sort": "score"},
        {"q": "x" * 2000},
    ],
    ids=lambda p: "-".join(f"{k}={v[:8]}" for k, v in p.items()),
)
def test_bad_parameter_gives_400_with_json_error(server, params):
    query = {"q": "narkotika", **params}
    status, headers, raw = http_get(f"{server}/api/search?{urlencode(query)}")
    assert status == 400
    assert headers["content-type"].startswith("application/json")
    body = json.loads(raw)
    assert set(body) == {"error"}
    assert isinstance(body["error"], str) and body["error"].strip()


@pytest.mark.parametrize("query", ["", "q=", "q=%20%20%20", "q=%09"])
def test_empty_query_gives_empty_result_or_400_never_a_crash(server, query):
    status, body = http_json(f"{server}/api/search?{query}")
    assert status in (200, 400)
    if status == 200:
        assert body["total"] == 0 and body["hits"] == []
    else:
        assert body["error"]


# --- highlights ----------------------------------------------------------------------


@pytest.mark.parametrize("q", QUERIES + ['"motorburen ungdom"', "hedersrelaterat våld"])
def test_highlights_hold_no_tag_but_bare_mark(server, q):
    hits = all_hits(server, q)
    assert hits
    for hit in hits:
        for fragment in hit["highlights"]:
            tags = parse_fragment(fragment).tags
            assert {tag for _, tag, _ in tags} <= {"mark"}, fragment
            assert all(not attrs and kind != "startend" for kind, _, attrs in tags), (
                fragment
            )
            starts = [t for t in tags if t[0] == "start"]
            assert len(starts) == len([t for t in tags if t[0] == "end"])


@pytest.mark.parametrize(
    "q, words",
    [
        ("narkotika", ["narkotika"]),
        ("polisen", ["polisen"]),
        ("motorburen ungdom", ["motorburen", "ungdom"]),
        ('"motorburen ungdom"', ["motorburen", "ungdom"]),
        ("trygghet", ["trygghet"]),
        ("hedersrelaterat våld", ["hedersrelaterat", "våld"]),
        ("narkotika ELLER doping", ["narkotika", "doping"]),
    ],
)
def test_marked_words_are_forms_of_the_query_words(server, seed_corpus, q, words):
    hits = all_hits(server, q)
    assert hits
    marked_any = False
    for hit in hits:
        for fragment in hit["highlights"]:
            for marked in re.findall(r"<mark>(.*?)</mark>", fragment):
                marked_any = True
                assert related(marked, words, seed_corpus), (marked, fragment)
    assert marked_any


def test_negated_word_is_not_marked(server, seed_corpus):
    hits = all_hits(server, "narkotika INTE polisen")
    assert hits
    for hit in hits:
        marks = re.findall(r"<mark>(.*?)</mark>", " ".join(hit["highlights"]))
        assert marks and all(related(m, ["narkotika"], seed_corpus) for m in marks)
        assert not any("polis" in fold(m) for m in marks)


@pytest.mark.parametrize("q", QUERIES)
def test_highlights_are_passages_of_the_hits_own_text(server, q):
    docs: dict[str, dict] = {}
    for hit in all_hits(server, q):
        doc = docs.setdefault(hit["doc_id"], document(server, hit["doc_id"]))
        own = squash(doc["items"][hit["item_number"] - 1]["text"])
        others = [
            squash(i["text"]) for i in doc["items"] if i["item_id"] != hit["item_id"]
        ]
        for fragment in hit["highlights"]:
            text = unescape(re.sub(r"</?mark>", "", fragment))
            text = squash(text.removeprefix("… ").removesuffix(" …"))
            assert text and text in own, (hit["item_id"], fragment)
            # Unless the passage is too generic, it is not another item's text.
            if len(text) > 40:
                assert not any(text in other for other in others)


# --- the hit's url -------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "motorburen ungdom",
        'narkotika & "polisen"',
        "trygg*",
        "polisen #1",
        "polisen 10%",
        "polisen + narkotika",
        "polisen/narkotika",
    ],
)
def test_url_is_the_page_path_with_the_search_and_the_item_anchor(server, q):
    hits = all_hits(server, q)
    assert hits
    for hit in hits:
        url = urlsplit(hit["url"])
        assert not url.scheme and not url.netloc
        assert url.path.startswith("/") and not url.path.startswith("/api/")
        assert url.path == f"/doc/{hit['doc_id']}"
        assert parse_qs(url.query) == {"q": [q]}
        assert url.fragment == f"item-{hit['item_number']}"


@pytest.mark.parametrize(
    "q", ["motorburen ungdom", "narkotika", "polisen", '"motorburen ungdom"']
)
def test_url_opens_a_page_whose_anchored_element_shows_the_item_with_marks(
    server, seed_corpus, q
):
    pages: dict[str, Node] = {}
    for hit in all_hits(server, q):
        url = urlsplit(hit["url"])
        link = f"{url.path}?{url.query}"
        if link not in pages:
            status, headers, body = http_get(server + link)
            assert status == 200
            assert headers["content-type"].startswith("text/html")
            pages[link] = parse_page(body)
        element = pages[link].by_id(url.fragment)
        assert element is not None, hit["url"]
        assert hit["item_title"] in squash(element.text())
        marks = element.find_all("mark")
        assert marks, f"no <mark> in #{url.fragment} of {hit['url']}"
        for mark in marks:
            assert related(mark.text(), q.split(), seed_corpus), mark.text()


def test_permalink_without_query_string_has_the_same_element_and_no_marks(server):
    for hit in all_hits(server, "motorburen ungdom"):
        url = urlsplit(hit["url"])
        status, _, body = http_get(server + url.path)
        assert status == 200
        page = parse_page(body)
        element = page.by_id(url.fragment)
        assert element is not None
        assert hit["item_title"] in squash(element.text())
        assert page.find_all("mark") == []


# --- stable ids ----------------------------------------------------------------------


def _ids(index_dir: Path) -> dict[str, list[str]]:
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    out = {}
    for doc in client.get("/api/documents").get_json()["documents"]:
        items = client.get(f"/api/documents/{doc['doc_id']}").get_json()["items"]
        out[doc["doc_id"]] = [i["item_id"] for i in items]
    return out


def test_doc_and_item_ids_survive_rebuilds_and_a_moved_corpus(
    server, seed_corpus, tmp_path
):
    moved = tmp_path / "en annan plats" / "korpus"
    shutil.copytree(seed_corpus, moved)
    first, second = tmp_path / "index-1", tmp_path / "index-2"
    build_index(seed_corpus, first, rebuild=True)
    build_index(moved, second, rebuild=True)
    ids_1, ids_2 = _ids(first), _ids(second)
    assert ids_1 == ids_2
    assert len(ids_1) == len(SEED_SOURCES)
    # ... and the served index (built earlier in the session) has the same ids.
    status, body = http_json(f"{server}/api/documents")
    assert {d["doc_id"] for d in body["documents"]} == set(ids_1)
    for hit in all_hits(server, "polisen"):
        assert hit["item_id"] in ids_1[hit["doc_id"]]


def test_ids_are_unique(server):
    status, body = http_json(f"{server}/api/documents")
    doc_ids = [d["doc_id"] for d in body["documents"]]
    assert len(doc_ids) == len(set(doc_ids))
    item_ids = [i["item_id"] for d in doc_ids for i in document(server, d)["items"]]
    assert len(item_ids) == len(set(item_ids))


# --- the document endpoints ----------------------------------------------------------


def test_documents_lists_the_five_seed_documents_newest_first(server):
    status, body = http_json(f"{server}/api/documents")
    assert status == 200
    docs = body["documents"]
    assert {d["source"] for d in docs} == SEED_SOURCES
    for doc in docs:
        assert doc["doc_type"] in ("minutes", "agreement")
        assert isinstance(doc["title"], str) and doc["title"]
    types = {d["source"][:3]: d["doc_type"] for d in docs}
    assert types == {
        "000": "minutes",
        "001": "minutes",
        "002": "minutes",
        "003": "agreement",
        "004": "minutes",
    }
    dated = [d["date"] for d in docs if d["date"]]
    assert dated == sorted(dated, reverse=True)


def test_document_endpoint_returns_metadata_and_all_items(server):
    status, body = http_json(f"{server}/api/documents")
    for summary in body["documents"]:
        doc = document(server, summary["doc_id"])
        assert doc["doc_id"] == summary["doc_id"]
        assert doc["source"] == summary["source"] and doc["title"] == summary["title"]
        numbers = [i["item_number"] for i in doc["items"]]
        assert numbers == list(range(1, len(numbers) + 1))
        assert doc["item_count"] == len(numbers) >= 1
        for item in doc["items"]:
            assert item["item_title"] and isinstance(item["text"], str)
            # Only text in the API: the HTML renderings stay in the pages.
            assert not {"paragraphs_html", "item_title_html"} & set(item)


def test_document_header_of_2021_02_02_minutes(server):
    status, body = http_json(f"{server}/api/documents")
    summary = next(d for d in body["documents"] if d["source"].startswith("000_"))
    doc = document(server, summary["doc_id"])
    assert doc["date"] == "2021-02-02"
    assert doc["time"] == "15.00"
    assert doc["place"] == "Videokonferens"
    assert doc["absent"] == ["Lennart Johansson", "Maria Falck"]
    assert "Kerstin Rörsch" not in doc["absent"]
    assert {"Michael Rystedt", "Hans Lindberg", "Anders Hanberger"} <= set(
        doc["present"]
    )
    assert not set(doc["present"]) & set(doc["absent"])
    assert doc["secretary"] == "Elin Lindqvist"


@pytest.mark.parametrize("doc_id", ["nope", "000_fc1aedb1226712d1", "CURRENT", "%20"])
def test_unknown_document_gives_404_json(server, doc_id):
    status, headers, raw = http_get(f"{server}/api/documents/{doc_id}")
    assert status == 404
    assert headers["content-type"].startswith("application/json")
    body = json.loads(raw)
    assert isinstance(body["error"], str) and body["error"]


# --- the agreement's preamble --------------------------------------------------------


def test_agreement_preamble_is_an_item_titled_with_the_document_title(server):
    status, body = http_json(f"{server}/api/documents")
    summary = next(d for d in body["documents"] if d["doc_type"] == "agreement")
    doc = document(server, summary["doc_id"])
    first = doc["items"][0]
    assert first["item_title"] == doc["title"]
    assert "samverkan" in first["text"].lower()
    # The preamble is searchable like any item.
    hits = [
        h
        for h in all_hits(server, "avtalets omfattning")
        if h["doc_id"] == doc["doc_id"]
    ]
    assert [h["item_number"] for h in hits] == [1]
    assert hits[0]["item_title"] == doc["title"]


def test_json_answers_are_written_as_flasks_own_encoder_writes_them(app, client):
    """orjson writes the API's answers (``jsonout``): byte for byte what
    Flask's provider writes, over real answers and the values only Flask
    knows; what orjson refuses is still answered, by Flask's encoder."""
    import dataclasses
    from datetime import UTC, datetime

    from flask.json.provider import DefaultJSONProvider
    from markupsafe import Markup

    judged = Path(__file__).parent / "quality" / "judged.json"
    queries = [e["q"] for e in json.loads(judged.read_text(encoding="utf-8"))]
    pages = [f"/api/search?{urlencode({'q': q})}" for q in queries[:60]]
    pages += ["/api/documents", "/api/decisions", "/api/people", "/api/meetings"]
    pages += ["/api/openapi.json", "/api/search?page=0"]
    flask_own = DefaultJSONProvider(app)
    flask_own.sort_keys, flask_own.ensure_ascii = False, False

    @dataclasses.dataclass
    class Point:
        x: int

    values = [
        {
            "när": datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
            "dag": date(2024, 5, 1),
        },
        {
            "punkt": Point(3),
            "html": Markup("<mark>å</mark>"),
            "tal": [1.5, 1e300, -0.0],
        },
        {"stort": 2**70},  # past 64 bits: orjson refuses, Flask writes it
        {1: "en"},  # a key that is not a string: the same
        "rad\nbrytning \u2028 \x01",
    ]
    with app.app_context():
        for page in pages:
            answer = client.get(page)
            assert answer.mimetype == "application/json", page
            expected = flask_own.response(answer.get_json()).get_data()
            assert answer.get_data() == expected, page
        for value in values:
            ours = app.json.response(value)
            assert ours.get_data() == flask_own.response(value).get_data(), value
            assert ours.mimetype == "application/json"
        small = app.json.response([1e-5, 2.5e-7]).get_data()  # spelt out: same numbers
        assert json.loads(small) == json.loads(
            flask_own.response([1e-5, 2.5e-7]).get_data()
        )
