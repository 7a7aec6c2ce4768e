"""Whoosh's on-disk postings as plain arrays: the one reader of its format.

The array engine (``scoring``) and the facet columns (``columns``) need each
term's postings, each field's lengths and the index statistics as numpy
arrays. Reading them through Whoosh's matchers one posting at a time is far
too slow, so this module decodes Whoosh's own block format directly, which
means private names of ``whoosh.codec.whoosh3`` (leaf matchers, block
buffers, the lengths column) and of its segment reader (the terms reader and
codec behind it), our own array-coded blocks (``indexer.codec``)
with their packed position lists (``indexer.positions``), and, for older
indexes, the layout of Whoosh's pickled blocks and position lists.
That is why the dependency is pinned to one exact version: a release that
changes the format must be checked here (``tests/test_postings_format.py``
compares every path with Whoosh's own search) before the pin moves.

Nothing Whoosh-typed leaves this module: item numbers, weights, position
keys (``item << POS_BITS | position``), lengths and counts only.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import accumulate, chain
from pickle import loads

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.columns import NumericColumn, VarBytesColumn
from whoosh.fields import BOOLEAN
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.system import _INT_SIZE, unpack_uint
from whoosh.util.numeric import byte_to_length

from indexer.codec import ArrayLeafMatcher
from indexer.positions import NARROW, PackedPositions, deltas_of, narrow_runs
from indexer.runs import run_starts

from . import sortedsets

POS_BITS = 32  # a position key is item << 32 | position
BM25_K1, BM25_B = BM25F().K1, BM25F().B  # the parameters Whoosh's searcher scores with
_PROTOCOL_2 = b"\x80\x02"  # how Whoosh's pickled position lists begin
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
_EMPTY = np.zeros(0, dtype=np.int64)


class IndexPostings:
    """One index reader's postings, field lengths and statistics, as arrays.

    Cheap to make: it reads nothing until asked. Item numbers are the
    reader's global document numbers, deleted items included; the caller
    masks them with ``deleted()``.
    """

    def __init__(self, reader) -> None:
        self._reader = reader
        self._schema = reader.schema
        # (field, term) -> ((segment, offset, doc frequency), ...): see _located.
        self._where: dict[tuple[str, bytes], tuple] = {}
        self._deleted: np.ndarray | None = None  # see deleted()

    # --- statistics ------------------------------------------------------------------

    def size(self) -> int:
        """How many item numbers there are, deleted ones included."""
        return self._reader.doc_count_all()

    def deleted(self) -> np.ndarray:
        """The numbers of the deleted items, sorted (read once: a reader's
        deletions do not change)."""
        if self._deleted is None:
            parts = [
                np.asarray(sorted(segment.deleted_docs_set), dtype=np.int64) + offset
                for segment, offset in self._reader.leaf_readers()
            ]
            self._deleted = np.concatenate(parts) if parts else _EMPTY
        return self._deleted

    def total_length(self, field: str) -> float:
        """The summed length of a field over all items, as Whoosh counts it."""
        return self._reader.field_length(field)

    def doc_frequency(self, field: str, btext: bytes) -> int:
        """How many items hold the term (deleted ones included, as in Whoosh)."""
        return sum(info.doc_frequency() for _, _, info in self._located(field, btext))

    def scorable(self, field: str) -> bool:
        """Whether the field keeps lengths, so that BM25F applies to it."""
        return bool(self._schema[field].scorable)

    def term_bytes(self, field: str, text) -> bytes | None:
        """A term's key in the index, or None if the field or value cannot exist."""
        if field not in self._schema:
            return None
        try:
            return self._schema[field].to_bytes(text)
        except ValueError:
            return None

    def has_term(self, field: str, btext: bytes) -> bool:
        """Whether any segment holds the term."""
        return bool(self._located(field, btext))

    def field_lengths(self, field: str) -> np.ndarray:
        """Every item's length in a field, as Whoosh's scorer sees it (byte-encoded)."""
        parts = [_segment_lengths(seg, field) for seg, _ in self._reader.leaf_readers()]
        return np.concatenate(parts) if parts else np.zeros(0)

    # --- postings --------------------------------------------------------------------

    def postings(self, field: str, btext: bytes, positions: bool = False):
        """(item numbers, term frequencies, position keys or None) of one term.

        The position keys are read only when asked for, in the same pass.
        """
        docs, weights, keys = [], [], []
        for segment, offset, info in self._located(field, btext):
            matcher = _matcher(segment, field, btext, info)
            ids, w, places = _segment_postings(matcher, positions)
            docs.append(ids + offset)
            weights.append(w)
            if positions:
                keys.append(_position_keys(ids + offset, *places))
        if not docs:
            return _EMPTY, np.zeros(0), (_EMPTY if positions else None)
        return (
            np.concatenate(docs),
            np.concatenate(weights),
            np.concatenate(keys) if positions else None,
        )

    def candidate_positions(
        self, field: str, btext: bytes, candidates: np.ndarray
    ) -> np.ndarray:
        """Sorted unique position keys of the term in the items ``candidates`` marks.

        Reads only the blocks whose id range holds a candidate: for a phrase
        whose rarest word is far rarer than this one.
        """
        parts = []
        for segment, offset, info in self._located(field, btext):
            local = candidates[offset : offset + segment.doc_count_all()]
            ids, (flat, counts) = _candidate_positions(
                _matcher(segment, field, btext, info), np.flatnonzero(local)
            )
            parts.append(_position_keys(ids + offset, flat, counts))
        return sortedsets.unique(np.concatenate(parts)) if parts else _EMPTY

    def _located(self, field: str, btext: bytes) -> tuple:
        """(segment, offset, term info) of each segment holding the term.

        Whoosh answers "is it there", "in how many items" and "where are its
        postings" each with its own hash look-up in every segment's term
        file: a term read for the first time paid for about ten of them.
        One look-up per segment, remembered for the life of this object (one
        evaluation), answers all three.
        """
        key = (field, btext)
        found = self._where.get(key)
        if found is None:
            found = self._where[key] = tuple(_holding(self._reader, field, btext))
        return found

    # --- whole fields, for the facet columns -----------------------------------------

    def values(self, field: str) -> Iterator[tuple[str, np.ndarray]]:
        """(value as text, item numbers) for every term of an indexed field.

        Booleans read as "true" and "false"; nothing if the field is absent.
        """
        if field not in self._schema:
            return
        fieldobj = self._schema[field]
        flags = {"t": "true", "f": "false"} if isinstance(fieldobj, BOOLEAN) else {}
        for btext, ids in self._every_term(field):
            value = str(fieldobj.from_bytes(btext))
            yield flags.get(value, value), ids

    def item_texts(self, field: str) -> np.ndarray:
        """Every item's value of a one-valued text field, "" where it has
        none (or is deleted): from the sort column if every segment keeps
        one, else from the postings."""
        return self._per_item(self.column_texts(field), self.values(field), "", str)

    def item_numbers(self, field: str) -> np.ndarray:
        """Every item's value of a one-valued numeric field, 0 where it has
        none (or is deleted): from the sort column if every segment keeps
        one, else from the postings."""
        column = self.column_numbers(field)
        return self._per_item(column, self.numbers(field), 0, np.int64)

    def _per_item(self, column, postings, missing, dtype) -> np.ndarray:
        """``column`` if it holds every item; else each item's value from
        ``postings`` ((value, item numbers), a generator read only then),
        ``missing`` for the others."""
        if column is not None and column.size == self.size():
            return column
        values = np.full(self.size(), missing, dtype=object)
        for value, docnums in postings:
            values[docnums] = value
        return values.astype(dtype)

    def column_texts(self, field: str) -> np.ndarray | None:
        """Every item's value of a sortable text field, "" where it has none
        (or is deleted); None if a segment keeps no column of the field.

        From the column Whoosh keeps for sorting, one value per item in a
        row: a date field has a term per meeting, thousands of short
        postings lists, which took ten times as long to read.
        """
        columns = self._columns(field, VarBytesColumn)
        if columns is None:
            return None
        parts = [_column_texts(column) for _, column in columns]
        values = np.array(list(chain.from_iterable(parts)), dtype=str)
        if values.size:
            values[self.deleted()] = ""
        return values

    def column_numbers(self, field: str) -> np.ndarray | None:
        """Every item's value of a sortable numeric field (0 where deleted),
        from Whoosh's sort column; None if a segment keeps no such column.

        The column holds each item's value as a fixed-width big-endian
        number in Whoosh's sortable form, one after another: read as one
        array, and each distinct value turned back by the field itself.
        """
        columns = self._columns(field, NumericColumn)
        if columns is None:
            return None
        parts = []
        for segment, column in columns:
            dtype = np.dtype(">" + column._typecode)
            if dtype.itemsize != column._fixedlen:
                return None
            raw = column._dbfile.get(column._basepos, column._count * dtype.itemsize)
            values = np.frombuffer(raw, dtype)
            missing = segment.doc_count_all() - values.size  # read as the default
            parts.append(
                np.concatenate((values, np.full(missing, column._default, dtype)))
            )
        raw = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        distinct, at = np.unique(raw, return_inverse=True)
        field_type = self._schema[field]
        numbers = np.array(
            [field_type.from_column_value(int(value)) for value in distinct.tolist()],
            dtype=np.int64,
        )[at.reshape(-1)]
        numbers[self.deleted()] = 0
        return numbers

    def _columns(self, field: str, kind: type) -> list[tuple] | None:
        """(segment, column reader) of every segment, for a field sorted by a
        column of ``kind``; None if the field has none or a segment lacks it.
        The readers are the segments' own, closed with them."""
        fieldobj = self._schema[field] if field in self._schema else None
        if fieldobj is None or not isinstance(fieldobj.column_type, kind):
            return None
        found = []
        for segment, _ in self._reader.leaf_readers():
            column = segment._perdoc._cached_reader(field, fieldobj.column_type)
            if column is None:
                return None
            found.append((segment, column))
        return found

    def numbers(self, field: str) -> Iterator[tuple[int, np.ndarray]]:
        """(number, item numbers) for every value of a numeric field."""
        fieldobj = self._schema[field]
        # Whoosh indexes a number at several precisions; the sortable terms
        # are the full ones. (A column reader would open a file nobody closes.)
        wanted = set(fieldobj.sortable_terms(self._reader, field))
        for btext, ids in self._every_term(field):
            if btext in wanted:
                yield fieldobj.from_bytes(btext), ids

    def _every_term(self, field: str) -> Iterator[tuple[bytes, np.ndarray]]:
        """Each term of a field, in order, with the live items holding it.

        The facet columns read every posting of their fields when a server
        starts (1.9 million at 10,000 meetings, in thousands of short lists:
        a date, a name). Each segment's terms are walked in order, each list
        read from the term's entry as it comes: no look-up per term, which
        Whoosh's ``lexicon`` and ``postings`` would make two of per segment,
        and no Python step per posting as in its ``all_ids``.
        """
        found: dict[bytes, list[np.ndarray]] = {}
        for segment, offset in self._reader.leaf_readers():
            if field not in segment.indexed_field_names():
                continue
            for btext, info in segment.iter_field(field, b""):
                matcher = _matcher(segment, field, btext, info)
                ids, _, _ = _segment_postings(matcher, positions=False)
                found.setdefault(btext, []).append(ids + offset)
        deleted = self.deleted()
        for btext in sorted(found):
            parts = found[btext]
            ids = parts[0] if len(parts) == 1 else np.concatenate(parts)
            yield btext, (ids[~np.isin(ids, deleted)] if deleted.size else ids)


