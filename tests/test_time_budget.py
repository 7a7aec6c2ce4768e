"""A search that runs past its time budget is stopped and answered with 503.

The budget is a deadline the service hands the engine, checked in its loops
(query nodes, phrase positions, the words of each hit), so one costly query
cannot hold a worker thread while the others wait.
"""

from __future__ import annotations

import gc
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest

from indexer import build_index
from search_app import create_app
from search_app.matching import TermMatcher
from search_app.search import SearchService
from search_app.vocabulary import Deadline, QueryTooSlow, SearchParams
from tests.conftest import ROOT, http_json, serve_app

PAST = Deadline(at=0.0, seconds=0.5)  # passed long ago


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> tuple[Path, Path]:
    """A synthetic archive of 60 meetings (the benchmark's generator), indexed."""
    root = tmp_path_factory.mktemp("budget")
    corpus, index = root / "korpus", root / "index"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate_corpus.py"),
         "--meetings", "60", "--out", str(corpus)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
    summary = build_index(corpus, index)
    assert summary.items > 300 and not summary.rejected
    return corpus, index


def costly_query(corpus: Path, words: int = 40) -> str:
    """The archive's most frequent words, any of which may match: every item
    matches, every hit has dozens of words to mark."""
    counts: Counter = Counter()
    for path in corpus.rglob("*.txt"):
        counts.update(re.findall(r"[a-zåäö]{4,}", path.read_text("utf-8").lower()))
    return " OR ".join(word for word, _ in counts.most_common(words))


def test_the_engine_stops_at_a_passed_deadline(index_dir):
    service = SearchService(index_dir)
    searcher = service._searcher()
    q = service._parse("narkotika OR polisen", searcher)
    _, engine = service._view(searcher)
    assert engine.evaluate(q, searcher).mask.any()
    with pytest.raises(QueryTooSlow, match="longer than 0.5 s"):
        engine.evaluate(q, searcher, PAST)
    matcher = TermMatcher(q, searcher.reader(), PAST)
    with pytest.raises(QueryTooSlow):
        matcher.spans("Narkotika och polisen", {})
    service.close()


def test_a_service_without_budget_never_stops(index_dir):
    service = SearchService(index_dir, budget=None)
    assert service.search(SearchParams(q="narkotika"))["total"] > 0
    service.close()


@pytest.fixture
def quiet_collector():
    """The collector leaves the objects made so far alone while a test times
    requests, as the server's is after its load (``prefork`` freezes it).

    In the full suite this process holds what hundreds of tests left behind,
    and one full collection walks all of it: 0.4 to 0.8 s late in the suite,
    every few seconds. One such pause inside a timed window measures the
    suite's heap, not the budget; frozen, a collection walks only what the
    timed requests make.
    """
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


def _timed(client, path: str) -> float:
    """Seconds one request takes through the test client (answered 200)."""
    started = time.monotonic()
    assert client.get(path).status_code == 200
    return time.monotonic() - started


def _under_load(index: Path, seconds: float, costly: str, cheap: str):
    """Three costly requests at once on a two-thread server, and a cheap one
    while they hold both threads: (status, body, wall seconds) of each."""
    app = create_app({"INDEX_DIR": str(index), "SEARCH_SECONDS": seconds})
    port, stop = serve_app(app, threads=2)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, list[tuple[int, dict, float]]] = {costly: [], cheap: []}

    def get(path: str) -> None:
        began = time.monotonic()
        status, body = http_json(base + path)
        results[path].append((status, body, time.monotonic() - began))

    try:
        assert http_json(base + cheap)[0] == 200  # loads the word lists
        threads = [threading.Thread(target=get, args=(costly,)) for _ in range(3)]
        for thread in threads:
            thread.start()
        get(cheap)  # while the costly ones hold both threads
        for thread in threads:
            thread.join(timeout=120)
    finally:
        stop()
        app.extensions["search"].close()
    return results[costly], results[cheap]


def test_a_costly_query_is_stopped_at_the_budget_and_others_are_answered(
    generated, quiet_collector
):
    """Under the same load, with a budget of a fifth of the query's cost, every
    costly request is answered 503 sooner than its unbounded twin is answered
    at all, and the cheap one is answered meanwhile.

    Compared under the same load, not with one request alone: a request that
    waits for a thread, or shares the interpreter with two others, takes
    longer than the query costs whatever its budget. For the same reason the
    budget is never under eight times what the cheap request costs alone
    (at best of five): it runs beside a costly one, taking turns for the
    interpreter.
    """
    corpus, index = generated
    # As many words as a query may have and a full page of hits to mark: far
    # more work than a request's own overhead, even with warm word caches.
    query = costly_query(corpus, words=60)
    costly = "/api/search?" + urlencode({"q": query, "per_page": 100})
    cheap = "/api/search?" + urlencode({"q": "narkotika"})
    unbounded = create_app({"INDEX_DIR": str(index), "SEARCH_SECONDS": 600})
    client = unbounded.test_client()
    assert client.get(cheap).status_code == 200  # loads the word lists
    cheap_alone = min(_timed(client, cheap) for _ in range(5))
    started = time.monotonic()
    response = client.get(costly)
    alone = time.monotonic() - started
    assert response.status_code == 200 and response.get_json()["total"] > 300
    unbounded.extensions["search"].close()
    budget = max(alone / 5, 8 * cheap_alone)
    assert budget < alone, (alone, cheap_alone)  # the costly query is costly

    full, _ = _under_load(index, 600, costly, cheap)
    assert [status for status, _, _ in full] == [200] * 3
    stopped, [(status, body, _)] = _under_load(index, budget, costly, cheap)
    assert status == 200 and body["total"] > 0
    assert len(stopped) == 3
    for status, body, _ in stopped:
        assert status == 503
        assert "took longer than" in body["error"]
    # Stopped, not run to the end: each slower request waited for the one
    # before it, so compare them in order.
    for (_, _, cut), (_, _, whole) in zip(
        sorted(stopped, key=lambda r: r[2]),
        sorted(full, key=lambda r: r[2]),
        strict=True,
    ):
        assert cut < whole


def test_the_search_page_says_the_query_took_too_long(generated):
    corpus, index = generated
    app = create_app({"INDEX_DIR": str(index), "SEARCH_SECONDS": 1e-6})
    response = app.test_client().get("/?" + urlencode({"q": costly_query(corpus)}))
    assert response.status_code == 503
    assert "Frågan tog för lång tid" in response.get_data(as_text=True)
    app.extensions["search"].close()
