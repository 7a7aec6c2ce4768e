"""`python -m search_app`: serve the UI and the API with waitress."""

from __future__ import annotations

import argparse
import errno
import socket
import sys
import threading
from pathlib import Path

from waitress import serve

from indexer.analysis import word_forms

from . import ROOT, create_app


def warm_up() -> None:
    """Load what query analysis needs (lexicon, compound splitter) once."""
    word_forms("narkotikabeslagen")


def main(argv: list[str] | None = None) -> int:
    """Serve until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m search_app")
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    if not (args.index / "CURRENT").is_file():
        print(
            f"error: no index in {args.index}; build it first with "
            f"`python -m indexer --index {args.index}`",
            file=sys.stderr,
        )
        return 1
    app = create_app({"INDEX_DIR": str(args.index)})
    problem = unusable(args.host, args.port)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    # Query analysis needs the Swedish lexicon (~0.7 s to load): load it while
    # waitress starts rather than in the first user's request.
    threading.Thread(target=warm_up, daemon=True).start()
    print(f"Serving UmeBrå search on http://{args.host}:{args.port}/", flush=True)
    try:
        serve(app, host=args.host, port=args.port, threads=args.threads, ident="umebra")
    except OSError as exc:  # taken between the check and waitress' own bind
        print(f"error: {why_not(args.host, args.port, exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


def unusable(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, or None when it can.

    Checked before "Serving …" is printed, so that a taken port gives one line
    that says what to change instead of a success message and a traceback.
    """
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.create_server((host, port), family=family):
            return None
    except OSError as exc:
        return why_not(host, port, exc)


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
