"""One place for errors: JSON under /api/, Swedish HTML pages elsewhere."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .vocabulary import IndexUnavailable, QueryRefused

MESSAGES = {
    400: "Felaktig begäran",
    404: "Sidan finns inte",
    405: "Metoden stöds inte",
    500: "Något gick fel",
    503: "Sökindexet är inte tillgängligt just nu",
}


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

    @app.errorhandler(IndexUnavailable)
    def _no_index(exc: IndexUnavailable):
        app.logger.error("index unavailable: %s", exc)
        return _respond(503, MESSAGES[503], API_MESSAGES[503])

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        return _respond(500, MESSAGES[500], API_MESSAGES[500])
