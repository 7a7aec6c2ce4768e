"""PDF files: every page rendered into the canonical text, scanned pages OCR'd.

Minutes are Word tables printed to PDF. A table with ruling lines is read with
pdfplumber's table finder; one without is read from word positions, the column
edges taken from the three header words. Cells keep their paragraphs and lists
as HTML fragments, and struck-through names (a thin line or rect across the
middle of the letters) become ``~~Name~~``. Pages without a usable text layer
are rendered at 300 dpi and read by Tesseract (see :mod:`.ocr`).

Pages are read one at a time and their caches dropped as soon as they are
rendered, so memory stays flat however long the file is.
"""

from __future__ import annotations

import bisect
import html
import itertools
import re
import statistics
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import RawDocument, RejectedFile
from . import ocr

HEADER_ROW = "Ärende:\tOmfattning/notering:\tFöredragande:"
TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
OCR_DPI = 300
MIN_TEXT_CHARS = 20  # a text layer with fewer visible characters is not usable
MIN_IMAGE_SHARE = 0.25  # of the page area: an image this large may be a scan
LOW_CONFIDENCE = 60  # OCR pages below this mean confidence get a warning
PARA_GAP = 0.5  # a vertical gap of more line heights than this: a new paragraph
RULE_SHARE = 0.3  # a horizontal line this share of the page wide may part rows
BOTTOM_ZONE = 0.93  # below this share of the page height: page numbers, footers

_BULLETS = frozenset("•●○◦▪■□➢►✓\uf0b7\uf0a7\uf0d8\uf076\uf0fc")
_OCR_BULLETS = frozenset(["e", "o", "«", "»", "°", "·", "*", "+"])  # "•" misread
_DASHES = frozenset("-–—")
_GLYPH = re.compile(r"^\(cid:\d+\)$")  # a symbol-font bullet without Unicode
_NUMBER = re.compile(r"^\(?\d{1,2}[.)]$")
_FOOTER = re.compile(
    r"^(Noterat av|Antecknat av|Kallat av|Justera[st]|Vid protokollet)\b", re.I
)
_PAGE_NUMBER = re.compile(r"^(sida\s*)?\d{1,3}(\s*(\(|av\s*)\d{1,3}\)?)?$", re.I)

Chunk = tuple[float, str, str]  # (top, "row" | "prose", text) of one page


@dataclass
class Word:
    """A word and its box in PDF points (y downwards), from text or from OCR."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Line:
    """Words sharing a baseline, left to right."""

    words: list[Word]
    top: float = field(init=False)
    bottom: float = field(init=False)

    def __post_init__(self) -> None:
        self.words.sort(key=lambda w: w.x0)
        self.top = min(w.top for w in self.words)
        self.bottom = max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class _Content:
    """What a page holds for the layout: words, and horizontal rules' y."""

    words: list[Word]
    rules: list[float] = field(default_factory=list)  # long enough to part rows


@dataclass
class _Table:
    """A minutes table as it runs from page to page."""

    columns: tuple[float, float] | None = None  # where columns 2 and 3 start
    open: bool = False  # the table may continue on the next page
    header_done: bool = False  # the canonical header row has been written


@dataclass
class _Ocr:
    """What OCR contributed to the document."""

    pages: list[int] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)
    checked: bool = False


# --- the file ------------------------------------------------------------------


def read_pdf(path: Path, source: str, sha256: str) -> RawDocument:
    """Render a PDF into the canonical text; RejectedFile says why it can't."""
    _check_envelope(path)
    import pdfplumber  # loaded only when a PDF is read

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
    if isinstance(inner, PDFEncryptionError):
        return "encrypted PDF: it needs a password to open"
    detail = str(inner).strip() or type(inner).__name__
    return f"damaged PDF, cannot be read ({detail})"


