"""The words the search service and its presentation share; nothing else.

A leaf: no engine, no Flask, nothing from the indexer. The pages, the feed
and the API import their request type, limits, errors and response shapes
from here, so loading a presentation module does not load the index reader.
The service's responses hold plain text and character spans of matched
words; turning those into marked HTML is the presentation's job
(``highlight``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NotRequired, TypedDict

DOC_TYPES = ("minutes", "agreement")
SORTS = ("relevance", "date", "date_asc")  # date: newest first; date_asc: oldest
FACETS = ("year", "doc_type")  # the facets whose values sort as text
MAX_PER_PAGE = 100
MAX_QUERY_CHARS = 1000
MAX_PRESENTER_CHARS = 200
# The query-string parameters a search understands; any other is named in
# the response's warnings, never silently dropped.
SEARCH_PARAMS = ("q", "page", "per_page", "year", "from", "to", "type", "sort",
                 "presenter", "has_decision", "exact", "person", "format")  # fmt: skip

# Parts a person plays in a meeting (indexer.people names the same roles).
ROLES = ("present", "absent", "substitute", "secretary", "convener")
MAX_NAME_CHARS = 200  # a person's name in /person/<namn> and /api/people/<namn>
REGISTER_PER_PAGE = 50  # decisions per page unless asked otherwise
REGISTER_MAX_PER_PAGE = 100

Span = tuple[int, int]  # start and end of a matched word, in characters


class IndexUnavailable(RuntimeError):
    """No published index in the configured directory."""


class IndexDamaged(IndexUnavailable):
    """The live index's files do not match the checksums recorded with it."""


class QueryTooSlow(RuntimeError):
    """A request ran past its time budget; stopped so it cannot stall the others."""


@dataclass(frozen=True)
class Deadline:
    """When a request must stop: a plain value the service hands the engine.

    The engine calls ``check`` in its loops (query nodes, phrase positions,
    the words of a hit); past the deadline it raises QueryTooSlow, which the
    web layer answers with 503, so one costly query cannot hold a worker
    thread while the others wait.
    """

    at: float = float("inf")  # time.monotonic() value
    seconds: float = float("inf")  # the budget, for the message

    @classmethod
    def after(cls, seconds: float | None) -> Deadline:
        """The deadline ``seconds`` from now; none when ``seconds`` is None."""
        if seconds is None:
            return NO_DEADLINE
        return cls(time.monotonic() + seconds, seconds)

    def check(self) -> None:
        """Raise QueryTooSlow once the deadline has passed."""
        if time.monotonic() > self.at:
            raise QueryTooSlow(f"the query took longer than {self.seconds:g} s")


NO_DEADLINE = Deadline()


class QueryRefused(ValueError):
    """A query that would cost too much; the message tells the user what to change."""


@dataclass(frozen=True)
class SearchParams:
    """A validated search request (validation lives in the web layer)."""

    q: str = ""
    page: int = 1
    per_page: int = 10
    year: str | None = None  # one year; several are in ``years``
    doc_type: str | None = None
    sort: str = "relevance"
    presenter: str | None = None  # exact name, as in a hit's presenters
    has_decision: bool = False  # only items that state a decision
    person: str | None = None  # only items of meetings they attended or presented
    years: tuple[str, ...] = ()  # any of these years (year=2021&year=2025)
    date_from: str | None = None  # ISO date, first day included
    date_to: str | None = None  # ISO date (day 31 of a short month is fine), included
    exact: bool = False  # the words as typed: no spelling correction or fallbacks
    ignored: tuple[str, ...] = ()  # query-string parameters not understood
    unused: tuple[str, ...] = ()  # understood, but with nothing to act on

    def __post_init__(self) -> None:
        """``year`` and ``years`` say the same: one year is both."""
        if self.year and not self.years:
            object.__setattr__(self, "years", (self.year,))
        if len(self.years) == 1 and not self.year:
            object.__setattr__(self, "year", self.years[0])

    @property
    def filtered(self) -> bool:
        """Any filter asked for: enough to list items without words."""
        return bool(
            self.years or self.date_from or self.date_to or self.doc_type
            or self.presenter or self.has_decision or self.person
        )  # fmt: skip


class TextMatch(TypedDict):
    """An item's text and where the query's words stand in it."""

    text: str
    spans: list[Span]


class Hit(TypedDict):
    """One agenda item found by a search, as the service returns it.

    ``match`` stands where the API's ``highlights`` stand: the presentation
    turns it into marked passages (``highlight.marked``).
    """

    doc_id: str
    source: str
    doc_type: str
    title: str
    date: str | None
    date_kind: str | None  # "meeting", "signed", "period" or None (undated)
    valid_from: str | None  # an agreement's period, YYYY, when it states one
    valid_to: str | None
    item_id: str
    item_number: int
    item_title: str
    item_title_read: str  # a scanned heading as corrected; else item_title
    presenters: list[str]
    score: float
    match: TextMatch
    url: str
    decisions: list[str]
    ocr: bool
    ocr_confidence: float | None
    pages: list[int]
    attendance: list[dict]  # the meeting's attendees the query names (first item)
    # Absolute permanent link; added by the API, which knows the host.
    permalink: NotRequired[str]


class Facets(TypedDict):
    """Counts per value of each facet, under the search's other filters."""

    year: dict[str, int]
    doc_type: dict[str, int]
    presenter: dict[str, int]
    has_decision: dict[str, int]


class SearchResponse(TypedDict):
    """The contract's search response; ``hits`` as the service returns them."""

    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: Facets
    suggestion: str | None  # "Menade du …?": a spelling that finds more, if any
    interpreted_query: str  # the query searched, as the grammar read it
    corrections: list[Correction]
    warnings: list[Notice]
    total_pages: int


class Correction(TypedDict):
    """A word the search changed or added: what was typed, what was searched."""

    kind: str  # "spelling" (replaced), "synonym", "ocr" or "near" (added)
    original: str
    replacement: str


class Notice(TypedDict):
    """Something in the request read otherwise than written, or not at all."""

    # "query_reinterpreted" | "unknown_parameter" | "ignored_parameter" | "empty_range"
    code: str
    message: str  # whole, for a person
    detail: str  # the note alone, or the parameter's name


class Item(TypedDict):
    """One agenda item of a document, with the spans the query matched."""

    item_id: str
    item_number: int
    item_title: str
    title_spans: list[Span]
    presenters: list[str]
    decisions: list[str]
    attachments: list[str]  # files and links the item cites
    ocr: bool
    ocr_confidence: float | None
    pages: list[int]
    text: str
    spans: list[Span]
    matched: bool  # the query's words occur in the title or the text


class Document(TypedDict, total=False):
    """A document's metadata (what its header states) and, for one, its items."""

    doc_id: str
    source: str
    doc_type: str
    title: str
    date: str | None
    time: str | None
    place: str | None
    present: list[str]
    absent: list[str]
    secretary: str | None
    convener: str | None
    attendance: list[dict]  # name, role, note, stands_in_for
    source_url: str | None
    ocr: bool
    item_count: int
    items: list[Item]  # only in a single document's response
