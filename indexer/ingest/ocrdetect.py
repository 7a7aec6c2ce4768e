"""Whether a text was scanned: OCR output reads differently from typed text.

Part of ingest: a text file may be a scan's OCR output, and saying so at read
time lets the index correct its words towards the lexicon (see
:mod:`indexer.ocrfix`) while leaving clean text alone.
"""

from __future__ import annotations

import re
from collections import Counter

from ..lexicon import base_lexicon
from ..morphology import is_known, is_swedish_word
from ..ocrfix import correct_token

UNKNOWN_OCR_RATIO = 0.08  # clean seeds: at most 0.04; damaged text: 0.12 and up
MISREAD_RATIO = 0.02  # clean texts: 0.00; a scan with 7% of words damaged: 0.04
MIN_MISREAD = 3
MIN_WORDS = 40  # lowercase words of 4+ letters a text needs to be judged by them
_DIACRITICS = set("åäöÅÄÖ")
_TOKEN = re.compile(r"\w+", re.UNICODE)


def looks_like_ocr(text: str) -> bool:
    """Whether a text reads like OCR output, so its words are worth correcting.

    Two signs: Swedish prose has å, ä or ö in roughly one letter of thirty,
    and scans that lost them have almost none or write é and digits in their
    place; and clean prose has few words the lexicon does not know (names
    aside), while OCR damage makes one word in ten or more unknown, and even
    a good scan has misread words (see misread_ratio).
    """
    letters = sum(map(str.isalpha, text))  # per character, but no bytecode each
    if letters < 300:
        return False
    native = sum(map(text.count, _DIACRITICS)) / letters
    damaged = text.count("é") + len(re.findall(r"[a-zåäö][0-9][a-zåäö]", text))
    if native < 0.01 or damaged / letters > 0.004:
        return True
    words = _lowercase_words(text)
    if len(words) < MIN_WORDS:
        return False  # too few words to tell by them
    counts = Counter(words)  # each distinct word judged once
    if unknown_ratio(counts) > UNKNOWN_OCR_RATIO:
        return True
    return misread_ratio(counts) > MISREAD_RATIO


def misread_ratio(counts: Counter[str]) -> float:
    """Share of lowercase words (4+ letters) that are known words misread.

    A word that is no word but becomes one through a typical OCR confusion
    ("Iagen", "rnötet", "uppfdljning") is the mark of a scan; clean text,
    whose unknown words are names and rare terms, has next to none, even
    where a good scan damaged only one word in fifteen.
    """
    lexicon = base_lexicon()
    misread = sum(
        n
        for w, n in counts.items()
        if not is_swedish_word(w) and correct_token(w, lexicon)
    )
    return misread / counts.total() if misread >= MIN_MISREAD else 0.0


def unknown_ratio(counts: Counter[str]) -> float:
    """Share of lowercase words (4+ letters) that are neither words nor compounds."""
    return sum(n for w, n in counts.items() if not is_known(w)) / counts.total()


def _lowercase_words(text: str) -> list[str]:
    """The words of 4+ letters that begin in lowercase: names are not in the
    lexicon, and shorter words say little."""
    return [
        w
        for w in _TOKEN.findall(text)
        if len(w) >= 4 and w.isalpha() and w[0].islower()
    ]
