"""Swedish word structure beyond Snowball: compound parts and missed inflections.

Swedish writes compounds as one word (*narkotikabeslag*,
*trygghetsvandringar*), joining the parts with a linking letter (*brott-s-*,
*kvinn-o-*, *gat-u-*) or dropping the first part's final vowel (*skol-barn*).
Splitting them against the lexicon lets *narkotika* find *narkotikabeslag*.

Snowball leaves some inflections apart from their base form: the definite
*-an* of -a nouns (*narkotikan*), the genitive *-s* after a plural
(*ungdomars*), the neuter definite *-et*/*-ret* (*löftet*, *brottsoffret*),
the plural participle *-na* (*motorburna*), Latin *-ium*/*-ier*. Each rule
fires only where the lexicon knows the form it leads to, so ordinary words
(*sedan*, *organ*, *lugna*) are left alone.

Everything is looked up by folded form, so the same rules apply to text
with and without diacritics.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import snowballstemmer

from .folding import fold_letters
from .lexicon import Lexicon, base_lexicon

MIN_COMPOUND = 7  # shorter words are rarely compounds worth splitting
MAX_COMPOUND = 40  # longer "words" are noise; splitting them costs O(n²)
MIN_PART_ZIPF = 2.5  # parts must be real, reasonably common words
MAX_WHOLE_ZIPF = 4.0  # very common words ("polisen") are not split ("pol" + "isen")
KNOWN_ZIPF = 2.0
SHORT_PART_ZIPF = 4.5  # three-letter parts only when very common ("död", "lag")
PART_PENALTY = 0.75  # a three-part split must be that much better than a two-part one
WHOLE_MARGIN = 0.3  # a known word splits only if its parts are this much more common
_VOWELS = set("aeiouyåäö")
_LOCAL = threading.local()  # Snowball stemmers keep state: one per thread


def _snowball(word: str) -> str:
    stemmer = getattr(_LOCAL, "stemmer", None)
    if stemmer is None:
        stemmer = _LOCAL.stemmer = snowballstemmer.stemmer("swedish")
    return stemmer.stemWord(word)


def _lexicon() -> Lexicon:
    return base_lexicon()


@lru_cache(maxsize=500_000)
def _zipf(word: str) -> float:
    """Frequency of a word, looked up by its folded form."""
    lexicon = _lexicon()
    best = lexicon.best_for_folded(fold_letters(word))
    return lexicon.frequency(best) if best else 0.0


def _modifier_bases(modifier: str) -> list[str]:
    """Dictionary forms a compound's first part may stand for."""
    bases = [modifier]
    if modifier.endswith("s") and len(modifier) > 3:
        bases.append(modifier[:-1])  # brott-s-
    if modifier[-1:] in ("o", "u", "e") and len(modifier) > 3:
        bases.append(modifier[:-1] + "a")  # kvinn-o-, gat-u-, flick-e-
    if modifier[-1:] not in _VOWELS:
        bases += [modifier + "a", modifier + "e"]  # skol(a)-, medborgar(e)-
    return bases


@lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, ...]:
    """The parts of a compound, modifier parts in dictionary form; () if none.

    Each part must be a common word; a split into more parts must earn it
    (PART_PENALTY per extra part), and a word the lexicon knows is split
    only when its parts are clearly more common than it is, so inflected
    forms like *ungdomarnas* are not cut into *ung* + *domarnas*.
    """
    if not MIN_COMPOUND <= len(word) <= MAX_COMPOUND or not word.isalpha():
        return ()
    whole = _zipf(word)
    if whole >= MAX_WHOLE_ZIPF:
        return ()
    best_score, best = whole + WHOLE_MARGIN if whole else 0.0, ()
    for cut in range(3, len(word) - 3):
        for parts in _splits_at(word, cut):
            if any(len(p) == 3 and _zipf(p) < SHORT_PART_ZIPF for p in parts):
                continue  # "Ersboda" is not "ers" + "boda"
            score = min(_zipf(p) for p in parts) - PART_PENALTY * (len(parts) - 2)
            if score >= MIN_PART_ZIPF and score > best_score:
                best_score, best = score, parts
    return best


def _splits_at(word: str, cut: int):
    head = word[cut:]
    heads = [(head,)] if _zipf(head) >= MIN_PART_ZIPF else []
    if not heads and split_compound(head):
        heads = [split_compound(head)]
    for base in _modifier_bases(word[:cut]):
        if len(base) >= 3:
            for head_parts in heads:
                yield (base, *head_parts)


@lru_cache(maxsize=500_000)
def is_known(word: str) -> bool:
    """A word of the lexicon, or a compound of such words."""
    return _zipf(word) >= KNOWN_ZIPF or bool(split_compound(word))


def _lemma_once(word: str) -> str:
    if not 5 <= len(word) <= MAX_COMPOUND:
        return word
    if word.endswith("an") and is_known(word[:-1]) and _zipf(word[:-1]) >= _zipf(word):
        return word[:-1]  # narkotikan -> narkotika
    if word.endswith("ret") and word[-4] not in _VOWELS and is_known(word[:-3] + "er"):
        return word[:-3] + "er"  # brottsoffret -> brottsoffer
    if word.endswith("et") and is_known(word[:-1]):
        return word[:-1]  # medborgarlöftet -> medborgarlöfte
    if word.endswith("na") and word[-3] not in _VOWELS and is_known(word[:-2] + "en"):
        return word[:-2] + "en"  # motorburna -> motorburen
    if (
        word.endswith("s")
        and not word.endswith("ss")
        and is_known(word[:-1])
        and _zipf(word[:-1]) >= _zipf(word)  # a genitive is rarer than its base
    ):
        return word[:-1]  # ungdomars -> ungdomar, umeås -> umeå
    return word


@lru_cache(maxsize=200_000)
def lemma_stem(word: str) -> str:
    """Snowball's stem of the word, after undoing the inflections it misses."""
    base = _lemma_once(word)
    if base != word:
        base = _lemma_once(base)  # medborgarlöftets -> ...löftet -> ...löfte
    stem = _snowball(base)
    if stem.endswith(("ium", "eum")):
        stem = stem[:-2]  # seminarium ~ seminarier
    return stem
