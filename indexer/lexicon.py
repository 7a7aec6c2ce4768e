"""The Swedish vocabulary: a general word list plus the corpus' own clean words.

wordfreq's Swedish list (about 340,000 word forms with frequencies) tells a
real word from OCR damage and later which parts a compound is made of; the
corpus adds its own names and terms (BOB-råden, UmeBrå) that no general list
has.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from .folding import fold_all

MIN_ZIPF = 2.0  # rarer entries of the web-derived list are mostly noise and typos
CORPUS_ZIPF = 3.0  # a word the corpus itself uses cleanly is as good as a common one


class Lexicon:
    """Word forms with frequencies (Zipf scale), looked up by folded form."""

    def __init__(self, frequencies: dict[str, float]) -> None:
        self._freq = dict(frequencies)
        self._by_fold: dict[str, str] = {}
        self._add_folds(self._freq)

    def _add_folds(self, words) -> None:
        """Per folded form, the commonest word; on a tie the one with more
        diacritics ("föräldrastöd" over "foraldrastöd"), then the first in
        alphabetical order: never whichever a set happened to yield first."""
        by_fold, freq = self._by_fold, self._freq
        words = list(words)
        for word, key in zip(words, fold_all(words), strict=True):
            current = by_fold.get(key)
            if current is None or _rank(word, freq) > _rank(current, freq):
                by_fold[key] = word

    def __contains__(self, word: str) -> bool:
        return word.lower() in self._freq

    def __len__(self) -> int:
        return len(self._freq)

    def frequency(self, word: str) -> float:
        return self._freq.get(word.lower(), 0.0)

    def knows_folded(self, folded: str) -> bool:
        return folded in self._by_fold

    def best_for_folded(self, folded: str) -> str | None:
        """The commonest word with this folded form: "langsiktigt" -> "långsiktigt"."""
        return self._by_fold.get(folded)

    def words(self) -> Iterable[str]:
        return self._freq.keys()

    def with_corpus_words(self, words: Iterable[str]) -> Lexicon:
        """A lexicon that also knows the words of the clean (not OCR) corpus."""
        merged = Lexicon.__new__(Lexicon)
        merged._freq = dict(self._freq)
        merged._by_fold = dict(self._by_fold)
        fresh = {w for w in words if w.isalpha() and len(w) > 1}
        for word in fresh:
            merged._freq[word] = max(merged._freq.get(word, 0.0), CORPUS_ZIPF)
        merged._add_folds(fresh)
        return merged


def _rank(word: str, freq: dict[str, float]) -> tuple:
    marks = sum(not ch.isascii() for ch in word)
    return freq[word], marks, [-ord(ch) for ch in word]


@lru_cache(maxsize=1)
def swedish_words() -> dict[str, float]:
    """wordfreq's Swedish words at or above MIN_ZIPF, alphabetic only.

    Read bucket by bucket, as wordfreq stores them (one frequency per
    bucket, commonest first), and only down to MIN_ZIPF: the two thirds of
    the list below it are never decoded. A server loads this at start.
    """
    floor = 10 ** (MIN_ZIPF - 9)  # Zipf = log10(frequency per billion words)
    words: dict[str, float] = {}
    for index, bucket in enumerate(_frequency_buckets("sv")):
        freq = 10 ** (-index / 100)  # the bucket's frequency: -index centibels
        if freq < floor:
            break
        zipf = round(math.log10(freq) + 9, 2)
        words.update((word, zipf) for word in bucket if word.isalpha())
    return words


def _frequency_buckets(language: str) -> Iterator[list[str]]:
    """wordfreq's "large" list for ``language``, one bucket at a time.

    Its data file is read directly, as a stream, in the documented cBpack
    layout (a gzipped msgpack list: a header, then the words of each
    centibel of frequency, commonest first): importing wordfreq itself
    (its language matching and tokenizers) and decoding the whole list
    took most of a server's start. Through wordfreq's own reader if the
    file is not where its package keeps it.
    """
    name = f"large_{language}.msgpack.gz"
    spec = importlib.util.find_spec("wordfreq")
    places = (spec.submodule_search_locations or []) if spec else []
    files = [Path(place, "data", name) for place in places]
    path = next((file for file in files if file.is_file()), None)
    if path is None:
        from wordfreq import get_frequency_list

        yield from get_frequency_list(language, wordlist="large")
        return
    import msgpack

    with gzip.open(path, "rb") as stream:
        unpacker = msgpack.Unpacker(stream, raw=False)
        entries = unpacker.read_array_header()
        header = unpacker.unpack()
        if not isinstance(header, dict) or header.get("format") != "cB":
            raise ValueError(f"{path.name}: not a cBpack word list ({header!r})")
        for _ in range(entries - 1):
            yield unpacker.unpack()


@lru_cache(maxsize=1)
def base_lexicon() -> Lexicon:
    """The general Swedish lexicon; built once per process, never modified."""
    return Lexicon(swedish_words())
