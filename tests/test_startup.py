"""Starting the server: what a newcomer sees when something is in the way."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}


def test_a_taken_port_gives_one_line_naming_the_setting(index_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "search_app", "--index", str(index_dir),
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=ENV, capture_output=True, text=True, encoding="utf-8",
            timeout=60,
        )  # fmt: skip
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "Serving" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(port) in lines[0] and "in use" in lines[0] and "PORT" in lines[0]


def _children(pid: int) -> set[int]:
    """The live processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    fields = fh.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != b"Z":
                found.add(int(entry))
    return found


def _get(port: int, path: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        return r.status, r.read()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="worker processes need fork")
def test_worker_processes_answer_and_all_stop_on_sigterm(index_dir, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "search_app", "--index", str(index_dir),
         "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        cwd=ROOT, env=ENV, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / "server.log").read_text()
            try:
                status, body = _get(port, "/api/search?q=narkotika")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.1)
        # Listening means loaded: the first query already finds and marks.
        assert status == 200 and json.loads(body)["total"] > 0
        workers = _children(proc.pid)
        assert len(workers) == 2
        # Several connections at once: each is answered, whichever worker takes it.
        with ThreadPoolExecutor(8) as pool:
            answers = list(
                pool.map(lambda q: _get(port, f"/api/search?q={q}"), ["trygghet"] * 16)
            )
        assert {status for status, _ in answers} == {200}
        assert len({body for _, body in answers}) == 1
        # A worker that dies is replaced.
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while len(_children(proc.pid) - {victim}) < 2:
            assert time.monotonic() < deadline, "the worker was not replaced"
            time.sleep(0.1)
        assert _get(port, "/api/search?q=narkotika")[0] == 200
        workers = _children(proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail("the server did not stop on SIGTERM")
        log.close()
    assert proc.returncode == 0
    # The server waits for its workers before it exits: none outlives it.
    assert not any(os.path.exists(f"/proc/{pid}") for pid in workers)
    output = (tmp_path / "server.log").read_text()
    assert "Traceback" not in output
