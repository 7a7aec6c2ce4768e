"""A damaged index is refused by the server (503) and rebuilt by the next run,
never served in part."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from indexer import build_index, live_generation
from indexer.store import read_manifest
from search_app import create_app
from tests.conftest import ROOT, http_get, http_json, serve_app

HEADER = "Ärende:\tOmfattning/notering:\tFöredragande:\n"


def minutes(day: int, word: str) -> str:
    return (
        f"2022-10-{day:02d}\n\nKlockan 15.00\n\nKallade:\n\nAnna Svensson\n\n"
        f"{HEADER}Punkt\t{word} diskuterades.\tAnna Svensson\n\n"
        "Noterat av:\n\nAnna Svensson\n"
    )


@pytest.mark.parametrize("how", ["truncated", "garbled", "missing"])
def test_damaged_segment_file_triggers_a_rebuild(tmp_path, how):
    corpus, index = tmp_path / "korpus", tmp_path / "index"
    corpus.mkdir()
    for day, word in enumerate(["Klotter", "Mopeder", "Nattvandring"], 1):
        (corpus / f"m{day}.txt").write_text(minutes(day, word), encoding="utf-8")
    build_index(corpus, index)
    live = live_generation(index)
    sums = read_manifest(live)["checksums"]
    name = max(sums, key=lambda n: sums[n][0])  # the biggest index file
    path = live / name
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbled":
        path.write_bytes(data[:10] + bytes(b ^ 0xFF for b in data[10:20]) + data[20:])
    else:
        path.unlink()

    summary = build_index(corpus, index)
    assert summary.rebuilt
    assert any("index damaged" in w and name in w for _, w in summary.warnings)
    assert live_generation(index) != live
    assert summary.items == 3
    again = build_index(corpus, index)
    assert not again.changed and not again.warnings


def _damage(path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbled":  # same size: only the content hash tells
        path.write_bytes(data[:10] + bytes(b ^ 0xFF for b in data[10:20]) + data[20:])
    else:
        path.unlink()


def _wait_for_status(url: str, status: int, seconds: float = 20) -> tuple[int, dict]:
    """Poll until ``url`` answers ``status``: the content hash runs in the
    background, so a garbled file is refused from the request after it ends."""
    deadline = time.monotonic() + seconds
    while True:
        got, body = http_json(url)
        if got == status or time.monotonic() > deadline:
            return got, body
        time.sleep(0.05)


@pytest.mark.parametrize("how", ["truncated", "garbled", "missing"])
def test_server_refuses_a_damaged_index_until_the_indexer_rebuilds_it(tmp_path, how):
    corpus, index = tmp_path / "korpus", tmp_path / "index"
    corpus.mkdir()
    for day, word in enumerate(["Klotter", "Mopeder", "Nattvandring"], 1):
        (corpus / f"m{day}.txt").write_text(minutes(day, word), encoding="utf-8")
    build_index(corpus, index)
    app = create_app({"INDEX_DIR": str(index)})
    port, stop = serve_app(app)
    base = f"http://127.0.0.1:{port}"
    try:
        status, body = http_json(f"{base}/api/search?q=Mopeder")
        assert (status, body["total"]) == (200, 1)
        live = live_generation(index)
        sums = read_manifest(live)["checksums"]
        _damage(live / max(sums, key=lambda n: sums[n][0]), how)

        status, body = _wait_for_status(f"{base}/api/search?q=Mopeder", 503)
        assert status == 503, body
        assert "damaged" in body["error"] and "rebuild" in body["error"]
        status, _, page = http_get(f"{base}/?q=Mopeder")
        assert status == 503
        assert "Sökindexet är skadat" in page.decode("utf-8")
        status, _, _ = http_get(f"{base}/api/documents")
        assert status == 503

        done = subprocess.run(
            [sys.executable, "-m", "indexer", "--corpus", str(corpus),
             "--index", str(index)],
            capture_output=True, text=True, timeout=300, cwd=ROOT,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "index damaged" in done.stderr and "rebuilt" in done.stderr
        assert done.stdout.startswith("Rebuilt index")

        status, body = _wait_for_status(f"{base}/api/search?q=Mopeder", 200)
        assert (status, body["total"]) == (200, 1)
        assert [h["item_title"] for h in body["hits"]] == ["Punkt"]
    finally:
        stop()
        app.extensions["search"].close()


def test_an_index_being_updated_is_not_taken_for_damaged(tmp_path):
    """An incremental run commits new segment files before it rewrites the
    manifest; in between, the server must go on answering."""
    corpus, index = tmp_path / "korpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "m1.txt").write_text(minutes(1, "Klotter"), encoding="utf-8")
    build_index(corpus, index)
    live = live_generation(index)
    before = (live / "manifest.json").read_bytes()
    (corpus / "m2.txt").write_text(minutes(2, "Mopeder"), encoding="utf-8")
    build_index(corpus, index)
    assert live_generation(index) == live  # written into the live generation
    (live / "manifest.json").write_bytes(before)  # as if caught before the rewrite
    client = create_app({"INDEX_DIR": str(index)}).test_client()
    response = client.get("/api/search?q=Mopeder")
    assert response.status_code == 200
    assert response.get_json()["total"] == 1


def test_a_file_garbled_behind_the_checks_back_is_named_when_a_search_trips_on_it(
    tmp_path,
):
    """Same size, same time: only reading it can tell. The search that trips
    on it hashes the files and says the index is damaged, and so does every
    later one: no engine error, no answer from a damaged index."""
    import os
    import shutil

    from search_app.search import SearchService
    from search_app.vocabulary import IndexDamaged, SearchParams

    corpus, index = tmp_path / "korpus", tmp_path / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    build_index(corpus, index, rebuild=True)
    service = SearchService(index)
    assert service.search(SearchParams(q="narkotika"))["total"] > 0
    service._integrity.wait()  # every file hashed as recorded
    live = live_generation(index)
    stored = next(live.glob("*_stored.col"))
    stat = stored.stat()
    data = bytearray(stored.read_bytes())
    for i in range(len(data) // 4, len(data) // 4 + 4000):
        data[i] ^= 0x5A
    stored.write_bytes(bytes(data))
    os.utime(stored, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    outcomes = []
    for q in ["polisen", "trygghet", "ungdomar", "klotter", "skola"]:
        try:
            service.search(SearchParams(q=q))
            outcomes.append("answer")
        except IndexDamaged:
            outcomes.append("damaged")
    assert "damaged" in outcomes, outcomes
    first = outcomes.index("damaged")
    assert set(outcomes[first:]) == {"damaged"}, outcomes
    service.close()


def test_document_pages_and_registers_name_a_garbled_stored_file(tmp_path):
    """The document page and the registers read stored records too: one that
    trips on a garbled record answers 503 "damaged", never 500."""
    import os
    import shutil

    corpus, index = tmp_path / "korpus", tmp_path / "index"
    shutil.copytree(ROOT / "corpus", corpus)
    build_index(corpus, index, rebuild=True)
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    client = app.test_client()
    service = app.extensions["search"]
    doc_ids = [d["doc_id"] for d in service.documents()]
    assert len(doc_ids) == 5
    service._integrity.wait()  # every file hashed as recorded
    stored = next(live_generation(index).glob("*_stored.col"))
    stat = stored.stat()
    data = bytearray(stored.read_bytes())
    for i in range(len(data) // 4, len(data) * 3 // 4):
        data[i] ^= 0x5A
    stored.write_bytes(bytes(data))
    os.utime(stored, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    pages = [f"/doc/{d}" for d in doc_ids] + [f"/api/documents/{d}" for d in doc_ids]
    statuses = [client.get(page).status_code for page in pages]
    assert 500 not in statuses and 503 in statuses, statuses
    for register in ["/api/decisions", "/beslut", "/api/people", "/api/meetings"]:
        assert client.get(register).status_code == 503, register
    service.close()
