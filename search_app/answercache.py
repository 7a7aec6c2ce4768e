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

from .lru import LRU
from .vocabulary import Hit, SearchParams, SearchResponse

# At most this many bytes of answers a worker, as estimated by ``_cost``
# (measured: ~22 KB for a page of ten hits, which ``_cost`` puts at ~32):
# the last few hundred distinct searches.
BYTES_KEPT = 16 * 1024 * 1024
ANSWERS_KEPT = 1024
ANSWER_BYTES = 2048  # the response's own fields and dicts
HIT_BYTES = 1024  # a hit's dict and metadata; its text is counted apart
FACET_VALUE_BYTES = 48  # one facet count: its key and number


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
        self._kept.put((params, id(synonyms)), (synonyms, kept), _cost(kept))

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


def _cost(answer: SearchResponse) -> int:
    """Roughly what an answer takes in memory: mostly its hits' texts and
    its facet counts (a page of 100 hits costs several pages of ten)."""
    hits = answer["hits"]
    texts = sum(len(hit["match"]["text"]) for hit in hits)
    counts = 0
    for values in cast(dict[str, dict], answer["facets"]).values():
        counts += len(values)
    return ANSWER_BYTES + HIT_BYTES * len(hits) + 2 * texts + FACET_VALUE_BYTES * counts
