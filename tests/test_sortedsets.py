"""The sorted-array set operations against Python's own sets."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from search_app import sortedsets

values = st.lists(st.integers(0, 60), max_size=40)


def array(items) -> np.ndarray:
    return np.asarray(sorted(set(items)), dtype=np.int64)


@given(values)
def test_unique_sorts_and_drops_repeats(items):
    got = sortedsets.unique(np.asarray(items, dtype=np.int64))
    assert got.tolist() == sorted(set(items))


@given(values)
def test_unique_sorted_keeps_one_of_each_run(items):
    got = sortedsets.unique_sorted(np.asarray(sorted(items), dtype=np.int64))
    assert got.tolist() == sorted(set(items))


@given(values, values)
def test_common_is_the_intersection(a, b):
    got = sortedsets.common(array(a), array(b))
    assert got.tolist() == sorted(set(a) & set(b))


@given(values, values, st.integers(0, 6))
def test_followers_stand_one_to_slop_places_after_an_end(ends, keys, slop):
    """Both ways of searching (fewer keys, fewer ends) give the same answer."""
    gaps = range(1, max(slop, 1) + 1)
    expected = sorted({k for k in keys if any(k - g in set(ends) for g in gaps)})
    got = sortedsets.followers(array(ends), array(keys), slop)
    assert got.tolist() == expected
