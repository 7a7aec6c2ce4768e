"""Whoosh query objects to the array engine's plain query tree.

The parser (``query``) builds Whoosh queries; the array engine (``scoring``)
evaluates a small tree of plain nodes. This module maps one onto the other
and keeps Whoosh's combination rules that are about the query's shape (an
``Or`` or ``And`` of one subquery is that subquery, boost and all). A shape
without an array rule is run by Whoosh's own searcher here and handed over
as scored item numbers, so every query still works.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from whoosh import query as Q


class Term(NamedTuple):
    field: str
    text: object
    boost: float


class AnyOf(NamedTuple):
    """Matches what any subquery matches; scores summed."""

    subs: tuple
    boost: float


class AllOf(NamedTuple):
    """Matches what every subquery matches (none if there are none); scores summed."""

    subs: tuple
    boost: float


class NoneOf(NamedTuple):
    """Every live item the subquery does not match, each scored 1.0."""

    sub: object


class Phrase(NamedTuple):
    field: str
    words: tuple
    slop: int
    boost: float


class Every(NamedTuple):
    """Every live item, scored its boost."""

    boost: float


class Nothing(NamedTuple):
    pass


class Scored(NamedTuple):
    """Items already matched and scored elsewhere: item numbers and scores."""

    docs: np.ndarray
    scores: np.ndarray


def plan(q, searcher):
    """The engine's tree for a parsed query; ``searcher`` runs the odd shapes."""
    if q is Q.NullQuery:
        return Nothing()
    kind = type(q)
    if kind is Q.Term:
        return Term(q.fieldname, q.text, q.boost)
    if kind in (Q.Or, Q.And):
        if len(q.subqueries) == 1:  # Whoosh skips the compound's boost here too
            return plan(q.subqueries[0], searcher)
        subs = tuple(plan(sub, searcher) for sub in q.subqueries)
        return (AnyOf if kind is Q.Or else AllOf)(subs, q.boost)
    if kind is Q.Not:
        return NoneOf(plan(q.query, searcher))
    if kind is Q.Phrase:
        return Phrase(q.fieldname, tuple(q.words), q.slop, q.boost)
    if kind is Q.Every:
        return Every(float(q.boost))
    return _by_whoosh(q, searcher)


def _by_whoosh(q, searcher) -> Scored:
    """A query shape without an array rule: let Whoosh score it, keep the arrays."""
    top = searcher.search(q, limit=None).top_n
    docs = np.fromiter((docnum for _, docnum in top), dtype=np.int64, count=len(top))
    scores = np.fromiter((score for score, _ in top), dtype=np.float64, count=len(top))
    return Scored(docs, scores)
