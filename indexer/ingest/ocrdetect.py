"""Whether a text was scanned: OCR output reads differently from typed text.

Part of ingest: a text file may be a scan's OCR output, and saying so at read
time lets the index correct its words towards the lexicon (see
:mod:`indexer.ocrfix`) while leaving clean text alone.
"""

from __future__ import annotations

import re

from ..morphology import is_known

UNKNOWN_OCR_RATIO = 0.08  # clean seeds: at most 0.04; damaged text: 0.12 and up
_DIACRITICS = set("åäöÅÄÖ")
_TOKEN = re.compile(r"\w+", re.UNICODE)


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
    return unknown_ratio(text) > UNKNOWN_OCR_RATIO


def unknown_ratio(text: str) -> float:
    """Share of lowercase words (4+ letters) that are neither words nor compounds."""
    words = [w for w in _TOKEN.findall(text) if len(w) >= 4 and w.isalpha()]
    words = [w for w in words if w[0].islower()]  # names are not in the lexicon
    if len(words) < 40:
        return 0.0
    return sum(not is_known(w) for w in words) / len(words)
