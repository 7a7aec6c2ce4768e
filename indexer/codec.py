"""How postings blocks are written: Whoosh's W3 layout with array-coded blocks.

Whoosh's W3 codec pickles each block of postings as three tuples (the id
gaps, the weights, the encoded values) and compresses the pickle with zlib at
level 3. Reading a block then means creating a Python object per posting
(about 70 µs a block of 1,024), and a pickled float takes 9 bytes. At 10,000
meetings the postings took 110 MB, and unpickling was the largest single cost
of a query that reads a term for the first time.

``ArrayCodec`` keeps everything else of W3 (the terms file, each block's
header with its id range and weight bounds, inlined single postings, stored
fields, columns) and writes a block's data as little-endian arrays of the
narrowest width that holds them, compressed at zlib level 1:

    byte 0       layout (1)
    byte 1       bytes per id gap: 1, 2 or 4
    byte 2       weights: 0 all 1.0, 1 or 2 bytes per whole number, 8 float64
    byte 3       values: 0 Whoosh's own (pickled), 1 packed positions
    bytes 4-7    the block's first id
    id gaps      n of them, the first 0 (so a block's width is its gaps')
    weights      n of them, unless all 1.0
    values       kind 1: a byte (1, 2 or 4), n position counts of that width,
                 then every posting's 16-bit position gaps laid end to end
                 (``indexer.positions``); kind 0: the pickled W3 values

Narrow arrays of small numbers compress well: the postings of the benchmark
index shrink about fourfold, and a block decodes with a few numpy calls
instead of an unpickling. Whoosh's matcher interface still works (its searcher
and the tests use it): the matcher here turns a block back into Python ids,
weights and encoded values when asked. The server's array reader
(``search_app.whoosh_postings``) takes the arrays as they are.

Stored in each segment's metadata by class path, like ``indexer.positions``:
renaming this module or its classes makes indexes written with them
unreadable (SCHEMA_VERSION forces a rebuild anyway).
"""

from __future__ import annotations

import mmap
import struct
import zlib
from array import array
from pickle import dumps, loads
from typing import NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PostingsWriter,
    W3TermsReader,
)
from whoosh.filedb.structfile import StructFile
from whoosh.matching import ListMatcher
from whoosh.system import pack_uint
from whoosh.util.numeric import length_to_byte

from .positions import NARROW, PackedPositions, narrow_runs, position_values
from .runs import run_starts
from .termpool import TermPostings

LAYOUT = 1
LEVEL = 1  # zlib: level 1 compresses narrow arrays nearly as well as 9, far faster
_HEAD = struct.Struct("<4BI")
_WIDTHS: dict[int, np.dtype] = {
    1: np.dtype("<u1"),
    2: np.dtype("<u2"),
    4: np.dtype("<u4"),
}
_FLOAT = np.dtype("<f8")
WHOOSH_VALUES, PACKED_VALUES = 0, 1
ONES, FLOATS = 0, 8


class Block(NamedTuple):
    """One decoded block: arrays, no Python object per posting.

    ``counts`` and ``gaps`` (each posting's position count, and all position
    gaps laid end to end) when the values are packed positions; otherwise
    ``values`` holds W3's own minified values (a tuple of bytes, joined
    fixed-size bytes, or None).
    """

    id_gaps: np.ndarray  # int64; the first from 0
    weights: np.ndarray | None  # float64; None when every weight is 1.0
    counts: np.ndarray | None
    gaps: np.ndarray | None
    values: object = None


class ArrayCodec(W3Codec):
    """W3, with postings blocks written and read as arrays (see module)."""

    def field_writer(self, storage, segment):
        return ArrayFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return ArrayPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def terms_reader(self, storage, segment):
        """W3's terms reader, over the terms file mapped into memory.

        A term named by a query is looked up in every segment's terms file
        (is it there, in how many items, where are its postings), and each
        look-up is a hash probe of several small reads: through a file
        object a seek and a read each, tens of µs a look-up; from the mapped
        file a slice each. The near-spelling fallbacks, which walk the terms
        in order, gain the same way. Mapped, not read: the pages are the
        page cache's, shared by every worker and every searcher.
        """
        tiname = segment.make_filename(self.TERMS_EXT)
        tilen = storage.file_length(tiname)
        tifile = _mapped(storage.open_file(tiname))
        postfile = segment.open_file(storage, self.POSTS_EXT)
        return W3TermsReader(self, tifile, tilen, postfile)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():  # a single posting, kept in the terms file
            ids, weights, values = terminfo.inlined_postings()
            return ListMatcher(
                ids, weights, values, format_, scorer=scorer, term=term,
                terminfo=terminfo,
            )  # fmt: skip
        offset, length = terminfo.extent()
        return ArrayLeafMatcher(
            dbfile, offset, length, format_, term=term, scorer=scorer
        )


