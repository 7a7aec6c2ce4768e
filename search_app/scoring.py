"""Matching and ranking with arrays: Whoosh's BM25F, one term at a time.

Whoosh evaluates a query posting by posting in Python. At 85,000 items a
common word costs tens of milliseconds per field, phrases more, and the
facets need every match, not only the top ten. Here each term's postings are
read once per index version into arrays (item numbers and BM25F impacts,
positions for phrases) and kept in a bounded cache; a query is then vector
arithmetic over all items, giving a score and a match flag per item.

The scores are Whoosh's own BM25F: the same idf, average field lengths,
length encoding and combination rules (sums for AND and OR, a compound's
boost, 1.0 for a NOT), so ranking does not change with the engine. A query
shape this module does not know is run by Whoosh and its results taken in as
arrays, so every query still works.

Part of the engine seam: this and ``columns`` are the only places that read
Whoosh's postings directly.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from itertools import chain
from math import log
from pickle import loads

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25F
from whoosh.system import _INT_SIZE, unpack_uint
from whoosh.util.numeric import byte_to_length

CACHE_BYTES = 96 * 1024 * 1024  # postings kept per index version, least recent dropped
SPARSE_PHRASE = 64  # fewer wanted postings than 1 in this: read only their blocks
_POS_BITS = 32  # a phrase key is item << 32 | position
_PROTOCOL_2 = b"\x80\x02"  # how Whoosh's pickled position lists begin
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_BM25 = BM25F()


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
        self.size = reader.doc_count_all()
        self.live = np.ones(self.size, dtype=bool)
        for segment, offset in reader.leaf_readers():
            deleted = list(segment.deleted_docs_set)
            if deleted:
                self.live[np.asarray(deleted, dtype=np.int64) + offset] = False
        self._lengths: dict[str, np.ndarray] = {}
        self._cache: OrderedDict = OrderedDict()
        self._cache_bytes = 0
        self._budget = cache_bytes
        self._lock = threading.Lock()

    # --- evaluation --------------------------------------------------------------

    def evaluate(self, q, searcher) -> Matches:
        """Scores and matches of a parsed (and bounded) query."""
        return self._eval(q, searcher)

    def _eval(self, q, searcher) -> Matches:
        if q is Q.NullQuery:
            return self._none()
        kind = type(q)
        if kind is Q.Term:
            return self._term_node(q, searcher)
        if kind is Q.Or:
            return self._or(q, searcher)
        if kind is Q.And:
            return self._and(q, searcher)
        if kind is Q.Not:
            return self._not(q, searcher)
        if kind is Q.Phrase:
            return self._phrase(q, searcher)
        if kind is Q.Every:
            return Matches(self.live * float(q.boost), self.live.copy())
        return self._by_whoosh(q, searcher)

    def _none(self) -> Matches:
        return Matches(np.zeros(self.size), np.zeros(self.size, dtype=bool))

    def _term_node(self, q, searcher) -> Matches:
        out = self._none()
        self._add_term(out, q.fieldname, q.text, q.boost, searcher)
        return out

    def _add_term(self, out: Matches, field, text, boost, searcher) -> None:
        postings = self._postings(field, text, searcher)
        if postings is not None:
            docs, impacts, _ = postings
            out.scores[docs] += impacts * boost
            out.mask[docs] = True

    def _or(self, q, searcher) -> Matches:
        subs = q.subqueries
        if len(subs) == 1:
            return self._eval(subs[0], searcher)  # Whoosh skips the boost here too
        out = self._none()
        for sub in subs:
            if type(sub) is Q.Term:  # the common case, without a temporary array
                self._add_term(out, sub.fieldname, sub.text, sub.boost, searcher)
                continue
            part = self._eval(sub, searcher)
            out.scores += part.scores
            out.mask |= part.mask
        return self._boosted(out, q)

    def _and(self, q, searcher) -> Matches:
        subs = q.subqueries
        if len(subs) == 1:
            return self._eval(subs[0], searcher)
        if not subs:
            return self._none()
        mask = self.live.copy()
        scores = np.zeros(self.size)
        for sub in subs:
            part = self._eval(sub, searcher)
            mask &= part.mask
            scores += part.scores
        return self._boosted(Matches(scores * mask, mask), q)

    def _not(self, q, searcher) -> Matches:
        # Whoosh's inverse matcher scores each item it yields 1.0.
        mask = self.live & ~self._eval(q.query, searcher).mask
        return Matches(mask.astype(np.float64), mask)

    @staticmethod
    def _boosted(out: Matches, q) -> Matches:
        if q.boost != 1.0:
            out.scores *= q.boost
        return out

    def _phrase(self, q, searcher) -> Matches:
        """Words at consecutive positions (within the slop), scored as their terms."""
        field, reader = q.fieldname, searcher.reader()
        if field not in reader.schema:
            return self._none()
        try:
            btexts = [reader.schema[field].to_bytes(word) for word in q.words]
        except ValueError:
            return self._none()
        # A word read for the first time is read with its positions, in one pass.
        terms = [
            self._term(
                reader, field, b, positions=self._cached(("p", field, b)) is None
            )
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
        places = [
            self._places(reader, field, b, term, candidates)
            for b, term in zip(btexts, terms, strict=True)
        ]
        ends = places[0]
        for keys in places[1:]:
            gaps = range(1, max(q.slop, 1) + 1)
            ends = np.unique(
                np.concatenate([_common(ends + gap, keys) for gap in gaps])
            )
            if not ends.size:
                return out
        out.mask[ends >> _POS_BITS] = True
        for docs, impacts, _ in terms:
            out.scores[docs] += impacts
        out.scores *= out.mask
        return self._boosted(out, q)

    def _places(self, reader, field, btext, term, candidates: np.ndarray) -> np.ndarray:
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
                return self._read_places(reader, field, btext, candidates)
            keys = self._term(reader, field, btext, positions=True)[2]
        return keys[candidates[keys >> _POS_BITS]]

    def _read_places(self, reader, field, btext, candidates: np.ndarray) -> np.ndarray:
        parts = []
        for segment, offset in reader.leaf_readers():
            if (field, btext) in segment:
                local = candidates[offset : offset + segment.doc_count_all()]
                ids, (flat, counts) = _candidate_positions(
                    segment.postings(field, btext), np.flatnonzero(local)
                )
                parts.append(_position_keys(ids + offset, flat, counts))
        return np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)

    def _by_whoosh(self, q, searcher) -> Matches:
        """A query shape without an array rule: let Whoosh score it, keep the arrays."""
        out = self._none()
        results = searcher.search(q, limit=None)
        for score, docnum in results.top_n:
            out.scores[docnum] = score
            out.mask[docnum] = True
        return out

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

    def _postings(self, field, text, searcher, positions: bool = False):
        """(item numbers, BM25F impacts, position keys or None) of one term.

        None if the index lacks the term. Position keys (item << 32 | position,
        sorted) are read only when asked for, in the same pass as the rest.
        """
        reader = searcher.reader()
        schema = reader.schema
        if field not in schema:
            return None
        try:
            btext = schema[field].to_bytes(text)
        except ValueError:
            return None
        return self._term(reader, field, btext, positions)

    def _term(self, reader, field: str, btext: bytes, positions: bool = False):
        schema = reader.schema
        found = self._cached(("p", field, btext))
        keys = self._cached(("k", field, btext)) if positions else None
        if found is not None and (keys is not None or not positions):
            return (*found, keys)
        if (field, btext) not in reader:
            return None
        docs, weights, keys = self._read(reader, field, btext, positions)
        if schema[field].scorable:
            lengths = self._field_lengths(reader, field)[docs]
            avg = reader.field_length(field) / (self.size or 1) or 1
            idf = log(self.size / (reader.doc_frequency(field, btext) + 1)) + 1
            k1, b = _BM25.K1, _BM25.B
            norm = k1 * ((1 - b) + b * lengths / avg)
            impacts = idf * weights * (k1 + 1) / (weights + norm)
        else:
            impacts = weights
        # Compact: 8 bytes a posting, so the whole index's postings fit the cache.
        docs, impacts = docs.astype(np.int32), impacts.astype(np.float32)
        self._store(("p", field, btext), (docs, impacts), docs.nbytes + impacts.nbytes)
        if keys is not None:
            self._store(("k", field, btext), keys, keys.nbytes)
        return docs, impacts, keys

    def _read(self, reader, field, btext, positions: bool):
        docs, weights, places = [], [], []
        for segment, offset in reader.leaf_readers():
            if (field, btext) in segment:
                matcher = segment.postings(field, btext)
                ids, w, p = _segment_postings(matcher, positions)
                docs.append(ids + offset)
                weights.append(w)
                places.append(p)
        if not docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0), None
        docs_all, weights_all = np.concatenate(docs), np.concatenate(weights)
        live = self.live[docs_all]
        keys = None
        if positions:
            flat = np.concatenate([p[0] for p in places])
            counts = np.concatenate([p[1] for p in places])
            keys = _position_keys(docs_all, flat, counts)
            keys = np.unique(keys[np.repeat(live, counts)])
        return docs_all[live], weights_all[live], keys

    def _field_lengths(self, reader, field) -> np.ndarray:
        lengths = self._lengths.get(field)
        if lengths is None:
            parts = [_segment_lengths(seg, field) for seg, _ in reader.leaf_readers()]
            lengths = np.concatenate(parts) if parts else np.zeros(0)
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


def _leaf(matcher):
    """The postings matcher under the deletions filter, and whether its blocks
    are Whoosh's own format, which the readers here decode a block at a time."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    return matcher, isinstance(matcher, W3LeafMatcher) and not matcher._byteids


