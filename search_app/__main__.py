"""`python -m search_app`: serve the UI and the API with waitress.

One waitress per core, forked after the load (``prefork``), on one socket.
"""

from __future__ import annotations

import argparse
import errno
import os
import socket
import sys
from pathlib import Path

from waitress import serve

from indexer.analysis import word_forms

from . import ROOT, create_app
from .prefork import can_fork, serve_forked

MAX_DEFAULT_WORKERS = 4
# Threads per worker. A search is computation, so a worker's threads take
# turns for the interpreter, and each turn costs: at 8 concurrent clients,
# four threads cost 16 ms of CPU a request where one costs 13 and two 15
# (benchmarks/README.md, item 53). Two keep a worker answering beside one
# slow search (up to the time budget), which one thread would queue behind it.
DEFAULT_THREADS = 2
BACKLOG = 1024


def warm_up() -> None:
    """Load what query analysis needs (lexicon, compound splitter) once."""
    word_forms("narkotikabeslagen")


def default_workers() -> int:
    """One worker process per core, up to four (each keeps its own caches)."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS)) if can_fork() else 1


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m search_app")
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument(
        "--threads", type=int, default=DEFAULT_THREADS, help="per worker"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("UMEBRA_WORKERS") or default_workers()),
        help="server processes (default: one per core, at most 4)",
    )
    args = parser.parse_args(argv)
    if not (args.index / "CURRENT").is_file():
        print(
            f"error: no index in {args.index}; build it first with "
            f"`python -m indexer --index {args.index}`",
            file=sys.stderr,
        )
        return 1
    config = {"INDEX_DIR": str(args.index)}
    if not os.environ.get("UMEBRA_BASE_URL"):  # links name this server, never Host
        config["BASE_URL"] = f"http://{args.host}:{args.port}"
    app = create_app(config)
    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(f"error: {why_not(args.host, args.port, exc)}", file=sys.stderr)
        return 1
    # Everything a query needs is read before the first one can arrive (and
    # before the workers fork, so that they share it): the index's columns and
    # statistics, and the Swedish lexicon of query analysis (~0.7 s).
    try:
        app.extensions["search"].preload()
    except Exception as exc:  # noqa: BLE001 - the requests will say what is wrong
        print(f"warning: the index could not be read ahead: {exc}", file=sys.stderr)
    warm_up()
    try:
        sock.listen(BACKLOG)  # connections are refused until now, not kept waiting
    except OSError as exc:  # another socket bound it with SO_REUSEADDR meanwhile
        print(f"error: {why_not(args.host, args.port, exc)}", file=sys.stderr)
        return 1
    print(f"Serving UmeBrå search on http://{args.host}:{args.port}/", flush=True)

    def serve_one(listening: socket.socket) -> None:
        serve(
            app,
            sockets=[listening],
            threads=args.threads,
            ident="umebra",
            # Slow or half-open clients: dropped after 30 s of silence, and at most
            # 200 connections, so they cannot starve the threads real users need.
            channel_timeout=30,
            connection_limit=200,
            cleanup_interval=10,
        )

    workers = max(1, args.workers) if can_fork() else 1
    if workers == 1:
        try:
            serve_one(sock)
        except KeyboardInterrupt:
            pass
        return 0
    return serve_forked(
        serve_one, sock, workers, after_fork=app.extensions["search"].after_fork
    )


def bind(host: str, port: int) -> socket.socket:
    """The server's socket, bound (so a taken port fails at once), not listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def why_not(host: str, port: int, exc: OSError) -> str:
    """One line naming the cause and the setting that changes it."""
    change = "choose another with PORT=<port> ./run serve (or --port)"
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is already in use; {change}"
    if exc.errno == errno.EACCES:
        return f"no permission to listen on port {port}; {change}"
    return f"cannot listen on {host}:{port} ({exc.strerror or exc}); check --host"


if __name__ == "__main__":
    raise SystemExit(main())
