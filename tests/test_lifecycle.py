"""Index lifecycle: incremental runs, atomic publishing, kills, locks, live servers.

The indexer runs as a real process where the test is about processes (SIGKILL
in the middle of a run, two indexers at once, the "nothing to do" message) and
in-process where it is about what a run does. The corpus is the seed corpus
plus copies of two seed minutes, each with a marker word of its own, enough
for a run to take a few seconds so that it can be killed half-way.
"""

from __future__ import annotations

import gc
import hashlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path
from urllib.parse import urlencode

import pytest
from whoosh import index as whoosh_index
from whoosh.fields import ID

import indexer.build as build_module
import indexer.store as store_module
import search_app.search as search_module
from indexer import build_index, live_generation
from search_app import create_app
from search_app.search import SearchParams, SearchService
from tests.conftest import serve_app

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus"
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}
HEADER = "Ärende:\tOmfattning/notering:\tFöredragande:\n"
TEMPLATES = ("000_fc1aedb1226712d1.txt", "002_724673700caeea02.txt")  # tab tables
COPIES = 24
SEED_FILES = 5

NEW_MEETING = (
    "2024-03-12\n\nKlockan 15.00\n\nStadshuset\n\nKallade:\n\nAnna Berg\n\n" + HEADER
    + "Nattvandring\t<p>Nattvandrarna rapporterar om {word} i centrum.</p>\tAnna Berg\n"
    "\nNoterat av:\n\nEva Lund\n"
)  # fmt: skip


# --- helpers --------------------------------------------------------------------------


def write_meeting(path: Path, word: str) -> None:
    path.write_text(NEW_MEETING.format(word=word), encoding="utf-8")


def marker(n: int) -> str:
    """A word found in one copy only (letters only, so every analyzer keeps it)."""
    return "kopiamarkering" + "".join(chr(ord("a") + int(d)) for d in f"{n:03d}")


def add_copies(corpus: Path, count: int = COPIES) -> list[str]:
    """Copies of two seed minutes, each with an extra item holding its marker."""
    folder = corpus / "kopior"
    folder.mkdir()
    sources = []
    for n in range(count):
        text = (SEED / TEMPLATES[n % 2]).read_text(encoding="utf-8")
        extra = (
            f"Kopierad punkt\t<p>Punkten nämner {marker(n)} en gång.</p>\tAnna Berg\n"
        )
        assert HEADER in text
        (folder / f"kopia {n:03d}.txt").write_text(
            text.replace(HEADER, HEADER + extra, 1), encoding="utf-8"
        )
        sources.append(f"kopior/kopia {n:03d}.txt")
    return sources


def copy_state(state: tuple[Path, Path], target: Path) -> tuple[Path, Path]:
    corpus, index = state
    shutil.copytree(corpus, target / "corpus")
    shutil.copytree(index, target / "index")
    return target / "corpus", target / "index"


def hits(index: Path, q: str) -> list[tuple[str, str]]:
    """(source, item_id) of every hit, from a fresh service (as a new server would)."""
    service = SearchService(index)
    try:
        result = service.search(SearchParams(q=q, per_page=100))
    finally:
        service.close()
    return sorted((h["source"], h["item_id"]) for h in result["hits"])


def file_hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def file_stamps(folder: Path) -> dict[str, tuple[int, int]]:
    """Size and mtime of every file but the lock: what a run that does nothing keeps."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def assert_consistent(index: Path) -> int:
    """The live index agrees with its manifest: no duplicate, no missing item.

    Returns the item count.
    """
    live = live_generation(index)
    assert live is not None
    manifest = json.loads((live / "manifest.json").read_text(encoding="utf-8"))
    entries = [e for e in manifest["files"].values() if "doc_id" in e]
    with whoosh_index.open_dir(str(live)).searcher() as searcher:
        stored = [fields for fields in searcher.all_stored_fields()]
    item_ids = [f["item_id"] for f in stored]
    assert len(item_ids) == len(set(item_ids)), "duplicate items in the index"
    assert {f["doc_id"] for f in stored} == {e["doc_id"] for e in entries}
    assert len(stored) == sum(e["items"] for e in entries)
    return len(stored)


def indexer_cmd(corpus: Path, index: Path, *flags: str) -> list[str]:
    return [sys.executable, "-m", "indexer", "--corpus", str(corpus),
            "--index", str(index), *flags]  # fmt: skip


def start_indexer(corpus: Path, index: Path, logs: Path, name: str, *flags: str):
    """The indexer as a background process; its output goes to logs/name.{out,err}."""
    logs.mkdir(exist_ok=True)
    with (
        (logs / f"{name}.out").open("w") as out,
        (logs / f"{name}.err").open("w") as err,
    ):
        return subprocess.Popen(
            indexer_cmd(corpus, index, *flags),
            cwd=ROOT,
            env=ENV,
            stdout=out,
            stderr=err,
        )


def output(logs: Path, name: str) -> tuple[str, str]:
    return tuple(  # type: ignore[return-value]
        (logs / f"{name}.{kind}").read_text(encoding="utf-8") for kind in ("out", "err")
    )


def wait_until(condition, proc: subprocess.Popen, timeout: float = 120) -> None:
    """Poll ``condition`` while ``proc`` runs; fail if it ends first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            pytest.fail("the indexer finished before the moment to act on it")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("timed out waiting for the indexer")
        time.sleep(0.005)


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL


