"""OCR tolerance: folding, damage detection and correction towards a lexicon.

Scanned Swedish loses its diacritics in predictable ways: å and ä come out as
"a", "d" or "ad" ("Umed", "hdllbart"), ö as "6", "é" or "o" ("l6ften"),
a capital l as I ("Idngsiktigt"), m as "rn". Folding handles what can be
undone without knowing the word (diacritics, digits inside words); the rest
is undone by trying the known confusions on a damaged token until it becomes
a word of the lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from .lexicon import Lexicon

_FOLD = str.maketrans(
    {
        "å": "a", "ä": "a", "á": "a", "à": "a", "â": "a", "æ": "a",
        "ö": "o", "ø": "o", "ó": "o", "ò": "o", "ô": "o",
        "é": "e", "è": "e", "ê": "e", "ë": "e", "ü": "u", "ú": "u", "í": "i",
    }
)  # fmt: skip
# Digits read for letters inside words: "medborgarl6ften", "0mråde", "1ägesbild".
_DIGIT_AS_LETTER = str.maketrans({"6": "o", "0": "o", "1": "l", "5": "s", "8": "b"})

# Confusions in folded space: what OCR wrote -> what it may have meant.
_CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("d", "a"), ("d", "o"), ("i", "l"), ("l", "i"), ("e", "o"), ("e", "a"),
    ("ei", "a"), ("ae", "a"), ("i", "a"), ("ad", "a"), ("c", "e"), ("rn", "m"),
    ("m", "rn"), ("ii", "u"), ("o", "a"), ("cl", "d"),
)  # fmt: skip
MAX_EDITS = 2
UNKNOWN_OCR_RATIO = 0.08  # clean seeds: at most 0.04; damaged text: 0.12 and up
MISREAD_RATIO = 0.02  # clean texts: 0.00; a scan with 7% of words damaged: 0.04
MIN_MISREAD = 3
_DIACRITICS = set("åäöÅÄÖ")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def fold_letters(word: str) -> str:
    """Lowercase and fold diacritics of a word known to hold only letters."""
    return word.lower().translate(_FOLD)


def fold(word: str) -> str:
    """Lowercase and fold diacritics and digit-for-letter OCR errors."""
    word = word.lower().translate(_FOLD)
    if any(ch.isdigit() for ch in word) and any(ch.isalpha() for ch in word):
        word = word.translate(_DIGIT_AS_LETTER)
    return word


def looks_like_ocr(text: str) -> bool:
    """Whether a text reads like OCR output, so its words are worth correcting.

    Two signs: Swedish prose has å, ä or ö in roughly one letter of thirty,
    and scans that lost them have almost none or write é and digits in their
    place; and clean prose has few words the lexicon does not know (names
    aside), while OCR damage makes one word in ten or more unknown.
    """
    letters = sum(ch.isalpha() for ch in text)
    if letters < 300:
        return False
    native = sum(ch in _DIACRITICS for ch in text) / letters
    damaged = text.count("é") + len(re.findall(r"[a-zåäö][0-9][a-zåäö]", text))
    if native < 0.01 or damaged / letters > 0.004:
        return True
    if unknown_ratio(text) > UNKNOWN_OCR_RATIO:
        return True
    return misread_ratio(text) > MISREAD_RATIO


def misread_ratio(text: str) -> float:
    """Share of lowercase words (4+ letters) that are known words misread.

    A word that is no word but becomes one through a typical OCR confusion
    ("Iagen", "rnötet", "uppfdljning") is the mark of a scan; clean text,
    whose unknown words are names and rare terms, has next to none, even
    where a good scan damaged only one word in fifteen.
    """
    from .lexicon import base_lexicon
    from .morphology import is_swedish_word

    words = [w for w in _TOKEN.findall(text) if len(w) >= 4 and w.isalpha()]
    words = [w for w in words if w[0].islower()]
    if len(words) < 40:
        return 0.0
    lexicon = base_lexicon()
    misread = [
        w for w in words if not is_swedish_word(w) and correct_token(w, lexicon)
    ]
    return len(misread) / len(words) if len(misread) >= MIN_MISREAD else 0.0


def unknown_ratio(text: str) -> float:
    """Share of lowercase words (4+ letters) that are neither words nor compounds."""
    from .morphology import is_known  # morphology builds on this module

    words = [w for w in _TOKEN.findall(text) if len(w) >= 4 and w.isalpha()]
    words = [w for w in words if w[0].islower()]  # names are not in the lexicon
    if len(words) < 40:
        return 0.0
    return sum(not is_known(w) for w in words) / len(words)


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
    "corrected" into other words. Short tokens are too ambiguous to repair.
    """
    if len(token) < 4 or not any(ch.isalpha() for ch in token):
        return None
    folded = fold(token)
    if lexicon.knows_folded(folded):
        return lexicon.best_for_folded(folded) if token.lower() != folded else None
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


def trusted_words(texts: Iterable[str]) -> Iterable[str]:
    """Words of clean (not OCR) text, to teach the lexicon the corpus' own terms."""
    for text in texts:
        yield from (m.group(0).lower() for m in _TOKEN.finditer(text))
