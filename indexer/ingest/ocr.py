"""OCR of scanned pages with Tesseract's Swedish model (``swe``), via pytesseract.

Scanned minutes have no text layer, so their pages are rendered as images and
read by Tesseract. Tesseract is a system program, not a Python package: when it
(or its Swedish model) is missing, the file is rejected with a message naming
what to install, rather than indexed without text.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ..model import RejectedFile

if TYPE_CHECKING:
    from PIL.Image import Image

LANG = "swe"
PAGE_TIMEOUT = 300  # seconds; a page that takes longer is not a page of minutes
APT_PACKAGES = "tesseract-ocr tesseract-ocr-swe"
_NEED = "this PDF has scanned pages that need OCR, but"
_JUNK = frozenset("|¦[]{}_=~")  # table rules and specks read as characters
MAX_RULE = 10  # pixels: a line drawn thicker than this is not a rule but a box
DARK = 160  # grey levels below this are ink


class OcrUnavailable(RejectedFile):
    """Scanned pages need Tesseract; the message says what to install."""

    # Installing Tesseract fixes it: the next run tries the file again.
    retryable = True


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
    rules: list[tuple[int, int, int]] = field(default_factory=list)  # (y, x0, x1)


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
    return OcrResult(_text(words), confidence, words, strikes)


def erase_rules(image: Image) -> tuple[Image, list[tuple[int, int, int]]]:
    """The image without thin straight lines, and the horizontal ones (y, x0, x1).

    A line is a run of dark pixels longer than any letter (a twenty-fifth of
    the page width) and thin, so filled boxes and pictures stay. Where a
    letter's stroke crosses the line, the stroke is kept.
    """
    from PIL import Image as PILImage

    gray = image.convert("L")
    flip = PILImage.Transpose.TRANSPOSE
    gray, horizontal = _erase_runs(gray)
    turned, _ = _erase_runs(gray.transpose(flip))
    return turned.transpose(flip), horizontal


def _erase_runs(gray: Image) -> tuple[Image, list[tuple[int, int, int]]]:
    """Erase thin horizontal lines; return the image and the lines (y, x0, x1)."""
    from PIL import Image as PILImage

    width, height = gray.size
    dark = gray.point(lambda v: 255 if v < DARK else 0).tobytes()
    lines = _merge_runs(_runs(dark, width, height, max(40, width // 25)))
    pixels = bytearray(gray.tobytes())
    for top, bottom, x0, x1 in lines:
        above, below = max(top - 2, 0) * width, min(bottom + 2, height - 1) * width
        for x in range(x0, x1):
            if dark[above + x] or dark[below + x]:
                continue  # a letter's stroke crosses the line here
            for y in range(max(top - 1, 0), min(bottom + 2, height)):
                pixels[y * width + x] = 255
    clean = PILImage.frombytes("L", gray.size, bytes(pixels))
    return clean, sorted(((top + bottom) // 2, x0, x1) for top, bottom, x0, x1 in lines)


def _runs(
    dark: bytes, width: int, height: int, min_len: int
) -> list[tuple[int, int, int]]:
    """Dark horizontal runs of at least min_len pixels: (y, x0, x1)."""
    needle = b"\xff" * min_len
    runs = []
    for y in range(height):
        row = dark[y * width : (y + 1) * width]
        x = row.find(needle)
        while x >= 0:
            end = row.find(b"\x00", x)
            end = width if end < 0 else end
            runs.append((y, x, end))
            x = row.find(needle, end)
    return runs


def _merge_runs(runs: list[tuple[int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Runs on consecutive rows as one line (top, bottom, x0, x1), if thin."""
    done: list[list[int]] = []
    active: list[list[int]] = []
    for y, x0, x1 in runs:  # by row, then left to right
        done += [line for line in active if line[1] < y - 1]
        active = [line for line in active if line[1] >= y - 1]
        for line in active:
            if line[1] == y - 1 and x0 < line[3] and x1 > line[2]:
                line[1], line[2], line[3] = y, min(line[2], x0), max(line[3], x1)
                break
        else:
            active.append([y, y, x0, x1])
    lines = sorted(done + active)
    return [(t, b, x0, x1) for t, b, x0, x1 in lines if b - t < MAX_RULE]


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
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                conf=conf,
                block=int(data["block_num"][i]),
                par=int(data["par_num"][i]),
                line=int(data["line_num"][i]),
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