def _position_keys(docs: np.ndarray, flat: np.ndarray, counts: np.ndarray):
    """One key per position, item << 32 | position, from per-item position runs."""
    return (np.repeat(docs, counts) << _POS_BITS) | flat


def _segment_postings(matcher, positions: bool):
    """A segment's postings: ids, weights, and (positions, count per id) or None.

    Read a block at a time from Whoosh's own block format, undoing its delta
    coding with arrays; deleted items are dropped by the caller. Any other
    matcher is read one posting at a time.
    """
    matcher, blockwise = _leaf(matcher)
    fmt = matcher.format
    if not blockwise:
        ids, weights, values = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if positions:
                values.append(matcher.value_as("positions"))
            matcher.next()
        places = None
        if positions:
            flat = np.fromiter(chain.from_iterable(values), dtype=np.int64)
            places = (flat, _lengths(values))
        return (
            np.asarray(ids, dtype=np.int64),
            np.asarray(weights, dtype=np.float64),
            places,
        )
    id_blocks, weight_blocks, deltas = [], [], []
    while matcher.is_active():
        matcher._read_data()
        id_blocks.append(matcher._data[0])
        matcher._read_weights()
        weight_blocks.append(np.asarray(matcher._weights, dtype=np.float64))
        if positions:
            matcher._read_values()
            deltas.extend(_block_deltas(matcher._values, fmt))
        matcher._next_block()
    ids, _ = _undelta(id_blocks)
    weights = np.concatenate(weight_blocks) if weight_blocks else np.zeros(0)
    return ids, weights, _undelta(deltas) if positions else None


