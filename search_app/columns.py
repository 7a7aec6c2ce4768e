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

from indexer.people import name_key

from .whoosh_postings import IndexPostings

FACET_FIELDS = ("year", "doc_type", "has_decision", "presenter")
# Filters without counts: a meeting's every attendee is on each of its items,
# so counting them would cost each query far more than the facets it shows.
FILTER_FIELDS = ("person",)


class ItemColumns:
    """Per item (by document number): year, type, decision flag, presenters."""

    def __init__(self, reader) -> None:
        index = IndexPostings(reader)
        self.size = index.size()
        self.docs: dict[str, dict[str, np.ndarray]] = {}
        self._pairs: dict[str, tuple[list[str], np.ndarray, np.ndarray]] = {}
        for field in FACET_FIELDS + FILTER_FIELDS:
            by_value = dict(index.values(field))
            values = list(by_value)
            docs = [by_value[v] for v in values]
            self.docs[field] = by_value
            if field in FILTER_FIELDS:
                continue
            self._pairs[field] = (
                values,
                np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64),
                np.repeat(np.arange(len(values)), [len(d) for d in docs]),
            )
        self.presenter_keys = {name.casefold(): name for name in self.docs["presenter"]}
        self.dates, self._rank, self._rank_asc = _date_ranks(index, self.size)
        self.ocr = np.zeros(self.size, dtype=bool)  # items read by OCR
        for value, docnums in index.values("ocr"):
            if value == "true":
                self.ocr[docnums] = True

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
            elif field == "person":  # stored as name keys: any spelling finds them
                value = name_key(value)
            having = np.zeros(self.size, dtype=bool)
            having[self.docs[field].get(value, np.zeros(0, dtype=np.int64))] = True
            mask = having if mask is None else mask & having
        return mask

    def counts(self, mask: np.ndarray) -> dict[str, dict[str, int]]:
        """How many of the masked items have each value, per facet.

        One count over (item, value) pairs per facet, in arrays: far cheaper
        than visiting tens of thousands of matches in Python.
        """
        counts: dict[str, dict[str, int]] = {}
        for field, (values, docs, ids) in self._pairs.items():
            per_value = np.bincount(ids[mask[docs]], minlength=len(values))
            counts[field] = {values[i]: int(n) for i, n in enumerate(per_value) if n}
        return counts

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


def _date_ranks(index: IndexPostings, size: int):
    """Each item's date, and its place sorted newest (and oldest) date first,
    then by its place in its document; undated items after every dated one."""
    dates = np.full(size, "", dtype="<U10")
    for value, docnums in index.values("date"):
        dates[docnums] = value
    numbers = np.zeros(size, dtype=np.int64)
    for number, docnums in index.numbers("item_number"):
        numbers[docnums] = number
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
