"""Read and validate search parameters from a query string (API and UI alike)."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from .errors import ApiError
from .search import DOC_TYPES, MAX_PER_PAGE, MAX_QUERY_CHARS, SORTS, SearchParams

MAX_PAGE = 1000  # deeper pages cost a sort of page * per_page hits; nobody reads them
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def search_params(args: MultiDict) -> SearchParams:
    """A SearchParams, or ApiError(400) naming the parameter that is wrong."""
    q = _CONTROL.sub(" ", args.get("q", ""))
    if len(q) > MAX_QUERY_CHARS:
        raise ApiError(f"q is too long (at most {MAX_QUERY_CHARS} characters)")
    year = args.get("year") or None
    if year is not None and not re.fullmatch(r"\d{4}", year):
        raise ApiError("year must be a year, YYYY")
    doc_type = args.get("type") or None
    if doc_type is not None and doc_type not in DOC_TYPES:
        raise ApiError(f"type must be one of: {', '.join(DOC_TYPES)}")
    sort = args.get("sort") or "relevance"
    if sort not in SORTS:
        raise ApiError(f"sort must be one of: {', '.join(SORTS)}")
    return SearchParams(
        q=q,
        page=_int(args, "page", 1, 1, MAX_PAGE),
        per_page=_int(args, "per_page", 10, 1, MAX_PER_PAGE),
        year=year,
        doc_type=doc_type,
        sort=sort,
    )


def _int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    if not re.fullmatch(r"\d{1,9}", raw.strip()):
        raise ApiError(f"{name} must be a whole number from {low} to {high}")
    value = int(raw)
    if not low <= value <= high:
        raise ApiError(f"{name} must be a whole number from {low} to {high}")
    return value