def _holding(reader, field: str, btext: bytes):
    """(segment, offset, term info) of each segment whose terms hold the term."""
    for segment, offset in reader.leaf_readers():
        try:
            info = segment.term_info(field, btext)
        except TermNotFound:
            continue
        yield segment, offset, info


def _matcher(segment, field: str, btext: bytes, info):
    """The term's postings in one segment, from the term info already found.

    What the segment's own ``postings`` makes after looking the term up
    again; without its filter of deleted items, which the callers drop.
    """
    fmt = segment.schema[field].format
    return segment._codec.postings_reader(
        segment._terms._postfile, info, fmt, term=(field, btext)
    )


# --- Whoosh's block format ----------------------------------------------------------


def _leaf(matcher):
    """The postings matcher under the deletions filter, and whether its blocks
    are Whoosh's own format, which the readers here decode a block at a time."""
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    return matcher, isinstance(matcher, W3LeafMatcher) and not matcher._byteids


def _position_keys(docs: np.ndarray, flat: np.ndarray, counts: np.ndarray):
    """One key per position, item << 32 | position, from per-item position runs."""
    return (np.repeat(docs, counts) << POS_BITS) | flat


def _segment_postings(matcher, positions: bool):
    """A segment's postings: ids, weights, and (positions, count per id) or None.

    Read a block at a time from the block formats (the index's own array
    blocks, ``indexer.codec``, or Whoosh's pickled ones in older indexes),
    undoing their delta coding with arrays; deleted items are dropped by the
    caller. Any other matcher is read one posting at a time.
    """
    matcher, blockwise = _leaf(matcher)
    if not blockwise:
        return _one_by_one(matcher, positions)
    if isinstance(matcher, ArrayLeafMatcher):
        return _array_postings(matcher, positions)
    fmt = matcher.format
    id_blocks, weight_blocks, deltas = [], [], []
    while matcher.is_active():
        matcher._read_data()
        id_blocks.append(matcher._data[0])
        matcher._read_weights()
        weight_blocks.append(np.asarray(matcher._weights, dtype=np.float64))
        if positions:
            matcher._read_values()
            deltas.append(_block_deltas(matcher._values, fmt))
        matcher._next_block()
    ids, _ = _undelta(id_blocks)
    weights = np.concatenate(weight_blocks) if weight_blocks else np.zeros(0)
    return ids, weights, _joined_places(deltas) if positions else None


