"""Time ranges, browsing without words, honest dates and API paging, over real HTTP.

A small corpus of copies of seed files whose dates metadata.toml sets to
the edges of a year (a meeting on 31 December, another on 1 January), next
to the seed's agreement (which states only its validity period) and its
undated minutes; plus the seed corpus itself for browsing and paging.
"""

from __future__ import annotations

import shutil
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest

from indexer import build_index
from search_app import create_app
from tests.conftest import CORPUS, http_get, http_json, serve_app
from tests.dom import parse_page

NS = {"a": "http://www.w3.org/2005/Atom"}
MEETING = "001_16d2cf0df2da2920.txt"  # a dated meeting: copied under new dates
AGREEMENT = "003_9269a0f94d92dece.txt"  # states "2021-2024" and no signing day
UNDATED = "004_0c2c73417de47a69.txt"  # states no date
EDGES = {"eve.txt": "2020-12-31", "new.txt": "2021-01-01", "mid.txt": "2021-06-15"}


@pytest.fixture(scope="module")
def edges(tmp_path_factory):
    """A server over meetings on the edges of a year, an agreement, an undated file."""
    corpus = tmp_path_factory.mktemp("edges")
    for name in EDGES:
        shutil.copy(CORPUS / MEETING, corpus / name)
    for name in (AGREEMENT, UNDATED):
        shutil.copy(CORPUS / name, corpus / name)
    (corpus / "metadata.toml").write_text(
        "".join(f'["{name}"]\ndate = "{day}"\n' for name, day in EDGES.items()),
        encoding="utf-8",
    )
    index = tmp_path_factory.mktemp("edges-index")
    build_index(corpus, index, rebuild=True)
    port, stop = serve_app(create_app({"INDEX_DIR": str(index)}))
    yield f"http://127.0.0.1:{port}"
    stop()


def api(server: str, **params) -> dict:
    status, body = http_json(f"{server}/api/search?{urlencode(params, doseq=True)}")
    assert status == 200, body
    return body


def sources(server: str, **params) -> set[str]:
    body = api(server, per_page=100, **params)
    assert body["total"] <= 100
    return {hit["source"] for hit in body["hits"]}


# --- ranges --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "span, expected",
    [
        ({"from": "2020-12-31", "to": "2020-12-31"}, {"eve.txt"}),
        ({"from": "2020", "to": "2020"}, {"eve.txt"}),
        ({"to": "2020-12"}, {"eve.txt"}),
        ({"from": "2020-12", "to": "2021-01"}, {"eve.txt", "new.txt", AGREEMENT}),
        ({"from": "2021-01-01"}, {"new.txt", "mid.txt", AGREEMENT}),
        ({"from": "2021-01-02"}, {"mid.txt"}),
        ({"to": "2020-12-30"}, set()),
        ({"from": "2021-06-15", "to": "2021-06-15"}, {"mid.txt"}),
        ({"from": "2021-06-16", "to": "2021"}, set()),
        ({"year": ["2020", "2021"]}, {"eve.txt", "new.txt", "mid.txt", AGREEMENT}),
        ({"year": "2020"}, {"eve.txt"}),
    ],
)
def test_date_ranges_at_the_edges(edges, span, expected):
    """Ranges include both ends; undated items are never in a range."""
    assert sources(edges, q="*", **span) == expected
    assert sources(edges, **span) == expected  # browsing: the same without words


@pytest.mark.parametrize(
    "bad",
    [
        {"from": "2021-13"},
        {"to": "2021-02-32"},
        {"from": "21"},
        {"to": "2021-1"},
        {"year": ["2021", "x"]},
    ],  # fmt: skip
)
def test_bad_ranges_are_refused_with_the_parameter_named(edges, bad):
    status, body = http_json(f"{edges}/api/search?q=*&{urlencode(bad, doseq=True)}")
    assert status == 400
    assert any(name in body["error"] for name in bad)


def test_facets_follow_the_range(edges):
    body = api(edges, q="*", **{"from": "2021"})
    assert set(body["facets"]["year"]) == {"2021"}
    assert sum(body["facets"]["doc_type"].values()) == body["total"]


@pytest.mark.parametrize("sort", ["date", "date_asc"])
def test_date_orders_put_undated_last(edges, sort):
    hits = api(edges, q="*", sort=sort, per_page=100)["hits"]
    keys = [h["date"] for h in hits]
    dated = [k for k in keys if k]
    assert dated == sorted(dated, reverse=sort == "date")
    assert keys.index(None) == len(dated) and set(keys[len(dated) :]) == {None}
    assert {h["source"] for h in hits[len(dated) :]} == {UNDATED}


# --- honest dates ------------------------------------------------------------------


def test_an_agreement_shows_its_period_not_an_invented_day(edges):
    hits = api(edges, q="*", type="agreement", per_page=100)["hits"]
    assert hits
    for hit in hits:
        assert hit["date_kind"] == "period"
        assert (hit["valid_from"], hit["valid_to"]) == ("2021", "2024")
        assert hit["date"] == "2021-01-01"  # sorted and filtered by the period start
    page = parse_page(http_get(f"{edges}/?type=agreement")[2])
    metas = [p.words() for p in page.find_all("p", class_="meta")]
    assert metas and all("giltig 2021–2024" in m for m in metas)
    assert not any("1 januari 2021" in m for m in metas)
    doc = api(edges, q="*", type="agreement")["hits"][0]["doc_id"]
    status, meta = http_json(f"{edges}/api/documents/{doc}")
    assert meta["date_kind"] == "period" and meta["valid_to"] == "2024"
    docpage = parse_page(http_get(f"{edges}/doc/{doc}")[2])
    assert "giltig 2021–2024" in docpage.words()


