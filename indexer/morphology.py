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

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache

import snowballstemmer

from .folding import fold_letters
from .lexicon import Lexicon, base_lexicon

MIN_COMPOUND = 7  # shorter words are rarely compounds worth splitting
MAX_COMPOUND = 40  # longer "words" are noise; splitting them costs O(n²)
MIN_PART_ZIPF = 2.5  # parts must be real, reasonably common words
MAX_WHOLE_ZIPF = 4.3  # common words ("polisen", "förrän") are not split
KNOWN_ZIPF = 2.0
DIACRITIC_MARGIN = 1.0  # "vald" (4.0) is a word of its own next to "våld" (4.8)
SHORT_PART_ZIPF = 3.3  # three-letter parts only when common ("rån", "dåd", "lag")
PART_PENALTY = 1.0  # each further level of nesting must earn its place
COMMON_PART_ZIPF = 6.0  # parts this common are function words ("ingen", "när")
STEM_PENALTY = 0.5
WHOLE_MARGIN = 0.3  # a known word splits only if its parts are this much more common
_VOWELS = set("aeiouyåäö")
# Suffixes and prefixes that are also words: "samordnaren" is not "sam" + "ordna"
# + "ren", "sjukdomar" not "sjuk" + "domar". They are never compound parts.
# Function words and inflections are not parts either: "bostadsinbrott" is not
# "bostad" + "sin" + "brott", "målades" not "måla" + "des".
_BOUND = frozenset(
    {"ren", "are", "aren", "het", "heten", "ing", "ingen", "ning", "dom", "domen",
     "domar", "skap", "else", "sam", "lig", "ande", "ende", "tion",
     "sin", "sitt", "sina", "min", "mitt", "din", "ditt", "hans", "hon", "han",
     "man", "kan", "ska", "var", "vid", "dem", "den", "det", "att", "som", "och",
     "från", "till", "över", "under", "efter", "eller", "inte", "hade", "har",
     "des", "ade", "ades", "ats", "ens", "ets", "ers", "arna", "erna", "orna",
     "med", "mot", "för", "på", "av", "om", "ut", "än", "ner", "san", "före",
     "inför", "genom", "bland", "mellan", "utan"}
)  # fmt: skip
# Particles and prefixes that begin verbs and the nouns made of them:
# "uppföljning" is no compound of "upp" and "följning", nor "samordning" of
# "same" and "ordning", whatever the word list says of either.
_PARTICLES = frozenset(
    {"upp", "ut", "in", "av", "an", "på", "till", "över", "under", "fram", "bort",
     "mot", "med", "om", "genom", "efter", "sam", "samman", "be", "för", "ur",
     "åter", "ner", "bak", "vid", "kring", "runt", "fast", "ihop", "undan",
     "förbi", "emot", "tillbaka", "itu", "iväg", "isär", "när", "ned", "sönder"}
)  # fmt: skip
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


@lru_cache(maxsize=500_000)
def _word_zipf(word: str) -> float:
    """Frequency of the word exactly as spelt: "lag" is not "läg"."""
    return _lexicon().frequency(word)


Split = tuple[str, str, str]  # modifier as written, its dictionary form, head
KnownSplits = Callable[[str], Split | None]  # KeyError: not known in advance


class _Known:
    """Where compound splits worked out in advance are looked up, if anywhere.

    The indexer writes the split of every word an index holds into its
    word-forms table (``indexer.wordforms``); a server registers the table it
    reads, and a query's words are then looked up there instead of split
    (milliseconds per word not met before). One per process, not per index:
    a split depends only on the word, the code and the word list, which the
    table's key pins, so any table this code can open answers alike.

    The indexer's file reader, which splits words to tell a scan from typed
    text, records the splits it works out (``splits_worked_out``) and sends
    them with each document to the word learner, which looks them up.
    """

    lookup: KnownSplits | None = None
    worked_out: dict[str, Split | None] | None = None  # recording, when a dict


def use_known_splits(lookup: KnownSplits | None) -> None:
    """Answer ``compound_split`` from ``lookup`` where it knows the word.

    ``lookup`` raises KeyError for a word it does not hold; any other failure
    (a table closed or damaged meanwhile) also means the word is worked out,
    the damage being the integrity check's to report. None: nothing known.
    """
    _Known.lookup = lookup


