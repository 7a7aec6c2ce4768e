"""Time and peak memory of reading (and segmenting) a 300-page minutes PDF.

Usage::

    python benchmarks/pdf_scale.py [--pages 300 [30 ...]] [--scanned N]
                                   [--out benchmarks/out]

The PDF is generated once with reportlab (rows cycled from the seed minutes,
ruled table, header repeated on every page) and kept in ``--out``. Each
measurement runs in a fresh process, so the peak RSS reported is the reader's
own and not the generator's. Reading is page by page, so the peak should
hardly grow with the page count: compare ``--pages 30 300``. ``--scanned N``
also reads an image-only (scanned) minutes PDF of N pages through Tesseract.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "benchmarks" / "out"


def _setup_path() -> None:
    """Make the indexer package and the tests' PDF generator importable."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))


def _peak_rss_mib() -> float:
    """Peak resident set size of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(path: Path, pages: int) -> int:
    """Write a minutes PDF of about ``pages`` pages; returns its page count."""
    _setup_path()
    import pdfplumber

    from tests import pdfgen

    rows = pages * 7
    for _ in range(4):  # rows vary in length: adjust the row count to the pages
        pdfgen.minutes_pdf(pdfgen.long_minutes(rows), path)
        with pdfplumber.open(path) as pdf:
            actual = len(pdf.pages)
        if abs(actual - pages) <= max(1, pages // 100):
            break
        rows = max(1, round(rows * pages / actual))
    return actual


def generate_scanned(path: Path, pages: int) -> int:
    """An image-only copy of a generated minutes PDF of ``pages`` pages."""
    clean = path.with_suffix(".clean.pdf")
    generate(clean, pages)
    from tests import pdfgen

    pdfgen.scanned_pdf(clean, path)
    clean.unlink()
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


def measure(path: Path) -> dict[str, float | int | None]:
    """Read (and, if the segmenter exists, segment) the PDF; time and peak RSS."""
    _setup_path()
    from indexer.ingest.pdf import read_pdf

    stats: dict[str, float | int | None] = {"rss_after_imports_mib": _peak_rss_mib()}
    start = time.perf_counter()
    raw = read_pdf(path, path.name, "0" * 64)
    stats["read_seconds"] = time.perf_counter() - start
    stats["read_peak_rss_mib"] = _peak_rss_mib()
    stats["pages"] = raw.text.count("\f") + 1
    stats["ocr_pages"] = len(raw.ocr_pages)
    stats["ocr_confidence"] = raw.ocr_confidence
    stats["rows"] = sum(1 for line in raw.text.split("\n") if line.count("\t") == 2)
    stats["segment_seconds"] = stats["items"] = stats["segment_peak_rss_mib"] = None
    try:
        from indexer.segment import segment
    except ImportError:
        return stats
    start = time.perf_counter()
    doc = segment(raw)
    stats["segment_seconds"] = time.perf_counter() - start
    stats["segment_peak_rss_mib"] = _peak_rss_mib()
    stats["items"] = len(doc.items)
    # long_minutes numbers its rows: every row must come back as its own item.
    stats["items_in_order"] = all(
        item.title.startswith(f"{n}. ") for n, item in enumerate(doc.items, 1)
    )
    return stats


def _child(*args: str) -> str:
    """Run this script in a fresh interpreter and return its output."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _report(pages: int, out: Path, scanned: bool = False) -> None:
    """Generate (once) and measure one size; print the figures."""
    path = out / f"minutes_{pages}p{'_scanned' if scanned else ''}.pdf"
    if not path.exists():
        start = time.perf_counter()
        mode = "--generate-scanned" if scanned else "--generate"
        actual = _child(mode, str(path), str(pages)).strip()
        print(
            f"generated {path.name}: {actual} pages in "
            f"{time.perf_counter() - start:.1f} s"
        )
    stats = json.loads(_child("--measure", str(path)))
    size = path.stat().st_size / 2**20
    print(f"{path.name} ({size:.1f} MiB, {stats['pages']} pages, {stats['rows']} rows)")
    if stats["ocr_pages"]:
        print(
            f"  OCR:     {stats['ocr_pages']} pages, mean word confidence "
            f"{stats['ocr_confidence']}, "
            f"{stats['read_seconds'] / stats['ocr_pages']:.1f} s per page"
        )
    print(
        f"  read:    {stats['read_seconds']:.1f} s, peak RSS "
        f"{stats['read_peak_rss_mib']:.0f} MiB "
        f"(after imports {stats['rss_after_imports_mib']:.0f} MiB)"
    )
    if stats["segment_seconds"] is None:
        print("  segment: indexer.segment not available yet")
    else:
        print(
            f"  segment: {stats['segment_seconds']:.2f} s, {stats['items']} items "
            f"(numbered 1..n in order: {stats['items_in_order']}), "
            f"peak RSS {stats['segment_peak_rss_mib']:.0f} MiB"
        )


def main(argv: list[str] | None = None) -> int:
    """Generate and measure; the hidden modes run in the child processes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=[300])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--scanned", type=int, default=0, metavar="N")
    parser.add_argument("--generate", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--generate-scanned", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        print(generate(Path(args.generate[0]), int(args.generate[1])))
        return 0
    if args.generate_scanned:
        path, pages = args.generate_scanned
        print(generate_scanned(Path(path), int(pages)))
        return 0
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for pages in args.pages:
        _report(pages, args.out)
    if args.scanned:
        _report(args.scanned, args.out, scanned=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
