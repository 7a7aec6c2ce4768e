"""The stored fields of the items shown most recently, per index version.

Whoosh reads an item's stored fields by seeking into the segment's stored
file, decompressing the record and unpickling it: about 40 µs, a tenth of a
warm answer of ten hits, and the same items come back again and again (the
next page, the same query asked by the next user, an item that answers many
queries). Lucene's document cache, for the same reason.

One cache per index version (an update deletes items, and when Whoosh
merges segments it numbers the items anew), shared by every thread; each
caller passes its own searcher, used only for what the cache does not hold.
The fields are shared and must not be changed.
"""

from __future__ import annotations

from .lru import LRU

# Items kept; a record is ~4 KB in memory (the item's text and metadata), so
# 4,096 items are ~17 MB a worker: the hits of a few hundred distinct queries.
ITEMS_KEPT = 4096
# And at most this many bytes, as estimated by ``_cost``: an item may hold up
# to 200,000 characters, and 4,096 of those must not be kept.
BYTES_KEPT = 32 * 1024 * 1024
RECORD_BYTES = 4096  # a record's metadata and the dict around it, generously


class ItemCache:
    """Stored fields by item number, the least recently shown dropped first."""

    def __init__(self, limit: int = ITEMS_KEPT, budget: int = BYTES_KEPT) -> None:
        self._kept = LRU(budget, limit)

    def stored_fields(self, searcher, docnum: int) -> dict:
        """Item ``docnum``'s stored fields, read through ``searcher`` if not kept."""
        fields = self._kept.get(docnum)
        if fields is None:
            fields = searcher.stored_fields(docnum)
            self._kept.put(docnum, fields, _cost(fields))
        return fields

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def bytes(self) -> int:
        """The estimated size of what is kept."""
        return self._kept.used


def _cost(fields: dict) -> int:
    """Roughly what a record takes in memory: its text (and the OCR's
    corrections, which grow with it) on top of a fixed share."""
    text = fields.get("text") or ""
    corrections = fields.get("corrections") or {}
    return RECORD_BYTES + 2 * len(text) + 128 * len(corrections)
