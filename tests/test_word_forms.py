"""The word-forms table: the indexer writes the forms of every word the server
can mark, highlighting looks them up instead of analysing them, and the
answers are the same as without it.

On real builds: the seed corpus, the quality corpus (with its OCR-damaged
copies, so with corrections) and one big enough for the multi-process writer.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from whoosh import index as whoosh_index

from indexer import build_index, formtable, live_generation
from indexer.analysis import token_spans, word_forms
from indexer.build import PARALLEL_MIN_DOCS
from indexer.folding import fold_letters
from indexer.morphology import (
    compound_split,
    lemma_stem,
    use_known_splits,
    worked_out_split,
)
from indexer.store import read_manifest, write_manifest
from indexer.wordforms import forms_key, open_forms
from search_app import create_app
from search_app.search import SearchService, _load_word_lists
from search_app.vocabulary import IndexDamaged, SearchParams
from tests.quality.evaluate import JUDGED_PATH, prepare_corpus

HEADER = "Ärende:\tOmfattning/notering:\tFöredragande:\n"
NEW_WORDS = "Snöröjningsentreprenaden cykelstöldsförebyggande Vinterväghållningen"


def minutes(n: int, text: str) -> str:
    return (
        f"2021-{n % 12 + 1:02d}-{n % 28 + 1:02d}\n\nKlockan 15.00\n\nKallade:\n\n"
        f"Anna Svensson, Per Olsson\n\n{HEADER}Punkt {n}\t{text}\tAnna Svensson\n\n"
        "Noterat av:\n\nAnna Svensson\n"
    )


def shown_words(index: Path) -> set[str]:
    """Every word the server can ask the forms of, from what the index stores."""
    words: set[str] = set()
    ix = whoosh_index.open_dir(str(live_generation(index)))
    with ix.searcher() as searcher:
        for fields in searcher.reader().all_stored_fields():
            meta = fields.get("doc_meta") or {}
            names = [entry["name"] for entry in meta.get("attendance") or []]
            for text in [fields.get("text") or "", fields["item_title"], *names]:
                words.update(word for _, _, word in token_spans(text))
            for fixed in (fields.get("corrections") or {}).values():
                words.update((fixed.lower(), fold_letters(fixed)))
    return words


def table_of(index: Path) -> formtable.FormTable:
    table = open_forms(formtable.latest(live_generation(index)))
    assert table is not None
    return table


def table_words(table: formtable.FormTable) -> set[str]:
    return {word.decode() for word, _ in table.records()}


@pytest.fixture(scope="module")
def quality_corpus(tmp_path_factory) -> Path:
    """The seed corpus with its OCR-damaged copies: scans, corrections."""
    return prepare_corpus(tmp_path_factory.mktemp("quality"))


@pytest.fixture(scope="module")
def quality_index(quality_corpus, tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("quality-index")
    build_index(quality_corpus, index, rebuild=True)
    return index


@pytest.fixture(scope="module")
def big_index(quality_corpus, tmp_path_factory) -> Path:
    """The quality corpus and enough meetings more for the multi-process writer."""
    corpus = tmp_path_factory.mktemp("big") / "korpus"
    shutil.copytree(quality_corpus, corpus)
    words = NEW_WORDS.split() + ["Klotter", "Nattvandring", "Skolgården"]
    for n in range(PARALLEL_MIN_DOCS):
        text = f"{words[n % len(words)]} och trygghetsvandringar{n} diskuterades."
        (corpus / f"m{n:04d}.txt").write_text(minutes(n, text), encoding="utf-8")
    index = tmp_path_factory.mktemp("big-index")
    summary = build_index(corpus, index, rebuild=True)
    assert not summary.rejected, summary.rejected
    return index


# --- what the indexer writes -------------------------------------------------------


@pytest.mark.parametrize("name", ["quality_index", "big_index"])
def test_the_table_holds_exactly_the_forms_of_every_word_shown(name, request):
    """In-process and multi-process builds alike: each word the server can
    mark, with exactly the forms the analysis gives it, and nothing else."""
    index = request.getfixturevalue(name)
    table = table_of(index)
    expected = shown_words(index)
    assert table_words(table) == expected
    for word in expected:
        assert table.get(word) == word_forms(word), word
        assert table.split(word) == worked_out_split(word), word


def test_the_table_is_an_index_file_with_a_checksum(quality_index):
    live = live_generation(quality_index)
    names = [path.name for path in formtable.tables(live)]
    assert names == ["word_forms_1.bin"]
    assert names[0] in read_manifest(live)["checksums"]


def test_an_incremental_run_adds_the_new_words_under_a_new_name(
    quality_corpus, tmp_path
):
    corpus, index = tmp_path / "korpus", tmp_path / "index"
    shutil.copytree(quality_corpus, corpus)
    build_index(corpus, index, rebuild=True)
    live = live_generation(index)
    before = table_words(table_of(index))
    first = formtable.latest(live)

    (corpus / "ny.txt").write_text(minutes(3, NEW_WORDS), encoding="utf-8")
    summary = build_index(corpus, index)
    assert summary.indexed == ["ny.txt"] and not summary.rebuilt
    assert live_generation(index) == live
    table = table_of(index)
    assert table.path != first and not first.exists()  # replaced, never rewritten
    new = {w.lower() for w in NEW_WORDS.split()}
    assert new - before == new  # words no earlier file had
    assert table_words(table) == before | shown_words(index)
    for word in new:
        assert table.get(word) == word_forms(word)
    sums = read_manifest(live)["checksums"]
    assert [n for n in sums if n.startswith("word_forms")] == [table.path.name]

    # Only deletions, no new word: the table stays as it is.
    (corpus / "ny.txt").unlink()
    summary = build_index(corpus, index)
    assert summary.deleted == ["ny.txt"]
    assert formtable.latest(live) == table.path


# --- what the server reads -----------------------------------------------------------


def without_table(index: Path, target: Path) -> Path:
    """A copy of the index as written before there was a table."""
    shutil.copytree(index, target)
    live = live_generation(target)
    for path in formtable.tables(live):
        path.unlink()
    manifest = read_manifest(live)
    manifest["checksums"] = {
        name: sums
        for name, sums in manifest["checksums"].items()
        if not name.startswith("word_forms")
    }
    write_manifest(live, manifest)
    return target


def api_answers(index: Path) -> list:
    """Search and document answers for every judged query, as the API gives them."""
    client = create_app({"TESTING": True, "INDEX_DIR": str(index)}).test_client()
    queries = [entry["q"] for entry in json.loads(JUDGED_PATH.read_text("utf-8"))]
    answers = []
    for q in queries:
        found = client.get("/api/search?" + urlencode({"q": q, "per_page": 50}))
        assert found.status_code == 200
        body = found.get_json()
        answers.append(body)
        for doc_id in sorted({hit["doc_id"] for hit in body["hits"]})[:3]:
            page = client.get(f"/api/documents/{quote(doc_id)}?q={quote(q)}")
            answers.append(page.get_json())
    return answers


@pytest.mark.parametrize("name", ["index_dir", "quality_index"])
def test_highlighting_is_the_same_with_and_without_the_table(name, request, tmp_path):
    """The seed corpus and its scans: the same answers, byte for byte, and
    with the table not one word of the stored text is analysed when asked."""
    index = request.getfixturevalue(name)
    _load_word_lists()  # the lexicon's warm-up, once per process
    word_forms.cache_clear()
    compound_split.cache_clear()  # the query's words: looked up in the table
    lemma_stem.cache_clear()
    with_table = api_answers(index)
    assert word_forms.cache_info().misses == 0
    compound_split.cache_clear()
    lemma_stem.cache_clear()
    without = api_answers(without_table(index, tmp_path / "older"))
    assert word_forms.cache_info().misses > 0
    assert json.dumps(with_table, sort_keys=True) == json.dumps(without, sort_keys=True)
    marked = [
        line
        for answer in with_table
        for hit in answer.get("hits", [])
        for line in hit["highlights"]
        if "<mark>" in line
    ]
    assert len(marked) > 100


@pytest.fixture
def known_splits():
    """Whatever splits the process had registered, back after the test."""
    from indexer import morphology

    before = morphology._Known.lookup
    yield
    use_known_splits(before)
    compound_split.cache_clear()


def test_a_server_looks_up_the_splits_of_a_querys_words(
    quality_index, known_splits, tmp_path
):
    """Registered when the service opens the table; a word it holds is never
    split again, one it lacks is, and a closed table is no answer."""
    from indexer import morphology

    use_known_splits(None)
    service = SearchService(quality_index)
    service.preload()
    registered = morphology._Known.lookup
    assert registered is not None
    assert registered.__self__.path == formtable.latest(live_generation(quality_index))
    service.close()

    # A table that says something the lexicon would not: only a look-up says it.
    path = tmp_path / "word_forms_1.bin"
    invented = {k: frozenset() for k in formtable.FORMS}
    records = {b"abcdefghij": formtable.encode(invented, ("abcd", "abcd", "efghij"))}
    formtable.write(path, records, "key")
    table = formtable.open_table(path, "key")
    assert table is not None
    assert worked_out_split("abcdefghij") is None
    use_known_splits(table.split)
    compound_split.cache_clear()
    assert compound_split("abcdefghij") == ("abcd", "abcd", "efghij")
    assert compound_split("narkotikabeslag") == worked_out_split("narkotikabeslag")
    table.close()
    compound_split.cache_clear()
    assert compound_split("abcdefghij") is None  # closed: worked out


def test_a_table_another_analysis_wrote_is_not_used(quality_index):
    path = formtable.latest(live_generation(quality_index))
    assert formtable.open_table(path, forms_key()) is not None
    assert formtable.open_table(path, "analysis 0; wordfreq 1.0") is None


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbled":  # same size: only the content hash tells
        path.write_bytes(data[:-40] + bytes(b ^ 0xFF for b in data[-40:]))
    else:
        path.unlink()


@pytest.mark.parametrize("how", ["truncated", "garbled", "missing"])
def test_a_damaged_table_is_damage_to_the_server_and_the_indexer(
    quality_corpus, tmp_path, how
):
    """Like any index file: the server refuses the index (503) and the next
    run rebuilds it, with a whole table."""
    corpus, index = tmp_path / "korpus", tmp_path / "index"
    shutil.copytree(quality_corpus, corpus)
    build_index(corpus, index, rebuild=True)
    service = SearchService(index)
    try:
        assert service.search(SearchParams(q="narkotika"))["total"] > 0
        live = live_generation(index)
        table = formtable.latest(live)
        _damage(table, how)
        with pytest.raises(IndexDamaged, match=table.name):
            service.search(SearchParams(q="polisen"))
    finally:
        service.close()

    summary = build_index(corpus, index)
    assert summary.rebuilt
    assert any("index damaged" in w and table.name in w for _, w in summary.warnings)
    assert table_words(table_of(index)) == shown_words(index)


def test_a_search_that_trips_on_a_garbled_table_names_the_damage(
    quality_corpus, tmp_path
):
    """Same size, same time: the record that cannot be read makes the search
    hash the files and say the index is damaged, as for a segment file."""
    corpus, index = tmp_path / "korpus", tmp_path / "index"
    shutil.copytree(quality_corpus, corpus)
    build_index(corpus, index, rebuild=True)
    service = SearchService(index)
    try:
        assert service.search(SearchParams(q="narkotika"))["total"] > 0
        service._integrity.wait()  # every file hashed as recorded
        path = formtable.latest(live_generation(index))
        stat = path.stat()
        data = bytearray(path.read_bytes())
        values = len(data) * 2 // 3  # well inside the forms, after the words
        data[values:] = b"\xff" * (len(data) - values)
        path.write_bytes(bytes(data))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        with pytest.raises(IndexDamaged) as tripped:
            service.search(SearchParams(q="trygghet"))
        assert isinstance(tripped.value.__cause__, formtable.TableDamaged)
        with pytest.raises(IndexDamaged, match=path.name):
            service.search(SearchParams(q="ungdomar"))
    finally:
        service.close()


# --- the file format -----------------------------------------------------------------


def test_a_table_reads_back_what_was_written(tmp_path):
    words = ["ö", "åtgärd", "polisen", "bob-råden", "a", "zebra", "öppen", "och"]
    words += ["narkotikabeslag", "trygghetsvandringar", "ungdomsbrottsligheten"]
    records = {
        w.encode(): formtable.encode(word_forms(w), worked_out_split(w)) for w in words
    }
    path = tmp_path / "word_forms_1.bin"
    formtable.write(path, records, "key")
    table = formtable.open_table(path, "key")
    assert table is not None and len(table) == len(words)
    for word in words:
        assert word in table
        assert table.get(word) == word_forms(word)
        assert table.split(word) == worked_out_split(word)
    assert table.split("narkotikabeslag") == ("narkotika", "narkotika", "beslag")
    assert table.split("polisen") is None
    for absent in ["", "polis", "öppna", "zzz", "\udcff"]:
        assert table.get(absent) is None and absent not in table
        with pytest.raises(KeyError):
            table.split(absent)
    assert [w.decode() for w, _ in table.records()] == sorted(
        words, key=lambda w: w.encode()
    )
    table.close()

    formtable.write(path, {}, "key")
    empty = formtable.open_table(path, "key")
    assert empty is not None and len(empty) == 0 and empty.get("polisen") is None
    for junk in [b"", b"WORDFORM", b"not a table at all, though long enough" * 3]:
        path.write_bytes(junk)
        assert formtable.open_table(path, "key") is None
    assert formtable.open_table(tmp_path / "word_forms_9.bin", "key") is None


def test_forms_that_would_not_read_back_are_left_out():
    empty = {k: frozenset() for k in formtable.FORMS}
    assert formtable.encode(empty, None) == b"\t\t\t\t"
    spaced = {k: frozenset({"a b"}) for k in formtable.FORMS}
    assert formtable.encode(spaced, None) is None
    assert formtable.encode(empty, ("a b", "a", "c")) is None
    assert formtable.encode(empty, ("", "a", "c")) is None
    with pytest.raises(formtable.TableDamaged):
        formtable.decode(b"\xff\t\t\t\t")
    with pytest.raises(formtable.TableDamaged):
        formtable.decode(b"one field")
    with pytest.raises(formtable.TableDamaged):
        formtable.decode(b"\t\t\t")  # the first format: no split
    with pytest.raises(formtable.TableDamaged):
        formtable.decode_split(b"\t\t\t\ttwo parts")
