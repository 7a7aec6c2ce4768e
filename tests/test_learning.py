"""A big build learns its words in a process of its own and hands the answers on.

The learner (``indexer.warm``) works out each distinct word's forms once, in a
forked process whose morphology caches die with it; the writer's workers
(``indexer.parallel``) take its memo from a file. Both are caches: the index
must be the same without them.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from indexer import build_index, live_generation
from indexer import warm as warm_module
from indexer.analysis import WordMemoAnalyzer, memo_key
from indexer.build import LEARNT_WORDS, PARALLEL_MIN_DOCS
from indexer.fields import item_fields
from indexer.morphology import compound_split
from indexer.ocrfix import clean_words, correction_lexicon
from indexer.schema import get_schema
from indexer.warm import WordLearner, load_learnt
from indexer.wordforms import FormsWriter
from search_app import create_app
from tests.conftest import CORPUS, ROOT
from tests.conftest import seed_documents as seeded

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or (os.cpu_count() or 1) < 2,
    reason="the learner and the multi-process writer fork",
)

HEADER = "Ärende:\tOmfattning/notering:\tFöredragande:\n"


def seed_documents():
    docs = seeded()
    assert docs and any(not d.ocr for d in docs)
    return docs


def test_the_learner_answers_as_the_analysis_does_without_growing_this_process(
    tmp_path,
):
    schema = get_schema()
    docs = seed_documents()
    memo = tmp_path / "learnt.pickle"
    forms = FormsWriter()
    cached_before = compound_split.cache_info().currsize
    learner = WordLearner(schema, forms, memo)
    for doc in docs:
        learner.add(doc)
    learner.finish()
    assert learner.failure is None
    # Compound splitting happened over there: not one split more cached here.
    assert compound_split.cache_info().currsize == cached_before

    assert memo.is_file()

    # The table's records are the analysis' own answers, for every word shown.
    records = forms.records()
    assert len(records) > 500
    reference = FormsWriter()
    for doc in docs:
        for item in doc.items:
            reference.add(item_fields(doc, item, None))
    assert records == reference.records()


def test_each_chain_learns_exactly_what_it_makes_of_each_word(tmp_path):
    """Every learnt entry is the chain's own answer for that word."""
    schema = get_schema()
    memo = tmp_path / "learnt.pickle"
    learner = WordLearner(schema, None, memo)
    for doc in seed_documents():
        learner.add(doc)
    learner.finish()
    with open(memo, "rb") as fh:
        learnt = pickle.load(fh)
    chains = {}
    for name in schema.names():
        analyzer = getattr(schema[name], "analyzer", None)
        if isinstance(analyzer, WordMemoAnalyzer):
            chains.setdefault(memo_key(analyzer), analyzer)
    assert set(learnt) <= set(chains)
    assert sum(1 for entries in learnt.values() if len(entries) > 500) >= 3
    for key, entries in learnt.items():
        for word, forms in list(entries.items())[:300]:
            assert chains[key].forms(word) == forms, word


def test_the_writer_meets_no_word_the_memo_lacks(tmp_path):
    """Clean items as read and OCR'd items as corrected: every word of every
    analysed field of every index document is in its chain's memo."""
    schema = get_schema()
    docs = seed_documents()
    assert any(doc.ocr for doc in docs), "the seed corpus has an OCR'd document"
    memo = tmp_path / "learnt.pickle"
    learner = WordLearner(schema, FormsWriter(), memo)
    for doc in docs:
        learner.add(doc)
    lexicon = correction_lexicon(True, clean_words(docs))
    written = [item_fields(d, i, lexicon) for d in docs for i in d.items]
    for fields in written:
        if fields["ocr"]:
            learner.add_written(fields)
    learner.finish()
    assert learner.failure is None
    with open(memo, "rb") as fh:
        learnt = pickle.load(fh)
    checked = 0
    for name in schema.names():
        analyzer = getattr(schema[name], "analyzer", None)
        if not isinstance(analyzer, WordMemoAnalyzer):
            continue
        known = learnt[memo_key(analyzer)]
        for fields in written:
            value = fields.get(name)
            if isinstance(value, str):
                for word in analyzer.items[0].expression.findall(value):
                    assert word in known, (name, word)
                    checked += 1
    assert checked > 5000


def test_a_missing_or_broken_memo_file_is_only_a_cold_cache(tmp_path):
    assert load_learnt(tmp_path / "none.pickle") is False
    broken = tmp_path / "broken.pickle"
    broken.write_bytes(b"\x80\x05not a pickle")
    assert load_learnt(broken) is False


