"""From an engine query back to the words it matched in an item's text.

The service side of highlighting: finds the character spans of the query's
words (exact, stemmed, folded, or OCR-corrected) in the original text. What
the reader sees of them, escaped and marked, is made by ``highlight``.
"""

from __future__ import annotations

from whoosh import query as Q

from indexer.analysis import token_spans, word_forms
from indexer.folding import fold
from indexer.schema import BODY_FIELDS, TITLE_FIELDS

from .vocabulary import Span


class TermMatcher:
    """Finds, in an item's original text, the words a query matched.

    The query's terms are per field (exact, stemmed, folded); a word of the
    text matches when its form for that field is among them. OCR corrections
    made at index time count for the folded form.
    """

    def __init__(self, q, reader) -> None:
        kinds = {**BODY_FIELDS, **TITLE_FIELDS}
        self.terms: dict[str, set[str]] = {"exact": set(), "stem": set(), "fold": set()}
        # The words of a page repeat: each is matched once.
        self._seen: dict[tuple[str, str | None], bool] = {}
        for field, text in _positive_terms(q, reader):
            kind = kinds.get(field)
            if kind:
                self.terms[kind].add(text.decode() if isinstance(text, bytes) else text)
        self._keys = {fold(t)[:2] for terms in self.terms.values() for t in terms}

    def matches(self, word: str, correction: str | None = None) -> bool:
        known = self._seen.get((word, correction))
        if known is None:
            known = self._seen[(word, correction)] = self._matches(word, correction)
        return known

    def _matches(self, word: str, correction: str | None) -> bool:
        corrected = correction.lower() if correction else None
        if corrected and self._may_match(corrected):
            if word_forms(corrected)["fold"] & self.terms["fold"]:
                return True
        if not self._may_match(word):
            return False
        forms = word_forms(word)
        return any(forms[kind] & self.terms[kind] for kind in self.terms)

    def _may_match(self, word: str) -> bool:
        """False when no form of the word can be a query term: skips its analysis.

        Every form the analysis makes (stem, lemma, compound part, folded) is
        a piece of the word with only its end changed, so a term's first two
        letters, folded, appear in the folded word.
        """
        folded = fold(word)
        return any(key in folded for key in self._keys)

    def spans(self, text: str, corrections: dict[str, str]) -> list[Span]:
        if not any(self.terms.values()):
            return []
        return [
            (start, end)
            for start, end, word in token_spans(text)
            if self.matches(word, corrections.get(word))
        ]


def _positive_terms(q, reader):
    """Terms of the query that a matching item contains (not the NOT-ed ones)."""
    if q is None or isinstance(q, Q.Not):
        return
    if isinstance(q, Q.AndNot):
        yield from _positive_terms(q.a, reader)
        return
    if q.is_leaf():
        yield from q.expanded_terms(reader, phrases=True)
        return
    for child in q.children():
        yield from _positive_terms(child, reader)
