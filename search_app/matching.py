"""From an engine query back to the words it matched in an item's text.

The service side of highlighting: finds the character spans of the query's
words (exact, stemmed, folded, or OCR-corrected) in the original text, and
of its phrases only where they stand as phrases. What the reader sees of
them, escaped and marked, is made by ``highlight``.
"""

from __future__ import annotations

import re
import sys
from array import array
from collections.abc import Callable
from functools import lru_cache

from whoosh import query as Q

from indexer.analysis import exact_forms, token_spans, word_forms
from indexer.folding import fold, fold_letters
from indexer.formtable import FormTable
from indexer.schema import BODY_FIELDS, TITLE_FIELDS

from .lru import LRU
from .vocabulary import NO_DEADLINE, Deadline, Span

# Words between looks at the deadline while finding spans: a word met for the
# first time is analysed (about 0.1 ms), and a look costs far less than one.
CHECK_EVERY = 128
FORMS_CACHE = 200_000  # words whose forms a process keeps, as word_forms does

WordForms = Callable[[str], dict[str, frozenset[str]]]


def forms_lookup(table: FormTable | None) -> WordForms:
    """``word_forms``, answered from the index's word-forms table where it can.

    The indexer wrote the forms of every word the index stores
    (``indexer.wordforms``), so a word met for the first time costs a binary
    search instead of its analysis (compound splitting: milliseconds). Words
    the table lacks (an index without one, a word it could not hold) are
    analysed as before. The same answers either way: the table is a cache.
    A record that cannot be read raises ``TableDamaged``, which the service
    reports as damage like any other index file's.
    """
    if table is None:
        return word_forms

    @lru_cache(maxsize=FORMS_CACHE)
    def forms(word: str) -> dict[str, frozenset[str]]:
        found = table.get(word)
        return word_forms(word) if found is None else found

    return forms


class _KeptTokens:
    """``token_spans`` as starts, ends and words, kept for the texts
    highlighted most recently, within a budget of tokens.

    The same items are shown again and again, and tokenizing is a third of
    finding a hit's spans. Kept compact: offsets in arrays, the words shared
    between texts (``sys.intern``), ~1 KB for a text of 40 words where the
    token tuples took ~5 KB. The budget counts tokens, and a share for each
    text, so that long texts (an item may hold 200,000 characters) and many
    short ones (attendees' names) are bounded alike.
    """

    TEXT_SHARE = 16  # tokens' worth of memory a kept text costs besides its own

    def __init__(self, budget: int) -> None:
        self._kept = LRU(budget)

    def __call__(self, text: str) -> tuple[array, array, tuple[str, ...]]:
        kept = self._kept.get(text)
        if kept is None:
            tokens = token_spans(text)
            kept = (
                array("I", [start for start, _, _ in tokens]),
                array("I", [end for _, end, _ in tokens]),
                tuple(sys.intern(word) for _, _, word in tokens),
            )
            self._kept.put(text, kept, len(tokens) + self.TEXT_SHARE)
        return kept


# ~24 bytes a token (two offsets, a word's reference) and the strings: ~8 MB
# a worker at most, some 4,000 texts of the length minutes' items have.
_tokenized = _KeptTokens(budget=250_000)


