"""Matching and ranking with arrays: Whoosh's BM25F, one term at a time.

Whoosh evaluates a query posting by posting in Python. At 85,000 items a
common word costs tens of milliseconds per field, phrases more, and the
facets need every match, not only the top ten. Here each term's postings are
read once per index version into arrays (item numbers and BM25F impacts,
positions for phrases) and kept in a bounded cache; a query is then vector
arithmetic over all items, giving a score and a match flag per item.

The scores are Whoosh's own BM25F: the same idf, average field lengths,
length encoding and combination rules (sums for AND and OR, a compound's
boost, 1.0 for a NOT), so ranking does not change with the engine.

This module is arithmetic only: ``whoosh_postings`` reads the index into
plain arrays and ``whoosh_queries`` turns a parsed query into a plain tree
(running any shape without an array rule through Whoosh), so another engine
would replace those two and leave this one as it is.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from math import log

import numpy as np

from . import whoosh_queries as plan
from .vocabulary import NO_DEADLINE, Deadline
from .whoosh_postings import BM25_B, BM25_K1, POS_BITS, IndexPostings

CACHE_BYTES = 96 * 1024 * 1024  # postings kept per index version, least recent dropped
SPARSE_PHRASE = 64  # fewer wanted postings than 1 in this: read only their blocks


@dataclass
class Matches:
    """Per item: its score (0 where it does not match) and whether it matches."""

    scores: np.ndarray
    mask: np.ndarray


class Engine:
    """Evaluates engine queries over one index version's postings.

    Shared by all threads that read the same version; each call passes the
    calling thread's own searcher, which is used only to read what the cache
    does not hold yet.
    """

    def __init__(self, reader, cache_bytes: int = CACHE_BYTES) -> None:
        index = IndexPostings(reader)
        self.size = index.size()
        self.live = np.ones(self.size, dtype=bool)
        self.live[index.deleted()] = False
        self._lengths: dict[str, np.ndarray] = {}
        self._cache: OrderedDict = OrderedDict()
        self._cache_bytes = 0
        self._budget = cache_bytes
        self._lock = threading.Lock()

    # --- evaluation --------------------------------------------------------------

    def evaluate(self, q, searcher, deadline: Deadline = NO_DEADLINE) -> Matches:
        """Scores and matches of a parsed (and bounded) query.

        QueryTooSlow once ``deadline`` passes: checked at every node of the
        query and every word of a phrase.
        """
        deadline.check()
        tree = plan.plan(q, searcher)
        return self._eval(tree, IndexPostings(searcher.reader()), deadline)

    def _eval(self, node, index: IndexPostings, deadline: Deadline) -> Matches:
        deadline.check()
        kind = type(node)
        if kind is plan.Term:
            out = self._none()
            self._add_term(out, node, index)
            return out
        if kind is plan.AnyOf:
            return self._any(node, index, deadline)
        if kind is plan.AllOf:
            return self._all(node, index, deadline)
        if kind is plan.NoneOf:
            # Whoosh's inverse matcher scores each item it yields 1.0.
            mask = self.live & ~self._eval(node.sub, index, deadline).mask
            return Matches(mask.astype(np.float64), mask)
        if kind is plan.Phrase:
            return self._phrase(node, index, deadline)
        if kind is plan.Every:
            return Matches(self.live * node.boost, self.live.copy())
        if kind is plan.Scored:
            out = self._none()
            out.scores[node.docs] = node.scores
            out.mask[node.docs] = True
            return out
        return self._none()

    def _none(self) -> Matches:
        return Matches(np.zeros(self.size), np.zeros(self.size, dtype=bool))

    def _add_term(self, out: Matches, node: plan.Term, index: IndexPostings) -> None:
        postings = self._postings(node.field, node.text, index)
        if postings is not None:
            docs, impacts, _ = postings
            out.scores[docs] += impacts * node.boost
            out.mask[docs] = True

    def _any(self, node: plan.AnyOf, index: IndexPostings, deadline) -> Matches:
        out = self._none()
        for sub in node.subs:
            if type(sub) is plan.Term:  # the common case, without a temporary array
                deadline.check()
                self._add_term(out, sub, index)
                continue
            part = self._eval(sub, index, deadline)
            out.scores += part.scores
            out.mask |= part.mask
        return _boosted(out, node.boost)

    def _all(self, node: plan.AllOf, index: IndexPostings, deadline) -> Matches:
        if not node.subs:
            return self._none()
        mask = self.live.copy()
        scores = np.zeros(self.size)
        for sub in node.subs:
            part = self._eval(sub, index, deadline)
            mask &= part.mask
            scores += part.scores
        return _boosted(Matches(scores * mask, mask), node.boost)

    def _phrase(self, node: plan.Phrase, index: IndexPostings, deadline) -> Matches:
        """Words at consecutive positions (within the slop), scored as their terms."""
        field = node.field
        found = [index.term_bytes(field, word) for word in node.words]
        btexts = [b for b in found if b is not None]
        if len(btexts) < len(found):
            return self._none()
        # A word read for the first time is read with its positions, in one pass.
        terms = [
            self._term(index, field, b, positions=self._cached(("p", field, b)) is None)
            for b in btexts
        ]
        if not terms or any(t is None for t in terms):
            return self._none()
        candidates = self.live.copy()
        for docs, _, _ in terms:
            present = np.zeros(self.size, dtype=bool)
            present[docs] = True
            candidates &= present
        out = self._none()
        if not candidates.any():
            return out
        places = []
        for b, term in zip(btexts, terms, strict=True):
            deadline.check()
            places.append(self._places(index, field, b, term, candidates))
        ends = places[0]
        for keys in places[1:]:
            deadline.check()
            gaps = range(1, max(node.slop, 1) + 1)
            ends = np.unique(
                np.concatenate([_common(ends + gap, keys) for gap in gaps])
            )
            if not ends.size:
                return out
        out.mask[ends >> POS_BITS] = True
        for docs, impacts, _ in terms:
            out.scores[docs] += impacts
        out.scores *= out.mask
        return _boosted(out, node.boost)

    def _places(self, index, field, btext, term, candidates: np.ndarray) -> np.ndarray:
        """The term's position keys in the candidate items.

        ``term`` is what ``_term`` gave: the keys when it read them. Otherwise
        they are read whole and cached, unless the candidates are so few that
        most of the term's blocks hold none: then only the blocks that do are.
        """
        docs, _, keys = term
        if keys is None:
            keys = self._cached(("k", field, btext))
        if keys is None:
            if np.count_nonzero(candidates[docs]) * SPARSE_PHRASE <= docs.size:
                return index.candidate_positions(field, btext, candidates)
            keys = self._term(index, field, btext, positions=True)[2]
        return keys[candidates[keys >> POS_BITS]]

    # --- ranking -----------------------------------------------------------------

    @staticmethod
    def top(matches: Matches, mask: np.ndarray, count: int) -> list[int]:
        """The ``count`` best items within ``mask``: highest score, then lowest number.

        The tie order is Whoosh's, so pages do not reshuffle between engines.
        """
        docs = np.flatnonzero(mask)
        if count <= 0 or not docs.size:
            return []
        scores = matches.scores[docs]
        if count < docs.size:
            cutoff = np.partition(scores, docs.size - count)[docs.size - count]
            keep = scores >= cutoff  # every tie at the cut-off, sorted below
            docs, scores = docs[keep], scores[keep]
        order = np.lexsort((docs, -scores))[:count]
        return docs[order].tolist()

    # --- postings ------------------------------------------------------------------

    def _postings(self, field, text, index: IndexPostings, positions: bool = False):
        """(item numbers, BM25F impacts, position keys or None) of one term.

        None if the index lacks the term. Position keys (item << 32 | position,
        sorted) are read only when asked for, in the same pass as the rest.
        """
        btext = index.term_bytes(field, text)
        if btext is None:
            return None
        return self._term(index, field, btext, positions)

    def _term(self, index: IndexPostings, field, btext: bytes, positions=False):
        found = self._cached(("p", field, btext))
        keys = self._cached(("k", field, btext)) if positions else None
        if found is not None and (keys is not None or not positions):
            return (*found, keys)
        if not index.has_term(field, btext):
            return None
        docs, weights, keys = index.postings(field, btext, positions)
        live = self.live[docs]
        docs, weights = docs[live], weights[live]
        if keys is not None:
            keys = np.unique(keys[self.live[keys >> POS_BITS]])
        if index.scorable(field):
            impacts = self._bm25(index, field, btext, docs, weights)
        else:
            impacts = weights
        # Compact: 8 bytes a posting, so the whole index's postings fit the cache.
        docs, impacts = docs.astype(np.int32), impacts.astype(np.float32)
        self._store(("p", field, btext), (docs, impacts), docs.nbytes + impacts.nbytes)
        if keys is not None:
            self._store(("k", field, btext), keys, keys.nbytes)
        return docs, impacts, keys

    def _bm25(self, index: IndexPostings, field, btext, docs, weights) -> np.ndarray:
        """Whoosh's BM25F impact of each posting: idf, frequency, field length."""
        lengths = self._field_lengths(index, field)[docs]
        avg = index.total_length(field) / (self.size or 1) or 1
        idf = log(self.size / (index.doc_frequency(field, btext) + 1)) + 1
        norm = BM25_K1 * ((1 - BM25_B) + BM25_B * lengths / avg)
        return idf * weights * (BM25_K1 + 1) / (weights + norm)

    def _field_lengths(self, index: IndexPostings, field) -> np.ndarray:
        lengths = self._lengths.get(field)
        if lengths is None:
            lengths = index.field_lengths(field)
            self._lengths[field] = lengths
        return lengths

    # --- the cache -----------------------------------------------------------------

    def _cached(self, key):
        with self._lock:
            value = self._cache.get(key)
            if value is not None:
                self._cache.move_to_end(key)
            return value[0] if value is not None else None

    def _store(self, key, value, nbytes: int) -> None:
        with self._lock:
            if key in self._cache:
                return
            self._cache[key] = (value, nbytes)
            self._cache_bytes += nbytes
            while self._cache_bytes > self._budget and len(self._cache) > 1:
                _, (_, dropped) = self._cache.popitem(last=False)
                self._cache_bytes -= dropped


def _boosted(out: Matches, boost: float) -> Matches:
    if boost != 1.0:
        out.scores *= boost
    return out


def _common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Values of sorted unique ``a`` that are in sorted ``b``, without re-sorting."""
    if not a.size or not b.size:
        return a[:0]
    at = np.minimum(np.searchsorted(b, a), b.size - 1)
    return a[b[at] == a]
