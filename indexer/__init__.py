"""The UmeBrå indexer: corpus files in, a searchable index of agenda items out.

``build_index`` and ``Summary`` are loaded on first use: they bring in Whoosh
and the analysis, which a reader of the index folder (the web app, through
:mod:`indexer.store`) has no use for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .model import Document, Item, RawDocument, RejectedFile
from .store import IndexBusy, live_generation

if TYPE_CHECKING:
    from .build import Summary, build_index

__all__ = [
    "Document",
    "IndexBusy",
    "Item",
    "RawDocument",
    "RejectedFile",
    "Summary",
    "build_index",
    "live_generation",
]
_FROM_BUILD = {"Summary", "build_index"}


def __getattr__(name: str) -> Any:
    if name in _FROM_BUILD:
        return getattr(import_module(".build", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
