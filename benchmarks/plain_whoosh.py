"""The baseline the build is compared with: plain Whoosh on the same items.

What a team would write with Whoosh and nothing else: one document per agenda
item, the title and the body analysed by ``LanguageAnalyzer("sv")`` (Snowball
stems, Swedish stop words) and stored for highlighting, the fields the facets
and filters need (type, year, date), and Whoosh's multi-process writer.

The items come from our own ingest and segmentation, so both indexes hold the
same text; that part is not what plain Whoosh would spend and is done apart
(``prepare``, not timed). ``build`` is the measured command: it loads the
prepared items and analyses and writes them, nothing else.

``python benchmarks/plain_whoosh.py prepare --corpus DIR --items FILE``
``python benchmarks/plain_whoosh.py build --items FILE --index DIR``
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROCS = 2  # the machine has two cores
LIMIT_MB = 256  # the same posting buffer per process as the indexer's writer


def prepare(corpus: Path, items_file: Path) -> int:
    """Read and segment the corpus with our ingest; pickle the items' fields."""
    sys.path.insert(0, str(REPO))
    from indexer.ingest import read_document
    from indexer.model import RejectedFile
    from indexer.segment import segment

    rows = []
    for path in sorted(corpus.rglob("*.txt")):
        try:
            doc = segment(read_document(path, corpus), {"defaults": {}, "file": {}})
        except RejectedFile:
            continue
        for item in doc.items:
            rows.append(
                {
                    "item_id": f"{doc.doc_id}-{item.number}",
                    "doc_id": doc.doc_id,
                    "doc_type": doc.doc_type,
                    "year": doc.year or "",
                    "date": doc.date or "",
                    "title": item.title,
                    "body": item.text,
                }
            )
    items_file.parent.mkdir(parents=True, exist_ok=True)
    with open(items_file, "wb") as fh:
        pickle.dump(rows, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return len(rows)


def schema():
    """Plain Whoosh: Swedish stemming for the text, IDs for facets and filters."""
    from whoosh.analysis import LanguageAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    return Schema(
        item_id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        doc_type=ID(stored=True),
        year=ID(stored=True),
        date=ID(stored=True, sortable=True),
        title=TEXT(analyzer=LanguageAnalyzer("sv"), stored=True),
        body=TEXT(analyzer=LanguageAnalyzer("sv"), stored=True),
    )


def build(items_file: Path, index_dir: Path) -> int:
    """Analyse and write every item with the multi-process writer."""
    from whoosh import index

    with open(items_file, "rb") as fh:
        rows = pickle.load(fh)
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema())
    writer = ix.writer(procs=PROCS, limitmb=LIMIT_MB, multisegment=True)
    for row in rows:
        writer.add_document(**row)
    writer.commit()
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    """``prepare`` or ``build``; prints the item count and seconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    first = sub.add_parser("prepare")
    first.add_argument("--corpus", type=Path, required=True)
    first.add_argument("--items", type=Path, required=True)
    second = sub.add_parser("build")
    second.add_argument("--items", type=Path, required=True)
    second.add_argument("--index", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.command == "prepare":
        count = prepare(args.corpus, args.items)
    else:
        count = build(args.items, args.index)
    print(f"{count} items; {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
