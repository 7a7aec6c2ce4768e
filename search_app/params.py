"""Read and validate search parameters from a query string (API and UI alike)."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from .errors import ApiError
from .vocabulary import (
    DOC_TYPES,
    MAX_PER_PAGE,
    MAX_PRESENTER_CHARS,
    MAX_QUERY_CHARS,
    SORTS,
    SearchParams,
)

MAX_PAGE = 1000  # deeper pages cost a sort of page * per_page hits; nobody reads them
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
FLAGS = {"": False, "0": False, "false": False, "1": True, "true": True}


def search_params(args: MultiDict) -> SearchParams:
    """A SearchParams, or ApiError(400) naming the parameter that is wrong."""
    q = _CONTROL.sub(" ", args.get("q", ""))
    if len(q) > MAX_QUERY_CHARS:
        raise ApiError(f"q is too long (at most {MAX_QUERY_CHARS} characters)")
    year = args.get("year") or None
    if year is not None and not re.fullmatch(r"[0-9]{4}", year):
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
        presenter=_presenter(args),
        has_decision=_flag(args, "has_decision"),
        person=_presenter(args, "person"),
    )


def _presenter(args: MultiDict, key: str = "presenter") -> str | None:
    """A person's name as shown in the hits; whitespace runs count as one space."""
    name = " ".join(_CONTROL.sub(" ", args.get(key, "")).split())
    if len(name) > MAX_PRESENTER_CHARS:
        raise ApiError(f"{key} is too long (at most {MAX_PRESENTER_CHARS} characters)")
    return name or None


def _flag(args: MultiDict, name: str) -> bool:
    """An on/off parameter: 1/true or 0/false (or absent)."""
    raw = args.get(name, "").strip().lower()
    if raw not in FLAGS:
        raise ApiError(f"{name} must be 1 or 0 (or true or false)")
    return FLAGS[raw]


def _int(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw):  # \d would take other scripts' digits
        raise ApiError(f"{name} must be a whole number from {low} to {high}")
    value = int(raw)
    if not low <= value <= high:
        raise ApiError(f"{name} must be a whole number from {low} to {high}")
    return value


def clean_text(args: MultiDict, name: str, limit: int = MAX_QUERY_CHARS) -> str:
    """A free-text parameter without control characters, or ApiError if too long."""
    text = " ".join(_CONTROL.sub(" ", args.get(name, "")).split())
    if len(text) > limit:
        raise ApiError(f"{name} is too long (at most {limit} characters)")
    return text


def int_arg(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``, or ApiError naming the parameter."""
    return _int(args, name, default, low, high)
