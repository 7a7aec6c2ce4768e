"""The UmeBrå indexer: corpus files in, a searchable index of agenda items out."""

from .build import IndexBusy, Summary, build_index, live_generation
from .model import Document, Item, RawDocument, RejectedFile

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
