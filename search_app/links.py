"""The URLs pages share: a search with some filters changed, items, original files.

Every search is a plain query string (q, year, from, to, type, presenter,
has_decision, sort, exact, page, per_page) on /, /feed, /embed or /api/search,
so any result list can be bookmarked, mailed or linked from the intranet.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from flask import current_app

from .vocabulary import SearchParams

DEFAULT_PER_PAGE = SearchParams().per_page


def search_args(params: SearchParams, **changes) -> dict[str, str | list[str]]:
    """The query-string arguments of ``params``; a change of None drops one.

    Several years are one comma-free list value (``year=2021&year=2025``).
    """
    values = {
        "q": params.q,
        "year": params.year or (list(params.years) if params.years else None),
        "from": _short(params.date_from, first=True),
        "to": _short(params.date_to, first=False),
        "type": params.doc_type,
        "presenter": params.presenter,
        "person": params.person,
        "has_decision": "1" if params.has_decision else None,
        "sort": None if params.sort == "relevance" else params.sort,
        "exact": "1" if params.exact else None,
        "page": params.page if params.page > 1 else None,
        "per_page": params.per_page if params.per_page != DEFAULT_PER_PAGE else None,
    }
    values.update(changes)
    if str(values["page"]) == "1":
        values["page"] = None
    return {
        k: v if isinstance(v, list) else str(v)
        for k, v in values.items()
        if v not in (None, "", False, [])
    }


def _short(day: str | None, first: bool) -> str | None:
    """A range's end as the user would write it: 2021 for 2021-01-01 (or -12-31)."""
    if not day:
        return None
    year, month, rest = day[:4], day[5:7], day[8:]
    if (month, rest) == (("01", "01") if first else ("12", "31")):
        return year
    if rest == "01" and first:
        return day[:7]
    return day


def search_url(params: SearchParams, path: str = "/", **changes: object) -> str:
    """The URL of the search ``params`` with ``changes``; back to page 1 unless told."""
    changes.setdefault("page", None)
    return path + "?" + urlencode(search_args(params, **changes), doseq=True)


def site_url() -> str:
    """This site's address for absolute links: from configuration (BASE_URL),
    never from the request's Host header, which any client can set."""
    return str(current_app.config["BASE_URL"]).rstrip("/")


def document_url(doc_id: str) -> str:
    """The document page."""
    return f"/doc/{quote(doc_id, safe='')}"


def item_permalink(doc_id: str, number: int) -> str:
    """The item's stable address: its anchor on the document page, no query."""
    return f"{document_url(doc_id)}#item-{number}"


def file_url(source: str, pages: list[int] | tuple[int, ...] = ()) -> str:
    """The original file, served read-only; PDFs open at the item's first page."""
    url = "/files/" + quote(source, safe="/")
    return f"{url}#page={min(pages)}" if pages else url


def person_url(name: str) -> str:
    """A person's page, by the name as shown (any spelling with its key works)."""
    return f"/person/{quote(name, safe='')}"
