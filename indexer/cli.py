"""`python -m indexer`: build or update the index, report what happened."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import Summary, build_index
from .store import IndexBusy

ROOT = Path(__file__).resolve().parent.parent


STRICT_EXIT = 2


def main(argv: list[str] | None = None) -> int:
    """Exit 0 when the index was written (rejected files included), 1 when not.

    ``--strict`` exits 2 when the index was written but a file was rejected,
    for scheduled runs that should alert someone; the contract's default
    stays 0 so that one bad file never looks like a failed run.
    """
    parser = argparse.ArgumentParser(
        prog="python -m indexer", description="Build or update the UmeBrå search index."
    )
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus")
    parser.add_argument("--index", type=Path, default=ROOT / "index")
    parser.add_argument("--rebuild", action="store_true", help="index every file anew")
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="fail instead of waiting for another indexer",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help=f"exit {STRICT_EXIT} when any file was rejected (the rest is indexed)",
    )
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"error: corpus folder {args.corpus} does not exist", file=sys.stderr)
        return 1
    try:
        summary = build_index(
            args.corpus, args.index, args.rebuild, _progress_printer(), not args.no_wait
        )
    except IndexBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: the index could not be written: {exc}", file=sys.stderr)
        return 1
    _print_summary(summary)
    return STRICT_EXIT if args.strict and summary.rejected else 0


def _progress_printer():
    """A progress bar on a terminal, one plain line per file otherwise."""
    tty = sys.stderr.isatty()

    def show(done: int, total: int, source: str) -> None:
        if tty:
            filled = int(30 * done / total)
            bar = "#" * filled + "-" * (30 - filled)
            end = "\n" if done == total else ""
            print(
                f"\r[{bar}] {done}/{total} {source[:40]:<40}", end=end, file=sys.stderr
            )
        else:
            print(f"indexing {done}/{total}: {source}", file=sys.stderr)

    return show


def _print_summary(summary: Summary) -> None:
    for source, reason in summary.rejected:
        print(f"rejected: {source}: {reason}", file=sys.stderr)
    for source, warning in summary.warnings:
        print(f"warning: {source}: {warning}", file=sys.stderr)
    if not summary.changed:
        print(
            f"Index is up to date: {summary.unchanged} files unchanged, nothing to do."
        )
    print(
        f"{'Rebuilt' if summary.rebuilt else 'Updated'} index: "
        f"{len(summary.indexed)} files indexed, {summary.unchanged} unchanged, "
        f"{len(summary.deleted)} deleted, {len(summary.rejected)} rejected; "
        f"{summary.items} items; {summary.seconds:.1f} s"
    )
