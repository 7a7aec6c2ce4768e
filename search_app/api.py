"""The JSON API: /api/search, the document endpoints and their OpenAPI description."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .csvexport import export_format, search_csv
from .errors import ApiError
from .highlight import marked
from .links import document_url, file_url, item_permalink, search_url, site_url
from .openapi import spec
from .params import search_params

bp = Blueprint("api", __name__, url_prefix="/api")

ITEM_KEYS = (
    "item_id", "item_number", "item_title", "presenters", "decisions",
    "attachments", "ocr", "ocr_confidence", "pages", "text",
)  # fmt: skip


def _service():
    """The app's search service (one per app, shared by all requests)."""
    return current_app.extensions["search"]


@bp.get("/search")
def search():
    """Search agenda items; see the contract for the response (or CSV rows)."""
    params = search_params(request.args)
    if export_format() == "csv":
        return search_csv(_service(), params, site_url())
    return jsonify(with_paging(params, marked(_service().search(params))))


def with_paging(params, response: dict) -> dict:
    """The response with ``next`` (the next page's address) and each hit's
    absolute ``permalink``, so a client follows links instead of building them."""
    base = site_url()
    last = response["total_pages"]
    following = params.page + 1 if params.page < last else None
    response["next"] = (
        base + search_url(params, "/api/search", page=following) if following else None
    )
    for hit in response["hits"]:
        hit["permalink"] = base + item_permalink(hit["doc_id"], hit["item_number"])
    return response


@bp.get("/documents")
def documents():
    """All documents' metadata, newest first."""
    return jsonify({"documents": [_with_links(d) for d in _service().documents()]})


@bp.get("/documents/<doc_id>")
def document(doc_id: str):
    """One document's metadata and items."""
    doc = _service().document(doc_id)
    if doc is None:
        raise ApiError(f"no document {doc_id!r}", 404)
    doc["items"] = [_public_item(doc, item) for item in doc["items"]]
    return jsonify(_with_links(doc))


@bp.get("/openapi.json")
def openapi():
    """The API's description, for client generators and the intranet's developers."""
    return jsonify(spec())


def _with_links(doc: dict) -> dict:
    """A document with the addresses of its page and its original file."""
    doc["url"] = document_url(doc["doc_id"])
    doc["file_url"] = file_url(doc["source"])
    return doc


def _public_item(doc: dict, item: dict) -> dict:
    """An item without its match spans, with its permanent link and file link."""
    public = {key: item[key] for key in ITEM_KEYS}
    public["url"] = item_permalink(doc["doc_id"], item["item_number"])
    public["file_url"] = file_url(doc["source"], item["pages"])
    return public