@contextmanager
def splits_worked_out() -> Iterator[dict[str, Split | None]]:
    """Records meanwhile every word whose compound split was worked out (not
    looked up, nor remembered from before), with its split."""
    previous, _Known.worked_out = _Known.worked_out, {}
    try:
        yield _Known.worked_out
    finally:
        _Known.worked_out = previous


@lru_cache(maxsize=200_000)
def compound_split(word: str) -> Split | None:
    """The best split of a compound into modifier and head, or None.

    An inflected word is split as its stem, the ending going back on the
    head: *lägesbilden* is *läges* + *bilden*, while *beskära* (a form of
    *beskär*) and *startas* are no compounds at all, whatever *besk* + *ära*
    and *star* + *tas* look like.
    """
    lookup = _Known.lookup
    if lookup is not None and _splittable(word):
        try:
            return lookup(word)
        except Exception:  # noqa: BLE001, S110 - not known: worked out below
            pass
    split = worked_out_split(word)
    if _Known.worked_out is not None:
        _Known.worked_out[word] = split
    return split


def _splittable(word: str) -> bool:
    """Long enough and letters only; nor is a shorter word's stem, which is
    shorter still and keeps any non-letter."""
    return len(word) >= MIN_COMPOUND and word.isalpha()


def worked_out_split(word: str) -> Split | None:
    """``compound_split`` by the lexicon, never looked up (what a table holds)."""
    if not _splittable(word):
        return None
    singular = plural_base(word)
    if singular is not None:  # ledamöter is ledamot, not leda + möter
        return _plural_split(word, singular)
    stem = _snowball(word)
    if stem == word or not word.startswith(stem):
        return _split(word, "")
    ending = word[len(stem) :]
    split = _split(stem, ending)
    if split is None:
        return None
    modifier, base, head = split
    return modifier, base, head + ending


def _plural_split(word: str, singular: str) -> tuple[str, str, str] | None:
    """compound_split of a plural, as its singular splits: *storstäderna* is
    *stor* + *städerna*, as *storstad* is *stor* + *stad*, even where the word
    list knows *storstad* too well to split it on its own."""
    split = compound_split(singular)
    if split is not None:
        return split[0], split[1], word[len(split[0]) :]
    for cut in range(2, len(singular) - 2):
        if singular[cut:] in _UMLAUT_SINGULARS:
            modifier = singular[:cut]
            chosen = _modifier(modifier)
            if chosen is not None and chosen[1] >= MIN_PART_ZIPF:
                return modifier, chosen[0], word[cut:]
    return None


@lru_cache(maxsize=200_000)
def _split(word: str, ending: str) -> tuple[str, str, str] | None:
    """compound_split of a stem whose word ends in ``ending``.

    Heads are judged as they are written, with the ending: *anteckningar*
    is a far commoner word than the stem *anteckning*.

    Returns (modifier as written, its dictionary form, head): *brottsoffret*
    is ("brotts", "brott", "offret"). Swedish compounds are right-headed, so
    one binary split at a time finds the structure; either side may itself
    be a compound (*trygghetsvandrings* + *rapporten*). Words are looked up
    exactly as spelt, so *lägesbild* is *läge* + *bild*, never *lag* +
    *bild*; a word the lexicon knows well is not split (*förrän*, *vardagen*),
    nor one whose parts are not clearly more common than it is.
    """
    if not MIN_COMPOUND <= len(word) <= MAX_COMPOUND or not word.isalpha():
        return None
    whole = max(_word_zipf(word), _word_zipf(word + ending))
    if whole >= MAX_WHOLE_ZIPF:
        return None
    if _particle_word(word, ending):
        return None
    known = whole + WHOLE_MARGIN if whole else 0.0
    best_score, best = 0.0, None
    for cut in range(3, len(word) - (1 if ending else 2)):
        head, modifier = word[cut:], word[:cut]
        chosen = _modifier(modifier)
        if chosen is None:
            continue
        # A split scores no more than its modifier: when that is too rare or
        # no better than the best so far, the head (whose score may mean
        # splitting it in turn) need not be scored at all.
        base, base_score = chosen
        if base_score < MIN_PART_ZIPF or base_score <= best_score:
            continue
        # As written with its ending; the bare stem ("beslag" of "beslagen")
        # counts for a little less, it is often another word ("bygg").
        head_score = max(_part_score(head + ending), _part_score(head) - STEM_PENALTY)
        # A known word splits when its parts are clearly commoner than it, or
        # when it names an action done to a thing (see _action_score).
        action = 0.0
        if whole and modifier in (base, base + "s"):
            action = _action_score(base, head + ending)
        score = min(max(head_score, action), base_score)
        if score < MIN_PART_ZIPF or score <= best_score:
            continue
        if score > known or action:
            best_score, best = score, (modifier, base, head)
    return best


