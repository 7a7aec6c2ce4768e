"""`python -m search_app`: serve the UI and the API with waitress."""

from __future__ import annotations

import argparse
import os
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
    config = {"INDEX_DIR": str(args.index)}
    if not os.environ.get("UMEBRA_BASE_URL"):  # links name this server, never Host
        config["BASE_URL"] = f"http://{args.host}:{args.port}"
    app = create_app(config)
    # Query analysis needs the Swedish lexicon (~0.7 s to load): load it while
    # waitress starts rather than in the first user's request.
    threading.Thread(target=warm_up, daemon=True).start()
    print(f"Serving UmeBrå search on http://{args.host}:{args.port}/", flush=True)
    serve(
        app,
        host=args.host,
        port=args.port,
        threads=args.threads,
        ident="umebra",
        # Slow or half-open clients: dropped after 30 s of silence, and at most
        # 200 connections, so they cannot starve the threads real users need.
        channel_timeout=30,
        connection_limit=200,
        cleanup_interval=10,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
