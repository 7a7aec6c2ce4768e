"""The web layer stands apart from the engine: its modules load without it.

Each module is imported in a fresh interpreter, as a maintainer or a tool
would load it, and the modules that interpreter then holds are listed: none
of the engine (Whoosh), the indexer or numpy may be among them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRESENTATION = [
    "vocabulary", "highlight", "links", "labels", "docpage", "facets", "feed",
    "hitlist", "searchpage", "timeline", "params", "openapi", "errors", "views",
    "api", "cors", "headers", "registerpages", "openapi_registers", "csvexport",
    "querytext", "results", "prefork", "jsonout",
]  # fmt: skip
ENGINE = ("whoosh", "indexer", "numpy")
PROBE = (
    "import importlib, json, sys; importlib.import_module(sys.argv[1]); "
    "prefixes = tuple(sys.argv[2:]); "
    "print(json.dumps(sorted(m for m in sys.modules if m.startswith(prefixes))))"
)


def loaded_with(module: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules under ``prefixes`` that importing ``module`` loads."""
    out = subprocess.run(
        [sys.executable, "-c", PROBE, module, *prefixes],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


@pytest.mark.parametrize("name", PRESENTATION)
def test_presentation_module_loads_no_engine(name):
    assert loaded_with(f"search_app.{name}", ENGINE) == []


def test_the_probe_sees_the_engine_where_it_is():
    """The same probe on the service finds Whoosh: the check above can fail."""
    loaded = loaded_with("search_app.search", ENGINE)
    assert "whoosh" in loaded and "numpy" in loaded
    assert any(m.startswith("indexer") for m in loaded)


def test_every_module_of_the_web_layer_is_checked():
    """A new module is either presentation (checked above) or engine side."""
    engine_side = {
        "search", "queryparse", "synonyms", "fallbacks", "matching", "scoring",
        "columns", "whoosh_postings", "whoosh_queries", "files", "__main__",
        "__init__", "records", "registers", "integrity", "sortedsets",
        "itemcache", "lru", "answercache", "whoosh_parser",
    }  # fmt: skip
    modules = {p.stem for p in (ROOT / "search_app").glob("*.py")}
    assert modules == engine_side | set(PRESENTATION)


def test_api_hits_are_the_service_hits_with_their_match_marked(client):
    """The API shows each hit's fields in the service's order, match as highlights."""
    from search_app.vocabulary import Hit

    expected = ["highlights" if key == "match" else key for key in Hit.__annotations__]
    hits = client.get("/api/search?q=narkotika&per_page=100").get_json()["hits"]
    assert hits and all(list(hit) == expected for hit in hits)
    assert any("<mark>narkotika</mark>" in " ".join(h["highlights"]) for h in hits)
