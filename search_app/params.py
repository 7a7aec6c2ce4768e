"""Read and validate search parameters from a query string (API and UI alike)."""

from __future__ import annotations

import calendar
import re

from werkzeug.datastructures import MultiDict

from .errors import ApiError
from .vocabulary import (
    DOC_TYPES,
    MAX_PER_PAGE,
    MAX_PRESENTER_CHARS,
    MAX_QUERY_CHARS,
    SEARCH_PARAMS,
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
    years = tuple(dict.fromkeys(y for y in args.getlist("year") if y))
    if any(not re.fullmatch(r"[0-9]{4}", y) for y in years):
        raise ApiError("year must be a year, YYYY")
    date_from = _day(args.get("from"), "from", first=True)
    date_to = _day(args.get("to"), "to", first=False)
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
        years=years,
        doc_type=doc_type,
        sort=sort,
        presenter=_presenter(args),
        has_decision=_flag(args, "has_decision"),
        person=_presenter(args, "person"),
        date_from=date_from,
        date_to=date_to,
        exact=_flag(args, "exact"),
        ignored=tuple(sorted(k for k in args if k not in SEARCH_PARAMS)),
        unused=_unused(args, q),
    )


def _unused(args: MultiDict, q: str) -> tuple[str, ...]:
    """Parameters that only words give a meaning: relevance, and exact spelling."""
    if q.strip():
        return ()
    wordy = {"sort": args.get("sort") == "relevance", "exact": bool(args.get("exact"))}
    return tuple(name for name, given in wordy.items() if given)


def _day(raw: str | None, name: str, first: bool) -> str | None:
    """YYYY, YYYY-MM or YYYY-MM-DD as the first (or last) day it covers."""
    if not raw:
        return None
    m = re.fullmatch(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?", raw)
    if not m:
        raise ApiError(f"{name} must be a date: YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = int(m[1]), int(m[2] or 0), int(m[3] or 0)
    if m[2] and not 1 <= month <= 12:
        raise ApiError(f"{name}: no month {m[2]}")
    # Days 1-31 in any month: bounds compare as text, so "to=2021-02-30"
    # simply ends with February.
    if m[3] and not 1 <= day <= 31:
        raise ApiError(f"{name}: no day {m[3]}")
    if not m[2]:
        month = 1 if first else 12
    if not m[3]:
        day = 1 if first else calendar.monthrange(max(year, 1), month)[1]
    return f"{year:04d}-{month:02d}-{day:02d}"


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
    """A free-text parameter without control characters, or ApiError if too long.

    The limit applies to the text as sent, as the OpenAPI description's
    ``maxLength`` says, not to what is left after spaces are collapsed.
    """
    raw = args.get(name, "")
    if len(raw) > limit:
        raise ApiError(f"{name} is too long (at most {limit} characters)")
    return " ".join(_CONTROL.sub(" ", raw).split())


def int_arg(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``, or ApiError naming the parameter."""
    return _int(args, name, default, low, high)
