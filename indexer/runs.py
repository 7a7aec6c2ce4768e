"""Runs laid end to end in one array, and the indices that take some of them.

A term's postings keep their positions as one flat array, a run per posting;
a facet keeps each item's values as a run per item; a field's words give a
run of forms each. Taking chosen runs, in a chosen order, is then one gather
over these indices, not a Python step per run.
"""

from __future__ import annotations

import numpy as np


def run_starts(lengths: np.ndarray) -> np.ndarray:
    """Where each run begins, for runs of ``lengths`` laid end to end."""
    return np.cumsum(lengths) - lengths


def run_indices(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices of the runs that begin at ``starts`` and hold ``lengths``
    elements, run after run, each in order."""
    within = np.arange(int(lengths.sum())) - np.repeat(run_starts(lengths), lengths)
    return np.repeat(starts, lengths) + within
