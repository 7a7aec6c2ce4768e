"""The document model shared by ingest, segmentation, indexing and search.

Ingest turns a file into a :class:`RawDocument` whose ``text`` is in one
canonical rendering, whatever the file format was; segmentation turns that
into a :class:`Document` with its :class:`Item` list. Keeping a single
rendering is what makes a PDF and the text rendering of the same meeting give
the same agenda items.

The canonical rendering (the one the seed ``.txt`` files already use):

* pages are separated by form feeds (``\\f``); a file without them is one page;
* a minutes table is a header row ``Ärende:<TAB>Omfattning/notering:<TAB>
  Föredragande:`` followed by one line per table row, cells separated by tabs;
  a row continued across a page break starts with an empty first cell;
* inside a cell, paragraphs and lists may be written as ``<p>``, ``<br>``,
  ``<ul>``/``<ol>``/``<li>`` fragments, which segmentation turns into text;
* struck-through names (absent attendees) are written ``~~Name~~``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class RejectedFile(Exception):
    """A file that cannot be indexed; the message says why, in plain words."""

    # True where the cause lies outside the file (e.g. Tesseract missing), so
    # the next run tries the file again even though it has not changed.
    retryable = False


@dataclass
class RawDocument:
    """A file as read, before segmentation."""

    source: str  # path relative to the corpus dir, with forward slashes
    text: str  # canonical rendering, see the module docstring
    sha256: str  # of the file's bytes: detects changed files
    ocr: bool = False  # some or all of the text was recognised by OCR
    ocr_confidence: float | None = None  # Tesseract's mean word confidence, 0-100
    ocr_pages: tuple[int, ...] = ()  # 1-based pages whose text is OCR
    paged: bool = False  # pages are real (PDF), so even page 1 is worth citing
    warnings: list[str] = field(default_factory=list)  # e.g. "decoded as cp1252"


@dataclass(frozen=True)
class Attendee:
    """One person's part in one meeting (see :mod:`indexer.people`)."""

    name: str
    role: str  # present | absent | substitute | secretary | convener
    note: str | None = None  # "del av tid", "ordförande", an organisation ...
    stands_in_for: str | None = None  # the member a substitute replaced

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "role": self.role,
            "note": self.note,
            "stands_in_for": self.stands_in_for,
        }


@dataclass
class Item:
    """One agenda item of a minutes document, or one section of an agreement."""

    number: int  # 1-based position in the document
    title: str
    text: str  # clean text: paragraphs separated by blank lines, list items by "\n"
    presenters: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)  # clean, no labels
    attachments: list[str] = field(default_factory=list)  # files the item cites
    pages: list[int] = field(default_factory=list)
    ocr: bool = False
    ocr_confidence: float | None = None


@dataclass
class Document:
    """A segmented document with its metadata."""

    doc_id: str
    source: str
    sha256: str
    doc_type: str  # "minutes" | "agreement"
    title: str
    date: str | None  # ISO date
    time: str | None = None  # e.g. "15.00–16.30"
    place: str | None = None
    present: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    secretary: str | None = None
    convener: str | None = None  # "Kallat av:"
    attendance: list[Attendee] = field(default_factory=list)
    source_url: str | None = None
    ocr: bool = False
    items: list[Item] = field(default_factory=list)
    # "meeting", "signed" or "period" (an agreement's period start is ``date``)
    date_kind: str | None = None
    valid_from: str | None = None  # an agreement's period, YYYY
    valid_to: str | None = None

    @property
    def year(self) -> str | None:
        return self.date[:4] if self.date else None
