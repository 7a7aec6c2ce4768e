"""`python -m search_app`: serve the UI and the API with waitress."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from waitress import serve

from indexer.analysis import word_forms

from . import ROOT, create_app
from .search import IndexUnavailable


def warm_up(service) -> None:
    """Load what queries need before they need it.

    The lexicon and compound splitter for query analysis (~0.7 s), then the
    index's facet columns and its commonest terms' postings.
    """
    word_forms("narkotikabeslagen")
    try:
        service.warm()
    except IndexUnavailable:
        pass  # nothing published yet; the first request will say so


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
    # Load the lexicon and read common postings while waitress starts and
    # between the first requests, rather than inside them.
    service = app.extensions["search"]
    threading.Thread(target=warm_up, args=(service,), daemon=True).start()
    print(f"Serving UmeBrå search on http://{args.host}:{args.port}/", flush=True)
    serve(app, host=args.host, port=args.port, threads=args.threads, ident="umebra")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