def _array_postings(matcher, positions: bool):
    """``_segment_postings`` of array-coded blocks: no Python object per posting."""
    gaps, sizes, weights, places = [], [], [], []
    while matcher.is_active():
        matcher._read_data()
        block = matcher._data
        gaps.append(block.id_gaps)
        sizes.append(block.id_gaps.size)
        ones = block.weights is None
        weights.append(np.ones(block.id_gaps.size) if ones else block.weights)
        if positions:
            places.append(_array_places(matcher, block))
        matcher._next_block()
    if not gaps:
        return _EMPTY, np.zeros(0), ((_EMPTY, _EMPTY) if positions else None)
    if len(gaps) == 1:  # most lists are one block: its gaps summed are its ids
        ids, weight = np.cumsum(gaps[0]), weights[0]
    else:
        ids, _ = _undelta_flat(np.concatenate(gaps), np.asarray(sizes, dtype=np.int64))
        weight = np.concatenate(weights)
    return ids, weight, _joined_places(places) if positions else None


def _array_places(matcher, block, keep=None) -> tuple[np.ndarray, np.ndarray]:
    """A block's position gaps laid end to end and the count per posting (of
    the postings ``keep`` marks, if given)."""
    if block.counts is None:  # not packed: through the format's decoders
        matcher._read_values()
        values = matcher._values
        if keep is not None:
            values = [v for v, k in zip(values, keep.tolist(), strict=True) if k]
        return _block_deltas(values, matcher.format)
    if keep is None:
        return block.gaps, block.counts
    return block.gaps[np.repeat(keep, block.counts)], block.counts[keep]


