"""A PDF page's words, from its text layer or from OCR, and their lines.

A page without a usable text layer (none over a large image, or garbled) is
rendered at 300 dpi and read by Tesseract (see :mod:`.ocr`); either way the
layout sees words with boxes in PDF points. Struck-through letters (a thin line
or rect across their middle) are wrapped in ``~~``.
"""

from __future__ import annotations

import bisect
import itertools
import statistics
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import ocr

OCR_DPI = 300
MIN_TEXT_CHARS = 20  # a text layer with fewer visible characters is not usable
MIN_IMAGE_SHARE = 0.25  # of the page area: an image this large may be a scan
LOW_CONFIDENCE = 60  # OCR pages below this mean confidence get a warning
RULE_SHARE = 0.3  # a horizontal line this share of the page wide may part rows

Chunk = tuple[float, str, str]  # (top, "row" | "prose", text) of one page


@dataclass
class Word:
    """A word and its box in PDF points (y downwards), from text or from OCR."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def mid_y(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Line:
    """Words sharing a baseline, left to right."""

    words: list[Word]
    top: float = field(init=False)
    bottom: float = field(init=False)

    def __post_init__(self) -> None:
        self.words.sort(key=lambda w: w.x0)
        self.top = min(w.top for w in self.words)
        self.bottom = max(w.bottom for w in self.words)

    @property
    def x0(self) -> float:
        return self.words[0].x0

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class PageContent:
    """What a page holds for the layout: words, and horizontal rules' y."""

    words: list[Word]
    rules: list[float] = field(default_factory=list)  # long enough to part rows


@dataclass
class OcrLog:
    """What OCR contributed to the document."""

    pages: list[int] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)
    checked: bool = False


def page_content(page: Any, done_ocr: OcrLog, warnings: list[str]) -> PageContent:
    """The page's words, read by OCR when its text layer is missing or garbled."""
    if not _needs_ocr(page):
        rules = [
            e["top"]
            for e in page.edges
            if e["orientation"] == "h" and e["width"] >= RULE_SHARE * page.width
        ]
        return PageContent(_text_words(page), sorted(rules))
    if not done_ocr.checked:
        ocr.check_available()
        done_ocr.checked = True
    image = page.to_image(resolution=OCR_DPI, antialias=True).original.convert("L")
    result = ocr.ocr_image(image)
    del image
    done_ocr.pages.append(page.page_number)
    done_ocr.confidences += [w.conf for w in result.words]
    if result.confidence is not None and result.confidence < LOW_CONFIDENCE:
        warnings.append(
            f"page {page.page_number}: OCR confidence {result.confidence:.0f}, "
            "the text may be unreliable"
        )
    return _ocr_content(page, result)


def _ocr_content(page: Any, result: ocr.OcrResult) -> PageContent:
    """OCR words and rules in page coordinates (points, from the page's corner)."""
    scale = 72 / OCR_DPI
    x, y = page.bbox[0], page.bbox[1]
    words = [
        Word(
            unicodedata.normalize("NFC", w.marked),
            x + w.left * scale,
            x + (w.left + w.width) * scale,
            y + w.top * scale,
            y + (w.top + w.height) * scale,
        )
        for w in result.words
    ]
    rules = [
        y + ry * scale
        for ry, x0, x1 in result.rules
        if (x1 - x0) * scale >= RULE_SHARE * page.width
    ]
    return PageContent(words, sorted(rules))


def _needs_ocr(page: Any) -> bool:
    """No usable text layer: (nearly) no text over a large image, or garbled text."""
    chars = [c["text"] for c in page.chars if not c["text"].isspace()]
    garbled = sum(1 for t in chars if t.startswith("(cid:") or t == "\ufffd")
    if len(chars) >= MIN_TEXT_CHARS:
        return garbled > len(chars) / 2
    area = page.width * page.height
    return any(
        (img["x1"] - img["x0"]) * (img["bottom"] - img["top"]) >= MIN_IMAGE_SHARE * area
        for img in page.images
    )


def _text_words(page: Any) -> list[Word]:
    """Words of the text layer, struck-through letters wrapped in ``~~``."""
    strikes = _Strikes(page)
    words = []
    for w in page.extract_words(return_chars=True):
        text = strikes.mark(w["chars"])
        if text.strip():
            words.append(Word(text, w["x0"], w["x1"], w["top"], w["bottom"]))
    return words


class _Strikes:
    """Thin horizontal lines and rects: where a line crosses a letter's middle."""

    def __init__(self, page: Any) -> None:
        segments = []
        for obj in itertools.chain(page.lines, page.rects):
            if obj["bottom"] - obj["top"] <= 2 and obj["x1"] - obj["x0"] >= 2:
                segments.append(
                    ((obj["top"] + obj["bottom"]) / 2, obj["x0"], obj["x1"])
                )
        self.segments = sorted(segments)
        self.ys = [s[0] for s in self.segments]

    def crosses(self, ch: dict[str, Any]) -> bool:
        """A segment passes through the middle band of the letter's box."""
        height = ch["bottom"] - ch["top"]
        lo = bisect.bisect_left(self.ys, ch["top"] + 0.3 * height)
        hi = bisect.bisect_right(self.ys, ch["top"] + 0.8 * height)
        mid = (ch["x0"] + ch["x1"]) / 2
        return any(x0 <= mid <= x1 for _, x0, x1 in self.segments[lo:hi])

    def mark(self, chars: list[dict[str, Any]]) -> str:
        """The word's text, runs of struck letters wrapped in ``~~``."""
        out, inside = [], False
        for ch in chars:
            struck = bool(self.segments) and self.crosses(ch)
            if struck != inside:
                out.append("~~")
                inside = struck
            out.append(_clean_char(ch["text"]))
        return "".join(out + (["~~"] if inside else []))


def _clean_char(text: str) -> str:
    """Ligatures and compatibility forms as plain letters; soft hyphens dropped."""
    return unicodedata.normalize("NFKC", text).replace("\u00ad", "")


def group_lines(words: Iterable[Word]) -> list[Line]:
    """Group words into lines: a word whose middle lies in a line's band joins it."""
    groups: list[list[Word]] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if groups and top <= word.mid_y <= bottom:
            groups[-1].append(word)
            bottom = max(bottom, word.bottom)
        else:
            groups.append([word])
            top, bottom = word.top, word.bottom
    return [Line(group) for group in groups]


def line_height(lines: list[Line]) -> float:
    """Typical line height on the page: the unit for gaps and indents."""
    return statistics.median(line.bottom - line.top for line in lines) or 10.0


def gap_between(prev: Line, line: Line, height: float) -> float:
    """White space between two lines, robust to letters without ascenders or tails.

    OCR boxes hug the ink, so a line without descenders looks farther from the
    next; measuring top to top and bottom to bottom as well, less a line
    height, and taking the least, keeps such lines in their paragraph.
    """
    return min(
        line.top - prev.bottom,
        line.top - prev.top - height,
        line.bottom - prev.bottom - height,
    )