def _read(pdf: Any, source: str, sha256: str) -> RawDocument:
    """Render page by page, dropping each page's parsed objects when done."""
    table, done_ocr, texts, warnings = _Table(), _Ocr(), [], []
    if getattr(pdf.doc, "encryption", None):
        warnings.append("encrypted PDF, opened without a password")
    for page in pdf.pages:
        try:
            content = _page_content(page, done_ocr, warnings)
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


# --- words: from the text layer or from OCR ----------------------------------------


def _page_content(page: Any, done_ocr: _Ocr, warnings: list[str]) -> _Content:
    """The page's words, read by OCR when its text layer is missing or garbled."""
    if not _needs_ocr(page):
        rules = [
            e["top"]
            for e in page.edges
            if e["orientation"] == "h" and e["width"] >= RULE_SHARE * page.width
        ]
        return _Content(_text_words(page), sorted(rules))
    if not done_ocr.checked:
        ocr.check_available()
        done_ocr.checked = True
    image = page.to_image(resolution=OCR_DPI, antialias=True).original.convert("L")
    result = ocr.ocr_image(image)
    del image
    done_ocr.pages.append(page.page_number)
    done_ocr.confidences += [w.conf for w in result.words]
    if result.confidence is not None and result.confidence < LOW_CONFIDENCE:
        warnings.append(
            f"page {page.page_number}: OCR confidence {result.confidence:.0f}, "
            "the text may be unreliable"
        )
    return _ocr_content(page, result)


def _ocr_content(page: Any, result: ocr.OcrResult) -> _Content:
    """OCR words and rules in page coordinates (points, from the page's corner)."""
    scale = 72 / OCR_DPI
    x, y = page.bbox[0], page.bbox[1]
    words = [
        Word(
            unicodedata.normalize("NFC", w.marked),
            x + w.left * scale,
            x + (w.left + w.width) * scale,
            y + w.top * scale,
            y + (w.top + w.height) * scale,
        )
        for w in result.words
    ]
    rules = [
        y + ry * scale
        for ry, x0, x1 in result.rules
        if (x1 - x0) * scale >= RULE_SHARE * page.width
    ]
    return _Content(words, sorted(rules))


def _needs_ocr(page: Any) -> bool:
    """No usable text layer: (nearly) no text over a large image, or garbled text."""
    chars = [c["text"] for c in page.chars if not c["text"].isspace()]
    garbled = sum(1 for t in chars if t.startswith("(cid:") or t == "\ufffd")
    if len(chars) >= MIN_TEXT_CHARS:
        return garbled > len(chars) / 2
    area = page.width * page.height
    return any(
        (img["x1"] - img["x0"]) * (img["bottom"] - img["top"]) >= MIN_IMAGE_SHARE * area
        for img in page.images
    )


def _text_words(page: Any) -> list[Word]:
    """Words of the text layer, struck-through letters wrapped in ``~~``."""
    strikes = _Strikes(page)
    words = []
    for w in page.extract_words(return_chars=True):
        text = strikes.mark(w["chars"])
        if text.strip():
            words.append(Word(text, w["x0"], w["x1"], w["top"], w["bottom"]))
    return words


class _Strikes:
    """Thin horizontal lines and rects: where a line crosses a letter's middle."""

    def __init__(self, page: Any) -> None:
        segments = []
        for obj in itertools.chain(page.lines, page.rects):
            if obj["bottom"] - obj["top"] <= 2 and obj["x1"] - obj["x0"] >= 2:
                segments.append(
                    ((obj["top"] + obj["bottom"]) / 2, obj["x0"], obj["x1"])
                )
        self.segments = sorted(segments)
        self.ys = [s[0] for s in self.segments]

    def crosses(self, ch: dict[str, Any]) -> bool:
        """A segment passes through the middle band of the letter's box."""
        height = ch["bottom"] - ch["top"]
        lo = bisect.bisect_left(self.ys, ch["top"] + 0.3 * height)
        hi = bisect.bisect_right(self.ys, ch["top"] + 0.8 * height)
        mid = (ch["x0"] + ch["x1"]) / 2
        return any(x0 <= mid <= x1 for _, x0, x1 in self.segments[lo:hi])

    def mark(self, chars: list[dict[str, Any]]) -> str:
        """The word's text, runs of struck letters wrapped in ``~~``."""
        out, inside = [], False
        for ch in chars:
            struck = bool(self.segments) and self.crosses(ch)
            if struck != inside:
                out.append("~~")
                inside = struck
            out.append(_clean_char(ch["text"]))
        return "".join(out + (["~~"] if inside else []))


