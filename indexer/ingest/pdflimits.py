"""Caps inside pdfminer: how far a stream may inflate, how long a page may run.

A 205 KB file can inflate one content stream to 200 MB of ``q Q`` operators;
a 1 MB decompression bomb to gigabytes. The worker's budget (``sandbox``)
stops both in the end, but only after minutes or gigabytes, and its reason
("time limit") does not say what was wrong with the file. These caps reject
such a file early, with the reason.

pdfminer.six decodes a stream whole in ``PDFStream.decode``: Flate with
``zlib.decompress`` (and, when that fails, byte by byte in
``decompress_corrupted``), then the other filters. It interprets a page's
content streams, and the forms they draw, one object (an operator or an
operand) at a time through ``PDFContentParser.nextobject``. ``install``
patches those three places, once per process:

- Flate output is produced with ``decompressobj().decompress(data,
  max_length)``, so inflating stops at the cap instead of after it;
- any stream whose decoded data is over the cap is refused (other filters);
- each page may run at most so many content-stream objects, forms included.

Caps, in the environment so an operator can change them without code:
``UMEBRA_PDF_STREAM_MB`` (default 64: a page of minutes is under 1 MB, a
300 dpi colour scan 26 MB) and ``UMEBRA_PDF_PAGE_OBJECTS`` (default
100,000: a page of the council's minutes runs about 2,000, a dense page of
text some thousands; pdfminer runs 10,000 to 60,000 a second).
"""

from __future__ import annotations

import os
import zlib

from ..model import RejectedFile

STREAM_MB = 64
PAGE_OBJECTS = 100_000


class PdfTooCostly(RejectedFile):
    """A PDF that would need more than a cap to read."""


def stream_cap() -> int:
    """The most bytes one stream may decode to."""
    return _env_int("UMEBRA_PDF_STREAM_MB", STREAM_MB) * 2**20


def page_cap() -> int:
    """The most content-stream objects one page may run."""
    return _env_int("UMEBRA_PDF_PAGE_OBJECTS", PAGE_OBJECTS)


def _env_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


class _Page:
    """The objects the current page has run, and its cap."""

    count = 0
    cap = PAGE_OBJECTS


def start_page() -> None:
    """Reset the count of content-stream objects: a new page begins."""
    _Page.count = 0
    _Page.cap = page_cap()


def _too_big(limit: int) -> PdfTooCostly:
    return PdfTooCostly(
        f"a compressed stream inflates to more than {limit // 2**20} MiB "
        "(a decompression bomb?); cap UMEBRA_PDF_STREAM_MB"
    )


class _BoundedZlib:
    """The part of ``zlib`` pdfminer's streams use, with output capped."""

    error = zlib.error

    @staticmethod
    def decompress(data: bytes) -> bytes:
        limit = stream_cap()
        inflater = zlib.decompressobj()
        out = inflater.decompress(data, limit + 1)
        if len(out) > limit:
            raise _too_big(limit)
        if not inflater.eof:  # as zlib.decompress: pdfminer then tries harder
            raise zlib.error("incomplete or truncated stream")
        return out


def _decompress_corrupted(data: bytes) -> bytes:
    """pdfminer's byte-by-byte recovery of a stream with a bad checksum,
    in linear time and capped (its own joins bytes quadratically)."""
    limit = stream_cap()
    inflater = zlib.decompressobj()
    parts, size = [], 0
    for i in range(len(data)):
        try:
            part = inflater.decompress(data[i : i + 1], limit + 1 - size)
        except zlib.error:
            if i < len(data) - 3:  # as pdfminer: only the checksum may be bad
                raise
            break
        parts.append(part)
        size += len(part)
        if size > limit or inflater.unconsumed_tail:
            raise _too_big(limit)
    return b"".join(parts)


def install() -> None:
    """Patch pdfminer (once per process); see the module's docstring."""
    from pdfminer import pdfinterp, pdftypes

    if getattr(pdftypes, "_umebra_capped", False):
        return
    decode = pdftypes.PDFStream.decode
    next_object = pdfinterp.PDFContentParser.nextobject

    def capped_decode(self) -> None:
        decode(self)
        limit = stream_cap()
        if self.data is not None and len(self.data) > limit:
            self.data = b""
            raise _too_big(limit)

    def counted_next_object(self):
        _Page.count += 1
        if _Page.count > _Page.cap:
            raise PdfTooCostly(
                f"a page runs more than {_Page.cap:,} content-stream operators "
                "and operands; cap UMEBRA_PDF_PAGE_OBJECTS"
            )
        return next_object(self)

    pdftypes.zlib = _BoundedZlib  # type: ignore[assignment]
    pdftypes.decompress_corrupted = _decompress_corrupted
    pdftypes.PDFStream.decode = capped_decode  # type: ignore[method-assign]
    pdfinterp.PDFContentParser.nextobject = counted_next_object  # type: ignore
    pdftypes._umebra_capped = True  # type: ignore[attr-defined]