def _candidate_positions(matcher, wanted: np.ndarray):
    """(ids, (positions, count per id)) of the postings whose id is wanted.

    Skips, unread, every block whose id range holds no wanted id.
    """
    matcher, blockwise = _leaf(matcher)
    if not blockwise:
        ids, _, (flat, counts) = _segment_postings(matcher, positions=True)
        keep = np.isin(ids, wanted)
        return ids[keep], (flat[np.repeat(keep, counts)], counts[keep])
    fmt, low = matcher.format, 0
    id_blocks, deltas = [], []
    while matcher.is_active():
        high = matcher._maxid
        start = np.searchsorted(wanted, low)
        if start < wanted.size and wanted[start] <= high:
            matcher._read_data()
            ids, _ = _undelta([matcher._data[0]])
            keep = np.isin(ids, wanted[start : np.searchsorted(wanted, high, "right")])
            if keep.any():
                matcher._read_values()
                chosen = [
                    v for v, k in zip(matcher._values, keep.tolist(), strict=True) if k
                ]
                id_blocks.append(ids[keep])
                deltas.extend(_block_deltas(chosen, fmt))
        low = high + 1
        matcher._next_block()
    ids = np.concatenate(id_blocks) if id_blocks else np.zeros(0, dtype=np.int64)
    return ids, _undelta(deltas)


def _common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Values of sorted unique ``a`` that are in sorted ``b``, without re-sorting."""
    if not a.size or not b.size:
        return a[:0]
    at = np.minimum(np.searchsorted(b, a), b.size - 1)
    return a[b[at] == a]


def _lengths(groups) -> np.ndarray:
    return np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))


def _undelta(groups) -> tuple[np.ndarray, np.ndarray]:
    """Delta-coded groups (each starting from 0) to flat absolute values, and sizes."""
    counts = _lengths(groups)
    flat = np.fromiter(
        chain.from_iterable(groups), dtype=np.int64, count=int(counts.sum())
    )
    sums = np.cumsum(flat)
    nonempty = counts > 0
    first = (np.cumsum(counts) - counts)[nonempty]
    return sums - np.repeat(sums[first] - flat[first], counts[nonempty]), counts


def _block_deltas(encoded, fmt) -> list:
    """A block's position deltas, decoded with one unpickling instead of one each.

    Whoosh stores each posting's positions as a count and a pickled list of
    deltas. The pickles' bodies, joined between MARK and LIST, form one
    pickle of all the lists. Anything unexpected falls back to Whoosh's own
    decoder, posting by posting.
    """
    start = _INT_SIZE + len(_PROTOCOL_2)  # the count, then the pickle's header
    if type(fmt) is Positions and all(
        v[_INT_SIZE:start] == _PROTOCOL_2 for v in encoded
    ):
        bodies = [v[start:-1] if v.endswith(b".") else v[start:] for v in encoded]
        try:
            deltas = loads(b"(" + b"".join(bodies) + b"l.")
        except Exception:  # noqa: BLE001 - any surprise means: decode one by one
            deltas = None
        if (
            isinstance(deltas, list)
            and len(deltas) == len(encoded)
            and all(
                len(d) == unpack_uint(v[:_INT_SIZE])[0]
                for d, v in zip(deltas, encoded, strict=True)
            )
        ):
            return deltas
    out = []
    for value in encoded:
        absolute = fmt.decode_positions(value)
        out.append([b - a for a, b in zip([0, *absolute], absolute, strict=False)])
    return out


def _segment_lengths(segment, field: str) -> np.ndarray:
    """Every item's length in a field, as Whoosh's scorer sees it (byte-encoded)."""
    size = segment.doc_count_all()
    column = segment._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    codes = np.zeros(size, dtype=np.uint8)
    if column is not None:
        raw = column._dbfile.get(column._basepos, column._count)
        codes[: len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    return _LENGTH_OF_BYTE[codes]