def _clean_char(text: str) -> str:
    """Ligatures and compatibility forms as plain letters; soft hyphens dropped."""
    return unicodedata.normalize("NFKC", text).replace("\u00ad", "")


# --- the page ------------------------------------------------------------------


def _render_page(page: Any, content: _Content, table: _Table) -> str:
    """The page in the canonical rendering: prose paragraphs and table rows."""
    words = content.words
    if not words:
        table.open = False
        return ""
    height = _line_height(_lines(words))
    chunks, rest = _ruled_table(page, words, table, height)
    if rest is words:  # no ruled minutes table: try the header words' columns
        chunks, rest = _word_table(page, content, table, height)
    chunks += _prose(rest, height)
    return _join_chunks(chunks)


def _lines(words: Iterable[Word]) -> list[Line]:
    """Group words into lines: a word whose middle lies in a line's band joins it."""
    groups: list[list[Word]] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if groups and top <= word.mid_y <= bottom:
            groups[-1].append(word)
            bottom = max(bottom, word.bottom)
        else:
            groups.append([word])
            top, bottom = word.top, word.bottom
    return [Line(group) for group in groups]


def _line_height(lines: list[Line]) -> float:
    """Typical line height on the page: the unit for gaps and indents."""
    return statistics.median(line.bottom - line.top for line in lines) or 10.0


def _gap(prev: Line, line: Line, height: float) -> float:
    """White space between two lines, robust to letters without ascenders or tails.

    OCR boxes hug the ink, so a line without descenders looks farther from the
    next; measuring top to top and bottom to bottom as well, less a line
    height, and taking the least, keeps such lines in their paragraph.
    """
    return min(
        line.top - prev.bottom,
        line.top - prev.top - height,
        line.bottom - prev.bottom - height,
    )


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


def _fold(text: str) -> str:
    """Lowercase without diacritics or punctuation: header words as OCR reads them."""
    plain = unicodedata.normalize("NFKD", text.replace("~~", ""))
    return "".join(ch for ch in plain if ch.isalnum() or ch in " /").lower().strip()


def _is_header(cells: list[str]) -> bool:
    """Whether three cells are the Ärende | Omfattning/notering | Föredragande row."""
    first, second, third = (_fold(c) for c in cells)
    return (
        first.endswith("rende")
        and second.startswith("omfatt")
        and third.startswith("foredrag")
    )


# --- tables with ruling lines ----------------------------------------------------


def _ruled_table(
    page: Any, words: list[Word], table: _Table, height: float
) -> tuple[list[Chunk], list[Word]]:
    """Rows of three-column ruled minutes tables, and the words outside them."""
    chunks: list[Chunk] = []
    rest = words
    for found in page.find_tables(_table_settings(page, words)):
        rows = [row.cells for row in found.rows]
        if not rows or any(len(cells) != 3 for cells in rows):
            continue
        texts = [[_cell_text(words, bbox, height) for bbox in row] for row in rows]
        if not (table.open or any(_is_header(t) for t in texts[:2])):
            continue  # not a minutes table (a title row may stand above the header)
        for row, cells in zip(rows, texts, strict=True):
            chunks += _row_chunk(_row_top(row), cells, table)
        bottom = found.bbox[3]
        rest = [w for w in rest if not _inside(w, found.bbox)]
        table.open = not any(
            w.top > bottom and w.bottom < BOTTOM_ZONE * page.height for w in rest
        )
    return chunks, rest


