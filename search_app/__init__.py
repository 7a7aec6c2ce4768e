"""The UmeBrå search web app: Swedish UI and JSON API over the search service."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from .headers import SECURITY_HEADERS
from .jsonout import JSONProvider

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app; ``config`` overrides the defaults (tests pass INDEX_DIR)."""
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=os.environ.get("UMEBRA_INDEX", str(ROOT / "index")),
        JSON_SORT_KEYS=False,
        # Origins (scheme://host[:port], comma-separated in the environment):
        # which pages may call /api/ from a browser, and which may frame /embed.
        CORS_ORIGINS=os.environ.get("UMEBRA_CORS_ORIGINS", ""),
        EMBED_ORIGINS=os.environ.get("UMEBRA_EMBED_ORIGINS", ""),
        # Where the service is reached, for absolute links (the feed): from
        # configuration, never from the request's Host header.
        BASE_URL=os.environ.get("UMEBRA_BASE_URL", "http://localhost"),
        # Atom ids: a tag: URI (RFC 4151) of an authority the council controls.
        FEED_ID_PREFIX=os.environ.get(
            "UMEBRA_FEED_ID_PREFIX", "tag:umea.se,2025:umebra-search"
        ),
        # Seconds a search may run before it is stopped with 503, so one costly
        # query cannot hold a worker thread while the others wait.
        SEARCH_SECONDS=_seconds(os.environ.get("UMEBRA_SEARCH_SECONDS"), 10.0),
    )
    if config:
        app.config.from_mapping(config)
    app.json = JSONProvider(app)  # keys in order, letters unescaped, by orjson
    # Imported here, as the blueprints are: the app's modules can be loaded
    # (and tested) without the engine.
    from .search import SearchService

    app.extensions["search"] = SearchService(
        Path(app.config["INDEX_DIR"]), budget=app.config["SEARCH_SECONDS"]
    )

    from . import api, cors, errors, files, registers, views

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    app.register_blueprint(files.bp)
    app.register_blueprint(registers.bp)
    errors.register(app)
    cors.register(app)

    @app.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    return app


def _seconds(value: str | None, default: float) -> float:
    """A positive number of seconds from the environment, else the default."""
    try:
        seconds = float(value) if value else default
    except ValueError:
        return default
    return seconds if seconds > 0 else default
