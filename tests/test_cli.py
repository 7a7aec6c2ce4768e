"""The two commands as users run them: `python -m indexer` and `python -m search_app`.

Each runs as a subprocess (this interpreter, from the repository root) on a
corpus written here: the seed files plus files the indexer must reject, a
cp1252 file it must read and a nested file with spaces and å/ä/ö in its path.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from search_app import create_app
from tests.conftest import http_get, http_json

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus"
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}

NESTED = "Mapp med mellanslag/Möte i Umeå åäö.txt"
NESTED_TEXT = """2023-05-16

Klockan 15.00

Rådhuset

Kallade:

Anna Svensson, Per Olsson

Ärende:\tOmfattning/notering:\tFöredragande:
Sparkcyklar\t<p>Parkerade sparkcyklar på gångbanor skapar otrygghet.</p>\tAnna Svensson
"""
CP1252_TEXT = """2022-10-04

Klockan 15.00

Kallade:

Lars Öberg, Åsa Näslund

Ärende:\tOmfattning/notering:\tFöredragande:
Klotter\t<p>Klottersanering i gångtunnlar under hösten är prioriterad.</p>\tÅsa Näslund
"""
REJECTED = {
    # name: words of which the reason must contain one
    "tom.txt": ("empty", "tom"),
    "slump.txt": ("binary", "not text", "binär", "encoding"),
    "trasig.pdf": ("pdf", "damaged", "cannot", "not a", "invalid", "broken"),
}
GOOD_FILES = 5 + 2  # the seed files, the cp1252 file and the nested file


def run_indexer(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "indexer", *map(str, args)],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
    )


def write_corpus(folder: Path) -> Path:
    shutil.copytree(SEED, folder)
    (folder / "tom.txt").write_bytes(b"")
    (folder / "slump.txt").write_bytes(random.Random(2024).randbytes(4096))
    (folder / "trasig.pdf").write_bytes(
        b"%PDF-1.4\n" + random.Random(7).randbytes(2048)
    )
    (folder / "cp1252.txt").write_bytes(CP1252_TEXT.encode("cp1252"))
    nested = folder / NESTED
    nested.parent.mkdir(parents=True)
    nested.write_text(NESTED_TEXT, encoding="utf-8")
    return folder


def summary_numbers(stdout: str) -> dict[str, int]:
    """The counts of the last summary line: files indexed, deleted, rejected, items."""
    numbers = {}
    for key, pattern in {
        "indexed": r"(\d+) files? indexed",
        "deleted": r"(\d+) deleted",
        "rejected": r"(\d+) rejected",
        "items": r"(\d+) items?\b",
    }.items():
        found = re.findall(pattern, stdout)
        assert found, (key, stdout)
        numbers[key] = int(found[-1])
    return numbers


def client_for(index: Path):
    return create_app({"TESTING": True, "INDEX_DIR": str(index)}).test_client()


def search(index: Path, q: str) -> dict:
    response = client_for(index).get(
        "/api/search?" + urlencode({"q": q, "per_page": 100})
    )
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    """One indexer run on a fresh corpus, into an index folder not yet there."""
    root = tmp_path_factory.mktemp("cli")
    corpus = write_corpus(root / "korpus")
    index = root / "inte" / "skapad" / "index"
    assert not index.parent.exists()
    proc = run_indexer("--corpus", corpus, "--index", index)
    return corpus, index, proc


@pytest.fixture
def copied_run(first_run, tmp_path):
    """A private copy of the first run's corpus and index, to change freely."""
    corpus, index, _ = first_run
    shutil.copytree(corpus, tmp_path / "korpus")
    shutil.copytree(index, tmp_path / "index")
    return tmp_path / "korpus", tmp_path / "index"


# --- the first run -------------------------------------------------------------------


def test_first_run_exits_0_despite_rejected_files(first_run):
    _, _, proc = first_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr


def test_index_folder_is_created_when_missing(first_run):
    _, index, _ = first_run
    assert index.is_dir()
    assert search(index, "narkotika")["total"] > 0


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_rejected_file_is_named_on_stderr_with_a_reason(first_run, name):
    _, _, proc = first_run
    lines = [
        line
        for line in proc.stderr.splitlines()
        if name in line and any(w in line.lower() for w in REJECTED[name])
    ]
    assert lines, proc.stderr
    # The reason is said in words beyond the file name.
    assert any(len(line.replace(name, "").strip(" :-")) > 5 for line in lines)
    assert name not in proc.stdout.replace("rejected", "")


def test_summary_counts_files_and_items(first_run):
    _, index, proc = first_run
    numbers = summary_numbers(proc.stdout)
    assert numbers["indexed"] == GOOD_FILES
    assert numbers["rejected"] == len(REJECTED)
    assert numbers["deleted"] == 0
    docs = client_for(index).get("/api/documents").get_json()["documents"]
    assert len(docs) == GOOD_FILES
    assert numbers["items"] == sum(d["item_count"] for d in docs)


def test_rejected_files_are_not_in_the_index(first_run):
    _, index, _ = first_run
    docs = client_for(index).get("/api/documents").get_json()["documents"]
    assert not {d["source"] for d in docs} & set(REJECTED)


def test_cp1252_file_is_indexed_with_its_letters_intact(first_run):
    _, index, _ = first_run
    hits = search(index, "klottersanering")["hits"]
    assert [h["source"] for h in hits] == ["cp1252.txt"]
    assert hits[0]["presenters"] == ["Åsa Näslund"]
    assert "gångtunnlar" in " ".join(hits[0]["highlights"])
    assert search(index, "gångtunnlar")["total"] == 1


def test_nested_file_with_spaces_and_swedish_letters_is_indexed(first_run):
    _, index, _ = first_run
    hits = search(index, "sparkcyklar")["hits"]
    assert [h["source"] for h in hits] == [NESTED]
    hit = hits[0]
    assert hit["date"] == "2023-05-16"
    client = client_for(index)
    assert client.get(f"/api/documents/{quote(hit['doc_id'])}").status_code == 200
    assert client.get(hit["url"].split("#")[0]).status_code == 200


# --- later runs ----------------------------------------------------------------------


def test_second_run_is_up_to_date_and_does_nothing(copied_run):
    corpus, index = copied_run
    before = search(index, "polisen")
    proc = run_indexer("--corpus", corpus, "--index", index)
    assert proc.returncode == 0, proc.stderr
    assert re.search(r"up to date", proc.stdout, re.I), proc.stdout
    assert re.search(r"nothing to do", proc.stdout, re.I), proc.stdout
    assert summary_numbers(proc.stdout)["indexed"] == 0
    assert search(index, "polisen") == before


def test_changed_file_is_reindexed_and_deleted_file_disappears(copied_run):
    corpus, index = copied_run
    assert search(index, "klottersanering")["total"] == 1
    (corpus / NESTED).write_text(
        NESTED_TEXT.replace(
            "Parkerade sparkcyklar på gångbanor", "Nya skateboardramper i parken"
        ),
        encoding="utf-8",
    )
    (corpus / "cp1252.txt").unlink()
    proc = run_indexer("--corpus", corpus, "--index", index)
    assert proc.returncode == 0, proc.stderr
    numbers = summary_numbers(proc.stdout)
    assert numbers["indexed"] == 1 and numbers["deleted"] == 1
    assert [h["source"] for h in search(index, "skateboardramper")["hits"]] == [NESTED]
    assert search(index, "gångbanor")["total"] == 0
    assert search(index, "klottersanering")["total"] == 0
    assert search(index, "narkotika")["total"] > 0
    docs = client_for(index).get("/api/documents").get_json()["documents"]
    assert "cp1252.txt" not in {d["source"] for d in docs}
    assert numbers["items"] == sum(d["item_count"] for d in docs)


