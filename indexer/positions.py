"""How a posting's word positions are written: packed integers, not a pickle.

Whoosh's ``Positions`` format writes each posting's positions as a count and a
pickled list of deltas. Unpickling those lists was the largest single cost of
a phrase read for the first time (every compound query is also a proximity
query of its parts), and the pickle framing costs about 8 bytes a posting.
``PackedPositions`` writes the same count followed by the deltas as
little-endian unsigned 16-bit integers, or 32-bit ones when a gap does not fit;
the value's length tells the width, so there is no flag. The server's array
reader (``search_app.whoosh_postings``) decodes a whole block with numpy; the
methods here are Whoosh's own interface, which its searcher and tests use.

Stored in the index's schema by class path: renaming this module or class
makes old indexes unreadable (SCHEMA_VERSION forces a rebuild anyway).
"""

from __future__ import annotations

import struct

import numpy as np
from whoosh.formats import Positions
from whoosh.system import _INT_SIZE, pack_uint, unpack_uint

from .runs import run_starts

HEADER = _INT_SIZE  # the position count Whoosh's own decoders read first
NARROW, WIDE = np.dtype("<u2"), np.dtype("<u4")
_BIG_ENDIAN = np.array([1 << 24, 1 << 16, 1 << 8, 1], dtype=np.int64)  # pack_uint


class PackedPositions(Positions):
    """Positions as a count and packed deltas; otherwise Whoosh's ``Positions``."""

    def encode(self, poslist) -> bytes:
        """The count, then each position's distance from the one before."""
        deltas = [b - a for a, b in zip([0, *poslist], poslist, strict=False)]
        code = "H" if not deltas or max(deltas) <= 0xFFFF else "I"
        return pack_uint(len(deltas)) + struct.pack(f"<{len(deltas)}{code}", *deltas)

    def decode_positions(self, valuestring: bytes) -> list[int]:
        """The absolute positions of one posting."""
        return np.cumsum(deltas_of(valuestring), dtype=np.int64).tolist()


def deltas_of(valuestring: bytes) -> np.ndarray:
    """One posting's position deltas; the width follows from the count."""
    count = unpack_uint(valuestring[:HEADER])[0]
    if not count:
        return np.zeros(0, dtype=np.int64)
    width = NARROW if len(valuestring) - HEADER == 2 * count else WIDE
    return np.frombuffer(valuestring, dtype=width, offset=HEADER, count=count)


def narrow_runs(values: list[bytes]) -> tuple[np.ndarray, np.ndarray] | None:
    """Several postings' packed values at once: each one's position count,
    and all their 16-bit deltas as one run of bytes; None when any gap needed
    32 bits. (The array reader decodes a block this way, the writer copies
    a term's values this way; ``deltas_of`` is one posting's.)"""
    sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    raw = np.frombuffer(b"".join(values), dtype=np.uint8)
    header = run_starts(sizes)[:, None] + np.arange(HEADER)
    counts = raw[header].astype(np.int64) @ _BIG_ENDIAN  # Whoosh's pack_uint
    if not np.array_equal(sizes - HEADER, 2 * counts):
        return None
    body = np.ones(raw.size, dtype=bool)
    body[header.ravel()] = False
    return counts, raw[body]


def position_values(fmt, counts: np.ndarray, positions: np.ndarray) -> list[bytes]:
    """Each posting's value as ``fmt`` encodes it, from a term's arrays: each
    posting's position count, and all positions laid end to end."""
    ends = np.cumsum(counts).tolist()
    flat = positions.tolist()
    return [
        fmt.encode(flat[e - c : e]) for c, e in zip(counts.tolist(), ends, strict=True)
    ]