def _table_settings(page: Any, words: list[Word]) -> dict[str, Any]:
    """Close what the rules leave open: a row cut by the page edge, the header row.

    Word and reportlab draw no rule where a row breaks across pages, nor always
    under a repeated header; without one the finder loses the cut row or merges
    it with the header, so rules are added there.
    """
    verticals = [e for e in page.edges if e["orientation"] == "v" and e["height"] > 5]
    if not verticals:
        return TABLE_SETTINGS
    x0, x1 = min(e["x0"] for e in verticals), max(e["x1"] for e in verticals)
    ys = [min(e["top"] for e in verticals), max(e["bottom"] for e in verticals)]
    lines = _lines(words)
    for n, line in enumerate(lines[:-1]):
        if _header_columns(line):
            ys.append((line.bottom + lines[n + 1].top) / 2)
    rules = [
        {
            "object_type": "line",
            "x0": x0,
            "x1": x1,
            "top": y,
            "bottom": y,
            "width": x1 - x0,
            "height": 0,
        }
        for y in ys
    ]
    return {**TABLE_SETTINGS, "explicit_horizontal_lines": rules}


def _row_top(cells: tuple) -> float:
    """Where a ruled row starts: rows are ordered with the page's prose by it."""
    return min(bbox[1] for bbox in cells if bbox)


def _inside(word: Word, bbox: tuple[float, float, float, float]) -> bool:
    """The word's centre is in the box: a word touching a rule still has one cell."""
    mid_x = (word.x0 + word.x1) / 2
    return bbox[0] <= mid_x <= bbox[2] and bbox[1] <= word.mid_y <= bbox[3]


def _cell_text(words: list[Word], bbox: Any, height: float) -> str:
    """A ruled cell's content; the text's right edge mirrors its left padding."""
    if bbox is None:
        return ""
    lines = _lines(w for w in words if _inside(w, bbox))
    if not lines:
        return ""
    pad = min(max(0.0, min(line.x0 for line in lines) - bbox[0]), 12.0)
    return _render_cell(lines, bbox[2] - pad, height)


def _row_chunk(top: float, cells: list[str], table: _Table) -> list[Chunk]:
    """A table row as one tab-separated line; a repeated header row is dropped."""
    if _is_header(cells):
        return _header_chunk(top, table)
    if not any(cell.strip() for cell in cells):
        return []
    return [(top, "row", "\t".join(cells))]


# --- tables without ruling lines: columns from the header words ----------------------


def _word_table(
    page: Any, content: _Content, table: _Table, height: float
) -> tuple[list[Chunk], list[Word]]:
    """Rows of a minutes table laid out by word positions (and rules, if any)."""
    words = content.words
    lines = _lines(words)
    header = next((n for n, line in enumerate(lines) if _header_columns(line)), None)
    if header is not None:
        table.columns = _header_columns(lines[header])
    elif not table.open:
        table.columns = None
    if table.columns is None:
        table.open = False
        return [], words
    start = 0 if header is None else header + 1
    end = _table_end(lines, start, table.columns, page.height)
    table.open = end == len(lines) or lines[end].top > BOTTOM_ZONE * page.height
    chunks = [] if header is None else _header_chunk(lines[header].top, table)
    for part in _split_at_headers(lines[start:end]):
        chunks += _word_rows(part, table, height, content.rules)
    rest = lines[: start - 1 if header is not None else 0] + lines[end:]
    return chunks, [w for line in rest for w in line.words]


def _split_at_headers(body: list[Line]) -> list[list[Line]]:
    """The body's runs of lines between header rows repeated inside it."""
    parts: list[list[Line]] = [[]]
    for line in body:
        if _header_columns(line):
            parts.append([])
        else:
            parts[-1].append(line)
    return [part for part in parts if part]


def _header_chunk(top: float, table: _Table) -> list[Chunk]:
    """The canonical header row, written once: repeated headers are dropped."""
    if table.header_done:
        return []
    table.header_done = True
    return [(top, "row", HEADER_ROW)]