class MappedFile(StructFile):
    """A read-only file mapped into memory, for Whoosh's readers.

    ``get`` (what hash and index look-ups use) is a slice of the mapping,
    with no read position shared between threads.
    Index files are written once and never changed in place (a generation
    is replaced whole); one truncated by hand under a running server would
    fault the process that reads past its new end, which the server's
    per-request check of the files' sizes (``search_app.integrity``) is
    there to catch first, as for the word-forms table.
    """

    def get(self, position, length):
        return self.file[position : position + length]


def _mapped(source: StructFile) -> StructFile:
    """``source`` as a MappedFile when it is a real file that can be mapped."""
    if not source.is_real:  # already in memory (RamStorage)
        return source
    try:
        mapped = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # empty, or a file system without mmap
        return source
    name = str(source)
    source.close()
    return MappedFile(mapped, name=name)


class ArrayFieldWriter(W3FieldWriter):
    """W3's field writer that also takes a whole term's postings at once."""

    def add_term(self, btext: bytes, postings: TermPostings, lengths) -> None:
        """Write one term: its postings (``indexer.termpool``) and each one's
        item field length, as arrays."""
        self.start_term(btext)
        self._postwriter.write_term(postings, lengths)
        self.finish_term()


class ArrayPostingsWriter(W3PostingsWriter):
    """W3's postings writer with the block data as arrays (term vectors, keyed
    by bytes, keep W3's).

    ``write_term`` fills a block's buffers from a term's arrays a block at a
    time, where W3 takes one posting per call; the block written is the same
    as W3's calls would make. A position field's block keeps its positions as
    arrays (``_positions``) until it is encoded, never as a value per posting.
    """

    _positions: tuple[np.ndarray, np.ndarray] | None = None  # counts, positions

    _small: bytes | None = None  # a small term's packed positions (``_small_term``)

    def _new_block(self):
        super()._new_block()
        self._positions = None
        self._small = None

    def write_term(self, postings: TermPostings, lengths: np.ndarray) -> None:
        """All of a term's postings, between ``start_postings`` and
        ``finish_postings`` (which writes, or inlines, the last block)."""
        ids = postings.ids
        n = len(ids)
        if (
            n <= SMALL_TERM
            and self._inlinelimit <= n
            and self._small_term(postings, lengths)
        ):
            return
        ends = None if postings.counts is None else np.cumsum(postings.counts)
        for start in range(0, n, self._blocklimit):
            if start:  # the block before is full
                self._write_block()
            end = min(n, start + self._blocklimit)
            self._ids = _array("I", ids[start:end].astype(np.uint32))
            weights = postings.weights[start:end]
            self._weights = _array("f", weights.astype(np.float32))
            self._maxweight = max(0, float(weights.max()))
            block_lengths = lengths[start:end]
            nonzero = block_lengths[block_lengths > 0]
            self._minlength = int(nonzero.min()) if nonzero.size else None
            self._maxlength = int(block_lengths.max())
            if ends is None:
                assert postings.values is not None
                self._values = [v for v in postings.values[start:end] if v]
                continue
            assert postings.counts is not None and postings.positions is not None
            first = int(ends[start] - postings.counts[start])
            counts = postings.counts[start:end]
            self._positions = (counts, postings.positions[first : int(ends[end - 1])])
            if n < self._inlinelimit:  # inlined: W3 keeps the values themselves
                self._values = position_values(self._format, *self._positions)

    def _small_term(self, postings: TermPostings, lengths: np.ndarray) -> bool:
        """``write_term`` for a term of a few postings (most terms: half occur
        once), in plain Python: for arrays this short, numpy's cost per call
        is most of the work. The block is the same (``tests/test_writer.py``
        compares the files); False, having changed nothing, when the
        positions need W3's own layout (a gap wider than 16 bits)."""
        ids = postings.ids.tolist()
        packed = None
        if postings.counts is not None:
            assert postings.positions is not None
            counts = postings.counts.tolist()
            gaps = _position_gaps(counts, postings.positions.tolist())
            if gaps and max(gaps) > 0xFFFF:
                return False
            width, count_bytes = _narrowest_list(counts)
            packed = bytes([width]) + count_bytes + _pack_list(2, gaps)
        else:
            assert postings.values is not None
            self._values = [v for v in postings.values if v]
        self._ids = array("I", ids)
        weights = postings.weights.tolist()
        self._weights = array("f", weights)
        self._maxweight = max(0, max(weights))
        block_lengths = lengths.tolist()
        self._minlength = min((n for n in block_lengths if n > 0), default=None)
        self._maxlength = max(block_lengths)
        self._small = packed
        return True

    def _encoded_positions(self) -> bytes | None:
        """The block's packed positions from its arrays: the bytes ``_packed``
        makes of the same postings' values. None when a gap needs 32 bits
        (then the values are made, for W3's own layout)."""
        assert self._positions is not None
        counts, positions = self._positions
        gaps = _gaps(positions, 0)
        starts = run_starts(counts)[counts > 0]
        gaps[starts] = positions[starts]
        if gaps.size and int(gaps.max()) > 0xFFFF:
            self._values = position_values(self._format, counts, positions)
            return None
        width, count_bytes = _narrowest(counts)
        return bytes([width]) + count_bytes + gaps.astype(NARROW).tobytes()

    def _write_block(self, last=False):
        if self._byteids:
            return super()._write_block(last)
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = zlib.compress(self._encoded(), LEVEL)
        ids = self._ids
        info = dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                LEVEL,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
        length = len(info) + len(data)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()

    def _encoded(self) -> bytes:
        ids = self._ids
        if len(ids) <= SMALL_TERM:  # plain Python: see _small_term
            id_gaps = [0] + [b - a for a, b in zip(ids, ids[1:], strict=False)]
            id_width, id_bytes = _narrowest_list(id_gaps)
            weight_kind, weight_bytes = _weights_list(self._weights.tolist())
        else:
            array_ids = np.asarray(ids, dtype=np.int64)
            id_width, id_bytes = _narrowest(_gaps(array_ids, ids[0]))
            weights = np.asarray(self._weights, dtype=_FLOAT)
            weight_kind, weight_bytes = _weights(weights)
        packed: bytes | None
        if self._small is not None:  # made already, for a small term
            packed = self._small
        elif self._positions is not None:
            packed = self._encoded_positions()
        else:
            packed = _packed(self._values, len(ids), self._format)
        if packed is None:
            value_kind, value_bytes = WHOOSH_VALUES, dumps(self._mini_values(), 2)
        else:
            value_kind, value_bytes = PACKED_VALUES, packed
        head = _HEAD.pack(LAYOUT, id_width, weight_kind, value_kind, ids[0])
        return b"".join((head, id_bytes, weight_bytes, value_bytes))