@lru_cache(maxsize=500_000)
def _modifier(modifier: str) -> tuple[str, float] | None:
    """A modifier's likeliest dictionary form (*trygghet*, not *trygghets*)
    and its score; None for a particle, which is never a part.

    Remembered: every cut of a word tries a prefix of it as the modifier,
    and so does every cut of each of those prefixes split in turn, so the
    same prefixes come back many times for each word.
    """
    base = max(_modifier_bases(modifier), key=_part_score)
    if not _PARTICLES.isdisjoint((modifier, base)):
        return None
    return base, _part_score(base)


def _particle_word(word: str, ending: str) -> bool:
    """Whether a word is a verb particle plus a word: *försvårar*, *uppdrag*.

    Those are derivations, not compounds of two things, and splitting them
    elsewhere (*förs* + *vårar*) only makes nonsense.
    """
    for cut in range(3, min(len(word) - 2, 8)):
        rest = word[cut:]
        if word[:cut] in _PARTICLES and (
            max(_word_zipf(rest + ending), _word_zipf(rest)) >= KNOWN_ZIPF
        ):
            return True
    return False


def _action_score(base: str, head: str) -> float:
    """How good a head is as an action done to the modifier; 0 if it is none.

    *skott* + *lossning*, *lag* + *stiftningen*: a common word and a noun
    made from a verb (*lossa*, *stifta*). Such compounds are split even when
    the word list knows them well, which otherwise keeps a known word whole
    (*ordförande* is not *ord* + *förande*). The head scores as its verb,
    less a little: the list has the verb far more often than the noun.
    """
    if _word_zipf(base) < SHORT_PART_ZIPF:
        return 0.0
    verb = _verb_noun(head)
    return _word_zipf(verb) - STEM_PENALTY if verb else 0.0


@lru_cache(maxsize=500_000)
def _part_score(part: str) -> float:
    """How good a compound part is: its frequency, or its own parts' (nested)."""
    if len(part) < 3 or part in _BOUND:
        return 0.0
    zipf = _word_zipf(part)
    if zipf >= COMMON_PART_ZIPF:
        return 0.0  # function words are not parts: "hotellnär|ingen"
    if len(part) == 3 and zipf < SHORT_PART_ZIPF:
        return 0.0  # "Ersboda" is not "ers" + "boda"
    if zipf < MIN_PART_ZIPF and len(part) >= MIN_COMPOUND:
        inner = compound_split(part)
        if inner is not None:
            return min(_part_score(inner[1]), _part_score(inner[2])) - PART_PENALTY
    return zipf


_VERB_NOUN = re.compile(r"(?<=...)n?ing(en|ens|ar|ars|arna|arnas)?$")


def _verb_noun(word: str) -> str | None:
    """The verb a noun in *-ning*/*-ing* is made from, if it is a word.

    *lossning* is *lossa*, *stiftningen* *stifta*, *föring* *föra*: the
    verb's stem plus *-a*. None for any other word.
    """
    match = _VERB_NOUN.search(word)
    if match is None:
        return None
    verb = word[: match.start()] + "a"
    return verb if _word_zipf(verb) >= MIN_PART_ZIPF else None


def _atoms(word: str) -> list[tuple[str, str]]:
    """The smallest parts of a word: (as written, dictionary form) each."""
    split = compound_split(word)
    if split is None:
        return [(word, word)]
    modifier, base, head = split
    left = _atoms(base)
    written = "".join(a[0] for a in left[:-1])
    left[-1] = (modifier[len(written) :], left[-1][1])  # keep the linking letter
    return left + _atoms(head)