def dispose(service: SearchService) -> None:
    """Close a service's searchers now, even one the test left broken.

    Otherwise they are finalised during some later test, and a searcher on a
    deleted generation warns about its unclosed files there.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            service.close()
        except Exception:  # noqa: BLE001 - a broken searcher may fail to close
            pass
        gc.collect()


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_state(tmp_path_factory) -> tuple[Path, Path]:
    """The seed corpus and its index, built once; tests work on copies."""
    root = tmp_path_factory.mktemp("seed-state")
    shutil.copytree(SEED, root / "corpus")
    summary = build_index(root / "corpus", root / "index")
    assert not summary.rejected and len(summary.indexed) == SEED_FILES
    return root / "corpus", root / "index"


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    """A clean build of the seeds plus the copies: what every recovery must reach."""
    root = tmp_path_factory.mktemp("reference")
    shutil.copytree(SEED, root / "corpus")
    sources = add_copies(root / "corpus")
    summary = build_index(root / "corpus", root / "index", rebuild=True)
    assert not summary.rejected
    return {"items": summary.items, "copies": sources}


@pytest.fixture
def keep():
    """Register a service (or app) to be closed after the test, even a failed one."""
    services: list[SearchService] = []

    def register(obj):
        services.append(obj.extensions["search"] if hasattr(obj, "extensions") else obj)
        return obj

    yield register
    for service in services:
        dispose(service)


@pytest.fixture
def state(seed_state, tmp_path) -> tuple[Path, Path]:
    """A private copy of the seed corpus and index."""
    return copy_state(seed_state, tmp_path)


# --- incremental runs -----------------------------------------------------------------


def test_incremental_run_processes_only_new_changed_and_deleted_files(state):
    corpus, index = state
    generation = live_generation(index)
    touched = corpus / "000_fc1aedb1226712d1.txt"  # same bytes, new mtime
    os.utime(touched, (time.time() + 3600, time.time() + 3600))
    changed = corpus / "002_724673700caeea02.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (corpus / "001_16d2cf0df2da2920.txt").unlink()
    write_meeting(corpus / "ny.txt", "mopedbränder")
    processed: list[str] = []
    summary = build_index(
        corpus, index, progress=lambda n, total, s: processed.append(s)
    )
    assert sorted(processed) == ["002_724673700caeea02.txt", "ny.txt"]
    assert sorted(summary.indexed) == ["002_724673700caeea02.txt", "ny.txt"]
    assert summary.deleted == ["001_16d2cf0df2da2920.txt"]
    assert summary.unchanged == 3 and not summary.rebuilt
    assert live_generation(index) == generation
    assert [s for s, _ in hits(index, "mopedbränder")] == ["ny.txt"]
    assert_consistent(index)


def test_renamed_file_is_one_deletion_and_one_new_file(state):
    corpus, index = state
    items = assert_consistent(index)
    (corpus / "2021").mkdir()
    os.rename(corpus / "000_fc1aedb1226712d1.txt", corpus / "2021" / "möte.txt")
    summary = build_index(corpus, index)
    assert summary.indexed == ["2021/möte.txt"]
    assert summary.deleted == ["000_fc1aedb1226712d1.txt"]
    assert assert_consistent(index) == items == summary.items


def test_second_run_over_an_unchanged_corpus_does_nothing_and_says_so(state):
    corpus, index = state
    before = file_stamps(index)
    proc = subprocess.run(
        indexer_cmd(corpus, index), cwd=ROOT, env=ENV, capture_output=True,
        text=True, encoding="utf-8", timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Index is up to date" in proc.stdout and "nothing to do" in proc.stdout
    assert f"{SEED_FILES} files unchanged" in proc.stdout
    assert "0 files indexed" in proc.stdout and "indexing" not in proc.stderr
    assert file_stamps(index) == before  # not one file of the index was written


# --- atomic publishing and crashes ----------------------------------------------------


def test_killed_rebuild_leaves_the_previous_index_serving_and_intact(state, reference):
    corpus, index = state
    add_copies(corpus)
    old = live_generation(index)
    old_files = file_hashes(old)
    before = hits(index, "narkotika")
    proc = start_indexer(corpus, index, index.parent / "logs", "rebuild", "--rebuild")
    new = index / f"gen-{int(old.name[4:]) + 1:06d}"
    wait_until(lambda: new.is_dir() and any(new.iterdir()), proc)  # half-written
    kill(proc)

    assert (index / "CURRENT").read_text(encoding="utf-8").strip() == old.name
    assert file_hashes(old) == old_files
    assert hits(index, "narkotika") == before
    assert hits(index, marker(0)) == []

    summary = build_index(corpus, index)  # the next ordinary run finishes the job
    assert sorted(summary.indexed) == reference["copies"] and not summary.rejected
    assert summary.items == assert_consistent(index) == reference["items"]
    assert [s for s, _ in hits(index, marker(3))] == ["kopior/kopia 003.txt"]


def test_killed_incremental_run_leaves_the_previous_index_intact(state, reference):
    corpus, index = state
    add_copies(corpus)
    live = live_generation(index)
    old_files = file_hashes(live)
    before = hits(index, "narkotika")
    proc = start_indexer(corpus, index, index.parent / "logs", "update")
    # Whoosh's writer has started a segment: the run is writing into the live index.
    wait_until(
        lambda: any(p.suffix == ".trm" or p.name == "MAIN.tmp" for p in live.iterdir()),
        proc,
    )
    kill(proc)

    assert live_generation(index) == live
    for name, digest in old_files.items():  # leftovers may exist; nothing was changed
        assert hashlib.sha256((live / name).read_bytes()).hexdigest() == digest, name
    assert hits(index, "narkotika") == before
    assert hits(index, marker(0)) == []

    summary = build_index(corpus, index)
    assert sorted(summary.indexed) == reference["copies"] and not summary.rejected
    assert summary.items == assert_consistent(index) == reference["items"]
    assert [s for s, _ in hits(index, marker(5))] == ["kopior/kopia 005.txt"]


def test_crash_between_commit_and_manifest_leaves_no_duplicates(state, monkeypatch):
    corpus, index = state
    write_meeting(corpus / "ny.txt", "mopedbränder")
    real_write_json = store_module._write_json

    def crash_on_manifest(path: Path, data: dict) -> None:
        if path.name == store_module.MANIFEST:
            raise KeyboardInterrupt("killed after the commit")
        real_write_json(path, data)

    monkeypatch.setattr(store_module, "_write_json", crash_on_manifest)
    with pytest.raises(KeyboardInterrupt):
        build_index(corpus, index)
    monkeypatch.setattr(store_module, "_write_json", real_write_json)

    build_index(corpus, index)
    assert len(hits(index, "mopedbränder")) == 1
    assert_consistent(index)


# --- two indexers at once -------------------------------------------------------------


@pytest.fixture(scope="module")
def contended(seed_state, reference, tmp_path_factory):
    """Three indexers on one index: A runs, then B (waits) and C (--no-wait) start."""
    corpus, index = copy_state(seed_state, tmp_path_factory.mktemp("contended"))
    add_copies(corpus)
    logs = index.parent / "logs"
    a = start_indexer(corpus, index, logs, "a")
    wait_until(lambda: "indexing " in output(logs, "a")[1], a)  # A holds the lock
    b = start_indexer(corpus, index, logs, "b")
    c = start_indexer(corpus, index, logs, "c", "--no-wait")
    codes = {
        name: proc.wait(timeout=180)
        for name, proc in zip("abc", (a, b, c), strict=True)
    }
    return index, codes, {name: output(logs, name) for name in "abc"}


def test_second_indexer_with_no_wait_refuses_with_a_clear_message(contended):
    _, codes, outputs = contended
    out, err = outputs["c"]
    assert codes["c"] == 1
    assert "another indexer is writing" in err and "Traceback" not in err
    assert out == ""


def test_second_indexer_waits_for_the_first_and_both_exit_cleanly(contended, reference):
    _, codes, outputs = contended
    assert codes["a"] == 0 and codes["b"] == 0, outputs
    assert f"{len(reference['copies'])} files indexed" in outputs["a"][0]
    assert "Index is up to date" in outputs["b"][0]  # it ran after A, not alongside


def test_index_after_concurrent_indexers_equals_a_clean_build(contended, reference):
    index, _, _ = contended
    assert assert_consistent(index) == reference["items"]


# --- a running server -----------------------------------------------------------------

QUERIES = [
    "/api/search?q=narkotika",
    "/api/search?" + urlencode({"q": '"motorburen ungdom"'}),
    "/api/search?q=trygg*&sort=date",
    "/api/search?q=nattvandrarna&per_page=5",
    "/?q=klotter",
    "/api/documents",
]


@pytest.fixture(scope="module")
def live_updates(seed_state, tmp_path_factory):
    """A server answering from four client threads while the index changes six times.

    After each change the test thread asks whether the change is visible yet.
    """
    corpus, index = copy_state(seed_state, tmp_path_factory.mktemp("live"))
    app = create_app({"INDEX_DIR": str(index)})
    port, stop = serve_app(app)
    failures: list[tuple] = []
    done = threading.Event()
    counts = [0] * 4

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = n
        while not done.is_set():
            path = QUERIES[i % len(QUERIES)]
            i += 1
            try:
                status, body = get(conn, path)
            except (OSError, http.client.HTTPException) as exc:
                failures.append(("exception", path, repr(exc)))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            counts[n] += 1
            if status != 200:
                failures.append((status, path, body[:200]))
        conn.close()

    def total(word: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            status, body = get(conn, "/api/search?" + urlencode({"q": word}))
        finally:
            conn.close()
        assert status == 200, body
        return json.loads(body)["total"]

    threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    new = corpus / "ny.txt"
    steps = [
        ("add", lambda: write_meeting(new, "mopedbränder"), False),
        ("rebuild", lambda: None, True),
        (
            "change",
            lambda: write_meeting(new, "klotterskador"),
            False,
        ),
        ("rebuild", lambda: None, True),
        ("delete", new.unlink, False),
        ("rebuild", lambda: None, True),
    ]
    seen = []
    try:
        for name, change, rebuild in steps:
            change()
            build_index(corpus, index, rebuild=rebuild)
            seen.append((name, total("mopedbränder"), total("klotterskador")))
    finally:
        done.set()
        for thread in threads:
            thread.join(timeout=60)
        stop()
        dispose(app.extensions["search"])
    return {"seen": seen, "failures": failures, "counts": counts}


def test_server_finds_new_content_without_a_restart(live_updates):
    seen = dict(enumerate(live_updates["seen"]))
    assert seen[0] == ("add", 1, 0)
    assert seen[1] == ("rebuild", 1, 0)
    assert seen[2][2] == 1  # the changed file's new text
    assert seen[3] == ("rebuild", 0, 1)
    assert seen[5] == ("rebuild", 0, 0)
    assert all(count > 0 for count in live_updates["counts"])


def test_server_forgets_changed_and_deleted_content_without_a_restart(live_updates):
    seen = live_updates["seen"]
    assert (seen[2], seen[4]) == (("change", 0, 1), ("delete", 0, 0))


def test_server_fails_no_request_while_the_index_changes(live_updates):
    assert live_updates["failures"] == []


def test_running_service_forgets_changed_and_deleted_files(state, keep):
    corpus, index = state
    service = keep(SearchService(index))

    def total(q: str) -> int:
        return service.search(SearchParams(q=q))["total"]

    new = corpus / "ny.txt"
    write_meeting(new, "mopedbränder")
    build_index(corpus, index)
    assert total("mopedbränder") == 1  # additions are seen
    write_meeting(new, "klotterskador")
    build_index(corpus, index)
    seed = corpus / "000_fc1aedb1226712d1.txt"
    seed.unlink()
    build_index(corpus, index)
    assert (total("mopedbränder"), total("klotterskador")) == (0, 1)
    assert total("narkotika") == len(hits(index, "narkotika"))


def test_running_service_shows_each_hit_as_the_updated_index_holds_it(state, keep):
    """The service keeps the items it showed (``itemcache``); updates delete
    and add items, and once segments merge the items are numbered anew: a
    kept item must never be shown in another's place. After every update
    each hit reads as a service started afresh reads it."""
    corpus, index = state
    service = keep(SearchService(index))
    queries = ["narkotika", "polisen", "trygghet", "mopedbränder", "klotterskador"]

    def shown(svc: SearchService, q: str) -> list:
        hits = svc.search(SearchParams(q=q, per_page=50))["hits"]
        return [(h["item_id"], h["match"]["text"], h["match"]["spans"]) for h in hits]

    def segments() -> int:
        return len(whoosh_index.open_dir(str(live_generation(index)))._segments())

    (corpus / "000_fc1aedb1226712d1.txt").unlink()  # items deleted, numbers kept
    counts = []
    for n in range(6):  # Whoosh merges small segments once there are five
        for q in queries:
            shown(service, q)  # kept, under this version's numbers
        write_meeting(corpus / f"ny{n}.txt", ["mopedbränder", "klotterskador"][n % 2])
        if n:  # the last run's meeting changed: items deleted in a small segment
            write_meeting(corpus / f"ny{n - 1}.txt", "trygghetsvandring")
        build_index(corpus, index)
        counts.append(segments())
        fresh = keep(SearchService(index))
        for q in queries:
            assert shown(service, q) == shown(fresh, q), (n, q)
    assert max(counts) > counts[-1], counts  # a merge renumbered the items


@pytest.mark.parametrize("warm", [False, True], ids=["cold-service", "warm-searcher"])
def test_request_racing_a_rebuild_still_gets_an_answer(state, monkeypatch, keep, warm):
    """The interleaving behind the failures above, made deterministic.

    The request reads CURRENT; before it opens that generation, a rebuild
    publishes a new one (and removes the old); then the request goes on.
    """
    corpus, index = state
    client = keep(create_app({"INDEX_DIR": str(index)})).test_client()
    if warm:  # the thread already holds a searcher on the old generation
        assert client.get("/api/search?q=narkotika").status_code == 200
    real = search_module.live_generation
    raced: list[Path] = []

    def racing(index_dir: Path) -> Path | None:
        generation = real(index_dir)
        if not raced:
            raced.append(generation)
            build_index(corpus, index, rebuild=True)
        return generation

    monkeypatch.setattr(search_module, "live_generation", racing)
    response = client.get("/api/search?q=narkotika")
    assert raced and live_generation(index) != raced[0]
    assert response.status_code == 200
    assert response.get_json()["total"] > 0


def test_rebuild_during_a_request_does_not_close_its_searcher(state, monkeypatch, keep):
    """A query with few hits also asks for a suggestion; a rebuild lands between."""
    corpus, index = state
    service = keep(SearchService(index))
    real_suggest = SearchService._suggest

    def rebuild_then_suggest(self, text: str, searcher, *deadline):
        build_index(corpus, index, rebuild=True)
        return real_suggest(self, text, searcher, *deadline)

    monkeypatch.setattr(SearchService, "_suggest", rebuild_then_suggest)
    result = service.search(SearchParams(q="sugardejting"))  # 1 hit: suggests
    assert [h["source"] for h in result["hits"]] == ["001_16d2cf0df2da2920.txt"]


# --- schema and analysis changes ------------------------------------------------------


def test_schema_version_change_triggers_a_full_rebuild(state, monkeypatch):
    corpus, index = state
    old = live_generation(index)
    before = hits(index, "narkotika")
    # build.py compares the manifest with the SCHEMA_VERSION it imported.
    new_version = build_module.SCHEMA_VERSION + 100
    monkeypatch.setattr(build_module, "SCHEMA_VERSION", new_version)
    summary = build_index(corpus, index)
    assert summary.rebuilt and len(summary.indexed) == SEED_FILES
    live = live_generation(index)
    assert live != old and old.exists()  # kept one publish longer, for readers
    assert (
        json.loads((live / "manifest.json").read_text("utf-8"))["schema"] == new_version
    )
    assert hits(index, "narkotika") == before
    assert not build_index(corpus, index).changed  # and then it is up to date


def test_schema_change_without_a_version_bump_triggers_a_full_rebuild(
    state, monkeypatch
):
    corpus, index = state
    real_schema = build_module.get_schema

    def changed_schema():
        schema = real_schema()
        schema.add("committee", ID(stored=True))
        return schema

    monkeypatch.setattr(build_module, "get_schema", changed_schema)
    write_meeting(corpus / "ny.txt", "mopedbränder")
    summary = build_index(corpus, index)
    assert summary.rebuilt
    ix = whoosh_index.open_dir(str(live_generation(index)))
    assert "committee" in ix.schema.names()