class TermMatcher:
    """Finds, in an item's original text, the words a query matched.

    The query's terms are per field (exact, stemmed, folded, folded in OCR'd
    items only); a word of the text matches when its form for that field is
    among them. OCR corrections made at index time count for the stemmed and
    folded forms. The words of a phrase are marked only where they stand as
    the phrase, never on their own.
    """

    def __init__(
        self,
        q,
        reader,
        deadline: Deadline = NO_DEADLINE,
        forms: WordForms = word_forms,
    ) -> None:
        self.deadline = deadline  # QueryTooSlow from spans() once it passes
        self._word_forms = forms  # a word's forms: see forms_lookup
        self.terms: dict[str, set[str]] = {
            "exact": set(),
            "stem": set(),
            "fold": set(),
            "ocr": set(),
        }
        self.phrases: list[tuple[str, tuple[str, ...], int]] = []
        # The words of a page repeat: each is matched, and analysed, once.
        # Keyed by the word, or (word, correction) where the item corrected it.
        self._seen: dict[bool, dict] = {False: {}, True: {}}
        self._analysed: dict[tuple[str, str | None], list[dict]] = {}
        for field, text in _positive_terms(q, reader):
            kind = _KINDS.get(field)
            if kind:
                self.terms[kind].add(_text(text))
        for field, words, slop in _positive_phrases(q):
            kind = _KINDS.get(field)
            if kind and words:
                self.phrases.append((kind, words, slop))
        # Only the kinds the query has terms of are compared; "ocr" in scans only.
        wanted = [(k, frozenset(t)) for k, t in self.terms.items() if t]
        self._kinds = {
            False: [(k, t) for k, t in wanted if k != "ocr"],
            True: wanted,
        }
        keys = {fold(t)[:2] for terms in self.terms.values() for t in terms}
        keys |= {fold(w)[:2] for _, words, _ in self.phrases for w in words}
        # One search over the folded word instead of one ``in`` per key.
        pattern = "|".join(map(re.escape, sorted(keys)))
        self._keys = re.compile(pattern) if keys else None

    def matches(
        self, word: str, correction: str | None = None, ocr: bool = False
    ) -> bool:
        """Whether the query matched ``word`` (as the item's OCR corrected it)."""
        seen = self._seen[ocr]
        key = word if correction is None else (word, correction)
        known = seen.get(key)
        if known is None:
            known = seen[key] = self._matches(word, correction, ocr)
        return known

    def _matches(self, word: str, correction: str | None, ocr: bool) -> bool:
        # The OCR-only fields' own forms count in scans only.
        kinds = self._kinds[ocr]
        return any(
            not forms[kind].isdisjoint(terms)
            for forms in self._forms(word, correction)
            for kind, terms in kinds
        )

    def _forms(self, word: str, correction: str | None) -> list[dict]:
        """The word's forms, and its correction's stemmed and folded forms."""
        key = (word, correction)
        known = self._analysed.get(key)
        if known is None:
            known = self._analysed[key] = self._analyse(word, correction)
        return known

    def _analyse(self, word: str, correction: str | None) -> list[dict]:
        out = []
        if correction and self._may_match(correction.lower()):
            fixed = dict(self._word_forms(correction.lower()))
            # A correction's marks are not the scan's: folded (marks_as_printed).
            fixed["ocr"] = self._word_forms(fold_letters(correction))["ocr"]
            out.append({**fixed, "exact": frozenset()})
        if self._may_match(word):
            out.append(self._word_forms(word))
        return out

    def _may_match(self, word: str) -> bool:
        """False when no form of the word can be a query term: skips its analysis.

        Every form the analysis makes (stem, lemma, compound part, folded) is
        a piece of the word with only its end changed, so a term's first two
        letters, folded, appear in the folded word.
        """
        return self._keys is not None and self._keys.search(_folded(word)) is not None

    def spans(
        self, text: str, corrections: dict[str, str], ocr: bool = False
    ) -> list[Span]:
        """The words of ``text`` the query matched; ``ocr``: the item is a scan."""
        if self._keys is None:
            return []
        self.deadline.check()
        starts, ends, words = _tokenized(text)
        tokens = list(zip(starts, ends, words, strict=True))
        # A text repeats its words: each distinct one is looked at once. Most
        # cannot be any query term (``_may_match``, here in one pass without
        # a call per word); a corrected word may be through its correction.
        search, folded = self._keys.search, _folded
        candidates = {
            word
            for word in set(words)
            if word in corrections or search(folded(word)) is not None
        }
        # Each candidate is matched (and analysed, the first time) with a look
        # at the deadline every CHECK_EVERY of them.
        hits = set()
        for n, word in enumerate(candidates):
            if n % CHECK_EVERY == 0:
                self.deadline.check()
            if self.matches(word, corrections.get(word), ocr):
                hits.add(word)
        marked = {(start, end) for start, end, word in tokens if word in hits}
        if self.phrases:
            marked |= self._phrase_spans(tokens, candidates, corrections, ocr)
        return sorted(marked)

    def _phrase_spans(self, tokens, candidates, corrections, ocr) -> set[Span]:
        """Where each phrase stands: its words in order, within its slop.

        Only the ``candidates`` have forms a phrase can hold; the other words
        stand between them, as positions without forms.
        """
        forms_of = {
            word: self._forms(word, corrections.get(word)) for word in candidates
        }
        # Most texts hold only some of a phrase's words: then it stands nowhere,
        # and no position is looked at. The text's forms of each kind, at once:
        present: dict[str, set[str]] = {}
        phrases = []
        for kind, phrase, slop in self.phrases:
            if kind == "ocr" and not ocr:
                continue
            if kind not in present:
                present[kind] = set().union(
                    *(f[kind] for forms in forms_of.values() for f in forms)
                )
            if present[kind].issuperset(phrase):
                phrases.append((kind, phrase, slop))
        if not phrases:
            return set()
        self.deadline.check()
        # Stop words hold no phrase position.
        words = [
            (start, end, forms_of.get(word, _NO_WORD))
            for start, end, word in tokens
            if exact_forms(word)
        ]
        # Per form, all of a position's forms in one set: built once per text,
        # shared by every phrase (a compound query brings two loose ones).
        places: dict[str, list[frozenset[str]]] = {}
        found: set[Span] = set()
        for kind, phrase, slop in phrases:
            if kind not in places:
                places[kind] = [_union(forms_, kind) for _, _, forms_ in words]
            sets = places[kind]
            # A position whose word carries every word of the phrase (a
            # compound and its parts) is not the phrase written apart.
            whole = frozenset(phrase) if len(set(phrase)) > 1 else None
            for first, here in enumerate(sets):
                if first % CHECK_EVERY == 0:
                    self.deadline.check()
                if phrase[0] in here:
                    run = _phrase_at(sets, first, phrase, slop, whole)
                    found.update((words[n][0], words[n][1]) for n in run)
        return found


