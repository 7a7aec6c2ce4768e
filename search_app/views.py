"""The Swedish HTML pages (/, /doc/<doc_id>, /embed) and the Atom feed (/feed).

Thin: read the parameters, ask the service, hand a view module's context to
a template. All filters live in the query string, so every page is a link.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request

from .cors import origins
from .docpage import document_page
from .errors import ApiError
from .feed import atom_feed, published_at
from .headers import SECURITY_HEADERS
from .highlight import marked
from .hitlist import present_hits
from .labels import hits_label
from .links import search_url
from .params import search_params
from .searchpage import home_page, search_page
from .vocabulary import QueryRefused

bp = Blueprint("views", __name__)

FEED_ENTRIES = 30  # per_page of a feed unless the URL asks for another
EMBED_HITS = 5  # per_page of an embedded list unless the URL asks for another


@bp.record_once
def _check_config(state) -> None:
    """A bad EMBED_ORIGINS fails at start-up, not on the first embedded page."""
    state.app.config["EMBED_ORIGINS"] = origins(state.app.config.get("EMBED_ORIGINS"))


def _service():
    """The app's search service (one per app, shared by all requests)."""
    return current_app.extensions["search"]


@bp.get("/")
def index():
    """The search page; with ?q= or a filter it shows the results."""
    params = None
    try:
        params = search_params(request.args)
        if not params.q.strip() and not params.filtered:
            return render_template("search.html", **home_page(_service(), params))
        return render_template("search.html", **search_page(_service(), params))
    except (ApiError, QueryRefused) as exc:  # the form stays, to mend the query
        message = getattr(exc, "message", str(exc))
        return render_template("search.html", error=message, params=params), 400


@bp.get("/hjalp")
def help_page():
    """How to write a search: the query language, filters and time ranges."""
    return render_template("help.html")


@bp.get("/doc/<doc_id>")
def document(doc_id: str):
    """A document: its header and every item, each with an anchor."""
    q = request.args.get("q", "")[:1000]
    try:
        doc = _service().document(doc_id, q)
    except QueryRefused:  # the document is still worth showing, unmarked
        q, doc = "", _service().document(doc_id)
    if doc is None:
        abort(404)
    return render_template("document.html", **document_page(doc, q))


@bp.get("/feed")
def feed():
    """An Atom feed of a search, newest meetings first, for readers and intranets."""
    asked = search_params(request.args)
    if not asked.q.strip() and not asked.filtered:
        raise ApiError(
            "Ange sökord i q eller ett filter, till exempel /feed?q=narkotika "
            "eller /feed?has_decision=1"
        )
    params = _params_with(FEED_ENTRIES, sort="date", page=1)
    results = marked(_service().search(params))
    site = {
        "base_url": current_app.config["BASE_URL"].rstrip("/"),
        "id_prefix": current_app.config["FEED_ID_PREFIX"],
        "updated": published_at(Path(current_app.config["INDEX_DIR"])),
        "self_path": search_url(asked, "/feed", sort=None),
        "html_path": search_url(asked, "/", sort="date"),
    }
    body = atom_feed(params, results, present_hits(params, results["hits"]), site)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


@bp.get("/embed")
def embed():
    """A bare list of results, for an iframe on the intranet (no script, no chrome)."""
    params = _params_with(EMBED_HITS)
    wanted = params.q.strip() or params.filtered
    results = marked(_service().search(params)) if wanted else None
    response = Response(
        render_template(
            "embed.html",
            params=params,
            results=results,
            hits=present_hits(params, results["hits"]) if results else [],
            count_label=hits_label(results["total"]) if results else "",
            full_url=search_url(params),
        )
    )
    response.headers["Content-Security-Policy"] = _embed_policy()
    return response


def _params_with(per_page: int, **changes):
    """The search parameters, with this view's own page size unless one is given."""
    params = search_params(request.args)
    if not request.args.get("per_page"):
        changes["per_page"] = per_page
    return replace(params, **changes)


def _embed_policy() -> str:
    """The site's policy, with the configured intranet origins allowed to frame."""
    allowed = " ".join(("'self'", *current_app.config["EMBED_ORIGINS"]))
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    return policy.replace("frame-ancestors 'self'", f"frame-ancestors {allowed}")
