"""/files/<source>: the original corpus files, read-only, for "open at page N" links."""

from __future__ import annotations

import mimetypes

from flask import Blueprint, abort, current_app, send_file

from indexer.store import original_file

bp = Blueprint("files", __name__)


@bp.get("/files/<path:source>")
def original(source: str):
    """An indexed file as it was ingested; anything else is 404."""
    path = original_file(current_app.extensions["search"].index_dir, source)
    if path is None:
        abort(404)
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if mimetype.startswith("text/"):
        mimetype = "text/plain; charset=utf-8"  # never rendered as HTML
    response = send_file(path, mimetype=mimetype, conditional=True)
    response.headers["Content-Disposition"] = "inline"
    return response
