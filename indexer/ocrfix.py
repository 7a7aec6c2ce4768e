"""OCR tolerance: correction towards a lexicon, and the damage queries expect.

Scanned Swedish loses its diacritics in predictable ways: å and ä come out as
"a", "d" or "ad" ("Umed", "hdllbart"), ö as "6", "é" or "o" ("l6ften"),
a capital l as I ("Idngsiktigt"), m as "rn". Folding (:mod:`.folding`)
handles what can be undone without knowing the word (diacritics, digits inside
words); the rest is undone by trying the known confusions on a damaged token
until it becomes a word of the lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .folding import fold, fold_letters
from .lexicon import Lexicon, base_lexicon
from .model import Document, Item
from .morphology import is_swedish_word

# Confusions in folded space: what OCR wrote -> what it may have meant.
_CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("d", "a"), ("d", "o"), ("i", "l"), ("l", "i"), ("e", "o"), ("e", "a"),
    ("ei", "a"), ("ae", "a"), ("i", "a"), ("ad", "a"), ("c", "e"), ("rn", "m"),
    ("m", "rn"), ("ii", "u"), ("o", "a"), ("cl", "d"),
)  # fmt: skip
MAX_EDITS = 2
# A word spelt without diacritics is read as lost diacritics only when the
# word with them is this much commoner (Zipf): "vald" 4.0 stays next to "våld" 4.8.
DIACRITIC_MARGIN = 1.0
_TOKEN = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=200_000)
def _candidates(folded: str, edits: int) -> frozenset[str]:
    """Every string reachable from ``folded`` by up to ``edits`` confusions."""
    found = {folded}
    frontier = {folded}
    for _ in range(edits):
        step = set()
        for form in frontier:
            for wrong, right in _CONFUSIONS:
                step.update(_substitutions(form, wrong, right))
        frontier = step - found
        found |= step
    return frozenset(found)


def damage_variants(folded: str) -> frozenset[str]:
    """How OCR may have misread a folded word, one confusion away ("ungdom" ->
    "ungdorn"): what a clean query should also look for in uncorrected scans."""
    found = set()
    for wrong, right in _CONFUSIONS:
        found.update(_substitutions(folded, right, wrong))
    found.discard(folded)
    return frozenset(found)


def _substitutions(form: str, old: str, new: str):
    """``form`` with one occurrence of ``old`` replaced by ``new``, for each one."""
    start = form.find(old)
    while start != -1:
        yield form[:start] + new + form[start + len(old) :]
        start = form.find(old, start + 1)


def correct_token(token: str, lexicon: Lexicon) -> str | None:
    """The lexicon word a damaged token most likely was, or None.

    A token the lexicon already knows is left alone, so clean words are never
    "corrected" into other words: "läget" stays "läget", although "laget"
    folds the same, and "gäng" stays "gäng". The exception is a word far
    rarer than the same letters with å, ä or ö ("malbild", "fran"): in a
    scan, that is the word whose diacritics were lost. Short tokens are too
    ambiguous to repair.
    """
    if len(token) < 4 or not any(ch.isalpha() for ch in token):
        return None
    lower, folded = token.lower(), fold(token)
    best = lexicon.best_for_folded(folded)
    if lexicon.frequency(lower):
        lost = (
            lower == folded
            and best is not None
            and lexicon.frequency(best) >= lexicon.frequency(lower) + DIACRITIC_MARGIN
        )
        return best if lost else None
    if best is not None:
        return best if best != lower else None
    if is_swedish_word(lower):
        return None  # a compound of known words ("lägesbilden"), read as printed
    best, best_score = None, 0.0
    for form in _candidates(folded, MAX_EDITS):
        word = lexicon.best_for_folded(form)
        if word is not None:
            score = lexicon.frequency(word)
            if score > best_score:
                best, best_score = word, score
    return best


def correct_text(text: str, lexicon: Lexicon) -> tuple[str, dict[str, str]]:
    """The text with damaged words replaced, and the replacements made.

    Replacing whole words keeps the token count, hence positions, so phrase
    queries work on the corrected copy. The map (lowercased original to
    correction) lets highlighting mark the original characters.
    """
    corrections: dict[str, str] = {}
    cache: dict[str, str | None] = {}

    def repair(match: re.Match) -> str:
        word = match.group(0)
        key = word.lower()
        if key not in cache:
            cache[key] = correct_token(word, lexicon)
        fixed = cache[key]
        if fixed is None:
            return word
        corrections[key] = fixed
        return fixed

    return _TOKEN.sub(repair, text), corrections


def marks_as_printed(text: str, corrections: dict[str, str]) -> str:
    """The corrected text with only the diacritics of words the scan read well.

    For the OCR-only fields, which keep a word's marks when the scan printed
    it as a word ("läget" is not "lag") and fold the rest. A corrected word
    is folded: the scan misread it, so its marks are no evidence ("Umea" ->
    "umeå", "drogférebyggande"), and folded it still meets the other
    unmarked words of the scan in a phrase ("Umea brotts- och ... rad").
    """

    def repair(match: re.Match) -> str:
        word = match.group(0)
        fixed = corrections.get(word.lower())
        return word if fixed is None else fold_letters(fixed)

    return _TOKEN.sub(repair, text)


def clean_words(docs: Iterable[Document]) -> set[str]:
    """The words of the clean (not OCR) documents: the corpus' own vocabulary."""
    clean = (
        "\n".join([i.title, i.text, *i.presenters, *d.present, *d.absent])
        for d in docs
        if not d.ocr
        for i in d.items
    )
    # Each distinct token once: a document repeats most of its words.
    tokens = {token for text in clean for token in _TOKEN.findall(text)}
    return {w for w in map(str.lower, tokens) if w.isalpha() and len(w) > 1}


def correction_lexicon(scanned: bool, corpus_words: set[str]) -> Lexicon | None:
    """The lexicon OCR'd documents are corrected towards; None if none is OCR'd.

    Building it costs seconds, so a run without scans (``scanned`` False)
    skips it.
    """
    if not scanned:
        return None
    return base_lexicon().with_corpus_words(corpus_words)


@dataclass
class CorrectedItem:
    """An item's words as the lexicon reads them, for the folded fields."""

    title: str
    body: str
    people: str
    corrections: dict[str, str]  # lowercased original -> correction


def correct_item(item: Item, lexicon: Lexicon | None) -> CorrectedItem:
    """An OCR'd item corrected towards the lexicon; any other item as it is."""
    people = " ".join(item.presenters)
    if not item.ocr or lexicon is None:
        return CorrectedItem(item.title, item.text, people, {})
    body, corrections = correct_text(item.text, lexicon)
    title, title_fixes = correct_text(item.title, lexicon)
    corrections.update(title_fixes)
    people, _ = correct_text(people, lexicon)  # "Michacl Rystcdt"
    return CorrectedItem(title, body, people, corrections)
