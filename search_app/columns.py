"""Per-item facet values, read once per index version, for filters and counts.

Counting facets through Whoosh's grouping makes it score every matching item
and, for presenters, unpickle each one's stored fields: at 85,000 items that
cost most of a query's time. The values are few and change only when the
index does, so they are read from the postings once, into arrays; a query
then filters and counts with a few array operations over its
match mask.
"""

from __future__ import annotations

import numpy as np

from indexer.runs import run_indices

from .whoosh_postings import IndexPostings

FACET_FIELDS = ("year", "doc_type", "has_decision", "presenter")
# Not here: the person filter. A meeting's every attendee is on each of its
# items, so counting them would cost each query far more than the facets it
# shows, and reading thousands of names' postings would cost every start;
# the engine reads the one name a query filters on (``Engine.holding``).


class ItemColumns:
    """Per item (by document number): year, type, decision flag, presenters."""

    def __init__(self, reader) -> None:
        index = IndexPostings(reader)
        self.size = index.size()
        self.docs: dict[str, dict[str, np.ndarray]] = {}
        self._facets: dict[str, _Facet] = {}
        for field in FACET_FIELDS:
            by_value = dict(index.values(field))
            self.docs[field] = by_value
            self._facets[field] = _Facet(by_value, self.size)
        self.presenter_keys = {name.casefold(): name for name in self.docs["presenter"]}
        self.dates, self._rank, self._rank_asc = _date_ranks(index, self.size)
        self.ocr = np.zeros(self.size, dtype=bool)  # items read by OCR
        for value, docnums in index.values("ocr"):
            if value == "true":
                self.ocr[docnums] = True
        self._ocr_scaled: dict[float, np.ndarray] = {}

    def ocr_scaled(self, factor: float) -> np.ndarray:
        """Per item: ``factor`` where OCR read it, else 1.0; made once per factor.

        Scores times this cost one pass over the items; scaling the OCR'd
        items of a copy cost three times that (the copy, then a masked
        gather and scatter): 145 against 42 µs at 83,000 items.
        """
        weights = self._ocr_scaled.get(factor)
        if weights is None:  # two threads may both make it: the same array
            weights = self._ocr_scaled[factor] = np.where(self.ocr, factor, 1.0)
        return weights

    def any_of(self, field: str, values) -> np.ndarray:
        """Items with any of ``values`` in ``field`` (several years at once)."""
        having = np.zeros(self.size, dtype=bool)
        for value in values:
            having[self.docs[field].get(value, np.zeros(0, dtype=np.int64))] = True
        return having

    def dated_between(self, first: str | None, last: str | None) -> np.ndarray:
        """Items dated ``first`` to ``last`` (ISO, both included); undated never."""
        mask = self.dates != ""
        if first:
            mask &= self.dates >= first
        if last:
            mask &= self.dates <= last
        return mask

    def allowed(self, **wanted: str | None) -> np.ndarray | None:
        """Items with every given value, as a mask (None: no filter asked for)."""
        mask = None
        for field, value in wanted.items():
            if value is None:
                continue
            if field == "presenter":
                value = self.presenter_keys.get(value.strip().casefold(), value)
            having = np.zeros(self.size, dtype=bool)
            having[self.docs[field].get(value, np.zeros(0, dtype=np.int64))] = True
            mask = having if mask is None else mask & having
        return mask

    def counts(self, mask: np.ndarray) -> dict[str, dict[str, int]]:
        """How many of the masked items have each value, per facet.

        One count over (item, value) pairs per facet, in arrays: far cheaper
        than visiting tens of thousands of matches in Python.
        """
        hits = np.flatnonzero(mask)
        return {field: facet.counts(hits) for field, facet in self._facets.items()}

    def newest_first(self, mask: np.ndarray, count: int, oldest=False) -> list[int]:
        """The first ``count`` masked items by meeting date, newest (or oldest)
        first, undated last either way; within a meeting in item order."""
        docs = np.flatnonzero(mask)
        ranks = (self._rank_asc if oldest else self._rank)[docs]
        if count < docs.size:
            keep = (
                np.argpartition(ranks, count - 1)[:count]
                if count > 0
                else np.empty(0, dtype=np.intp)
            )
            docs, ranks = docs[keep], ranks[keep]
        return docs[np.argsort(ranks)].tolist()


class _Facet:
    """One facet's values per item, laid out so that a count costs what the
    matches cost, not what the whole index holds.

    Most facets have one value per item (year, type, decision): a code per
    item, counted over the matches' codes. Others (presenters) may have
    several: each item's codes in one run, item after item (CSR).
    """

    def __init__(self, by_value: dict[str, np.ndarray], size: int) -> None:
        self.values = list(by_value)
        self._names = np.array(self.values, dtype=object)
        docs = [by_value[v] for v in self.values]
        all_docs = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        codes = np.repeat(np.arange(len(docs)), [len(d) for d in docs])
        per_item = np.bincount(all_docs, minlength=size)
        self.single = bool(per_item.max(initial=0) <= 1)
        if self.single:  # the code, or len(values) for items without a value
            self.codes = np.full(size, len(self.values), dtype=np.int32)
            self.codes[all_docs] = codes
        else:
            order = np.argsort(all_docs, kind="stable")
            self.codes = codes[order].astype(np.int32)
            self.starts = np.concatenate(([0], np.cumsum(per_item)))

    def counts(self, hits: np.ndarray) -> dict[str, int]:
        """How many of the items ``hits`` (sorted numbers) have each value."""
        if self.single:
            codes = self.codes[hits]
        else:
            first, last = self.starts[hits], self.starts[hits + 1]
            codes = self.codes[run_indices(first, last - first)]
        per_value = np.bincount(codes, minlength=len(self.values) + 1)[:-1]
        found = np.flatnonzero(per_value)
        names, counts = self._names[found].tolist(), per_value[found].tolist()
        return dict(zip(names, counts, strict=True))


def _date_ranks(index: IndexPostings, size: int):
    """Each item's date, and its place sorted newest (and oldest) date first,
    then by its place in its document; undated items after every dated one."""
    dates = index.item_texts("date")
    numbers = index.item_numbers("item_number")
    known, at = np.unique(dates, return_inverse=True)  # sorted, "" first if any
    dated = known != ""
    ranks = []
    for newest in (True, False):
        order_of_value = np.empty(known.size, dtype=np.int64)
        places = np.arange(np.count_nonzero(dated))
        order_of_value[dated] = places[::-1] if newest else places
        order_of_value[~dated] = places.size  # undated: after every date
        place = order_of_value[at.reshape(-1)]
        order = np.lexsort((np.arange(size), numbers, place))
        rank = np.empty(size, dtype=np.int64)
        rank[order] = np.arange(size)
        ranks.append(rank)
    return dates, ranks[0], ranks[1]
