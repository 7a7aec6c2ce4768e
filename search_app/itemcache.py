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

import threading
from collections import OrderedDict

# Items kept; a record is ~4 KB in memory (the item's text and metadata), so
# 4,096 items are ~17 MB a worker: the hits of a few hundred distinct queries.
ITEMS_KEPT = 4096


class ItemCache:
    """Stored fields by item number, the least recently shown dropped first."""

    def __init__(self, limit: int = ITEMS_KEPT) -> None:
        self._limit = limit
        self._kept: OrderedDict[int, dict] = OrderedDict()
        self._lock = threading.Lock()

    def stored_fields(self, searcher, docnum: int) -> dict:
        """Item ``docnum``'s stored fields, read through ``searcher`` if not kept."""
        with self._lock:
            fields = self._kept.get(docnum)
            if fields is not None:
                self._kept.move_to_end(docnum)
                return fields
        fields = searcher.stored_fields(docnum)
        with self._lock:
            self._kept[docnum] = fields
            if len(self._kept) > self._limit:
                self._kept.popitem(last=False)
        return fields

    def __len__(self) -> int:
        return len(self._kept)