def _header_columns(line: Line) -> tuple[float, float] | None:
    """Where columns 2 and 3 start, if this line is the table's header row.

    "Omfattning/notering" and "Föredragande" must be there, in that order, and
    nothing but "Ärende" before them; OCR may lose "Ärende" to a ruling line.
    """
    folded = [_fold(w.text) for w in line.words]
    second = next((i for i, t in enumerate(folded) if t.startswith("omfatt")), None)
    third = next((i for i, t in enumerate(folded) if t.startswith("foredrag")), None)
    if second is None or third is None or third < second:
        return None
    if any(len(t) > 2 and not t.endswith("rende") for t in folded[:second]):
        return None
    return line.words[second].x0, line.words[third].x0


def _table_end(
    lines: list[Line], start: int, columns: tuple[float, float], page_height: float
) -> int:
    """First line after the table: a footer label, or prose running across columns."""
    for n in range(start, len(lines)):
        line = lines[n]
        if _FOOTER.match(line.text) or _straddles(line, columns):
            return n
        if line.top > BOTTOM_ZONE * page_height and _PAGE_NUMBER.match(line.text):
            return n
    return len(lines)


def _straddles(line: Line, columns: tuple[float, float]) -> bool:
    """A word runs across a column edge (specks OCR reads off a rule don't count)."""
    edges = [c - 3 for c in columns]
    return any(
        w.x0 < edge and w.x1 > edge + 3 and len(w.text) > 2
        for w in line.words
        for edge in edges
    )


def _column(word: Word, columns: tuple[float, float]) -> int:
    """0, 1 or 2: the column the word starts in, with a little slack for OCR boxes."""
    return sum(word.x0 >= c - 3 for c in columns)


def _word_rows(
    body: list[Line], table: _Table, height: float, rules: list[float]
) -> list[Chunk]:
    """Split the body into rows and each row into its three cells."""
    columns = table.columns or (0.0, 0.0)
    rights = [
        max(
            (w.x1 for line in body for w in line.words if _column(w, columns) == k),
            default=0.0,
        )
        for k in range(3)
    ]
    starts = _rule_starts(body, rules) or _gap_starts(body, columns, height, rights)
    rows: list[list[list[Word]]] = [[[], [], []] for _ in starts]
    for word in (w for line in body for w in line.words):
        row = bisect.bisect_right(starts, word.top + 0.5) - 1
        rows[max(row, 0)][_column(word, columns)].append(word)
    chunks = []
    for top, cells in zip(starts, rows, strict=True):
        texts = [
            _render_cell(_lines(c), rights[k], height) if c else ""
            for k, c in enumerate(cells)
        ]
        chunks += _row_chunk(top, texts, table)
    return chunks


def _rule_starts(body: list[Line], rules: list[float]) -> list[float] | None:
    """Row tops from the horizontal rules between the body's lines, if any."""
    inside = [y for y in rules if body[0].top < y < body[-1].bottom]
    if not inside:
        return None
    starts = [body[0].top]
    for y in inside:
        below = next((line.top for line in body if line.top > y), None)
        if below is not None and below > starts[-1]:
            starts.append(below)
    return starts


def _gap_starts(
    body: list[Line], columns: tuple[float, float], height: float, rights: list[float]
) -> list[float]:
    """Row tops from white space: padding between rows, else where cells begin."""
    row_gap = _row_gap(body, columns, height)
    if row_gap is None:
        return _cell_starts(body, columns, height, rights)
    return [body[0].top] + [
        line.top
        for prev, line in itertools.pairwise(body)
        if _gap(prev, line, height) > row_gap
    ]


