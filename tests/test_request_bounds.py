"""Requests that would cost a lot are bounded; links never come from the request."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from search_app import create_app


def test_a_huge_phrase_slop_answers_quickly(client):
    client.get("/api/search?q=narkotika")  # warm
    started = time.monotonic()
    response = client.get(
        "/api/search?" + urlencode({"q": '"narkotika skolan"~4000000'})
    )
    assert response.status_code == 200
    assert time.monotonic() - started < 5


def test_a_capped_slop_still_finds_words_a_few_apart(client):
    near = client.get("/api/search?" + urlencode({"q": '"narkotika skolan"~8'}))
    huge = client.get("/api/search?" + urlencode({"q": '"narkotika skolan"~99999'}))
    assert near.get_json()["total"] == huge.get_json()["total"]


def test_feed_links_come_from_configuration_not_the_host_header(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "BASE_URL": "https://sok.umea.se"})
    response = app.test_client().get(
        "/feed?q=narkotika", headers={"Host": "evil.example"}
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "evil.example" not in body
    assert "https://sok.umea.se/feed?q=narkotika" in body
