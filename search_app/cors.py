"""CORS for the read-only JSON API: intranet pages may fetch /api/ from their origin.

Allowed origins come from configuration (CORS_ORIGINS, a list; "*" allows
any). Only GET, HEAD and OPTIONS exist under /api/, and no credentials are
ever allowed, so the answer never depends on cookies.
"""

from __future__ import annotations

import re

from flask import Flask, request

ORIGIN = re.compile(r"\*|https?://[A-Za-z0-9.-]+(:\d{1,5})?")


def origins(value) -> tuple[str, ...]:
    """The configured origins as a tuple; a string may list them comma-separated."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    items = [item.strip().rstrip("/") for item in items if item.strip()]
    bad = [item for item in items if not ORIGIN.fullmatch(item)]
    if bad:
        raise ValueError(f"not an origin (scheme://host[:port]): {', '.join(bad)}")
    return tuple(items)


def register(app: Flask) -> None:
    """Answer allowed origins on /api/ (preflights included); elsewhere nothing."""
    allowed = app.config["CORS_ORIGINS"] = origins(app.config.get("CORS_ORIGINS"))

    @app.after_request
    def _cors(response):
        """Headers for an allowed Origin on /api/; Vary always, for caches."""
        if not request.path.startswith("/api/"):
            return response
        response.vary.add("Origin")
        origin = request.headers.get("Origin", "")
        if not origin or not ("*" in allowed or origin in allowed):
            return response
        response.headers["Access-Control-Allow-Origin"] = (
            "*" if "*" in allowed else origin
        )
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
        return response
