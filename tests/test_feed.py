"""The Atom feed of a search (/feed): valid RFC 4287, stable ids, newest first."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree as ET

import pytest

from tests.conftest import http_get

NS = {"a": "http://www.w3.org/2005/Atom"}
A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
# RFC 4151 tag: URIs, and the item_id at the end of an entry's.
TAG = re.compile(r"tag:[a-z0-9.-]+,\d{4}(-\d{2}(-\d{2})?)?:[\w.~%!$&'()*+,;=:@/?-]+")


def fetch(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, response.data
    assert response.mimetype == "application/atom+xml"
    assert response.mimetype_params["charset"] == "utf-8"
    return ET.fromstring(response.data)


def atom_problems(feed: ET.Element) -> list[str]:
    """What RFC 4287 requires of a feed and its entries, as a list of breaches."""
    problems = []
    if feed.tag != A + "feed":
        return [f"root is {feed.tag}"]
    problems += _once(feed, "feed", ("id", "title", "updated"))
    if not feed.findall("a:author", NS) and any(
        not e.findall("a:author", NS) for e in feed.findall("a:entry", NS)
    ):
        problems.append("feed: no author, and an entry without one")
    if not feed.findall("a:link[@rel='self']", NS):
        problems.append("feed: no link rel=self")
    for entry in feed.findall("a:entry", NS):
        where = f"entry {entry.findtext('a:id', '?', NS)}"
        problems += _once(entry, where, ("id", "title", "updated"))
        if not entry.findall("a:link[@rel='alternate']", NS):
            problems.append(f"{where}: no link rel=alternate (and no content)")
        if len(entry.findall("a:summary", NS)) != 1:
            problems.append(f"{where}: no summary (and no content)")
    for element in feed.iter():
        if element.tag in (A + "updated", A + "published"):
            if not RFC3339.fullmatch(element.text or ""):
                problems.append(f"not RFC 3339: {element.text!r}")
        if element.tag == A + "link" and not element.get("href"):
            problems.append("link without href")
        if element.tag == A + "id" and not TAG.fullmatch(element.text or ""):
            problems.append(f"id is not a tag: URI: {element.text!r}")
    return problems


def _once(parent: ET.Element, where: str, names) -> list[str]:
    return [
        f"{where}: {len(parent.findall(f'a:{n}', NS))} <{n}> elements, not 1"
        for n in names
        if len(parent.findall(f"a:{n}", NS)) != 1
    ]


def entries(feed: ET.Element) -> list[ET.Element]:
    return feed.findall("a:entry", NS)


def test_a_feed_is_valid_atom(client):
    feed = fetch(client, "/feed?q=narkotika")
    assert atom_problems(feed) == []
    assert len(entries(feed)) == client.get("/api/search?q=narkotika").json["total"]


def test_the_checker_sees_breaches():
    broken = ET.fromstring(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>'
        "<updated>2021-02-02</updated><entry><id>urn:x</id></entry></feed>"
    )
    problems = " | ".join(atom_problems(broken))
    for breach in ("0 <id>", "no author", "rel=self", "not RFC 3339", "no summary"):
        assert breach in problems


def test_newest_meetings_first_and_undated_last(client):
    """Undated items come last, unpublished, dated before anything (never newest)."""
    feed = fetch(client, "/feed?q=umeå&per_page=100")
    stamps = [e.findtext("a:updated", namespaces=NS) for e in entries(feed)]
    published = [e.findtext("a:published", namespaces=NS) for e in entries(feed)]
    api = client.get("/api/search?q=umeå&per_page=100").json
    dated = sorted((h["date"] for h in api["hits"] if h["date"]), reverse=True)
    assert [s[:10] for s in stamps[: len(dated)]] == dated
    assert published[: len(dated)] == stamps[: len(dated)]
    undated = len(api["hits"]) - len(dated)
    assert undated > 0  # the seed corpus has an undated document
    assert published[len(dated) :] == [None] * undated
    assert all(stamp < min(dated) for stamp in stamps[len(dated) :])
    assert stamps == sorted(stamps, reverse=True)


def test_entry_ids_are_stable_and_name_the_item(client):
    first = fetch(client, "/feed?q=narkotika")
    again = fetch(client, "/feed?q=narkotika&sort=relevance")  # sort is ignored
    ids = [e.findtext("a:id", namespaces=NS) for e in entries(first)]
    assert ids == [e.findtext("a:id", namespaces=NS) for e in entries(again)]
    assert len(set(ids)) == len(ids)
    items = {
        h["item_id"]
        for h in client.get("/api/search?q=narkotika&per_page=100").json["hits"]
    }
    assert {i.rsplit(":item:", 1)[1] for i in ids} == items
    assert first.findtext("a:id", namespaces=NS) == again.findtext(
        "a:id", namespaces=NS
    )


def test_links_lead_to_the_item_and_the_feed_itself(client):
    feed = fetch(client, "/feed?q=sugardejting")
    self_link = feed.find("a:link[@rel='self']", NS).get("href")
    assert self_link == "http://localhost/feed?q=sugardejting"
    entry = entries(feed)[0]
    href = entry.find("a:link[@rel='alternate']", NS).get("href")
    parts = urlsplit(href)
    assert parts.fragment.startswith("item-") and parse_qs(parts.query)["q"] == [
        "sugardejting"
    ]
    page = client.get(parts.path + "?" + parts.query)
    assert page.status_code == 200 and f'id="{parts.fragment}"' in page.text
    summary = entry.findtext("a:summary", namespaces=NS)
    assert entry.find("a:summary", NS).get("type") == "html"
    assert "<mark>sugardejting</mark>" in summary


def test_filters_apply_to_the_feed(client):
    feed = fetch(client, "/feed?q=umeå&year=2021&type=minutes")
    dates = [e.findtext("a:published", namespaces=NS) for e in entries(feed)]
    assert dates and all(d.startswith("2021-") for d in dates)
    title = feed.findtext("a:title", namespaces=NS)
    assert "2021" in title and "Minnesanteckningar" in title
    categories = {e.find("a:category", NS).get("term") for e in entries(feed)}
    assert categories == {"minutes"}


def test_everything_is_escaped(client):
    nasty = "narkotika <script>&\"'\u2028"
    response = client.get("/feed", query_string={"q": nasty})
    assert b"<script>" not in response.data
    feed = ET.fromstring(response.data)  # well-formed whatever was asked
    assert nasty.strip() in feed.findtext("a:title", namespaces=NS)
    assert atom_problems(feed) == []


def test_a_feed_needs_words_or_a_filter(client):
    assert client.get("/feed").status_code == 400
    assert entries(fetch(client, "/feed?has_decision=1"))
    assert client.get("/feed?q=narkotika&year=twenty").status_code == 400


@pytest.mark.parametrize("path", ["/?q=narkotika", "/?q=narkotika&year=2021"])
def test_the_results_page_advertises_its_feed(client, path):
    html = client.get(path).text
    link = re.search(
        r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]+)"', html
    )
    feed_path = link.group(1).replace("&amp;", "&")
    assert feed_path.startswith("/feed?q=narkotika")
    assert atom_problems(fetch(client, feed_path)) == []


def test_feed_over_real_http(server):
    status, headers, body = http_get(f"{server}/feed?q=polisen")
    assert status == 200 and headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(body)
    self_link = feed.find("a:link[@rel='self']", NS).get("href")
    assert self_link == f"{server}/feed?q=polisen"
    assert atom_problems(feed) == []
