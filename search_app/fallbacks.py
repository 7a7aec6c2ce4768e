"""What else a query word may have meant: OCR misreadings and near spellings.

Two uses of the same index lookups: lower-weighted fallback terms added to a
parsed query (a scan may hold "ungdorn" for "ungdom"), and the "Menade du …?"
spelling of a query's unknown words. When that spelling replaces the query
and when it is only offered is the service's one policy (``search``); this
module only finds it, and names every word it adds so the page can say so.
"""

from __future__ import annotations

import re
from collections import Counter

from whoosh import query as Q
from whoosh.support.levenshtein import levenshtein

from indexer.ocrfix import damage_variants

from .vocabulary import NO_DEADLINE

FUZZY_FIELDS = ("body_fold", "body_ocr")  # OCR fallbacks look in the folded fields
FUZZY_MIN_CHARS = 7  # shorter words have too many neighbours to guess at
FUZZY_BOOST = 0.3  # below every exact, stemmed and folded match
CONFUSION_MIN_CHARS = 6
FALLBACK_MAX_CHARS = 30  # no real word is longer; automata on longer ones are slow
CONFUSION_BOOST = 0.5
MAX_VARIANTS = 8  # per query word: bounds the work a long query can cause


def with_fallbacks(q, reader, added: list | None = None, deadline=NO_DEADLINE):
    """Add, per query word, its OCR misreadings and near spellings found in the index.

    A scan the indexer could not correct may still hold "ungdorn" for
    "ungdom": the confusion variants that occur in the index are added at a
    lower weight. A word the index does not hold at all ("trygghetsvandringr")
    also gets its neighbours at edit distance 1, lower still. Both are
    bounded, so a long query cannot expand without limit. Each word added
    goes into ``added`` as (kind, typed word, added word), kind "ocr" or "near".
    """
    seen: set = set()

    def note(kind: str, text: str, terms: list) -> None:
        for term in terms:
            key = (kind, text, term.text)
            if added is not None and key not in seen:
                seen.add(key)
                added.append(key)

    def expand(node):
        if not isinstance(node, Q.Term) or node.fieldname not in FUZZY_FIELDS:
            return node
        deadline.check()  # each word may walk the index's words near it
        if getattr(node, "truncated", False):
            return node  # a truncation's words are indexed words, not misreadings
        field = node.fieldname
        text = node.text.decode() if isinstance(node.text, bytes) else node.text
        if len(text) > FALLBACK_MAX_CHARS:
            return node
        extra = _confusions(reader, field, text, node.boost)
        note("ocr", text, extra)
        if len(text) >= FUZZY_MIN_CHARS and (field, text) not in reader:
            near = terms_within(reader, field, text, 1, prefix=2)
            nearby = [Q.Term(field, w, boost=node.boost * FUZZY_BOOST)
                      for w in list(near)[:MAX_VARIANTS]]  # fmt: skip
            note("near", text, nearby)
            extra += nearby
        return Q.Or([node, *extra]) if extra else node

    return q.accept(expand)


def _confusions(reader, field: str, text: str, boost: float) -> list:
    if len(text) < CONFUSION_MIN_CHARS:
        return []
    found = [v for v in sorted(damage_variants(text)) if (field, v) in reader]
    return [
        Q.Term(field, v, boost=boost * CONFUSION_BOOST) for v in found[:MAX_VARIANTS]
    ]


def terms_within(reader, field: str, text: str, maxdist: int, prefix: int):
    """Indexed words within ``maxdist`` edits of ``text`` sharing its first letters.

    Whoosh answers this with an automaton on a one-segment index but, on an
    index of several segments, computes the edit distance of every word with
    the prefix (with transpositions, unlike the automaton). Here it is one
    rule whatever the segments: plain edits, as the automaton counts them,
    and a word whose length differs by more than ``maxdist`` is passed over
    before any distance is computed.
    """
    fieldobj = reader.schema[field]
    for btext in reader.expand_prefix(field, text[:prefix]):
        word = fieldobj.from_bytes(btext)
        if abs(len(word) - len(text)) <= maxdist and within(word, text, maxdist):
            yield word


def within(word: str, text: str, maxdist: int) -> bool:
    """``levenshtein(word, text) <= maxdist``, answered cheaply where it can be.

    One edit is checked in one pass; for more, the letters that one word has
    and the other lacks (a lower bound of the distance) rule most words out
    before the full table is computed.
    """
    if word == text:
        return True
    if maxdist == 1:
        return _one_edit(word, text)
    ours, theirs = Counter(word), Counter(text)
    if max((ours - theirs).total(), (theirs - ours).total()) > maxdist:
        return False
    return levenshtein(word, text, maxdist) <= maxdist


def _one_edit(a: str, b: str) -> bool:
    """Exactly one letter missing, extra or wrong (``a != b``)."""
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(long) - len(short) != 1:
        return False
    pairs = enumerate(zip(short, long, strict=False))
    at = next((i for i, (x, y) in pairs if x != y), len(short))
    return long[at + 1 :] == short[at:]


# --- suggestions ---------------------------------------------------------------

_WORD = re.compile(r"\w+(?![\w*?])")  # a truncation's stem is no misspelling


def suggest(text: str, reader, field: str = "body", deadline=NO_DEADLINE) -> str | None:
    """ "Menade du …?": the query with unknown words replaced by the corpus' nearest.

    Only words the index does not hold are replaced, each by the most common
    indexed word within edit distance 1 (2 for long words).
    """
    changed = False

    def nearest(match: re.Match) -> str:
        nonlocal changed
        word = match.group(0)
        lower = word.lower()
        too_long = len(lower) > FALLBACK_MAX_CHARS
        if len(lower) < 4 or too_long or lower.isdigit() or (field, lower) in reader:
            return word
        deadline.check()  # each unknown word walks the indexed words near it
        maxdist = 2 if len(lower) >= 8 else 1
        near = list(terms_within(reader, field, lower, maxdist, prefix=1))
        if not near:
            return word
        changed = True
        return max(near, key=lambda w: reader.doc_frequency(field, w))

    suggestion = _WORD.sub(nearest, text)
    return suggestion if changed else None