def _one_by_one(matcher, positions: bool):
    """``_segment_postings`` through Whoosh's matcher interface, posting by posting."""
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


def _candidate_positions(matcher, wanted: np.ndarray):
    """(ids, (positions, count per id)) of the postings whose id is wanted.

    Skips, unread, every block whose id range holds no wanted id.
    """
    matcher, blockwise = _leaf(matcher)
    if not blockwise:
        ids, _, (flat, counts) = _one_by_one(matcher, positions=True)
        keep = np.isin(ids, wanted)
        return ids[keep], (flat[np.repeat(keep, counts)], counts[keep])
    fmt, low = matcher.format, 0
    id_blocks, deltas = [], []
    while matcher.is_active():
        high = matcher._maxid
        start = np.searchsorted(wanted, low)
        if start < wanted.size and wanted[start] <= high:
            matcher._read_data()
            block = matcher._data
            arrays = isinstance(matcher, ArrayLeafMatcher)
            ids = np.cumsum(block.id_gaps) if arrays else _undelta([block[0]])[0]
            keep = np.isin(ids, wanted[start : np.searchsorted(wanted, high, "right")])
            if keep.any():
                id_blocks.append(ids[keep])
                if arrays:
                    deltas.append(_array_places(matcher, block, keep))
                else:
                    matcher._read_values()
                    chosen = [
                        v
                        for v, k in zip(matcher._values, keep.tolist(), strict=True)
                        if k
                    ]
                    deltas.append(_block_deltas(chosen, fmt))
        low = high + 1
        matcher._next_block()
    ids = np.concatenate(id_blocks) if id_blocks else _EMPTY
    return ids, _joined_places(deltas)


