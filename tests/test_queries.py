"""The query language, corrections, time ranges, browsing and paging, over real HTTP.

Every rule of the search's reading of a query (``search_app.querytext``) is a
row of a table, checked against the API and the search page of the seed
corpus. Expected sets come from other requests (a - b is a's hits without
b's), never from the implementation.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.conftest import http_get, http_json
from tests.dom import parse_page


def api(server: str, **params) -> dict:
    status, body = http_json(f"{server}/api/search?{urlencode(params, doseq=True)}")
    assert status == 200, body
    return body


def ids(server: str, q: str, **params) -> set[str]:
    """Every item a query finds (all pages)."""
    found, page = set(), 1
    while True:
        body = api(server, q=q, per_page=100, page=page, **params)
        found |= {hit["item_id"] for hit in body["hits"]}
        if not body["next"]:
            return found
        page += 1


def page_of(server: str, **params):
    status, _, body = http_get(f"{server}/?{urlencode(params, doseq=True)}")
    assert status == 200
    return parse_page(body)


# --- operators -----------------------------------------------------------------------

A, B, C = "narkotika", "alkohol", "polisen"


def test_the_words_of_the_operator_table_find_something(server):
    """The table below means nothing unless its words overlap without coinciding."""
    a, b = ids(server, A), ids(server, B)
    assert a and b and a & b and a - b and ids(server, C)


@pytest.mark.parametrize(
    "q, expected",
    [
        (f"{A} -{B}", lambda a, b, c: a - b),
        (f"{A} INTE {B}", lambda a, b, c: a - b),
        (f"{A} NOT {B}", lambda a, b, c: a - b),
        (f"{A} inte {B}", lambda a, b, c: a - b),
        (f"{A} ELLER {B}", lambda a, b, c: a | b),
        (f"{A} OR {B}", lambda a, b, c: a | b),
        (f"{A} eller {B}", lambda a, b, c: a | b),
        (f"{A} or {B}", lambda a, b, c: a | b),
        (f"{A} {B}", lambda a, b, c: a & b),
        (f"{A} OCH {B}", lambda a, b, c: a & b),
        (f"{A} AND {B}", lambda a, b, c: a & b),
        (f"{A} och {B}", lambda a, b, c: a & b),
        (f"({A} ELLER {B}) {C}", lambda a, b, c: (a | b) & c),
        (f"{C} {A} ELLER {B}", lambda a, b, c: (a | b) & c),
        (f"{C} -({A} ELLER {B})", lambda a, b, c: c - a - b),
        (f"-{B}", lambda a, b, c: None),  # everything but b: checked below
    ],
)
def test_operators(server, q, expected):
    a, b, c = ids(server, A), ids(server, B), ids(server, C)
    want = expected(a, b, c)
    if want is None:
        everything = ids(server, "*")
        want = everything - b
    assert ids(server, q) == want


@pytest.mark.parametrize(
    "q, noted",
    [
        (f"{A} eller {B}", "eller"),
        (f"{A} or {B}", "or"),
        (f"{A} inte {B}", "inte"),
        (f"{A} och {B}", None),
        (f'{A} "eller" {B}', None),
        (f"{A} ELLER {B}", None),
    ],
)
def test_lowercase_operator_words_are_said(server, q, noted):
    body = api(server, q=q)
    notes = [w for w in body["warnings"] if w["code"] == "query_reinterpreted"]
    if noted is None:
        assert notes == []
    else:
        assert any(f"”{noted}”" in w["detail"] for w in notes)
        page = page_of(server, q=q)
        assert "Tolkad som" in page.words()
        assert f"”{noted}”" in page.words()


def test_phrase_and_truncation(server):
    phrase, words = ids(server, '"motorburen ungdom"'), ids(server, "motorburen ungdom")
    assert phrase and phrase <= words
    truncated = ids(server, "trygg*")
    assert ids(server, "trygghet") | ids(server, "trygga") <= truncated


# --- lenient reading of dangling syntax ------------------------------------------


@pytest.mark.parametrize(
    "q, clean",
    [
        (f"{A} OR", A),
        (f"({A} OR", A),
        (f"{A} ELLER", A),
        (f"ELLER {A}", A),
        (f"OCH {A}", A),
        (f"{A} INTE", A),
        (f"{A})", A),
        (f'"{A}', f'"{A}"'),
        ('"motorburen ungdom', '"motorburen ungdom"'),
        (f"{A} ELLER ELLER {B}", f"{A} ELLER {B}"),
        (f"{A} () {B}", f"{A} {B}"),
        (f"({A} ELLER {B}", f"{A} ELLER {B}"),
    ],
)
def test_dangling_syntax_is_read_leniently_and_said(server, q, clean):
    body = api(server, q=q)
    assert body["interpreted_query"] == clean
    assert body["total"] == api(server, q=clean)["total"] > 0
    assert any(w["code"] == "query_reinterpreted" for w in body["warnings"])
    page = page_of(server, q=q)
    reading = page.find("div", class_="reading")
    assert reading is not None and clean in reading.words()
    assert "Kontrollera stavningen" not in page.words()


@pytest.mark.parametrize("q", ["AND", "ELLER", "INTE", "()", '"', "( )"])
def test_operators_alone_find_nothing_and_say_why(server, q):
    body = api(server, q=q)
    assert body["total"] == 0 and body["warnings"]


# --- corrections ----------------------------------------------------------------------


@pytest.mark.parametrize("word", [A, "samverkan", "trygghet", "ungdomar"])
def test_a_misspelling_shows_the_right_spelling_and_says_so(server, word):
    typo = word[:4] + word[5:]  # one letter dropped
    assert api(server, q=typo, exact=1)["total"] == 0
    body = api(server, q=typo)
    spelled = [c for c in body["corrections"] if c["kind"] == "spelling"]
    assert [c["original"] for c in spelled] == [typo]
    fixed = spelled[0]["replacement"]
    assert body["interpreted_query"] == fixed
    right = api(server, q=fixed)
    assert body["total"] == right["total"] > 0  # synonyms included
    assert [h["item_id"] for h in body["hits"]] == [h["item_id"] for h in right["hits"]]
    page = page_of(server, q=typo)
    note = page.find("p", class_="correction")
    assert note is not None
    assert f"Visar träffar för {fixed}" in note.words()
    link = note.find("a")
    assert typo in link.words()
    asked = parse_qs(urlsplit(link.attrs["href"]).query)
    assert asked["q"] == [typo] and asked["exact"] == ["1"]
    exact = page_of(server, q=typo, exact=1)
    offer = exact.find("div", class_="empty")
    assert offer is not None and f"Menade du {fixed}" in offer.words()


def test_suggestion_is_one_policy_for_page_and_api(server):
    for q in [A, "narkotka", "samverkn", "polisen", "xqzvw"]:
        body = api(server, q=q)
        page = page_of(server, q=q)
        if body["suggestion"]:
            assert f"Menade du {body['suggestion']}" in page.words()
        else:
            assert "Menade du" not in page.words()


def test_synonym_hits_are_named(server):
    """A synonym that adds hits is listed; the page names it."""
    body = api(server, q="knark")
    assert ids(server, "knark") > ids(server, '"knark"')
    synonyms = [c for c in body["corrections"] if c["kind"] == "synonym"]
    assert {(c["original"], c["replacement"]) for c in synonyms} == {("knark", A)}
    assert A in page_of(server, q="knark").find("p", class_="also").words()


# --- every response says how it read the request ------------------------------------


@pytest.mark.parametrize(
    "params", [{"q": A}, {"q": ""}, {"has_decision": "1"}, {"q": "xqzvw"}]
)
def test_every_response_carries_interpretation_fields(server, params):
    body = api(server, **params)
    for key in ("interpreted_query", "corrections", "warnings", "total_pages", "next"):
        assert key in body
    assert isinstance(body["corrections"], list)


@pytest.mark.parametrize("path", ["/api/search", "/"])
def test_unknown_parameters_are_named(server, path):
    query = urlencode({"q": A, "yaer": "2021", "sortera": "datum"})
    status, _, raw = http_get(f"{server}{path}?{query}")
    assert status == 200
    if path == "/":
        words = parse_page(raw).words()
        assert "yaer" in words and "sortera" in words
    else:
        body = http_json(f"{server}{path}?{query}")[1]
        warnings = body["warnings"]
        unknown = [w["detail"] for w in warnings if w["code"] == "unknown_parameter"]
        assert unknown == ["sortera", "yaer"]
        assert body["total"] == api(server, q=A)["total"]


def test_parameters_without_words_to_act_on_are_named(server):
    body = api(server, has_decision="1", sort="relevance", exact="1")
    warnings = body["warnings"]
    ignored = [w["detail"] for w in warnings if w["code"] == "ignored_parameter"]
    assert ignored == ["sort", "exact"]
    assert body["total"] == api(server, has_decision="1")["total"] > 0