def minutes(n: int, text: str) -> str:
    return (
        f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}\n\nKlockan 15.00\n\nKallade:\n\n"
        f"Anna Svensson\n\n{HEADER}Punkt {n}\t{text}\tAnna Svensson\n\n"
        "Noterat av:\n\nAnna Svensson\n"
    )


def big_corpus(root: Path) -> Path:
    corpus = root / "korpus"
    shutil.copytree(CORPUS, corpus)
    words = ["Klotter", "Mopedtrafik", "Nattvandringar", "Skolgården", "Belysning"]
    for n in range(PARALLEL_MIN_DOCS):
        text = f"{words[n % len(words)]} och trygghetsrapporten{n} diskuterades."
        (corpus / f"m{n:04d}.txt").write_text(minutes(n, text), encoding="utf-8")
    return corpus


def _dies(*args, **kwargs):
    os._exit(3)


def test_a_build_whose_learner_dies_still_indexes_every_word(tmp_path, monkeypatch):
    corpus = big_corpus(tmp_path)
    monkeypatch.setattr(warm_module, "_learn", _dies)  # forked: the child dies
    index = tmp_path / "index"
    summary = build_index(corpus, index, rebuild=True)
    assert not summary.rejected
    assert any("analysed while writing" in message for _, message in summary.warnings)
    live = live_generation(index)
    assert live is not None and not (live / LEARNT_WORDS).exists()
    client = create_app({"INDEX_DIR": str(index)}).test_client()
    found = client.get("/api/search?q=trygghetsrapporten7").get_json()
    assert [hit["source"] for hit in found["hits"]] == ["m0007.txt"]
    # A compound's part finds it: the stemmed field's parts were written.
    found = client.get("/api/search?q=trafik&per_page=100").get_json()
    generated = {hit["source"] for hit in found["hits"] if hit["source"][0] == "m"}
    assert generated == {f"m{n:04d}.txt" for n in range(1, PARALLEL_MIN_DOCS, 5)}


def test_a_big_build_leaves_no_memo_and_marks_what_the_analysis_marks(tmp_path):
    corpus = big_corpus(tmp_path)
    index = tmp_path / "index"
    summary = build_index(corpus, index, rebuild=True)
    assert not summary.rejected and not summary.warnings
    live = live_generation(index)
    assert live is not None and not (live / LEARNT_WORDS).exists()
    assert not list(live.glob("*.part"))
    client = create_app({"INDEX_DIR": str(index)}).test_client()
    found = client.get("/api/search?q=nattvandring&per_page=100").get_json()
    generated = [hit for hit in found["hits"] if hit["source"][0] == "m"]
    assert len(generated) == len(range(2, PARALLEL_MIN_DOCS, 5))
    for hit in generated:
        marked = re.findall(r"<mark>(.*?)</mark>", " ".join(hit["highlights"]))
        assert marked == ["Nattvandringar"], hit["source"]


def test_a_big_rebuild_whose_every_file_is_rejected_still_ends(tmp_path):
    """The workers start before any file is read: with nothing to write,
    the run must still end, and leave no process behind."""
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    for n in range(PARALLEL_MIN_DOCS):
        (corpus / f"tom{n:04d}.txt").write_text("", encoding="utf-8")
    index = tmp_path / "index"
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "--corpus", str(corpus),
         "--index", str(index), "--rebuild"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    assert f"{PARALLEL_MIN_DOCS} rejected" in done.stdout + done.stderr
    live = live_generation(index)
    assert live is not None and not (live / LEARNT_WORDS).exists()


def test_the_readers_compound_splits_are_the_analysis_own():
    """The file reader sends the splits it worked out (telling a scan from
    typed text); the learner looks them up, so they must be exactly what
    the morphology works out, and new ones only."""
    from indexer.morphology import splits_worked_out, worked_out_split
    from indexer.sandbox import FileReader

    reader = FileReader()
    try:
        path = sorted(CORPUS.glob("*.txt"))[0]
        first = reader.read(path, CORPUS, {"defaults": {}, "file": {}})
        again = reader.read(path, CORPUS, {"defaults": {}, "file": {}})
    finally:
        reader.close()
    assert first.doc.items and len(first.splits) > 20
    assert any(split is not None for split in first.splits.values())
    for word, split in first.splits.items():
        assert worked_out_split(word) == split, word
    assert again.splits == {}, "remembered splits are not sent again"
    compound_split.cache_clear()  # so that it is worked out here
    with splits_worked_out() as recorded:
        compound_split("trygghetsvandringsrapporterna")
    assert recorded["trygghetsvandringsrapporterna"] == worked_out_split(
        "trygghetsvandringsrapporterna"
    )
