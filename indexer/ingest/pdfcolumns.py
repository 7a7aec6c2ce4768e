"""Minutes tables without ruling lines: columns and rows from word positions.

The columns start where the header words "Omfattning/notering" and
"Föredragande" start; rows are parted by horizontal rules where there are
some, else by the padding between rows, else by where an Ärende paragraph and
a body paragraph begin together. The table ends at a footer label, a page
number or prose running across the columns.
"""

from __future__ import annotations

import bisect
import itertools
import re
import statistics
from typing import Any

from .pdfparagraphs import PARA_GAP, para_starts, render_cell
from .pdftables import (
    BOTTOM_ZONE,
    TableState,
    header_chunk,
    header_columns,
    row_chunk,
)
from .pdfwords import Chunk, Line, PageContent, Word, gap_between, group_lines

_FOOTER = re.compile(
    r"^(Noterat av|Antecknat av|Kallat av|Justera[st]|Vid protokollet)\b", re.I
)
_PAGE_NUMBER = re.compile(r"^(sida\s*)?\d{1,3}(\s*(\(|av\s*)\d{1,3}\)?)?$", re.I)


def word_table(
    page: Any, content: PageContent, table: TableState, height: float
) -> tuple[list[Chunk], list[Word]]:
    """Rows of a minutes table laid out by word positions (and rules, if any)."""
    words = content.words
    lines = group_lines(words)
    header = next((n for n, line in enumerate(lines) if header_columns(line)), None)
    if header is not None:
        table.columns = header_columns(lines[header])
    elif not table.open:
        table.columns = None
    if table.columns is None:
        table.open = False
        return [], words
    start = 0 if header is None else header + 1
    end = _table_end(lines, start, table.columns, page.height)
    table.open = end == len(lines) or lines[end].top > BOTTOM_ZONE * page.height
    chunks = [] if header is None else header_chunk(lines[header].top, table)
    for part in _split_at_headers(lines[start:end]):
        chunks += _word_rows(part, table, height, content.rules)
    rest = lines[: start - 1 if header is not None else 0] + lines[end:]
    return chunks, [w for line in rest for w in line.words]


def _split_at_headers(body: list[Line]) -> list[list[Line]]:
    """The body's runs of lines between header rows repeated inside it."""
    parts: list[list[Line]] = [[]]
    for line in body:
        if header_columns(line):
            parts.append([])
        else:
            parts[-1].append(line)
    return [part for part in parts if part]


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
    body: list[Line], table: TableState, height: float, rules: list[float]
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
            render_cell(group_lines(c), rights[k], height) if c else ""
            for k, c in enumerate(cells)
        ]
        chunks += row_chunk(top, texts, table)
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
        if gap_between(prev, line, height) > row_gap
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
        group_lines(w for w in words if _column(w, columns) == k) for k in range(3)
    )
    starts = [body[0].top]
    for n, line in enumerate(titles):
        fresh = n == 0 or para_starts(titles[n - 1], line, rights[0], height)
        if not fresh or line.top <= starts[-1] + 1:
            continue
        beside = any(abs(name.top - line.top) <= 0.3 * height for name in names)
        if beside or _body_starts_at(texts, line.top, height, rights[1]):
            starts.append(line.top)
    return starts


def _body_starts_at(texts: list[Line], y: float, height: float, right: float) -> bool:
    """Whether the body column has no paragraph running on past height y."""
    slack = 0.3 * height
    if any(t.top < y - slack and t.bottom > y + slack for t in texts):
        return False
    below = next((k for k, t in enumerate(texts) if t.top >= y - slack), None)
    if below is None or texts[below].top - y > height or below == 0:
        return True
    return para_starts(texts[below - 1], texts[below], right, height)


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
        gap = gap_between(prev, line, height)
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
