"""OCR of scanned pages with Tesseract's Swedish model (``swe``), via pytesseract.

Scanned minutes have no text layer, so their pages are rendered as images and
read by Tesseract. Tesseract is a system program, not a Python package: when it
(or its Swedish model) is missing, the file is rejected with a message naming
what to install, rather than indexed without text.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..model import RejectedFile

if TYPE_CHECKING:
    from PIL.Image import Image

LANG = "swe"
PAGE_TIMEOUT = 300  # seconds; a page that takes longer is not a page of minutes
APT_PACKAGES = "tesseract-ocr tesseract-ocr-swe"
_NEED = "this PDF has scanned pages that need OCR, but"
_JUNK = frozenset("|¦[]{}_=~")  # table rules and specks read as characters


class OcrUnavailable(RejectedFile):
    """Scanned pages need Tesseract; the message says what to install."""


@dataclass(frozen=True)
class OcrWord:
    """A recognised word with its box in image pixels and its confidence."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float  # 0-100
    block: int
    par: int
    line: int
    struck: bool = False  # a line is drawn through the word

    @property
    def marked(self) -> str:
        """The text, wrapped in ``~~`` (punctuation after it) when struck through."""
        if not self.struck:
            return self.text
        core = self.text.rstrip(",.;:)")
        return f"~~{core}~~{self.text[len(core) :]}"


@dataclass
class OcrResult:
    """The text of one image, its words and their mean confidence."""

    text: str
    confidence: float | None  # mean word confidence 0-100; None: no words
    words: list[OcrWord]


def check_available(lang: str = LANG) -> None:
    """Raise OcrUnavailable, naming what to install, unless OCR can run."""
    try:
        import pytesseract
    except ImportError:
        raise OcrUnavailable(
            f"{_NEED} the Python package pytesseract is not installed "
            f"(pip install pytesseract; apt-get install {APT_PACKAGES})"
        ) from None
    try:
        languages = pytesseract.get_languages()
    except (pytesseract.TesseractNotFoundError, OSError):
        raise OcrUnavailable(
            f"{_NEED} Tesseract is not installed: install the packages "
            f"{APT_PACKAGES} (apt-get install {APT_PACKAGES})"
        ) from None
    if lang not in languages:
        raise OcrUnavailable(
            f"{_NEED} Tesseract's Swedish model ({lang!r}) is not installed: "
            f"install the package tesseract-ocr-swe (apt-get install {APT_PACKAGES})"
        )


def ocr_image(image: Image, lang: str = LANG, timeout: int = PAGE_TIMEOUT) -> OcrResult:
    """Recognise the words of a page image; the text keeps Tesseract's lines.

    Ruling lines and strike-through lines are erased first (they make Tesseract
    misread the letters they touch); words a line crossed are flagged struck.
    """
    import pytesseract

    clean, strikes = erase_rules(image)
    try:
        data = pytesseract.image_to_data(
            clean, lang=lang, output_type=pytesseract.Output.DICT, timeout=timeout
        )
    except pytesseract.TesseractNotFoundError:
        check_available(lang)  # names what to install
        raise
    except RuntimeError as exc:  # TesseractError, or the timeout
        raise RejectedFile(f"OCR failed: {exc}") from None
    words = [_mark_struck(w, strikes) for w in _words(data)]
    confidence = sum(w.conf for w in words) / len(words) if words else None
    return OcrResult(_text(words), confidence, words)


def erase_rules(image: Image) -> tuple[Image, list[tuple[int, int, int]]]:
    """The image without thin straight lines, and the horizontal ones (y, x0, x1).

    A line is a run of dark pixels longer than any letter (a third of an inch
    at 300 dpi) and thin: the rows a few pixels above and below it are not dark
    along it, so filled boxes and pictures stay.
    """
    from PIL import Image as PILImage
    from PIL import ImageDraw

    gray = image.convert("L")
    min_len = max(40, gray.width // 25)
    horizontal = _thin_runs(gray, min_len)
    vertical = _thin_runs(gray.transpose(PILImage.Transpose.TRANSPOSE), min_len)
    draw = ImageDraw.Draw(gray)
    for y, x0, x1 in horizontal:
        draw.line([(x0, y), (x1 - 1, y)], fill=255)
    for x, y0, y1 in vertical:
        draw.line([(x, y0), (x, y1 - 1)], fill=255)
    return gray, horizontal


def _thin_runs(gray: Image, min_len: int) -> list[tuple[int, int, int]]:
    """Dark horizontal runs of at least min_len pixels, no thicker than a rule."""
    width, height = gray.size
    dark = gray.point(lambda v: 255 if v < 128 else 0).tobytes()
    needle = b"\xff" * min_len
    runs = []
    for y in range(height):
        row = dark[y * width : (y + 1) * width]
        x = row.find(needle)
        while x >= 0:
            end = row.find(b"\x00", x)
            end = width if end < 0 else end
            if not _thick(dark, width, height, y, x, end):
                runs.append((y, x, end))
            x = row.find(needle, end)
    return runs


def _thick(dark: bytes, width: int, height: int, y: int, x0: int, x1: int) -> bool:
    """Whether the run is part of a dark area: dark again 8 rows above or below."""
    for yy in (y - 8, y + 8):
        if 0 <= yy < height:
            row = dark[yy * width + x0 : yy * width + x1]
            if row.count(255) > 0.5 * (x1 - x0):
                return True
    return False


def _words(data: dict[str, list]) -> list[OcrWord]:
    """The real words of image_to_data's table (level 5, text, confidence >= 0)."""
    words = []
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if data["level"][i] != 5 or not text or conf < 0 or set(text) <= _JUNK:
            continue
        words.append(
            OcrWord(
                text,
                *(int(data[key][i]) for key in ("left", "top", "width", "height")),
                conf,
                *(int(data[key][i]) for key in ("block_num", "par_num", "line_num")),
            )
        )
    return words


def _mark_struck(word: OcrWord, strikes: list[tuple[int, int, int]]) -> OcrWord:
    """Flag a word that an erased line crossed through the middle of its letters."""
    if sum(ch.isalnum() for ch in word.text) < 2:
        return word
    lo = word.top + 0.25 * word.height
    hi = word.top + 0.85 * word.height
    for y, x0, x1 in strikes[bisect.bisect_left(strikes, (lo,)) :]:
        if y > hi:
            break
        overlap = min(x1, word.left + word.width) - max(x0, word.left)
        if overlap >= 0.5 * word.width:
            return replace(word, struck=True)
    return word


def _text(words: list[OcrWord]) -> str:
    """Words joined into lines, paragraphs separated by a blank line."""
    out: list[str] = []
    last: tuple[int, int, int] | None = None
    for word in words:
        key = (word.block, word.par, word.line)
        text = word.marked
        if last is None:
            out.append(text)
        elif key == last:
            out.append(" " + text)
        else:
            out.append(("\n" if key[:2] == last[:2] else "\n\n") + text)
        last = key
    return "".join(out).replace("~~ ~~", " ")
