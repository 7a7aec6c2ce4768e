"""The Swedish HTML pages: search at /, documents at /doc/<doc_id>."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, render_template, request

from .errors import ApiError
from .params import search_params

bp = Blueprint("views", __name__)

TYPE_LABELS = {"minutes": "Minnesanteckningar", "agreement": "Överenskommelse"}


def _service():
    return current_app.extensions["search"]


@bp.get("/")
def index():
    """The search page; with ?q= it shows the results."""
    try:
        params = search_params(request.args)
    except ApiError as exc:
        return render_template("search.html", error=exc.message, params=None), 400
    results = _service().search(params) if params.q.strip() else None
    return render_template(
        "search.html",
        params=params,
        results=results,
        pages=_pages(params, results),
        facet_links=_facet_links(params, results),
        active_filters=_active_filters(params),
        type_labels=TYPE_LABELS,
    )


@bp.get("/doc/<doc_id>")
def document(doc_id: str):
    """A document: its header and every item, each with an anchor."""
    q = request.args.get("q", "")[:1000]
    doc = _service().document(doc_id, q)
    if doc is None:
        abort(404)
    return render_template("document.html", doc=doc, q=q, type_labels=TYPE_LABELS)


def _url(params, **changes) -> str:
    """The search URL for params with some of them changed (None removes one)."""
    values = {
        "q": params.q,
        "year": params.year,
        "type": params.doc_type,
        "sort": None if params.sort == "relevance" else params.sort,
        "page": None,
    }
    values.update(changes)
    return "/?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _pages(params, results) -> dict | None:
    if not results or results["total"] <= params.per_page:
        return None
    last = min(-(-results["total"] // params.per_page), 1000)
    return {
        "current": params.page,
        "last": last,
        "prev": _url(params, page=params.page - 1) if params.page > 1 else None,
        "next": _url(params, page=params.page + 1) if params.page < last else None,
    }


def _facet_links(params, results) -> dict:
    if not results:
        return {}
    years = sorted(results["facets"]["year"].items(), reverse=True)
    types = results["facets"]["doc_type"].items()
    return {
        "year": [(y, n, _url(params, year=y), y == params.year) for y, n in years],
        "type": [
            (TYPE_LABELS.get(t, t), n, _url(params, type=t), t == params.doc_type)
            for t, n in types
        ],
        "sort": [
            ("Relevans", _url(params, sort=None), params.sort == "relevance"),
            ("Datum", _url(params, sort="date"), params.sort == "date"),
        ],
    }


def _active_filters(params) -> list[tuple[str, str]]:
    active = []
    if params.year:
        active.append((f"År: {params.year}", _url(params, year=None)))
    if params.doc_type:
        label = TYPE_LABELS.get(params.doc_type, params.doc_type)
        active.append((f"Typ: {label}", _url(params, type=None)))
    return active
