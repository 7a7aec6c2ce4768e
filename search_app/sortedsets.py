"""Set operations on sorted integer arrays: item numbers and position keys.

The array engine keeps every list sorted and without repeats, so these work
by binary search over one list, costing the shorter list's length, never a
hash table or a fresh sort of what is already in order (``np.unique`` on
integers hashes them first, which for a common word's position keys costs
more than the whole phrase it was part of).
"""

from __future__ import annotations

import numpy as np


def unique(a: np.ndarray) -> np.ndarray:
    """The values of ``a``, sorted, each once (cheap when ``a`` is in order)."""
    if a.size > 1 and bool((a[1:] < a[:-1]).any()):
        a = np.sort(a)
    return unique_sorted(a)


def unique_sorted(a: np.ndarray) -> np.ndarray:
    """The values of sorted ``a``, each once."""
    if a.size < 2:
        return a
    keep = np.empty(a.size, dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Values of sorted unique ``a`` that are in sorted ``b``, without re-sorting."""
    if not a.size or not b.size:
        return a[:0]
    at = np.minimum(np.searchsorted(b, a), b.size - 1)
    return a[b[at] == a]


def followers(ends: np.ndarray, keys: np.ndarray, slop: int) -> np.ndarray:
    """The ``keys`` that stand 1 to ``slop`` places after one of the ``ends``.

    Both sorted and unique, and so is the answer. One binary search over the
    shorter side: each key looks for an end in [key - slop, key - 1] when
    the keys are fewer, each end looks for a key at each gap otherwise.
    """
    if not ends.size or not keys.size:
        return keys[:0]
    slop = max(slop, 1)
    if slop == 1:
        return common(ends + 1, keys)
    if keys.size <= ends.size * slop:
        at = np.minimum(np.searchsorted(ends, keys - slop), ends.size - 1)
        nearest = ends[at]
        return keys[(nearest >= keys - slop) & (nearest < keys)]
    return unique(
        np.concatenate([common(ends + gap, keys) for gap in range(1, slop + 1)])
    )
