"""Whole answers to the searches asked most recently, per index version.

The same search comes back: an intranet page that embeds a query asks it on
every visit, a reader steps back to the results, the search page asks for
the years of its timeline, the next user types what the last one did. An
answer depends on the request's parameters, the index version and the
synonym file, nothing else, so it is kept whole and handed out again:
Solr's query result cache and Elasticsearch's request cache, for the same
reason.

One cache per index version (the service drops it with the version), shared
by every thread, bounded by an estimate of the answers' memory. The synonym
groups an answer was made with are kept beside it: when the file changes,
the old answers are no longer found, and age out. Callers get a copy of the
answer and of each hit (which they may change, as the API layer does); what
the hits hold (texts, lists of names) is shared and must not be changed.
"""

from __future__ import annotations

from typing import cast

import orjson

from .lru import LRU
from .vocabulary import Hit, SearchParams, SearchResponse

# At most this many bytes of answers a worker, as estimated by ``_cost``:
# the last few hundred distinct searches.
BYTES_KEPT = 24 * 1024 * 1024
ANSWERS_KEPT = 1024
# Bytes in memory per byte of the answer as JSON: measured 2.6 (100 hits) to
# 3.6 (ten hits) for an answer copied whole; kept answers share their texts
# with the items shown (~22 KB for ten hits, ~15 KB of JSON).
MEMORY_PER_JSON_BYTE = 3


class AnswerCache:
    """Search answers by parameters, the least recently asked dropped first."""

    def __init__(self, budget: int = BYTES_KEPT, limit: int = ANSWERS_KEPT) -> None:
        self._kept = LRU(budget, limit)

    def get(self, params: SearchParams, synonyms: list) -> SearchResponse | None:
        """A copy of the answer kept for ``params`` under these synonym groups."""
        entry = self._kept.get((params, id(synonyms)))
        if entry is None or entry[0] is not synonyms:
            return None
        return _copy(entry[1])

    def put(self, params: SearchParams, synonyms: list, answer: SearchResponse) -> None:
        """Keep a copy of ``answer``, made under ``synonyms``, for ``params``."""
        kept = _copy(answer)
        self._kept.put((params, id(synonyms)), (synonyms, kept), _cost(params, kept))

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def bytes(self) -> int:
        """The estimated size of what is kept."""
        return self._kept.used


def _copy(answer: SearchResponse) -> SearchResponse:
    """The answer and its hits as new dicts; their values shared."""
    hits: list[Hit] = [cast(Hit, dict(hit)) for hit in answer["hits"]]
    return {**answer, "hits": hits}


def _cost(params: SearchParams, answer: SearchResponse) -> int:
    """Roughly what an answer and its key take in memory, from their size as
    text: every part counts (hits, spans, facets, the warnings a request's
    unknown parameters bring), so no request can be kept for less than it
    holds."""
    text = len(orjson.dumps(answer, default=str)) + len(repr(params))
    return MEMORY_PER_JSON_BYTE * text
