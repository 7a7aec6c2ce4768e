"""The search page's view: everything the template shows, computed from the service.

The template only loops and tests; the numbers, labels and links are made
here (with facets, timeline, hitlist and links), and the service is asked at
most three times: the search, the years without the year filter (so the
timeline keeps its shape while one year is chosen), and the total without
filters when they leave nothing.
"""

from __future__ import annotations

from dataclasses import replace

from .facets import active_filters, clear_url, filter_groups, range_form, sort_links
from .highlight import marked
from .hitlist import present_hits
from .labels import hits_label, items_label, stated_date, type_label
from .links import document_url, search_url
from .timeline import timeline
from .vocabulary import SearchParams

WINDOW = 2  # page links on either side of the current page


def search_page(service, params: SearchParams) -> dict:
    """The template context for / with a query."""
    results = marked(service.search(params))
    active = active_filters(params)
    return {
        "params": params,
        "results": results,
        "browsing": not params.q.strip(),
        "count_label": hits_label(results["total"]),
        "reading": _reading(params, results),
        "corrections": _corrections(params, results),
        "unknown": [
            w["message"]
            for w in results["warnings"]
            if w["code"] == "unknown_parameter"
        ],
        "hits": present_hits(params, results["hits"]),
        "groups": filter_groups(params, results["facets"]),
        "active_filters": active,
        "show_filters": bool(results["total"] or active),
        "clear_url": clear_url(params) if active else None,
        "sort_links": sort_links(params),
        "range_form": range_form(params),
        "timeline": timeline(params, *_years(service, params, results)),
        "pages": pagination(params, results["total"]),
        "suggestion": _suggestion(params, results),
        "unfiltered": _unfiltered(service, params, results["total"], active),
        "feed_url": search_url(params, "/feed", sort=None),
        "json_url": search_url(params, "/api/search", page=params.page),
    }


def home_page(service, params: SearchParams) -> dict:
    """The template context for / without a query: the documents to browse."""
    documents = [
        {
            "title": doc["title"],
            "url": document_url(doc["doc_id"]),
            "date": doc.get("date"),
            "date_label": stated_date(doc),
            "type_label": type_label(doc["doc_type"]),
            "items_label": items_label(doc.get("item_count") or 0),
        }
        for doc in service.documents()
    ]
    return {"params": params, "results": None, "documents": documents}


def _years(service, params: SearchParams, results: dict) -> tuple[dict, int]:
    """Hits per year, and in all, under every filter but the time range itself."""
    if params.years or params.date_from or params.date_to:
        everywhen = replace(params, years=(), year=None, date_from=None, date_to=None)
        results = service.search(replace(everywhen, page=1, per_page=1))
    return results["facets"]["year"], results["total"]


def _suggestion(params: SearchParams, results: dict) -> dict | None:
    """ "Menade du ...?": the service's one policy, as the API gives it."""
    better = results.get("suggestion")
    if not better or better.strip().casefold() == params.q.strip().casefold():
        return None
    return {"q": better, "url": search_url(params, q=better)}


def _reading(params: SearchParams, results: dict) -> dict | None:
    """ "Tolkad som …" and why, when the query was not read as written."""
    notes = [
        w["detail"] for w in results["warnings"] if w["code"] == "query_reinterpreted"
    ]
    if not notes:
        return None
    return {"q": results["interpreted_query"], "notes": notes}


def _corrections(params: SearchParams, results: dict) -> dict | None:
    """What the search changed or added to the words, with a way back."""
    spelled = [c for c in results["corrections"] if c["kind"] == "spelling"]
    added = [c for c in results["corrections"] if c["kind"] != "spelling"]
    if not spelled and not added:
        return None
    kinds = {"synonym": "synonym", "ocr": "möjlig OCR-felläsning",
             "near": "närliggande stavning"}  # fmt: skip
    return {
        "shown": results["interpreted_query"] if spelled else None,
        "typed": params.q,
        "exact_url": search_url(params, exact="1"),
        "also": [
            f"{c['replacement']} ({kinds.get(c['kind'], c['kind'])} till "
            f"{c['original']})"
            for c in added
        ],
    }


def _unfiltered(service, params, total: int, active: list) -> dict | None:
    """When the filters leave nothing: how many the words alone would find."""
    if total or not active:
        return None
    bare = SearchParams(q=params.q, per_page=1)
    found = service.search(bare)["total"]
    return {"label": hits_label(found), "url": clear_url(params)} if found else None


def pagination(params: SearchParams, total: int) -> dict | None:
    """Previous/next and a window of numbered pages; None when one page holds all."""
    page, last = params.page, min(-(-total // params.per_page), 1000)
    if last <= 1:
        return None
    shown = {1, last, *range(page - WINDOW, page + WINDOW + 1)}
    links: list[dict] = []
    for n in sorted(n for n in shown if 1 <= n <= last):
        if links and n - links[-1]["number"] > 1:
            links.append({"number": n - 1, "gap": True})
        url = search_url(params, page=n)
        links.append({"number": n, "url": url, "current": n == page, "gap": False})
    return {
        "current": page,
        "last": last,
        "links": links,
        "prev": search_url(params, page=page - 1) if page > 1 else None,
        "next": search_url(params, page=page + 1) if page < last else None,
    }