class ArrayLeafMatcher(W3LeafMatcher):
    """W3's block matcher over array-coded blocks.

    ``_data`` holds the current block's ``Block``; Whoosh's ids, weights and
    values are made from it only when Whoosh's interface asks for them.
    """

    def _read_data(self):
        size = self._nextoffset - self._dataoffset
        raw = self._postfile.get(self._dataoffset, size)
        self._data = decode_block(zlib.decompress(raw), self._blocklength)

    def _read_ids(self):
        if self._data is None:
            self._read_data()
        self._ids = tuple(np.cumsum(self._data.id_gaps).tolist())

    def _read_weights(self):
        if self._data is None:
            self._read_data()
        weights = self._data.weights
        n = self._blocklength
        self._weights = [1.0] * n if weights is None else weights.tolist()

    def _read_values(self):
        if self._data is None:
            self._read_data()
        block = self._data
        if block.counts is None or block.gaps is None:
            self._values = _whoosh_values(block.values, self._fixedsize, self)
            return
        self._values = packed_values(block.counts, block.gaps)


def decode_block(data: bytes, n: int) -> Block:
    """A block's arrays from its (decompressed) data; ``n`` postings."""
    layout, id_width, weight_kind, value_kind, first = _HEAD.unpack_from(data)
    if layout != LAYOUT:
        raise ValueError(f"unknown postings block layout {layout}")
    at = _HEAD.size
    id_gaps = np.frombuffer(data, _WIDTHS[id_width], n, at).astype(np.int64)
    id_gaps[0] = first
    at += n * id_width
    weights = None
    if weight_kind != ONES:
        dtype = _FLOAT if weight_kind == FLOATS else _WIDTHS[weight_kind]
        weights = np.frombuffer(data, dtype, n, at).astype(np.float64)
        at += n * dtype.itemsize
    if value_kind == WHOOSH_VALUES:
        return Block(id_gaps, weights, None, None, loads(data[at:]))
    count_width = data[at]
    counts = np.frombuffer(data, _WIDTHS[count_width], n, at + 1).astype(np.int64)
    at += 1 + n * count_width
    gaps = np.frombuffer(data, NARROW, int(counts.sum()), at).astype(np.int64)
    return Block(id_gaps, weights, counts, gaps)