_KINDS = {**BODY_FIELDS, **TITLE_FIELDS}
# The words of the hits shown repeat from query to query (Swedish is Zipfian).
_folded = lru_cache(maxsize=200_000)(fold)


_NO_FORMS: frozenset[str] = frozenset()
_NO_WORD: list[dict] = []  # the forms of a word that cannot be a query term


def _union(forms: list[dict], form: str) -> frozenset[str]:
    """One kind of a position's forms: its word's and its correction's.

    Mostly a word has no correction, and its own set serves as it is.
    """
    if len(forms) == 1:
        return forms[0][form]
    return frozenset().union(*(f[form] for f in forms)) if forms else _NO_FORMS


def _text(term) -> str:
    return term.decode() if isinstance(term, bytes) else term


def _phrase_at(sets, first: int, phrase, slop: int, whole=None) -> list[int]:
    """Positions of the phrase's words if it starts at ``first``, else [].

    ``whole``: the phrase's words; a position holding all of them is skipped.
    A compound is indexed with its parts at its own position, so
    "trygghetsvandringar" holds "trygghet" and "vandring": the loose phrase
    of the parts a compound query brings would otherwise mark the lone
    "trygghet" in "trygghet (EST) och trygghetsvandringar". The compound
    there is marked as itself. (The engine scores the phrase as Whoosh does;
    only what is marked is stricter.)
    """
    run, at = [], first
    for n, term in enumerate(phrase):
        limit = at + 1 if n == 0 else min(at + slop + 1, len(sets))
        hit = next(
            (
                i
                for i in range(at, limit)
                if term in sets[i] and (whole is None or not whole <= sets[i])
            ),
            None,
        )
        if hit is None:
            return []
        run.append(hit)
        at = hit + 1
    return run


def _positive_terms(q, reader):
    """Terms of the query that a matching item contains (not the NOT-ed ones).

    The words of phrases are left to ``_positive_phrases``.
    """
    if q is None or isinstance(q, (Q.Not, Q.Phrase)):
        return
    if isinstance(q, Q.AndNot):
        yield from _positive_terms(q.a, reader)
        return
    if q.is_leaf():
        yield from q.expanded_terms(reader, phrases=True)
        return
    for child in q.children():
        yield from _positive_terms(child, reader)


def _positive_phrases(q):
    """(field, words, slop) of every phrase of the query, not the NOT-ed ones."""
    if q is None or isinstance(q, Q.Not):
        return
    if isinstance(q, Q.Phrase):
        yield q.fieldname, tuple(_text(w) for w in q.words), max(q.slop, 1)
        return
    if isinstance(q, Q.AndNot):
        yield from _positive_phrases(q.a)
        return
    if not q.is_leaf():
        for child in q.children():
            yield from _positive_phrases(child)
