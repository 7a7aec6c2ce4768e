"""Bounded load test on loopback: concurrent clients while the index is rebuilt.

``python benchmarks/load.py [--clients 16] [--seconds 60] [--corpus DIR]``

Copies the corpus (default ``corpus/``) to a temporary folder, builds an index
from it with ``python -m indexer``, starts ``python -m search_app`` on a free
loopback port, and runs N client threads, each with its own keep-alive
connection, over a mixed request list (words, phrases, operators, filters,
sort=date, paging, awkward queries, HTML result and document pages) for the
given time. Meanwhile a background thread re-indexes again and again,
alternating ``--rebuild`` with an incremental run after changing one file
(which gets a new marker word each time; the script then checks that the
running server finds it, without a restart).

Prints the request count, errors (any status other than 200 or 400, or an
exception), p50/p95/p99/max latency, requests/s and the indexer runs. Exit
status 1 when there were errors (or the server did not pick up an update),
0 otherwise. Uses only the standard library.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
CHANGED_FILE = "load-test-update.txt"
UPDATE_TEXT = """2024-03-12

Klockan 15.00

Stadshuset

Kallade:

Anna Berg

Ärende:\tOmfattning/notering:\tFöredragande:
Lasttest\t<p>Nattvandrarna rapporterar om {marker} i centrum.</p>\tAnna Berg

Noterat av:

Eva Lund
"""

# (path, expected statuses): every request in the mix, the document pages added
# at start-up. 400 is a clear answer for queries the service refuses.
API_QUERIES = [
    {"q": "narkotika"},
    {"q": "trygghet"},
    {"q": "ungdomar"},
    {"q": "motorburen ungdom"},
    {"q": '"motorburen ungdom"'},
    {"q": "klotter ELLER skadegörelse"},
    {"q": "narkotika OCH skola"},
    {"q": "polisen INTE narkotika"},
    {"q": "trygg*"},
    {"q": "samverkan", "sort": "date"},
    {"q": "narkotika", "year": "2021"},
    {"q": "trygghet", "type": "minutes"},
    {"q": "överenskommelse", "type": "agreement"},
    {"q": "brott", "page": "2", "per_page": "5"},
    {"q": "umeå", "per_page": "100"},
    {"q": "nattvandrarna"},
    {"q": "narkotika", "has_decision": "1"},
    {"q": "*"},
    {"q": "a*"},
    {"q": '"ofullständig fras'},
    {"q": "((narkotika"},
    {"q": "x" * 999},
    {"q": "x" * 1001},
    {"q": "narkotika", "page": "999999"},
    {"q": "narkotika", "per_page": "1000"},
    {"q": "trygghetsvandringarna " * 40},
    {"q": "\x00\x1b[31m"},
]
HTML_QUERIES = [
    {"q": "narkotika"},
    {"q": "motorburen ungdom", "sort": "date"},
    {"q": "trygg*", "page": "2"},
    {},
]


def request_mix() -> list[str]:
    paths = ["/api/search?" + urlencode(q) for q in API_QUERIES]
    paths += ["/?" + urlencode(q) if q else "/" for q in HTML_QUERIES]
    paths += ["/api/documents"]
    return paths


# --- results --------------------------------------------------------------------------


@dataclass
class Tally:
    """What the clients saw; appended to from many threads (list.append is atomic)."""

    latencies: list[float] = field(default_factory=list)
    statuses: collections.Counter = field(default_factory=collections.Counter)
    errors: list[str] = field(default_factory=list)


@dataclass
class IndexRuns:
    runs: list[tuple[str, float, int]] = field(default_factory=list)  # kind, s, code
    failures: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)  # changes the server did not show


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


# --- processes ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def run_indexer(python: str, corpus: Path, index: Path, rebuild: bool, log: Path):
    cmd = [python, "-m", "indexer", "--corpus", str(corpus), "--index", str(index)]
    if rebuild:
        cmd.append("--rebuild")
    started = time.monotonic()
    with log.open("a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        code = subprocess.call(cmd, cwd=REPO, stdout=out, stderr=out, env=child_env())
    return time.monotonic() - started, code


def child_env() -> dict:
    return {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}


def start_server(python: str, index: Path, port: int, log: Path) -> subprocess.Popen:
    cmd = [python, "-m", "search_app", "--index", str(index), "--host", HOST,
           "--port", str(port)]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=out, env=child_env())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited ({proc.returncode}); see {log}")
        try:
            status, _ = get(connect(port), "/api/search?q=narkotika")
            if status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not answer within 60 s")


def connect(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(HOST, port, timeout=60)


def get(conn: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    conn.request("GET", path)
    response = conn.getresponse()
    return response.status, response.read()


# --- the load -------------------------------------------------------------------------


def client(port: int, paths: list[str], seed: int, stop: threading.Event, tally: Tally):
    rng = random.Random(seed)
    conn = connect(port)
    while not stop.is_set():
        path = rng.choice(paths)
        started = time.monotonic()
        try:
            status, body = get(conn, path)
        except (OSError, http.client.HTTPException) as exc:
            tally.errors.append(f"{type(exc).__name__}: {exc} on {path[:80]}")
            conn.close()
            conn = connect(port)
            continue
        tally.latencies.append(time.monotonic() - started)
        tally.statuses[status] += 1
        if status not in (200, 400):
            tally.errors.append(f"{status} on {path[:80]}: {body[:120]!r}")
    conn.close()


def reindexer(args, corpus: Path, index: Path, port: int, stop: threading.Event,
              runs: IndexRuns, log: Path) -> None:  # fmt: skip
    """Alternate a full rebuild with an incremental run over one changed file."""
    n, previous = 0, None
    while not stop.is_set():
        rebuild = n % 2 == 0
        marker = None
        if not rebuild:
            marker = "lasttestord" + "".join(chr(97 + int(d)) for d in f"{n:04d}")
            (corpus / CHANGED_FILE).write_text(
                UPDATE_TEXT.format(marker=marker), encoding="utf-8"
            )
        seconds, code = run_indexer(args.python, corpus, index, rebuild, log)
        kind = "rebuild" if rebuild else "incremental"
        runs.runs.append((kind, seconds, code))
        if code != 0:
            runs.failures.append(f"{kind} run {n} exited {code}")
        elif marker:
            # The new text must be found and the replaced one gone, at once.
            for word, expected in ((marker, 1), (previous, 0)):
                if word and found(port, word) != expected:
                    runs.stale.append(f"{word} (expected {expected} hit)")
            previous = marker
        n += 1
        stop.wait(args.pause)


def found(port: int, word: str) -> int | None:
    """Hits for ``word``, or None when the answer was not a 200."""
    conn = connect(port)
    try:
        status, body = get(conn, "/api/search?" + urlencode({"q": word}))
    finally:
        conn.close()
    return json.loads(body)["total"] if status == 200 else None


def document_paths(port: int) -> list[str]:
    conn = connect(port)
    try:
        status, body = get(conn, "/api/documents")
    finally:
        conn.close()
    if status != 200:
        raise SystemExit(f"/api/documents answered {status}")
    docs = json.loads(body)["documents"]
    paths = [f"/doc/{quote(d['doc_id'], safe='')}" for d in docs[:10]]
    paths += [f"/api/documents/{quote(d['doc_id'], safe='')}" for d in docs[:10]]
    paths += [f"/doc/{quote(d['doc_id'], safe='')}?q=narkotika" for d in docs[:5]]
    return paths


# --- main -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/load.py", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--pause", type=float, default=0.5, help="s between index runs")
    parser.add_argument("--python", default=sys.executable, help="runs the service")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    parser.add_argument(
        "--no-reindex", action="store_true", help="no index runs (a baseline)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.corpus.is_dir():
        print(f"error: corpus folder {args.corpus} does not exist", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="umebra-load-"))
    corpus, index = work / "corpus", work / "index"
    shutil.copytree(args.corpus, corpus, symlinks=True)
    index_log, server_log = work / "indexer.log", work / "server.log"
    seconds, code = run_indexer(args.python, corpus, index, True, index_log)
    if code != 0:
        print(f"error: the first build failed; see {index_log}", file=sys.stderr)
        return 2
    print(f"Built the index of {args.corpus} in {seconds:.1f} s; work folder {work}")
    port = free_port()
    server = start_server(args.python, index, port, server_log)
    try:
        return run_load(args, corpus, index, port, index_log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


def run_load(args, corpus: Path, index: Path, port: int, index_log: Path) -> int:
    paths = request_mix() + document_paths(port)
    tally, runs = Tally(), IndexRuns()
    stop_clients, stop_indexer = threading.Event(), threading.Event()
    clients = [
        threading.Thread(target=client, args=(port, paths, n, stop_clients, tally))
        for n in range(args.clients)
    ]
    indexer = threading.Thread(
        target=reindexer,
        args=(args, corpus, index, port, stop_indexer, runs, index_log),
    )
    meanwhile = "no re-indexing" if args.no_reindex else "re-indexing meanwhile"
    print(f"{args.clients} clients for {args.seconds:.0f} s, {len(paths)} requests, "
          f"{meanwhile} ...", flush=True)  # fmt: skip
    started = time.monotonic()
    for thread in clients:
        thread.start()
    if not args.no_reindex:
        indexer.start()
    time.sleep(args.seconds)
    stop_clients.set()
    for thread in clients:
        thread.join()
    elapsed = time.monotonic() - started
    stop_indexer.set()
    if not args.no_reindex:
        indexer.join()
    report(args, tally, runs, elapsed)
    failed = tally.errors or runs.failures or runs.stale
    return 1 if failed else 0


def report(args, tally: Tally, runs: IndexRuns, elapsed: float) -> None:
    ms = [t * 1000 for t in tally.latencies]
    total = len(ms) + sum(1 for e in tally.errors if not e[:3].isdigit())
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items()))
    print(f"requests        {total}  ({statuses})")
    print(f"errors          {len(tally.errors)}")
    print(f"requests/s      {len(ms) / elapsed:.1f}")
    print(f"latency p50     {percentile(ms, 50):.1f} ms")
    print(f"latency p95     {percentile(ms, 95):.1f} ms")
    print(f"latency p99     {percentile(ms, 99):.1f} ms")
    print(f"latency max     {max(ms, default=float('nan')):.1f} ms")
    kinds = collections.defaultdict(list)
    for kind, seconds, _ in runs.runs:
        kinds[kind].append(seconds)
    for kind, values in sorted(kinds.items()):
        print(
            f"index runs      {len(values)} {kind}, "
            f"median {percentile(values, 50):.1f} s, max {max(values):.1f} s"
        )
    print(f"index failures  {len(runs.failures)}")
    print(f"stale updates   {len(runs.stale)} (changes the server did not show)")
    for line in collections.Counter(tally.errors).most_common(10):
        print(f"  {line[1]} x {line[0]}")
    for line in runs.failures + [f"stale: {m}" for m in runs.stale]:
        print(f"  {line}")


if __name__ == "__main__":
    raise SystemExit(main())
