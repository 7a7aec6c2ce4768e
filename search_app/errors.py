"""One place for errors: JSON under /api/, Swedish HTML pages elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .vocabulary import IndexDamaged, IndexUnavailable, QueryRefused, QueryTooSlow

MESSAGES = {
    400: "Felaktig begäran",
    404: "Sidan finns inte",
    405: "Metoden stöds inte",
    500: "Något gick fel",
    503: "Sökindexet är inte tillgängligt just nu",
}


DAMAGED = (
    "Sökindexet är skadat och används inte förrän det byggts om. "
    "Försök igen om en stund."
)
DAMAGED_API = (
    "the search index is damaged (its files do not match their checksums); "
    "it is not used until the next indexer run rebuilds it"
)
TOO_SLOW = (
    "Frågan tog för lång tid och avbröts. Förenkla den (färre ord eller "
    "fraser) eller försök igen senare."
)


class ApiError(Exception):
    """A client error with a message the caller can act on."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


API_MESSAGES = {
    404: "not found",
    405: "method not allowed",
    500: "internal error",
    503: "the search index is not available",
}


def _respond(status: int, message: str, api_message: str | None = None):
    if request.path.startswith("/api/"):
        return jsonify({"error": api_message or message}), status
    title = MESSAGES.get(status, "Fel")
    return render_template(
        "error.html", status=status, title=title, message=message
    ), status


def register(app: Flask) -> None:
    """Install the handlers; nothing escapes as a bare 500 traceback."""

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return _respond(exc.status, exc.message, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        code = exc.code or 500
        return _respond(
            code, MESSAGES.get(code, exc.name), API_MESSAGES.get(code, exc.name)
        )

    @app.errorhandler(QueryRefused)
    def _refused(exc: QueryRefused):
        return _respond(400, f"Sökningen är för bred: {exc}", str(exc))

    @app.errorhandler(IndexDamaged)
    def _damaged(exc: IndexDamaged):
        # Not served in part: the next indexer run finds the same damage and
        # rebuilds. The file names go to the log, not to the public.
        app.logger.error("index damaged: %s", exc)
        return _respond(503, DAMAGED, DAMAGED_API)

    @app.errorhandler(QueryTooSlow)
    def _too_slow(exc: QueryTooSlow):
        app.logger.warning("query stopped: %s: %s", exc, request.full_path[:300])
        return _respond(503, TOO_SLOW, f"{exc}; simplify it or try again later")

    @app.errorhandler(IndexUnavailable)
    def _no_index(exc: IndexUnavailable):
        app.logger.error("index unavailable: %s", exc)
        return _respond(503, MESSAGES[503], API_MESSAGES[503])

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return _respond(500, MESSAGES[500], API_MESSAGES[500])