def test_rebuild_indexes_every_file_anew(copied_run):
    corpus, index = copied_run
    ids_before = {
        d["doc_id"]
        for d in client_for(index).get("/api/documents").get_json()["documents"]
    }
    proc = run_indexer("--corpus", corpus, "--index", index, "--rebuild")
    assert proc.returncode == 0, proc.stderr
    assert "rebuil" in proc.stdout.lower()
    numbers = summary_numbers(proc.stdout)
    assert numbers["indexed"] == GOOD_FILES and numbers["rejected"] == len(REJECTED)
    docs = client_for(index).get("/api/documents").get_json()["documents"]
    assert {d["doc_id"] for d in docs} == ids_before
    assert search(index, "sparkcyklar")["total"] == 1


def test_strict_run_exits_2_on_rejected_files_and_still_indexes(copied_run):
    corpus, index = copied_run
    proc = run_indexer("--corpus", corpus, "--index", index, "--strict")
    assert proc.returncode == 2, proc.stderr
    assert all(f"rejected: {name}" in proc.stderr for name in REJECTED)
    assert search(index, "narkotika")["total"] > 0
    for name in REJECTED:
        (corpus / name).unlink()
    proc = run_indexer("--corpus", corpus, "--index", index, "--strict")
    assert proc.returncode == 0, proc.stderr


# --- failures ------------------------------------------------------------------------


def test_missing_corpus_folder_is_an_error_with_a_clear_message(tmp_path):
    missing = tmp_path / "finns-inte"
    proc = run_indexer("--corpus", missing, "--index", tmp_path / "index", timeout=60)
    assert proc.returncode != 0
    assert str(missing) in proc.stderr or "finns-inte" in proc.stderr
    assert re.search(r"not exist|no such|saknas|finns inte", proc.stderr, re.I), (
        proc.stderr
    )
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("where", ["under-a-file", "is-a-file"])
def test_index_path_that_cannot_be_written_is_an_error(tmp_path, where):
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    shutil.copy(next(SEED.glob("000_*.txt")), corpus)
    regular = tmp_path / "vanlig-fil"
    regular.write_text("inte en mapp\n", encoding="utf-8")
    index = regular / "index" if where == "under-a-file" else regular
    proc = run_indexer("--corpus", corpus, "--index", index, timeout=60)
    assert proc.returncode != 0
    assert "index" in proc.stderr.lower() and "error" in proc.stderr.lower(), (
        proc.stderr
    )
    assert "Traceback" not in proc.stderr
    assert regular.read_text(encoding="utf-8") == "inte en mapp\n"


# --- python -m search_app ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_search_app_serves_the_api_over_http_with_waitress(index_dir, tmp_path):
    port = free_port()
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("w") as stdout, err.open("w") as stderr:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "search_app",
                "--index",
                str(index_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=ENV,
            stdout=stdout,
            stderr=stderr,
        )
        try:
            url = f"http://127.0.0.1:{port}/api/search?q=narkotika"
            deadline = time.monotonic() + 30
            while True:
                assert proc.poll() is None, err.read_text(encoding="utf-8")
                try:
                    status, headers, body = http_get(url)
                    break
                except (urllib.error.URLError, ConnectionError):
                    assert time.monotonic() < deadline, "the server did not come up"
                    time.sleep(0.1)
            assert status == 200
            assert headers["content-type"].startswith("application/json")
            assert "werkzeug" not in headers.get("server", "").lower()
            status, data = http_json(url)
            assert data["total"] > 0
            assert any("<mark>" in f for h in data["hits"] for f in h["highlights"])
            status, page_headers, page = http_get(f"http://127.0.0.1:{port}/")
            assert status == 200 and b'lang="sv"' in page
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                pytest.fail("the server did not stop on SIGTERM")
    output = out.read_text(encoding="utf-8") + err.read_text(encoding="utf-8")
    assert "development server" not in output.lower()
    assert "Traceback" not in output


@pytest.mark.parametrize("layout", ["empty-folder", "missing-folder"])
def test_search_app_without_an_index_exits_nonzero_with_a_message(tmp_path, layout):
    index = tmp_path / "index"
    if layout == "empty-folder":
        index.mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "search_app",
            "--index",
            str(index),
            "--port",
            str(free_port()),
        ],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert proc.returncode != 0
    assert "index" in proc.stderr.lower(), proc.stderr
    assert "Traceback" not in proc.stderr
