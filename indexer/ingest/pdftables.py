"""Minutes tables: the header row, rows as tab-separated lines, ruled tables.

Minutes are Word tables of three columns (Ärende | Omfattning/notering |
Föredragande) printed to PDF. A table with ruling lines is read with
pdfplumber's table finder, its rules completed where a page break or a
repeated header left them out; one without is read from word positions
(:mod:`.pdfcolumns`). Either way each row becomes one line of the canonical
text, the header row written once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from .pdfparagraphs import render_cell
from .pdfwords import Chunk, Line, Word, group_lines

HEADER_ROW = "Ärende:\tOmfattning/notering:\tFöredragande:"
TABLE_SETTINGS = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
BOTTOM_ZONE = 0.93  # below this share of the page height: page numbers, footers


@dataclass
class TableState:
    """A minutes table as it runs from page to page."""

    columns: tuple[float, float] | None = None  # where columns 2 and 3 start
    open: bool = False  # the table may continue on the next page
    header_done: bool = False  # the canonical header row has been written


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


def header_columns(line: Line) -> tuple[float, float] | None:
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


def header_chunk(top: float, table: TableState) -> list[Chunk]:
    """The canonical header row, written once: repeated headers are dropped."""
    if table.header_done:
        return []
    table.header_done = True
    return [(top, "row", HEADER_ROW)]


def row_chunk(top: float, cells: list[str], table: TableState) -> list[Chunk]:
    """A table row as one tab-separated line; a repeated header row is dropped."""
    if _is_header(cells):
        return header_chunk(top, table)
    if not any(cell.strip() for cell in cells):
        return []
    return [(top, "row", "\t".join(cells))]


def ruled_table(
    page: Any, words: list[Word], table: TableState, height: float
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
            chunks += row_chunk(_row_top(row), cells, table)
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
    lines = group_lines(words)
    for n, line in enumerate(lines[:-1]):
        if header_columns(line):
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
    lines = group_lines(w for w in words if _inside(w, bbox))
    if not lines:
        return ""
    pad = min(max(0.0, min(line.x0 for line in lines) - bbox[0]), 12.0)
    return render_cell(lines, bbox[2] - pad, height)
