"""The array engine against Whoosh itself: the same matches, the same scores.

Every query of the judged set, and queries with each operator, are parsed
as the service parses them and run both ways: by ``scoring.Engine`` and by
Whoosh's own searcher (``search(limit=None)``, which scores every match).
An index with several segments and deleted items is checked too, since
that is where item numbering and statistics are easiest to get wrong.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from indexer import build_index
from search_app.fallbacks import terms_within
from search_app.scoring import Engine
from search_app.search import SearchParams, SearchService

JUDGED = Path(__file__).parent / "quality" / "judged.json"
OPERATOR_QUERIES = [
    "polisen INTE ungdom",
    "INTE polisen",
    "ungdom OR narkotika",
    "(ungdom OR polis) AND trygghet",
    "trygg*",
    "*",
    '"motorburen ungdom"',
    '"ungdom motorburen"',
    '"motorburna ungdomar"~3',
    '"brotts- och drogförebyggande"',
    "e-post",
    "knark",  # a synonym group
    "Umed",  # OCR damage
    "trygghetsvandringr",  # near spelling fallback
    "Elin Lindqvist",
    "2021",
]


def judged_queries() -> list[str]:
    return [entry["q"] for entry in json.loads(JUDGED.read_text(encoding="utf-8"))]


def whoosh_results(searcher, q) -> dict[int, float]:
    return {docnum: score for score, docnum in searcher.search(q, limit=None).top_n}


def assert_same(service: SearchService, texts: list[str]) -> int:
    """Checks each query both ways; returns how many matched anything."""
    searcher = service._searcher()
    engine = Engine(searcher.reader())
    nonempty = 0
    for text in texts:
        q = service._parse(text, searcher)
        if q is None:
            continue
        expected = whoosh_results(searcher, q)
        got = engine.evaluate(q, searcher)
        docs = set(np.flatnonzero(got.mask).tolist())
        assert docs == set(expected), text
        for docnum, score in expected.items():
            assert got.scores[docnum] == pytest.approx(score, rel=1e-5), text
        ranked = sorted(expected, key=lambda d: (-expected[d], d))[:10]
        top = engine.top(got, got.mask, 10)
        # Same order, except where Whoosh's own scores tie to float precision.
        assert [round(expected[d], 4) for d in top] == [
            round(expected[d], 4) for d in ranked
        ], text
        nonempty += bool(expected)
    return nonempty


def test_engine_matches_and_scores_like_whoosh_on_the_seed_corpus(index_dir):
    service = SearchService(index_dir)
    try:
        nonempty = assert_same(service, judged_queries() + OPERATOR_QUERIES)
    finally:
        service.close()
    assert nonempty > 100  # the comparison is about real matches


def test_engine_agrees_on_an_index_with_segments_and_deletions(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(Path(__file__).resolve().parent.parent / "corpus", corpus)
    index = tmp_path / "index"
    build_index(corpus, index, rebuild=True)
    # A changed file and a new one: a second segment, deleted items in the first.
    minutes = sorted(corpus.glob("000_*.txt"))[0]
    text = minutes.read_text(encoding="utf-8")
    minutes.write_text(text.replace("motorburen", "motorburna"), encoding="utf-8")
    (corpus / "extra.txt").write_text(text.replace("2021", "2026"), encoding="utf-8")
    build_index(corpus, index)
    service = SearchService(index)
    try:
        reader = service._searcher().reader()
        assert len(reader.leaf_readers()) > 1
        assert reader.doc_count() < reader.doc_count_all()
        assert assert_same(service, judged_queries() + OPERATOR_QUERIES) > 100
        hits = service.search(SearchParams(q="motorburna", per_page=100))["hits"]
        assert {h["source"] for h in hits} >= {minutes.name, "extra.txt"}
    finally:
        service.close()


def test_engine_cache_stays_within_its_budget(index_dir):
    service = SearchService(index_dir)
    try:
        searcher = service._searcher()
        budget = 64 * 1024
        engine = Engine(searcher.reader(), cache_bytes=budget)
        for text in judged_queries():
            q = service._parse(text, searcher)
            if q is not None:
                engine.evaluate(q, searcher)
        held = sum(engine._cache.costs())
        assert held == engine._cache.used
        assert held <= budget or len(engine._cache) == 1
        # Evicted terms are read again, with the same result.
        q = service._parse("motorburen ungdom", searcher)
        first = engine.evaluate(q, searcher)
        again = Engine(searcher.reader()).evaluate(q, searcher)
        assert np.array_equal(first.mask, again.mask)
        assert np.allclose(first.scores, again.scores)
    finally:
        service.close()


@pytest.mark.parametrize(
    ("word", "field", "maxdist", "prefix"),
    [
        ("sugardjeting", "body", 2, 1),
        ("polisn", "body", 1, 1),
        ("ungdorn", "body_fold", 1, 2),  # none
        ("trygghetsvandringr", "body_fold", 1, 2),
        ("medborgarlofen", "body_fold", 1, 2),  # none
    ],
)
def test_near_spellings_are_the_ones_whooshs_automaton_finds(
    index_dir, word, field, maxdist, prefix
):
    service = SearchService(index_dir)
    try:
        reader = service._searcher().reader()
        assert len(reader.leaf_readers()) == 1  # where Whoosh uses its automaton
        ours = list(terms_within(reader, field, word, maxdist, prefix))
        assert ours == list(reader.terms_within(field, word, maxdist, prefix=prefix))
        assert bool(ours) == (word not in {"ungdorn", "medborgarlofen"})
    finally:
        service.close()


def test_phrases_survive_a_cache_too_small_to_hold_their_words(index_dir):
    """Each read may evict the one before: a phrase must not depend on the cache."""
    service = SearchService(index_dir)
    try:
        searcher = service._searcher()
        tiny, roomy = (
            Engine(searcher.reader(), cache_bytes=1),
            Engine(searcher.reader()),
        )
        for text in [
            '"motorburen ungdom"',
            '"brott mot barn"',
            '"lägesbild från polisen"',
        ]:
            q = service._parse(text, searcher)
            a, b = tiny.evaluate(q, searcher), roomy.evaluate(q, searcher)
            assert a.mask.any(), text
            assert np.array_equal(a.mask, b.mask), text
            assert np.allclose(a.scores, b.scores), text
    finally:
        service.close()