def _cell_starts(
    body: list[Line], columns: tuple[float, float], height: float, rights: list[float]
) -> list[float]:
    """Without padding: where an Ärende paragraph and a body paragraph begin together.

    Each column is read on its own (their baselines need not line up); a title
    paragraph beside the middle of a body paragraph is the title's second part,
    unless a Föredragande cell starts beside it.
    """
    words = [w for line in body for w in line.words]
    titles, texts, names = (
        _lines(w for w in words if _column(w, columns) == k) for k in range(3)
    )
    starts = [body[0].top]
    for n, line in enumerate(titles):
        fresh = n == 0 or _para_starts(titles[n - 1], line, rights[0], height)
        if not fresh or line.top <= starts[-1] + 1:
            continue
        beside = any(abs(name.top - line.top) <= 0.3 * height for name in names)
        if beside or _body_starts_at(texts, line.top, height, rights[1]):
            starts.append(line.top)
    return starts


def _para_starts(prev: Line, line: Line, right: float, height: float) -> bool:
    """The line opens a paragraph: a gap above it, or the line above ended early."""
    gap = _gap(prev, line, height)
    return gap > PARA_GAP * height or _hard_break(prev, line, right, height)


def _body_starts_at(texts: list[Line], y: float, height: float, right: float) -> bool:
    """Whether the body column has no paragraph running on past height y."""
    slack = 0.3 * height
    if any(t.top < y - slack and t.bottom > y + slack for t in texts):
        return False
    below = next((k for k, t in enumerate(texts) if t.top >= y - slack), None)
    if below is None or texts[below].top - y > height or below == 0:
        return True
    return _para_starts(texts[below - 1], texts[below], right, height)


def _row_gap(
    body: list[Line], columns: tuple[float, float], height: float
) -> float | None:
    """The gap that separates rows, when rows are spaced wider than paragraphs.

    A line where both the Ärende and the Föredragande cell begin opens a row
    for sure; gaps before lines without Ärende text are paragraph gaps. When
    the first are clearly wider (cell padding), any gap that wide starts a row,
    even one with an empty Ärende cell, and a title paragraph that happens to
    start beside a body paragraph does not. Otherwise rows are found by
    where the cells' texts begin.
    """
    rows, inner = [], []
    for prev, line in itertools.pairwise(body):
        gap = _gap(prev, line, height)
        if gap > PARA_GAP * height:
            kinds = {_column(w, columns) for w in line.words}
            if {0, 2} <= kinds:
                rows.append(gap)
            elif 0 not in kinds:
                inner.append(gap)
    if len(rows) < 2 or not inner:
        return None
    row, paragraph = statistics.median(rows), statistics.median(inner)
    cut = max((row * paragraph) ** 0.5, 0.7 * row)
    if row < 1.5 * paragraph or sum(gap > cut for gap in rows) < 0.75 * len(rows):
        return None
    return cut


# --- cells and prose: paragraphs, lists and line breaks -------------------------------


def _render_cell(lines: list[Line], right: float, height: float) -> str:
    """A cell as text, or as <p>/<ul>/<ol> fragments when it has more than one part."""
    entries = _entries(lines, right, height, "<br>", escape=True)
    if len(entries) == 1 and entries[0].kind == "p":
        return entries[0].text
    parts: list[str] = []
    open_list = ""
    for entry in entries:
        if open_list and entry.kind != open_list:
            parts[-1] += f"</{open_list}>"
            open_list = ""
        if entry.kind == "p":
            parts.append(f"<p>{entry.text}</p>")
        elif open_list:
            parts[-1] += f"<li>{entry.text}</li>"
        else:
            parts.append(f"<{entry.kind}><li>{entry.text}</li>")
            open_list = entry.kind
    if open_list:
        parts[-1] += f"</{open_list}>"
    return " ".join(parts)


def _prose(words: list[Word], height: float) -> list[Chunk]:
    """Text outside tables: one chunk per paragraph, soft line wraps joined."""
    lines = _lines(words)
    if not lines:
        return []
    right = max(line.x1 for line in lines)
    chunks: list[Chunk] = []
    for block in _blocks(lines, height):
        entries = _entries(block, right, height, "\n", escape=False)
        text = "\n".join(_prose_marker(e) + e.text for e in entries)
        chunks.append((block[0].top, "prose", text))
    return chunks


