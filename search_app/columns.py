"""Per-item facet values, read once per index version, for filters and counts.

Counting facets through Whoosh's grouping makes it score every matching item
and, for presenters, unpickle each one's stored fields: at 85,000 items that
cost most of a query's time. The values are few and change only when the
index does, so they are read from the postings once, into plain arrays and
sets; a query then filters by set intersection and counts with a loop.
"""

from __future__ import annotations

from whoosh.fields import BOOLEAN

FACET_FIELDS = ("year", "doc_type", "has_decision", "presenter")


class ItemColumns:
    """Per item (by document number): year, type, decision flag, presenters."""

    def __init__(self, reader) -> None:
        size = reader.doc_count_all()
        self.values: dict[str, list] = {}
        self.docs: dict[str, dict[str, frozenset[int]]] = {}
        for field in FACET_FIELDS:
            per_doc: list = [() for _ in range(size)]
            by_value: dict[str, frozenset[int]] = {}
            for value, docnums in _postings(reader, field):
                by_value[value] = frozenset(docnums)
                for docnum in docnums:
                    per_doc[docnum] += (value,)
            self.values[field], self.docs[field] = per_doc, by_value
        self.presenter_keys = {name.casefold(): name for name in self.docs["presenter"]}
        self._date_order = _date_order(reader, size)

    def allowed(self, **wanted: str | None) -> frozenset[int] | None:
        """Items with every given value (None: no filter asked for)."""
        sets = []
        for field, value in wanted.items():
            if value is None:
                continue
            if field == "presenter":
                value = self.presenter_keys.get(value.strip().casefold(), value)
            sets.append(self.docs[field].get(value, frozenset()))
        if not sets:
            return None
        sets.sort(key=len)
        return sets[0].intersection(*sets[1:])

    def counts(self, docnums: set[int]) -> dict[str, dict[str, int]]:
        """How many of these items have each value, per facet.

        One set intersection per value runs in C: far cheaper than visiting
        tens of thousands of matches in Python.
        """
        counts: dict[str, dict[str, int]] = {}
        for field in FACET_FIELDS:
            per_value = {v: len(docs & docnums) for v, docs in self.docs[field].items()}
            counts[field] = {v: n for v, n in per_value.items() if n}
        return counts

    def newest_first(self, docnums: set[int]) -> list[int]:
        """Items by meeting date, newest first, undated last; in document order."""
        return sorted(docnums, key=self._date_order.__getitem__)


def _postings(reader, field: str):
    """(value, document numbers) for every term of an indexed field."""
    if field not in reader.schema:
        return
    fieldobj = reader.schema[field]
    flags = {"t": "true", "f": "false"} if isinstance(fieldobj, BOOLEAN) else {}
    for btext in reader.lexicon(field):
        value = str(fieldobj.from_bytes(btext))
        yield flags.get(value, value), list(reader.postings(field, btext).all_ids())


def _date_order(reader, size: int) -> list[tuple]:
    """A sort key per item: newest date first, then the item's place in its document."""
    dates = [""] * size
    for value, docnums in _postings(reader, "date"):
        for docnum in docnums:
            dates[docnum] = value
    numbers = [0] * size
    field = reader.schema["item_number"]
    # From the postings: a column reader would open a file nobody closes.
    for btext in field.sortable_terms(reader, "item_number"):
        for docnum in reader.postings("item_number", btext).all_ids():
            numbers[docnum] = field.from_bytes(btext)
    ranks = {d: n for n, d in enumerate(sorted(set(dates), reverse=True)) if d}
    undated = len(ranks)
    return [(ranks.get(dates[d], undated), numbers[d], d) for d in range(size)]