@lru_cache(maxsize=200_000)
def split_compound(word: str) -> tuple[str, ...]:
    """Every part of a compound at every level, in dictionary form; () if none.

    *trygghetsvandringsrapporten* gives *trygghet*, *vandring*, *rapporten*
    and the inner compounds *trygghetsvandring* and *vandringsrapporten*.
    Parts too short or too common to mean anything alone are left out.
    """
    atoms = _atoms(word)
    if len(atoms) < 2:
        return ()
    parts = [base for _, base in atoms]
    for i in range(len(atoms)):
        for j in range(i + 1, len(atoms)):
            if (i, j) != (0, len(atoms) - 1):
                written = "".join(a[0] for a in atoms[i:j])
                parts.append(written + atoms[j][1])
    return tuple(dict.fromkeys(p for p in parts if len(p) >= 3))


@lru_cache(maxsize=500_000)
def is_known(word: str) -> bool:
    """A word of the lexicon, or a compound of such words (diacritics folded)."""
    return _zipf(word) >= KNOWN_ZIPF or compound_split(word) is not None


@lru_cache(maxsize=200_000)
def is_swedish_word(word: str) -> bool:
    """A word of the lexicon or a compound of such, exactly as spelt.

    A query word that is one means that word and no other: "lag" is not a
    diacritic-free "läg", so it is not folded. A spelling far rarer than the
    same letters with å, ä or ö is that word typed without them ("umea",
    "gang", "overgripande"), whatever stray use the word list has of it.
    """
    if lost_diacritics(word):
        return False
    return _word_zipf(word) >= KNOWN_ZIPF or compound_split(word) is not None


@lru_cache(maxsize=200_000)
def lost_diacritics(word: str) -> bool:
    """Whether a word reads as a commoner word typed without å, ä or ö."""
    if fold_letters(word) != word:
        return False
    best = _lexicon().best_for_folded(word)
    if best is None or best == word:
        return False
    return _word_zipf(best) >= _word_zipf(word) + DIACRITIC_MARGIN


@lru_cache(maxsize=200_000)
def may_lack_marks(word: str) -> bool:
    """Whether the same letters with å, ä or ö make a commoner word.

    "vald" (4.0) may be "våld" (4.8) typed without them; "skott" (4.5) is
    not "skött" (3.8). The weaker test behind ``lost_diacritics``, for a
    query that found nothing as typed.
    """
    if fold_letters(word) != word:
        return False
    best = _lexicon().best_for_folded(word)
    return best is not None and best != word and _word_zipf(best) > _word_zipf(word)


def _lemma_once(word: str) -> str:
    if not 5 <= len(word) <= MAX_COMPOUND:
        return word
    if word.endswith("an") and is_known(word[:-1]) and _zipf(word[:-1]) >= _zipf(word):
        return word[:-1]  # narkotikan -> narkotika
    if word.endswith("ret") and word[-4] not in _VOWELS and is_known(word[:-3] + "er"):
        return word[:-3] + "er"  # brottsoffret -> brottsoffer
    if (
        word.endswith(("eln", "ern"))
        and is_known(word[:-1])
        and _zipf(word[:-1]) >= _zipf(word)  # "modern" is no form of "moder"
    ):
        return word[:-1]  # cykeln -> cykel, regeln -> regel
    if word.endswith("et") and is_known(word[:-1]):
        return word[:-1]  # medborgarlöftet -> medborgarlöfte
    if word.endswith("et") and word[-3] not in _VOWELS and is_known(word[:-2]):
        return word[:-2]  # förbundet -> förbund (Snowball keeps -et)
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


def _own_ens(word: str, stem: str) -> bool:
    """Whether Snowball took a word's own Latin *-ens* for a genitive ending.

    *frekvens*, *konferens*, *tendens* end in -ens as words; Snowball cuts it
    off, while their definite forms (*frekvensen*) keep it, so the two never
    meet. A real genitive (*pojkens*) has a known form without the *s*.
    """
    return (
        word.endswith("ens")
        and stem == word[:-3]
        and _zipf(word) >= KNOWN_ZIPF
        and not is_known(word[:-1])
        and _snowball(word + "en") == word
    )


