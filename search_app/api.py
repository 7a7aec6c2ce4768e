"""The JSON API: /api/search and the document endpoints."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .errors import ApiError
from .params import search_params

bp = Blueprint("api", __name__, url_prefix="/api")


def _service():
    return current_app.extensions["search"]


@bp.get("/search")
def search():
    """Search agenda items; see the contract for the response."""
    return jsonify(_service().search(search_params(request.args)))


@bp.get("/documents")
def documents():
    """All documents' metadata, newest first."""
    return jsonify({"documents": _service().documents()})


@bp.get("/documents/<doc_id>")
def document(doc_id: str):
    """One document's metadata and items."""
    doc = _service().document(doc_id)
    if doc is None:
        raise ApiError(f"no document {doc_id!r}", 404)
    for item in doc["items"]:
        item.pop("paragraphs_html"), item.pop("item_title_html"), item.pop("matched")
    return jsonify(doc)