def _prose_marker(entry: _Entry) -> str:
    """A list item in prose keeps its number, or a plain bullet for any symbol."""
    return {"p": "", "ul": "• "}.get(entry.kind, f"{entry.marker} ")


def _blocks(lines: list[Line], height: float) -> list[list[Line]]:
    """Runs of lines without a paragraph-sized gap between them."""
    blocks: list[list[Line]] = []
    for line in lines:
        if blocks and _gap(blocks[-1][-1], line, height) <= PARA_GAP * height:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


@dataclass
class _Entry:
    """A paragraph ("p") or a list item ("ul", "ol") of a cell or a text block."""

    kind: str
    text: str
    x0: float  # where the line starts (at the marker, for a list item)
    marker: str = ""


def _entries(
    lines: list[Line], right: float, height: float, br: str, escape: bool
) -> list[_Entry]:
    """Paragraphs and list items: gaps, markers and outdents start new ones."""
    entries: list[_Entry] = []
    prev: Line | None = None
    numbered = _numbered_items(lines)
    for n, line in enumerate(lines):
        new_block = prev is None or _gap(prev, line, height) > PARA_GAP * height
        after = "" if new_block else entries[-1].kind
        kind, words = _list_marker(line, height, new_block or after == "ul")
        if kind == "ol" and n not in numbered:
            kind, words = "", line.words
        text = _words_text(words, escape)
        if kind:
            entries.append(_Entry(kind, text, line.x0, line.words[0].text))
        elif new_block or (after != "p" and line.x0 < entries[-1].x0 + 2):
            entries.append(_Entry("p", text, line.x0))
        else:
            assert prev is not None
            gap = br if _hard_break(prev, line, right, height) else " "
            entries[-1].text = (entries[-1].text + gap + text).replace("~~ ~~", " ")
        prev = line
    return entries


def _numbered_items(lines: list[Line]) -> set[int]:
    """Lines that open items of a numbered list, not a numbered title ("5. Övrigt").

    A number opens a list item when the next or previous number is on another
    line, or when the line's continuation is indented past the number.
    """
    numbers = {
        n: int(re.sub(r"\D", "", line.words[0].text))
        for n, line in enumerate(lines)
        if len(line.words) > 1 and _NUMBER.match(line.words[0].text)
    }
    found = set()
    for n, number in numbers.items():
        others = {m for k, m in numbers.items() if k != n}
        hanging = n + 1 < len(lines) and n + 1 not in numbers
        if hanging:
            hanging = lines[n + 1].x0 > lines[n].x0 + 2
        if number - 1 in others or number + 1 in others or hanging:
            found.add(n)
    return found


def _list_marker(line: Line, height: float, dash_ok: bool) -> tuple[str, list[Word]]:
    """("ul" | "ol" | "", words after the marker) for a line that may open an item."""
    words = line.words
    first = words[0].text
    if len(words) > 1:
        wide = words[1].x0 - words[0].x1 > 0.45 * height
        if first in _BULLETS or _GLYPH.match(first) or (first in _OCR_BULLETS and wide):
            return "ul", words[1:]
        if _NUMBER.match(first):
            return "ol", words[1:]
        if first in _DASHES and (wide or dash_ok):
            return "ul", words[1:]
    if len(first) > 1 and first[0] in _BULLETS:
        head = words[0]
        rest = Word(first[1:].lstrip(), head.x0, head.x1, head.top, head.bottom)
        return "ul", [rest, *words[1:]]
    return "", words


def _words_text(words: list[Word], escape: bool) -> str:
    """Words joined by spaces; adjacent struck words become one ``~~…~~`` run."""
    text = " ".join(w.text for w in words).replace("~~ ~~", " ")
    return html.escape(text, quote=False) if escape else text


def _hard_break(prev: Line, line: Line, right: float, height: float) -> bool:
    """A line ended early: the next line's first word would have fitted on it."""
    first = line.words[0]
    room = right - prev.x1
    return room > 0.3 * height + (first.x1 - first.x0) + 0.5 * height