def packed_values(counts: np.ndarray, gaps: np.ndarray) -> list[bytes]:
    """Each posting's ``PackedPositions`` value, from a block's arrays."""
    ends = np.cumsum(counts).tolist()
    starts = [0, *ends[:-1]]
    body = gaps.astype(NARROW).tobytes()
    return [
        pack_uint(end - start) + body[2 * start : 2 * end]
        for start, end in zip(starts, ends, strict=True)
    ]


def _gaps(values: np.ndarray, before) -> np.ndarray:
    """Each value's distance from the one before it (the first's from
    ``before``): ``np.diff`` with ``prepend``, without its per-call overhead,
    which a block of a few postings feels."""
    gaps = np.empty_like(values)
    if values.size:
        gaps[0] = values[0] - before
        np.subtract(values[1:], values[:-1], out=gaps[1:])
    return gaps


def _narrowest(values: np.ndarray) -> tuple[int, bytes]:
    """The width (1, 2 or 4 bytes) that holds every (non-negative) value, and
    the values at that width."""
    top = int(values.max()) if values.size else 0
    width = 1 if top < 1 << 8 else 2 if top < 1 << 16 else 4
    return width, values.astype(_WIDTHS[width]).tobytes()


def _weights(weights: np.ndarray) -> tuple[int, bytes]:
    """All ones: nothing; whole numbers: the narrowest width; else float64
    (what W3 pickles, so scores do not move)."""
    if (weights == 1.0).all():
        return ONES, b""
    whole = (weights == np.floor(weights)).all() and weights.min() >= 0
    if whole and weights.max() < 1 << 16:
        width, raw = _narrowest(weights.astype(np.int64))
        return width, raw
    return FLOATS, weights.tobytes()


def _packed(values: list, n: int, fmt) -> bytes | None:
    """Packed positions as counts and one run of 16-bit gaps; None when the
    values are not all packed positions of 16-bit gaps."""
    if type(fmt) is not PackedPositions or len(values) != n or not n:
        return None
    runs = narrow_runs(values)
    if runs is None:
        return None  # a gap needed 32 bits: W3's own values for this block
    counts, gaps = runs
    width, count_bytes = _narrowest(counts)
    return bytes([width]) + count_bytes + gaps.tobytes()


# Terms of at most this many postings are encoded in plain Python, not numpy.
SMALL_TERM = 8
_PACK_CODES = {1: "B", 2: "H", 4: "I"}


def _position_gaps(counts: list[int], positions: list[int]) -> list[int]:
    """``_encoded_positions``' gaps for lists: within a posting each
    position's distance from the one before, the first one as it is."""
    gaps: list[int] = []
    at = 0
    for count in counts:
        before = 0
        for position in positions[at : at + count]:
            gaps.append(position - before)
            before = position
        at += count
    return gaps


def _narrowest_list(values: list[int]) -> tuple[int, bytes]:
    """``_narrowest`` for a list."""
    top = max(values, default=0)
    width = 1 if top < 1 << 8 else 2 if top < 1 << 16 else 4
    return width, _pack_list(width, values)


def _pack_list(width: int, values: list[int]) -> bytes:
    """Little-endian unsigned integers of ``width`` bytes."""
    return struct.pack(f"<{len(values)}{_PACK_CODES[width]}", *values)


def _weights_list(weights: list[float]) -> tuple[int, bytes]:
    """``_weights`` for a list."""
    if all(w == 1.0 for w in weights):
        return ONES, b""
    if all(w >= 0 and w.is_integer() for w in weights) and max(weights) < 1 << 16:
        return _narrowest_list([int(w) for w in weights])
    return FLOATS, struct.pack(f"<{len(weights)}d", *weights)


def _array(code: str, values: np.ndarray) -> array:
    """A Python array of ``code`` holding a numpy array of the same item size."""
    out = array(code)
    out.frombytes(values.tobytes())
    return out


def _whoosh_values(minified, fixedsize, matcher) -> object:
    """W3's own de-minifying of a block's values (``W3LeafMatcher._read_values``)."""
    if fixedsize is None or fixedsize < 0:
        return minified
    if fixedsize == 0:
        return (None,) * matcher._blocklength
    return tuple(
        minified[i : i + fixedsize] for i in range(0, len(minified), fixedsize)
    )
