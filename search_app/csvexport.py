"""CSV export: rows of dicts to a download that Excel opens with å, ä and ö intact.

UTF-8 with a byte-order mark (without it Excel guesses a legacy code page),
CRLF line ends, lists joined with "; ", and links made absolute so they work
from a spreadsheet. The corpus is untrusted: a cell that starts like a
formula (=, +, -, @) gets a leading apostrophe, so a spreadsheet shows it as
text instead of running it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import replace

from flask import Response, request

from .errors import ApiError

BOM = "\ufeff"
FORMATS = ("json", "csv")
EXPORT_LIMIT = 1000  # hits in one search export; a page of 100, ten times
SEARCH_COLUMNS = [
    "date", "title", "item_number", "item_title", "presenters", "decisions",
    "score", "url", "doc_id", "item_id", "source",
]  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def to_csv(rows: Iterable[dict], columns: list[str], base_url: str = "") -> str:
    """The rows as CSV text (BOM first), only ``columns``, in that order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(col), col, base_url) for col in columns])
    return BOM + out.getvalue()


def _cell(value, column: str, base_url: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if column.endswith("url") and text.startswith("/"):
        return base_url + text
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def csv_response(
    rows: Iterable[dict], columns: list[str], filename: str, base_url: str = ""
) -> Response:
    """A CSV download named ``filename``."""
    return Response(
        to_csv(rows, columns, base_url),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def export_format() -> str:
    """The request's ``format``: json (the default) or csv; nothing else, not ""."""
    value = request.args.get("format", "json")
    if value not in FORMATS:
        raise ApiError(f"format must be one of: {', '.join(FORMATS)}")
    return value


def search_csv(service, params, base_url: str) -> Response:
    """Every hit of a search (at most EXPORT_LIMIT) in its order, as CSV.

    Not one page: a spreadsheet wants the whole result. Links are the
    items' permanent links, without the search in them.
    """
    rows: list[dict] = []
    page = 1
    while len(rows) < EXPORT_LIMIT:
        results = service.search(replace(params, page=page, per_page=100))
        rows += results["hits"]
        if not results["hits"] or len(rows) >= results["total"]:
            break
        page += 1
    for row in rows:
        row["url"] = row["url"].split("?", 1)[0] + "#" + row["url"].split("#", 1)[-1]
    return csv_response(rows[:EXPORT_LIMIT], SEARCH_COLUMNS, "sok.csv", base_url)