# Nouns whose plural changes the vowel (Swedish has a closed set of them);
# compounds on them follow ("bostäder", "storstäder"). "händer" and "vänder"
# are left out: they are far more often verbs ("vad händer").
_UMLAUT_PLURALS = {
    "länder": "land", "tänder": "tand", "stränder": "strand", "bränder": "brand",
    "ränder": "rand", "städer": "stad", "bokstäver": "bokstav", "böcker": "bok",
    "fötter": "fot", "rötter": "rot", "söner": "son", "nätter": "natt",
    "bönder": "bonde", "ledamöter": "ledamot", "döttrar": "dotter",
    "bröder": "broder", "mödrar": "moder", "fäder": "fader", "tänger": "tång",
    "stänger": "stång", "böter": "bot",
}  # fmt: skip
_UMLAUT_SINGULARS = frozenset(_UMLAUT_PLURALS.values())
_UMLAUT_KEYS = tuple(_UMLAUT_PLURALS)  # one C-speed test before the loop
_PLURAL_ENDINGS = ("", "s", "na", "nas")
_SYNCOPE = re.compile(r"^(.*[^aeiouyåäö])([lrn])(ar|er|or)(na|s|nas)?$")


@lru_cache(maxsize=200_000)
def plural_base(word: str) -> str | None:
    """The singular of a plural Snowball cannot bring home, or None.

    Two classes: the vowel-changing plurals (*städer* of *stad*, from a
    list, as Swedish has only a few), and nouns in -el/-er/-en that lose
    the e before the plural ending (*cyklar* of *cykel*, *regler*, *öknar*).
    The second is read off the lexicon and needs evidence that the word is
    that noun's plural: its definite plural is a word (*cyklarna*), its
    singular's definite form too (*cykeln*), the shortened stem is no word
    of its own (*örnar* is *örn* + *ar*), and no commoner -a word owns the
    plural (*känslor* belongs to *känsla*, not *känsel*).
    """
    for ending in _PLURAL_ENDINGS:
        stem = word[: len(word) - len(ending)] if ending else word
        if not word.endswith(ending) or not stem.endswith(_UMLAUT_KEYS):
            continue
        for plural, singular in _UMLAUT_PLURALS.items():
            if stem == plural:
                return singular
            prefix = stem[: -len(plural)]
            if stem.endswith(plural) and len(prefix) >= 2 and len(plural) >= 5:
                return prefix + singular  # bostäder -> bostad
    match = _SYNCOPE.match(word)
    if match is None:
        return None
    start, consonant, plural, _ = match.groups()
    if _word_zipf(start + consonant + plural + "na") < KNOWN_ZIPF:
        return None
    if _word_zipf(start + consonant) >= KNOWN_ZIPF:
        return None
    singular = start + "e" + consonant
    definite = singular + "n" if consonant in "lr" else start + consonant + "en"
    if _word_zipf(singular) < KNOWN_ZIPF or _word_zipf(definite) < KNOWN_ZIPF:
        return None
    if _word_zipf(start + consonant + "a") > _word_zipf(singular):
        return None
    return singular


_DERIVED = re.compile(r"(?<=..)(l?ig)(t|a|e|are|ast|aste)?$")
# Past tense of -a verbs: Snowball cuts it down to a stem that may be another
# word ("målade" -> "mål"); where it would, the tense mark stays ("målad").
_PAST = re.compile(r"(?<=...)ad(e|es|ed|ade)?$")


@lru_cache(maxsize=200_000)
def lemma_stem(word: str) -> str:
    """Snowball's stem of the word, after undoing the inflections it misses.

    A compound is its modifier as written plus its head's stem, so the head
    is lemmatised even when the lexicon does not know the whole compound:
    *kommunförbundet* and *kommunförbund* meet. Adjectives in -lig/-ig keep
    their suffix, which Snowball drops: *personlig* is not *person*, *viktig*
    not *vikt*.
    """
    split = compound_split(word)
    if split is not None:
        return split[0] + lemma_stem(split[2])
    singular = plural_base(word)
    if singular is not None:
        return lemma_stem(singular)  # städer -> stad, cyklar -> cykel
    past = _PAST.search(word)
    if past and _word_zipf(word[: past.start()]) >= KNOWN_ZIPF:
        return word[: past.start() + 2]  # målade -> målad, not mål (the noun)
    derived = _DERIVED.search(word)
    if derived and _zipf(word[: derived.end(1)]) >= KNOWN_ZIPF:
        return word[: derived.end(1)]
    base = _lemma_once(word)
    if base != word:
        base = _lemma_once(base)  # medborgarlöftets -> ...löftet -> ...löfte
    stem = _snowball(base)
    if _own_ens(base, stem):
        stem = base  # frekvens ~ frekvensen, not frekv
    if stem.endswith(("ium", "eum")):
        stem = stem[:-2]  # seminarium ~ seminarier
    return stem