def test_meetings_say_what_kind_of_date_they_have(edges):
    for hit in api(edges, q="*", type="minutes", per_page=100)["hits"]:
        assert hit["date_kind"] == ("meeting" if hit["date"] else None)


def test_undated_items_say_so_and_never_feed_as_newest(edges):
    undated = [h for h in api(edges, q="*", per_page=100)["hits"] if not h["date"]]
    assert undated and {h["source"] for h in undated} == {UNDATED}
    page = parse_page(http_get(f"{edges}/?q=*&per_page=100")[2])
    assert "datum saknas" in page.words()
    status, _, raw = http_get(f"{edges}/feed?q=*&per_page=100")
    feed = ET.fromstring(raw)
    entries = feed.findall("a:entry", NS)
    stamps = [e.findtext("a:updated", namespaces=NS) for e in entries]
    assert stamps == sorted(stamps, reverse=True)  # nothing undated on top
    last = entries[-len(undated) :]
    assert all(e.find("a:published", NS) is None for e in last)
    dated = [s for s in stamps[: -len(undated)]]
    assert all(stamp < min(dated) for stamp in stamps[-len(undated) :])


# --- browsing without words -------------------------------------------------------


def filters(server: str) -> list[dict]:
    """One filter per facet value of the whole seed corpus."""
    facets = api(server, q="*")["facets"]
    rows = [{"year": y} for y in facets["year"]]
    rows += [{"type": t} for t in facets["doc_type"]]
    rows += [{"presenter": p} for p in list(facets["presenter"])[:3]]
    rows.append({"has_decision": "1"})
    rows.append({"from": min(facets["year"]), "to": max(facets["year"])})
    return rows


def test_browsing_per_filter_lists_newest_first(server):
    for row in filters(server):
        everything = api(server, q="*", per_page=1, **row)["total"]
        body = api(server, per_page=100, **row)
        assert body["total"] == everything > 0, row
        dates = [h["date"] or "" for h in body["hits"]]
        dated = [d for d in dates if d]
        assert dated == sorted(dated, reverse=True) and dates[: len(dated)] == dated
        page = parse_page(http_get(f"{server}/?{urlencode(row)}")[2])
        assert len(page.find_all("li", class_="hit")) == min(everything, 10), row
        status, _, raw = http_get(f"{server}/feed?{urlencode(row)}")
        assert status == 200
        assert len(ET.fromstring(raw).findall("a:entry", NS)) == min(everything, 30)
        status, _, raw = http_get(f"{server}/embed?{urlencode(row)}")
        assert status == 200
        assert len(parse_page(raw).find_all("li")) >= min(everything, 5)


def test_no_words_and_no_filters_is_still_the_start_page(server):
    assert api(server)["total"] == 0
    assert http_get(f"{server}/feed")[0] == 400
    page = parse_page(http_get(f"{server}/")[2])
    assert page.find("section", class_="browse") is not None


# --- paging -------------------------------------------------------------------------


def test_paging_follows_next_to_the_end(server):
    first = api(server, q="*", per_page=7)
    assert first["total_pages"] == -(-first["total"] // 7) > 1
    seen, body, pages = [], first, 0
    while True:
        pages += 1
        seen += [h["item_id"] for h in body["hits"]]
        if not body["next"]:
            break
        assert body["next"].startswith(server + "/api/search?")
        body = http_json(body["next"])[1]
    assert pages == first["total_pages"]
    assert len(seen) == len(set(seen)) == first["total"]


def test_permalinks_are_absolute_and_lead_to_the_item(server):
    for hit in api(server, q="narkotika")["hits"]:
        assert hit["permalink"].startswith(server + "/doc/")
        assert hit["url"].startswith("/doc/")  # the contract's url stays
        address, anchor = hit["permalink"].split("#")
        status, _, raw = http_get(address)
        assert status == 200
        assert any(n.attrs.get("id") == anchor for n in parse_page(raw).iter())


def test_the_time_form_keeps_the_search_and_sets_the_range(edges):
    page = parse_page(http_get(f"{edges}/?q=*&type=minutes&year=2020")[2])
    form = page.find("form", class_="range")
    assert form is not None
    fields = {i.attrs["name"]: i.attrs.get("value", "") for i in form.find_all("input")}
    assert (fields["q"], fields["type"]) == ("*", "minutes")
    assert "year" not in fields  # the form's range replaces the chosen year
    fields.update({"from": "2020-12", "to": "2021-01-01"})
    address = f"{edges}{form.attrs['action']}?{urlencode(fields)}"
    result = parse_page(http_get(address)[2])
    total = api(edges, q="*", type="minutes", **{"from": "2020-12", "to": "2021-01-01"})
    assert total["total"] > 0
    heading = result.find("h2", id="traffar").words()
    assert heading.startswith(f"{total['total']} träff")


def test_a_reversed_range_finds_nothing_and_says_so(edges):
    body = api(edges, q="*", **{"from": "2022", "to": "2021"})
    assert body["total"] == 0
    assert [w["code"] for w in body["warnings"]] == ["empty_range"]
    assert sources(edges, q="*", to="2021-02-30") == sources(edges, q="*", to="2021-02")
