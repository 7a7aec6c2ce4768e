"""Matching and ranking with arrays: Whoosh's BM25F, one term at a time.

Whoosh evaluates a query posting by posting in Python. At 85,000 items a
common word costs tens of milliseconds per field, phrases more, and the
facets need every match, not only the top ten. Here each term's postings are
read once per index version into arrays (item numbers and BM25F impacts,
positions for phrases) and kept in a bounded cache, as are the items and
scores of each phrase once found (the parts of compounds recur from query to
query); a query is then vector arithmetic over all items, giving a score and
a match flag per item.

The scores are Whoosh's own BM25F: the same idf, average field lengths,
length encoding and combination rules (sums for AND and OR, a compound's
boost, 1.0 for a NOT), so ranking does not change with the engine.

This module is arithmetic only: ``whoosh_postings`` reads the index into
plain arrays and ``whoosh_queries`` turns a parsed query into a plain tree
(running any shape without an array rule through Whoosh), so another engine
would replace those two and leave this one as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import log

import numpy as np

from . import sortedsets
from . import whoosh_queries as plan
from .lru import LRU
from .vocabulary import NO_DEADLINE, Deadline
from .whoosh_postings import BM25_B, BM25_K1, POS_BITS, IndexPostings

CACHE_BYTES = 96 * 1024 * 1024  # postings kept per index version, least recent dropped
SPARSE_PHRASE = 64  # fewer wanted postings than 1 in this: read only their blocks
DENSE_SHARE = 16  # lists longer than 1 in this of all items: intersected as masks
ENTRY_BYTES = 200  # what a cache entry costs besides its arrays
_ABSENT = ("absent",)  # cached for a term the index lacks
_NO_ITEMS = np.zeros(0, dtype=np.int64)
_NO_SCORES = np.zeros(0)


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
        self._cache = LRU(cache_bytes)  # postings, phrases, absent terms

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
            out = self._none()
            self._add_phrase(out, node, index, deadline)
            return out
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
            kind = type(sub)
            if kind is plan.Term:  # the common case, without a temporary array
                deadline.check()
                self._add_term(out, sub, index)
                continue
            if kind is plan.Phrase:  # the next commonest, also without one
                self._add_phrase(out, sub, index, deadline)
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

    def _add_phrase(self, out: Matches, node: plan.Phrase, index, deadline) -> None:
        """Words at consecutive positions (within the slop), scored as their terms."""
        found = self._phrase_hits(node, index, deadline)
        if found is not None:
            docs, scores = found
            out.scores[docs] += scores
            out.mask[docs] = True

    def _phrase_hits(self, node: plan.Phrase, index: IndexPostings, deadline):
        """(items, scores) where the phrase stands, or None where it stands nowhere.

        Sparse, because most phrases match few items or none: a compound asked
        for brings two loose phrases per field, mostly of words that never
        meet. Items holding every word are found by intersecting the words'
        sorted item lists; positions are read only for those, and not at all
        when there are none. A word read for the first time is read with its
        positions in the same pass, unless it is so much commoner than the
        rarest word that the candidates are sure to be sparse among its items:
        then only its blocks that hold a candidate are read (``_places``).
        Where a phrase stands is kept with the postings, unboosted; the arrays
        handed back may be the cache's own, to be read, never written.
        """
        field = node.field
        btexts = [index.term_bytes(field, word) for word in node.words]
        found = [b for b in btexts if b is not None]
        if not found or len(found) < len(btexts):
            return None
        # A phrase recurs (the parts of compounds most of all), and where it
        # stands depends on the index version only: kept like a term's postings.
        key = ("phrase", field, tuple(found), max(node.slop, 1))
        hits = self._cache.get(key)
        if hits is None:
            hits = self._phrase_places(field, found, node.slop, index, deadline)
            self._cache.put(key, hits, hits[0].nbytes + hits[1].nbytes + ENTRY_BYTES)
        docs, scores = hits
        if not docs.size:
            return None
        return docs, (scores * node.boost if node.boost != 1.0 else scores)

    def _phrase_places(self, field, found, slop, index, deadline):
        """``_phrase_hits`` unboosted, not cached: (items, scores), maybe empty."""
        nowhere = (_NO_ITEMS, _NO_SCORES)
        known = [self._cache.get(("p", field, b)) for b in found]
        if any(k is _ABSENT for k in known):
            return nowhere
        wide = [False] * len(found)
        if None in known:  # a word read for the first time
            freq = [
                index.doc_frequency(field, b) if k is None else k[0].size
                for b, k in zip(found, known, strict=True)
            ]
            wide = [f < min(freq) * SPARSE_PHRASE for f in freq]
        terms = []
        for n, b in enumerate(found):
            positions = known[n] is None and wide[n]
            term = self._term(index, field, b, positions=positions)
            if term is None:
                return nowhere
            terms.append(term)
        wanted = self._in_all([docs for docs, _, _ in terms])
        if wanted is None:
            return nowhere
        places = []
        for b, term in zip(found, terms, strict=True):
            deadline.check()
            places.append(self._places(index, field, b, term, wanted))
        ends = places[0]
        for keys in places[1:]:
            deadline.check()
            ends = sortedsets.followers(ends, keys, slop)
            if not ends.size:
                return nowhere
        docs = sortedsets.unique_sorted(ends >> POS_BITS)
        # Summed word by word, in order: the same floats as Whoosh's sum.
        scores = np.zeros(docs.size)
        for term_docs, impacts, _ in terms:
            scores += impacts[np.searchsorted(term_docs, docs)]
        return docs, scores

    def _in_all(self, lists: list[np.ndarray]) -> np.ndarray | None:
        """Which items are in every sorted item list, as a mask; None if none.

        When even the shortest list holds a good share of all items, they are
        intersected as masks over every item; otherwise by binary search from
        the shortest list, which costs its length, not the index's.
        """
        shortest = min(lists, key=len)
        if shortest.size * DENSE_SHARE >= self.size:
            wanted = self.live.copy()
            for docs in lists:
                present = np.zeros(self.size, dtype=bool)
                present[docs] = True
                wanted &= present
            return wanted if wanted.any() else None
        common = shortest
        for docs in lists:
            if docs is not shortest:
                common = sortedsets.common(common, docs)
        if not common.size:
            return None
        wanted = np.zeros(self.size, dtype=bool)
        wanted[common] = True
        return wanted

    def _places(self, index, field, btext, term, candidates: np.ndarray) -> np.ndarray:
        """The term's position keys in the candidate items.

        ``term`` is what ``_term`` gave: the keys when it read them. Otherwise
        they are read whole and cached, unless the candidates are so few that
        most of the term's blocks hold none: then only the blocks that do are.
        """
        docs, _, keys = term
        if keys is None:
            keys = self._cache.get(("k", field, btext))
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

    def holding(self, field: str, text: str, searcher) -> np.ndarray:
        """The mask of the live items that hold one term: a filter's values.

        For a filter with thousands of values and no counts (everyone at a
        meeting): one value's postings read when asked, through the cache,
        instead of every value's read when a server starts.
        """
        mask = np.zeros(self.size, dtype=bool)
        postings = self._postings(field, text, IndexPostings(searcher.reader()))
        if postings is not None:
            mask[postings[0]] = True
        return mask

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
        found = self._cache.get(("p", field, btext))
        if found is _ABSENT:
            return None
        keys = self._cache.get(("k", field, btext)) if positions else None
        if found is not None and (keys is not None or not positions):
            return (*found, keys)
        if not index.has_term(field, btext):
            # Kept too: a query's words are looked for in every field, and
            # most fields lack most of them (a name in the body, a word among
            # the people); each look is a hash probe per segment.
            self._cache.put(("p", field, btext), _ABSENT, ENTRY_BYTES)
            return None
        docs, weights, keys = index.postings(field, btext, positions)
        live = self.live[docs]
        docs, weights = docs[live], weights[live]
        if keys is not None:
            keys = sortedsets.unique(keys[self.live[keys >> POS_BITS]])
        if index.scorable(field):
            impacts = self._bm25(index, field, btext, docs, weights)
        else:
            impacts = weights
        # Compact: 8 bytes a posting, so the whole index's postings fit the cache.
        docs, impacts = docs.astype(np.int32), impacts.astype(np.float32)
        self._cache.put(
            ("p", field, btext), (docs, impacts), docs.nbytes + impacts.nbytes
        )
        if keys is not None:
            self._cache.put(("k", field, btext), keys, keys.nbytes)
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


def _boosted(out: Matches, boost: float) -> Matches:
    if boost != 1.0:
        out.scores *= boost
    return out
