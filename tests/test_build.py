"""Building and updating the index: incremental runs, rebuilds, ids, publishing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer import build_index, live_generation
from indexer.store import IndexBusy, locked
from search_app.search import SearchParams, SearchService

CORPUS = Path(__file__).resolve().parent.parent / "corpus"

NEW_MEETING = (
    "2024-03-12\n\nKlockan 15.00\n\nStadshuset\n\n"
    "Kallade:\n\nAnna Berg, ~~Karl Ek~~\n\n"
    "Ärende:\tOmfattning/notering:\tFöredragande:\n"
    "Nattvandring i centrum\tNattvandrarna rapporterar färre mopedbränder.\tAnna Berg\n"
    "\nNoterat av:\n\nEva Lund\n"
)


@pytest.fixture
def corpus(tmp_path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


def hits(index: Path, q: str) -> list[tuple[str, int]]:
    result = SearchService(index).search(SearchParams(q=q, per_page=100))
    return [(h["source"], h["item_number"]) for h in result["hits"]]


def test_first_build_then_nothing_to_do(corpus, tmp_path):
    index = tmp_path / "index" / "nested"  # created when missing
    first = build_index(corpus, index)
    assert first.rebuilt and len(first.indexed) == 5 and not first.rejected
    assert first.items == 7 + 7 + 6 + 12 + 6
    second = build_index(corpus, index)
    assert not second.changed and second.unchanged == 5 and second.indexed == []
    assert second.items == first.items


def test_new_changed_and_deleted_files(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index)
    generation = live_generation(index)
    (corpus / "2024").mkdir()
    (corpus / "2024" / "möte.txt").write_text(NEW_MEETING)
    summary = build_index(corpus, index)
    assert summary.indexed == ["2024/möte.txt"] and summary.unchanged == 5
    assert live_generation(index) == generation  # incremental: same generation
    assert hits(index, "nattvandrarna") == [("2024/möte.txt", 1)]

    changed = NEW_MEETING.replace("mopedbränder", "klotterskador")
    (corpus / "2024" / "möte.txt").write_text(changed)
    assert build_index(corpus, index).indexed == ["2024/möte.txt"]
    assert hits(index, "mopedbränder") == []
    assert hits(index, "klotterskador") == [("2024/möte.txt", 1)]

    (corpus / "2024" / "möte.txt").unlink()
    summary = build_index(corpus, index)
    assert summary.deleted == ["2024/möte.txt"] and summary.items == 38
    assert hits(index, "nattvandrarna") == []


def test_rejected_files_are_reported_and_the_rest_indexed(corpus, tmp_path):
    (corpus / "tom.txt").write_bytes(b"")
    (corpus / "bild.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    summary = build_index(corpus, tmp_path / "index")
    assert dict(summary.rejected).keys() == {"tom.txt", "bild.pdf"}
    assert len(summary.indexed) == 5
    again = build_index(corpus, tmp_path / "index")  # reported again, not re-read
    assert dict(again.rejected).keys() == {"tom.txt", "bild.pdf"} and not again.changed


def test_metadata_change_reindexes_only_that_file(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index)
    meta = corpus / "metadata.toml"
    meta.write_text(
        meta.read_text() + '\n["001_16d2cf0df2da2920.txt"]\ntitle = "Decembermötet"\n'
    )
    summary = build_index(corpus, index)
    assert summary.indexed == ["001_16d2cf0df2da2920.txt"]
    result = SearchService(index).search(SearchParams(q="sugardejting"))
    assert result["hits"][0]["title"] == "Decembermötet"


def test_broken_metadata_file_is_reported_not_fatal(corpus, tmp_path):
    (corpus / "metadata.toml").write_text("[oops\n")
    summary = build_index(corpus, tmp_path / "index")
    assert summary.rejected[0][0] == "metadata.toml" and len(summary.indexed) == 5


def test_rebuild_publishes_a_new_generation_with_the_same_ids(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index)
    before = SearchService(index).search(SearchParams(q="narkotika", per_page=100))
    old = live_generation(index)
    assert build_index(corpus, index, rebuild=True).rebuilt
    middle = live_generation(index)
    # The previous generation stays for requests that opened it just before
    # the switch, and goes at the next publish.
    assert middle != old and old.exists()
    assert build_index(corpus, index, rebuild=True).rebuilt
    assert not old.exists() and middle.exists()
    after = SearchService(index).search(SearchParams(q="narkotika", per_page=100))
    ids = lambda r: sorted((h["doc_id"], h["item_id"]) for h in r["hits"])  # noqa: E731
    assert ids(before) == ids(after) and ids(before)


def test_a_running_service_sees_updates_without_restart(corpus, tmp_path):
    index = tmp_path / "index"
    build_index(corpus, index)
    service = SearchService(index)
    assert service.search(SearchParams(q="nattvandrarna"))["total"] == 0
    (corpus / "ny.txt").write_text(NEW_MEETING)
    build_index(corpus, index)
    assert service.search(SearchParams(q="nattvandrarna"))["total"] == 1
    build_index(corpus, index, rebuild=True)
    assert service.search(SearchParams(q="nattvandrarna"))["total"] == 1


def test_second_indexer_is_refused_when_told_not_to_wait(corpus, tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    with locked(index, wait=True):
        with pytest.raises(IndexBusy):
            build_index(corpus, index, wait=False)