def _joined_places(blocks) -> tuple[np.ndarray, np.ndarray]:
    """Absolute positions and count per posting, from each block's deltas."""
    if not blocks:
        return _EMPTY, _EMPTY
    flat = np.concatenate([d for d, _ in blocks])
    counts = np.concatenate([c for _, c in blocks])
    return _undelta_flat(flat, counts)


def _lengths(groups) -> np.ndarray:
    return np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))


def _undelta(groups) -> tuple[np.ndarray, np.ndarray]:
    """Delta-coded groups (each starting from 0) to flat absolute values, and sizes."""
    counts = _lengths(groups)
    flat = np.fromiter(
        chain.from_iterable(groups), dtype=np.int64, count=int(counts.sum())
    )
    return _undelta_flat(flat, counts)


def _undelta_flat(flat: np.ndarray, counts: np.ndarray):
    """``_undelta`` of groups already laid end to end: values and group sizes."""
    sums = np.cumsum(flat)
    nonempty = counts > 0
    first = run_starts(counts)[nonempty]
    return sums - np.repeat(sums[first] - flat[first], counts[nonempty]), counts


def _block_deltas(encoded, fmt) -> tuple[np.ndarray, np.ndarray]:
    """A block's position deltas laid end to end, and how many each posting has.

    Packed positions (``indexer.positions``) are decoded for the whole block
    with array operations; Whoosh's pickled lists with one unpickling; anything
    else posting by posting through the format's own decoder.
    """
    if type(fmt) is PackedPositions:
        decoded = _packed_block(encoded)
        if decoded is not None:
            return decoded
        return _flat([deltas_of(v) for v in encoded])
    if type(fmt) is Positions:
        pickled = _pickled_block(encoded)
        if pickled is not None:
            return _flat(pickled)
    out = []
    for value in encoded:
        absolute = fmt.decode_positions(value)
        out.append([b - a for a, b in zip([0, *absolute], absolute, strict=False)])
    return _flat(out)


def _flat(groups) -> tuple[np.ndarray, np.ndarray]:
    counts = _lengths(groups)
    if not groups:
        return _EMPTY, counts
    return np.concatenate([np.asarray(g, dtype=np.int64) for g in groups]), counts


def _packed_block(encoded) -> tuple[np.ndarray, np.ndarray] | None:
    """A block of packed postings at once; None when any gap needed 32 bits."""
    if not encoded:
        return _EMPTY, _EMPTY
    runs = narrow_runs(encoded)
    if runs is None:
        return None
    counts, gaps = runs
    return gaps.view(NARROW).astype(np.int64), counts


def _pickled_block(encoded) -> list | None:
    """Whoosh's own position lists, with one unpickling instead of one each.

    Whoosh stores each posting's positions as a count and a pickled list of
    deltas. The pickles' bodies, joined between MARK and LIST, form one
    pickle of all the lists. None when anything is unexpected.
    """
    start = _INT_SIZE + len(_PROTOCOL_2)  # the count, then the pickle's header
    if not all(v[_INT_SIZE:start] == _PROTOCOL_2 for v in encoded):
        return None
    bodies = [v[start:-1] if v.endswith(b".") else v[start:] for v in encoded]
    try:
        deltas = loads(b"(" + b"".join(bodies) + b"l.")
    except Exception:  # noqa: BLE001 - any surprise means: decode one by one
        return None
    if (
        isinstance(deltas, list)
        and len(deltas) == len(encoded)
        and all(
            len(d) == unpack_uint(v[:_INT_SIZE])[0]
            for d, v in zip(deltas, encoded, strict=True)
        )
    ):
        return deltas
    return None


def _column_texts(column) -> list[str]:
    """A variable-length bytes column's values as text, in item order.

    Its values lie end to end, their lengths in an array after them: one
    read of the whole run, then slices (Whoosh's reader reads each value
    from the file by itself).
    """
    lengths = column._lengths
    data = column._dbfile.get(column._basepos, sum(lengths))
    ends = accumulate(lengths)
    return [
        data[end - size : end].decode("utf-8")
        for size, end in zip(lengths, ends, strict=True)
    ]


def _segment_lengths(segment, field: str) -> np.ndarray:
    """Every item's length in a field, as Whoosh's scorer sees it (byte-encoded)."""
    size = segment.doc_count_all()
    column = segment._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    codes = np.zeros(size, dtype=np.uint8)
    if column is not None:
        raw = column._dbfile.get(column._basepos, column._count)
        codes[: len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    return _LENGTH_OF_BYTE[codes]
