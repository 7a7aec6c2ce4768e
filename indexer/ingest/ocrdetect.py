"""Whether a text was scanned: OCR output reads differently from typed text.

Part of ingest: a text file may be a scan's OCR output, and saying so at read
time lets the index correct its words towards the lexicon (see
:mod:`indexer.ocrfix`) while leaving clean text alone.
"""

from __future__ import annotations

import re

from ..lexicon import base_lexicon
from ..morphology import is_known, is_swedish_word
from ..ocrfix import correct_token

UNKNOWN_OCR_RATIO = 0.08  # clean seeds: at most 0.04; damaged text: 0.12 and up
MISREAD_RATIO = 0.02  # clean texts: 0.00; a scan with 7% of words damaged: 0.04
MIN_MISREAD = 3
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
    words = _lowercase_words(text)
    if len(words) < 40:
        return 0.0
    lexicon = base_lexicon()
    misread = [w for w in words if not is_swedish_word(w) and correct_token(w, lexicon)]
    return len(misread) / len(words) if len(misread) >= MIN_MISREAD else 0.0


def _lowercase_words(text: str) -> list[str]:
    words = [w for w in _TOKEN.findall(text) if len(w) >= 4 and w.isalpha()]
    return [w for w in words if w[0].islower()]  # names are not in the lexicon


def unknown_ratio(text: str) -> float:
    """Share of lowercase words (4+ letters) that are neither words nor compounds."""
    words = [w for w in _TOKEN.findall(text) if len(w) >= 4 and w.isalpha()]
    words = [w for w in words if w[0].islower()]  # names are not in the lexicon
    if len(words) < 40:
        return 0.0
    return sum(not is_known(w) for w in words) / len(words)
