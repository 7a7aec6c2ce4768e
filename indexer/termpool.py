"""A segment's postings, gathered per term as arrays until the segment is written.

Whoosh's writer puts every posting into a pool as a tuple (field, term,
item, weight, encoded value), sorts all of them, spilling sorted runs to disk
as it goes, and then hands them one by one to the codec, which looks up the
item's field length for each. At 10,000 meetings that is ten million tuples
made, sorted, marshalled and unmarshalled, and ten million length look-ups:
most of the writer's time.

Here a posting is appended to its term's arrays (the items, the weights, and,
for position fields, the position count and the positions themselves, not an
encoded value), so what is sorted at the end is the terms, not the postings,
and the codec takes a term's postings as whole arrays
(``indexer.codec.ArrayPostingsWriter.write_term``). A term's items arrive
in increasing order (a writer numbers items as they come; a merged segment
comes term by term, each in order), so its arrays are already in posting
order; one that comes out of order is refused, not written.

A position field's text from the writer (``add_words``) is not even split
into postings as it comes: each word is numbered once per field, and an item
adds its words' numbers to one array. When the terms are asked for, the
field's occurrences are worked out with numpy all at once: each word's forms
and positions (a stop word holds none; StopFilter's renumbering), ordered by
form with a stable sort (so by item, then position, within a form), and cut
into postings where the item changes. The per-word work in Python is one
dictionary look-up; per posting there is none.

Memory stays bounded like Whoosh's pool: past ``limit`` bytes (by the arrays'
sizes, a fixed cost per term and word, and what working out the largest
field's words will take), the terms gathered so far are written to a
temporary file in term order, a run; the runs and what is left in memory are
merged term by term at the end, each term's postings in item order.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from array import array
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from typing import IO, NamedTuple

import numpy as np

from .occurrences import FieldOccurrences
from .positions import PackedPositions, position_values
from .runs import run_indices, run_starts

TERM_BYTES = 600  # what a term costs in memory beyond its arrays (objects, keys)
WORD_BYTES = 300  # a word numbered in a field: its key, number and forms
# What working out a field's postings takes at once, per word occurrence: int64
# arrays per word and per (word, form). tracemalloc counts 65-84 bytes for the
# body fields (1,000 generated meetings); the process grows by 119-122 (a
# writer worker at 10,000 meetings: 167 MB for a field of 1.4 million, 190 MB
# for 1.56 million), as the allocator keeps what the arrays freed for reuse.
WORKING_BYTES = 125

Key = tuple[str, bytes]  # (field name, term)
_UINT = np.dtype(f"u{array('I').itemsize}")  # item numbers, counts, positions


class TermPostings(NamedTuple):
    """One term's postings in item order.

    ``counts`` and ``positions`` (each posting's position count, and all
    positions laid end to end, absolute within the item's field) for a field
    written with ``PackedPositions``; ``values`` (each posting's encoded
    value) for any other field.
    """

    ids: np.ndarray  # int64
    weights: np.ndarray  # float64
    counts: np.ndarray | None = None  # int64
    positions: np.ndarray | None = None  # int64
    values: list[bytes] | None = None


class TermPool:
    """Postings per (field, term); see the module docstring."""

    def __init__(self, schema, limit: int, folder: str | None = None) -> None:
        self._positional = {
            name: schema[name].format
            for name in schema.names()
            if type(schema[name].format) is PackedPositions
        }
        self._limit = limit
        self._folder = folder
        # Per field, each term's record. A position field's terms are keyed
        # by the word (no encoding per posting), others' by their bytes;
        # words sort as their UTF-8 bytes do.
        self._fields: dict[str, dict] = {}
        self._words: dict[str, FieldOccurrences] = {}  # (add_words)
        self._size = 0
        self._largest = 0  # the most word occurrences of one field (add_words)
        self._runs: list[IO[bytes]] = []

    @property
    def fieldnames(self) -> set[str]:
        """The fields with postings so far (Whoosh's multi-process writer asks)."""
        return set(self._fields) | set(self._words)

    def add_words(
        self,
        field: str,
        item: int,
        words: list[str],
        forms_of,
        format_boost: float = 1.0,
        boost: float = 1.0,
    ) -> int:
        """One item's text in a position field, as its words in order;
        ``forms_of(word)`` is what the field's chain makes of a word (its
        forms, none for a stop word). Postings are worked out when the terms
        are asked for (:mod:`.occurrences`). Returns the field's length."""
        table = self._words.get(field)
        if table is None:
            table = self._words[field] = FieldOccurrences(format_boost)
        elif table.format_boost != format_boost:
            raise ValueError(
                f"{field}: a format boost of {format_boost} after {table.format_boost}"
            )
        known = table.word_count
        try:
            length = table.add(item, words, forms_of, boost)
        except ValueError as exc:
            raise ValueError(f"{field}: {exc}") from None
        self._size += 4 * len(words) + WORD_BYTES * (table.word_count - known)
        if len(table.words) > self._largest:
            self._largest = len(table.words)
        if self._full():
            self._spill()
        return length

    def add(self, posting: tuple) -> None:
        """Whoosh's pool interface: (field, term, item, weight, encoded value).

        A position field's value is decoded into its positions, so that a
        term holds one kind of posting whichever way it came (a merged
        segment's postings come encoded).
        """
        field, term, item, weight, value = posting
        fmt = self._positional.get(field)
        if fmt is not None:
            term = term.decode("utf-8")
        terms = self._fields.get(field)
        if terms is None:
            terms = self._fields[field] = {}
        record = terms.get(term)
        if record is None:
            record = terms[term] = _record(positional=fmt is not None)
            self._size += TERM_BYTES
        elif record[0][-1] >= item:
            _out_of_order(field, term, item)
        record[0].append(item)
        record[1].append(weight)
        if fmt is not None:
            positions = fmt.decode_positions(value)
            record[2].append(len(positions))
            record[3].extend(positions)
            self._size += 12 + 4 * len(positions)
        else:
            record[2].append(value or b"")
            self._size += 20 + len(value or b"")
        if self._full():
            self._spill()

    def terms(self) -> Iterator[tuple[Key, TermPostings]]:
        """Every term in (field, term) order, with its postings in item order."""
        current = self._sorted_terms()
        if not self._runs:
            yield from current
            return
        yield from _merged([_read_run(run) for run in self._runs] + [current])

    def iter_postings(self) -> Iterator[tuple]:
        """Whoosh's pool interface: every posting as a tuple, in order."""
        for (field, term), postings in self.terms():
            fmt = self._positional.get(field)
            values = postings.values
            if fmt is not None:
                assert postings.counts is not None and postings.positions is not None
                values = position_values(fmt, postings.counts, postings.positions)
            assert values is not None
            rows = zip(
                postings.ids.tolist(), postings.weights.tolist(), values, strict=True
            )
            for item, weight, value in rows:
                yield field, term, item, weight, value

    def cleanup(self) -> None:
        """Drop everything gathered (Whoosh's pool interface)."""
        for run in self._runs:
            run.close()
        self._runs = []
        self._fields = {}
        self._words = {}
        self._size = 0
        self._largest = 0

    def _full(self) -> bool:
        return self._size + WORKING_BYTES * self._largest > self._limit

    def _sorted_terms(self) -> Iterator[tuple[Key, TermPostings]]:
        """The terms gathered in memory, in (field, term) order; a field's
        postings may come both ways (a merged segment's through ``add``)."""
        for field in sorted(set(self._fields) | set(self._words)):
            sources = []
            if self._fields.get(field):
                sources.append(self._recorded(field))
            if field in self._words:
                sources.append(self._worked_out(field))
            if len(sources) == 1:
                yield from sources[0]
            elif sources:
                yield from _merged(sources)

    def _worked_out(self, field: str) -> Iterator[tuple[Key, TermPostings]]:
        for form, ids, weights, counts, positions in self._words[field].postings():
            key = (field, form.encode("utf-8"))
            yield key, TermPostings(ids, weights, counts, positions)

    def _recorded(self, field: str) -> Iterator[tuple[Key, TermPostings]]:
        terms = self._fields[field]
        for term in sorted(terms):
            key = term.encode("utf-8") if isinstance(term, str) else term
            yield (field, key), _frozen(terms[term])

    def _spill(self) -> None:
        """Write the terms gathered so far to a run, in term order.

        Each term is pickled on its own: a pickler or unpickler used for a
        whole run would keep every term it met alive until the run's end
        (its memo), which at the final merge meant every posting of the
        segment in memory at once. A term's arrays go as their bytes
        (``_packed``): pickling an array costs ten times as much. The words
        numbered so far go too: the numbers only name what is in memory.
        """
        run = tempfile.TemporaryFile(dir=self._folder)
        for key, postings in self._sorted_terms():
            pickle.dump((key, _packed(postings)), run, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(None, run)
        run.seek(0)
        self._runs.append(run)
        self._fields = {field: {} for field in self._fields}  # still written to
        self._words = {}
        self._size = 0
        self._largest = 0


def _merged(sources: list[Iterator[tuple[Key, TermPostings]]]):
    """Sources each in term order, as one; a term in several is joined."""
    merged = heapq.merge(*sources, key=itemgetter(0))
    for key, group in groupby(merged, key=itemgetter(0)):
        parts = [postings for _, postings in group]
        yield key, parts[0] if len(parts) == 1 else _joined(key, parts)


def _record(positional: bool) -> list:
    """A term's arrays: items, weights, and the position counts and positions
    (a position field) or the encoded values (any other)."""
    if positional:
        return [array("I"), array("d"), array("I"), array("I")]
    return [array("I"), array("d"), []]


def _out_of_order(field: str, term, item: int) -> None:
    """A term's postings come in increasing item order (its arrays are its
    postings in order); one that does not is a caller's mistake."""
    raise ValueError(f"{field}:{term!r}: item {item} after a later one, out of order")


def _frozen(record: list) -> TermPostings:
    ids = _int64(record[0])
    weights = np.frombuffer(record[1], dtype=np.float64)
    if len(record) == 4:
        return TermPostings(ids, weights, _int64(record[2]), _int64(record[3]))
    return TermPostings(ids, weights, values=record[2])


def _int64(values: array) -> np.ndarray:
    return np.frombuffer(values, dtype=_UINT).astype(np.int64)


def _read_run(run: IO[bytes]) -> Iterator[tuple[Key, TermPostings]]:
    while (entry := pickle.load(run)) is not None:
        key, packed = entry
        yield key, _unpacked(packed)


def _packed(postings: TermPostings) -> tuple:
    """A term's postings for a run: each array as its bytes."""
    ids = postings.ids.astype(np.int64, copy=False).tobytes()
    weights = postings.weights.astype(np.float64, copy=False).tobytes()
    if postings.counts is None:
        return ids, weights, None, None, postings.values
    assert postings.positions is not None
    counts = postings.counts.astype(np.int64, copy=False).tobytes()
    positions = postings.positions.astype(np.int64, copy=False).tobytes()
    return ids, weights, counts, positions, None


def _unpacked(packed: tuple) -> TermPostings:
    ids, weights, counts, positions, values = packed
    ids, weights = np.frombuffer(ids, np.int64), np.frombuffer(weights, np.float64)
    if counts is None:
        return TermPostings(ids, weights, values=values)
    counts, positions = (
        np.frombuffer(counts, np.int64),
        np.frombuffer(positions, np.int64),
    )
    return TermPostings(ids, weights, counts, positions)


def _joined(key: Key, parts: list[TermPostings]) -> TermPostings:
    """One term's postings from several sources, in item order.

    Runs come in the order they were written and each holds items in order,
    but a merged segment's items (numbered after the new ones) may sit in an
    earlier run than new items of the same term, so the parts are put in
    item order; an item in two parts is a caller's mistake.
    """
    ids = np.concatenate([p.ids for p in parts])
    weights = np.concatenate([p.weights for p in parts])
    order = None
    if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():
        order = np.argsort(ids, kind="stable")
        ids, weights = ids[order], weights[order]
        if (ids[1:] == ids[:-1]).any():
            _out_of_order(*key, int(ids[np.flatnonzero(ids[1:] == ids[:-1])[0]]))
    if parts[0].counts is not None:
        counts = np.concatenate([p.counts for p in parts])
        positions = np.concatenate([p.positions for p in parts])
        if order is not None:
            firsts = run_starts(counts)
            counts = counts[order]
            positions = positions[run_indices(firsts[order], counts)]
        return TermPostings(ids, weights, counts, positions)
    values = [v for p in parts for v in p.values or ()]
    if order is not None:
        values = [values[n] for n in order.tolist()]
    return TermPostings(ids, weights, values=values)
