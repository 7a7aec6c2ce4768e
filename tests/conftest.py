"""Shared fixtures: one index of the real seed corpus per session, the app over it,
and a real HTTP server (waitress on a free loopback port) for end-to-end tests."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from waitress import wasyncore
from waitress.server import create_server

from indexer import build_index
from indexer.ingest import read_document
from indexer.model import Document
from indexer.segment import segment
from search_app import create_app

# The browser, page and console_errors fixtures of the browser tests.
pytest_plugins = ["tests.chromium"]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def numbered_minutes(n: int, items: list) -> Document:
    """Generated minutes number ``n`` (id ``doc{n}``, file ``{n:04d}.txt``),
    dated by its number across 2010-2024."""
    return Document(
        doc_id=f"doc{n}",
        source=f"{n:04d}.txt",
        sha256=f"{n:064x}",
        doc_type="minutes",
        title=f"Möte {n}",
        date=f"{2010 + n % 15}-{1 + n % 12:02d}-{1 + n % 28:02d}",
        items=items,
    )


def seed_documents():
    """The seed corpus' plain-text files, read and segmented, in name order."""
    return [
        segment(read_document(path, CORPUS), {"defaults": {}, "file": {}})
        for path in sorted(CORPUS.glob("*.txt"))
    ]


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory) -> Path:
    """A private copy of corpus/, so tests never touch the real one."""
    target = tmp_path_factory.mktemp("corpus")
    shutil.copytree(CORPUS, target, dirs_exist_ok=True)
    return target


@pytest.fixture(scope="session")
def index_dir(seed_corpus, tmp_path_factory) -> Path:
    """The seed corpus, indexed once for the whole session."""
    target = tmp_path_factory.mktemp("index")
    summary = build_index(seed_corpus, target, rebuild=True)
    assert not summary.rejected, summary.rejected
    return target


@pytest.fixture
def app(index_dir):
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir)})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def server(index_dir):
    """Base URL of the app served by waitress on loopback (real HTTP)."""
    app = create_app({"INDEX_DIR": str(index_dir)})
    port, stop = serve_app(app)
    app.config["BASE_URL"] = f"http://127.0.0.1:{port}"  # links come from config
    yield f"http://127.0.0.1:{port}"
    stop()


def serve_app(app, threads: int = 4) -> tuple[int, Callable[[], None]]:
    """Serve ``app`` with waitress on a free loopback port: the port and a stop."""
    srv = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()

    def stop() -> None:
        # Close the sockets from the server's own loop thread: closing them
        # from here races its select().
        try:
            srv.trigger.pull_trigger(lambda: wasyncore.close_all(srv._map))
        except OSError:  # the trigger is gone already
            wasyncore.close_all(srv._map)
        thread.join(timeout=10)
        srv.task_dispatcher.shutdown()

    return srv.effective_port, stop


def http_get(url: str) -> tuple[int, dict[str, str], bytes]:
    """GET over real HTTP: status, lowercased headers and body; 4xx/5xx included."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, headers, response.read()
    except urllib.error.HTTPError as exc:
        headers = {k.lower(): v for k, v in exc.headers.items()}
        return exc.code, headers, exc.read()


def http_json(url: str) -> tuple[int, dict]:
    status, _, body = http_get(url)
    return status, json.loads(body)
