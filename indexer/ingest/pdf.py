"""PDF files: every page rendered into the canonical text, scanned pages OCR'd.

Minutes are Word tables printed to PDF. A table with ruling lines is read with
pdfplumber's table finder; one without is read from word positions, the column
edges taken from the three header words. Cells keep their paragraphs and lists
as HTML fragments, and struck-through names (a thin line or rect across the
middle of the letters) become ``~~Name~~``. Pages without a usable text layer
are rendered at 300 dpi and read by Tesseract (see :mod:`.ocr`).

Pages are read one at a time and their caches dropped as soon as they are
rendered, so memory stays flat however long the file is. The jobs on a page:
its words and lines (:mod:`.pdfwords`), ruled minutes tables and the header
row (:mod:`.pdftables`), tables laid out without rules (:mod:`.pdfcolumns`),
and paragraphs, lists and line breaks in cells and prose (:mod:`.pdfparagraphs`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..model import RawDocument, RejectedFile
from . import pdflimits
from .pdfcolumns import word_table
from .pdfparagraphs import prose_chunks
from .pdftables import HEADER_ROW, TableState, ruled_table
from .pdfwords import (
    Chunk,
    OcrLog,
    PageContent,
    group_lines,
    line_height,
    page_content,
)

__all__ = ["HEADER_ROW", "read_pdf"]


def read_pdf(path: Path, source: str, sha256: str) -> RawDocument:
    """Render a PDF into the canonical text; RejectedFile says why it can't."""
    _check_envelope(path)
    import pdfplumber  # loaded only when a PDF is read

    pdflimits.install()  # caps on inflated streams and operators per page
    pdflimits.start_page()

    try:
        with pdfplumber.open(path) as pdf:
            return _read(pdf, source, sha256)
    except RejectedFile:
        raise
    except Exception as exc:  # a damaged file must be named, never crash the run
        raise RejectedFile(_reason(exc)) from None


def _check_envelope(path: Path) -> None:
    """Reject what is plainly not a whole PDF before the parser sees it."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
            size = fh.seek(0, 2)
            fh.seek(max(0, size - 4096))
            tail = fh.read()
    except OSError as exc:
        raise RejectedFile(f"cannot read: {exc.strerror or exc}") from None
    if not head.strip():
        raise RejectedFile("empty file")
    if b"%PDF-" not in head:
        raise RejectedFile("not a PDF (the file does not start with %PDF-)")
    if b"%%EOF" not in tail:
        raise RejectedFile(
            "truncated PDF: it does not end with %%EOF (an incomplete download?)"
        )


def _reason(exc: Exception) -> str:
    """The parser's complaint in plain words."""
    from pdfminer.pdfdocument import PDFEncryptionError

    inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(inner, RejectedFile):  # a cap (pdflimits), raised inside pdfminer
        return str(inner)
    if isinstance(inner, PDFEncryptionError):
        return "encrypted PDF: it needs a password to open"
    detail = str(inner).strip() or type(inner).__name__
    if isinstance(inner, MemoryError) or "allocate" in detail:  # a decompression bomb
        return f"reading it needs more memory than allowed ({detail})"
    return f"damaged PDF, cannot be read ({detail})"


def _read(pdf: Any, source: str, sha256: str) -> RawDocument:
    """Render page by page, dropping each page's parsed objects when done."""
    table, done_ocr, texts, warnings = TableState(), OcrLog(), [], []
    if getattr(pdf.doc, "encryption", None):
        warnings.append("encrypted PDF, opened without a password")
    for page in pdf.pages:
        pdflimits.start_page()
        try:
            content = page_content(page, done_ocr, warnings)
            texts.append(_render_page(page, content, table))
        finally:
            page.close()
    if not any(t.strip() for t in texts):
        raise RejectedFile("no text found on any page (blank or empty pages)")
    confs = done_ocr.confidences
    return RawDocument(
        source=source,
        text="\n\f\n".join(texts) + "\n",
        sha256=sha256,
        ocr=bool(done_ocr.pages),
        ocr_confidence=round(sum(confs) / len(confs), 1) if confs else None,
        ocr_pages=tuple(done_ocr.pages),
        warnings=warnings,
        paged=True,
    )


def _render_page(page: Any, content: PageContent, table: TableState) -> str:
    """The page in the canonical rendering: prose paragraphs and table rows."""
    words = content.words
    if not words:
        table.open = False
        return ""
    height = line_height(group_lines(words))
    chunks, rest = ruled_table(page, words, table, height)
    if rest is words:  # no ruled minutes table: try the header words' columns
        chunks, rest = word_table(page, content, table, height)
    chunks += prose_chunks(rest, height)
    return _join_chunks(chunks)


def _join_chunks(chunks: list[Chunk]) -> str:
    """Rows one per line; paragraphs and the table separated by a blank line."""
    parts: list[str] = []
    previous = ""
    for _, kind, text in sorted(chunks, key=lambda c: c[0]):
        if parts:
            parts.append("\n" if kind == previous == "row" else "\n\n")
        parts.append(text)
        previous = kind
    return "".join(parts)
