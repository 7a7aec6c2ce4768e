"""kill -9 at each stage of a multi-process rebuild, then a normal run finishes.

A corpus big enough for the multi-process writer is indexed with
``--rebuild`` and the indexer is killed while it parses (a sandbox worker
reads the files), while it writes (Whoosh's writer processes fill a new
generation) and while it publishes (the new generation's manifest is there,
CURRENT may not yet name it). Then no process of the killed run lives on,
the lock is free (``--no-wait`` would refuse otherwise), the next run
finishes, leaves no partial generation behind and the archive is searchable.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest

from indexer import build_index, live_generation
from indexer.build import PARALLEL_MIN_DOCS
from search_app import create_app
from tests.conftest import ROOT

HEADER = "Ärende:\tOmfattning/notering:\tFöredragande:\n"
DOCS = PARALLEL_MIN_DOCS + 20
WORDS = ["Klotter", "Mopeder", "Nattvandring", "Belysning", "Skolgården"]
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir() or (os.cpu_count() or 1) < 2,
    reason="needs /proc and two processors (the multi-process writer)",
)


def minutes(n: int) -> str:
    word = WORDS[n % len(WORDS)]
    return (
        f"2022-{n % 12 + 1:02d}-{n % 28 + 1:02d}\n\nKlockan 15.00\n\nKallade:\n\n"
        f"Anna Svensson\n\n{HEADER}Punkt {n}\t{word} nummer{n} diskuterades."
        "\tAnna Svensson\n\nNoterat av:\n\nAnna Svensson\n"
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("crash") / "korpus"
    folder.mkdir()
    for n in range(DOCS):
        (folder / f"m{n:04d}.txt").write_text(minutes(n), encoding="utf-8")
    return folder


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            for child in children:
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def is_writer(pid: int) -> bool:
    """A forked Whoosh writer process: it has the indexer's own command line."""
    try:
        return b"indexer\0" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def parsing(proc, before: Path, err: list[str]) -> bool:
    return any(line.startswith(f"indexing {DOCS // 3}/") for line in err)


def writing(proc, before: Path, err: list[str]) -> bool:
    """Every file is read and the writer's processes (forked before the
    first file was) have work: a batch of items waits in the new generation."""
    read = any(line.startswith(f"indexing {DOCS}/") for line in err)
    batches = any(
        next(gen.glob("*.tmp/*.doclist"), None) is not None
        for gen in before.parent.glob("gen-*")
        if gen.name > before.name
    )
    return read and batches and any(map(is_writer, descendants(proc.pid)))


def publishing(proc, before: Path, err: list[str]) -> bool:
    """The new generation is complete: its manifest is written, and CURRENT is
    about to name it (or just has; the window is milliseconds)."""
    return any(
        (gen / "manifest.json").is_file()
        for gen in before.parent.glob("gen-*")
        if gen.name > before.name
    )


def run_and_kill(corpus: Path, index: Path, stage: Callable) -> tuple[bool, set[int]]:
    """Start a rebuild, kill -9 it when ``stage`` says so; whether it was caught
    at that stage, and the processes it had below it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "--corpus", str(corpus),
         "--index", str(index), "--rebuild"],
        cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()
    before = live_generation(index)
    assert before is not None
    caught, below = False, set()
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        below |= descendants(proc.pid)
        if stage(proc, before, err):
            os.kill(proc.pid, signal.SIGSTOP)  # hold it there, then kill it
            below |= descendants(proc.pid)
            caught = True
            break
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join(timeout=10)
    proc.stderr.close()
    return caught, below


@pytest.mark.parametrize("stage", [parsing, writing, publishing])
def test_killed_at_each_stage_then_a_normal_run_finishes(corpus, tmp_path, stage):
    index = tmp_path / "index"
    build_index(corpus, index)  # a live generation the killed rebuild replaces
    before = live_generation(index)
    caught, below = run_and_kill(corpus, index, stage)
    assert caught, f"the rebuild ended before {stage.__name__}"
    assert below, "the indexer had started no process"
    deadline = time.monotonic() + 10
    while any(map(alive, below)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(alive, below)), "a process of the killed run lives on"

    done = subprocess.run(
        [sys.executable, "-m", "indexer", "--corpus", str(corpus),
         "--index", str(index), "--no-wait"],
        cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    live = live_generation(index)
    assert live is not None
    assert [p.name for p in index.glob("gen-*") if p.name > live.name] == []
    if stage is not publishing:
        assert live == before  # the old generation kept serving
    app = create_app({"INDEX_DIR": str(index)})
    client = app.test_client()
    for n in (0, DOCS // 2, DOCS - 1):
        response = client.get("/api/search?" + urlencode({"q": f"nummer{n}"}))
        assert response.status_code == 200
        assert response.get_json()["hits"][0]["source"] == f"m{n:04d}.txt"
    response = client.get("/api/search?q=Klotter&per_page=100")
    assert response.get_json()["total"] == len(range(0, DOCS, len(WORDS)))
    app.extensions["search"].close()
    again = build_index(corpus, index)
    assert not again.changed and not again.warnings
