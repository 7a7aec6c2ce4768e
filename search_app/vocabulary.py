"""The words the search service and its presentation share; nothing else.

A leaf: no engine, no Flask, nothing from the indexer. The pages, the feed
and the API import their request type, limits, errors and response shapes
from here, so loading a presentation module does not load the index reader.
The service's responses hold plain text and character spans of matched
words; turning those into marked HTML is the presentation's job
(``highlight``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NotRequired, TypedDict

DOC_TYPES = ("minutes", "agreement")
SORTS = ("relevance", "date")
FACETS = ("year", "doc_type")  # the facets whose values sort as text
MAX_PER_PAGE = 100
MAX_QUERY_CHARS = 1000
MAX_PRESENTER_CHARS = 200
# "Menade du …?": a search that finds at most this many items carries a
# spelling that finds something (the service computes it with the search).
SUGGEST_AT_MOST = 2
# The search page has always looked one hit further, asking the service for
# that spelling when a search finds one more; kept so the page is unchanged.
PAGE_SUGGEST_AT_MOST = SUGGEST_AT_MOST + 1

# Parts a person plays in a meeting (indexer.people names the same roles).
ROLES = ("present", "absent", "substitute", "secretary", "convener")
MAX_NAME_CHARS = 200  # a person's name in /person/<namn> and /api/people/<namn>
REGISTER_PER_PAGE = 50  # decisions per page unless asked otherwise
REGISTER_MAX_PER_PAGE = 100

Span = tuple[int, int]  # start and end of a matched word, in characters


class IndexUnavailable(RuntimeError):
    """No published index in the configured directory."""


class QueryRefused(ValueError):
    """A query that would cost too much; the message tells the user what to change."""


@dataclass(frozen=True)
class SearchParams:
    """A validated search request (validation lives in the web layer)."""

    q: str = ""
    page: int = 1
    per_page: int = 10
    year: str | None = None
    doc_type: str | None = None
    sort: str = "relevance"
    presenter: str | None = None  # exact name, as in a hit's presenters
    has_decision: bool = False  # only items that state a decision
    person: str | None = None  # only items of meetings they attended or presented


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
    item_id: str
    item_number: int
    item_title: str
    presenters: list[str]
    score: float
    match: TextMatch
    url: str
    decisions: list[str]
    ocr: bool
    ocr_confidence: float | None
    pages: list[int]
    attendance: list[dict]  # the meeting's attendees the query names (first item)


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
    suggestion: NotRequired[str | None]  # only when SUGGEST_AT_MOST or fewer found


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
