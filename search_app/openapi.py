"""The OpenAPI 3.1 description of the JSON API, written by hand, served as JSON.

Limits and enums come from the code that enforces them, so the description
cannot drift from the validation; tests check it against real responses.
"""

from __future__ import annotations

from .openapi_registers import (
    CSV,
    format_parameter,
    register_paths,
    register_schemas,
    search_csv_note,
)
from .params import MAX_PAGE
from .vocabulary import (
    DOC_TYPES,
    MAX_PER_PAGE,
    MAX_PRESENTER_CHARS,
    MAX_QUERY_CHARS,
    ROLES,
    SORTS,
)

REF = "#/components/schemas/"
STRINGS = {"type": "array", "items": {"type": "string"}}
NULLABLE_STRING = {"type": ["string", "null"]}
COUNTS = {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}
DAY = "^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
YEAR_OR_NULL = {"type": ["string", "null"], "pattern": "^[0-9]{4}$"}
DATE_FIELDS = {
    "date_kind": {
        "type": ["string", "null"],
        "enum": ["meeting", "signed", "period", None],
        "description": "What the document states: a meeting day, a signing day, "
        "or only a validity period (date is then its first day); null: undated",
    },
    "valid_from": {**YEAR_OR_NULL, "description": "An agreement's period, from"},
    "valid_to": {**YEAR_OR_NULL, "description": "An agreement's period, to"},
}


def spec() -> dict:
    """The whole description; a fresh dict on every call (callers may change it)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "UmeBrå-sök API",
            "version": "1.0.0",
            "description": (
                "Read-only full-text search over the minutes and agreements of "
                "UmeBrå, Umeå's crime- and drug-prevention council. One result is "
                'one agenda item. Errors are JSON: {"error": message}.'
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/search": {"get": _search_operation()},
            "/api/documents": {"get": _documents_operation()},
            "/api/documents/{doc_id}": {"get": _document_operation()},
            "/api/openapi.json": {"get": _openapi_operation()},
            **register_paths(),
        },
        "components": {
            "schemas": {**_schemas(), **register_schemas()},
            "responses": _responses(),
        },
    }


def _search_operation() -> dict:
    """GET /api/search: the contract's verb."""
    return {
        "operationId": "search",
        "summary": "Search agenda items",
        "parameters": _search_parameters(),
        "responses": {
            "200": _with_csv(
                _json("Results, facets over all matches", "SearchResponse"),
                search_csv_note(),
            ),
            "400": {"$ref": "#/components/responses/BadRequest"},
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }


def _search_parameters() -> list[dict]:
    """Every parameter /api/search reads, with the limits params.py enforces."""
    return [
        _query("q", "Words, \"phrases\", OCH/AND, ELLER/OR, INTE/NOT or -word, "
               "(groups), trunc*; see /hjalp. Empty with a filter: browse",
               {"type": "string", "maxLength": MAX_QUERY_CHARS}),
        _query("page", "1-based page", _int_range(1, MAX_PAGE, 1)),
        _query("per_page", "Hits per page", _int_range(1, MAX_PER_PAGE, 10)),
        {**_query("year", "Meeting year; repeat for several (any of them)",
                  {"type": "array", "items": {"type": "string",
                                              "pattern": "^[0-9]{4}$"}}),
         "style": "form", "explode": True},
        _query("from", "From this date on (YYYY, YYYY-MM or YYYY-MM-DD, included)",
               {"type": "string", "pattern": DAY}),
        _query("to", "Up to this date (YYYY, YYYY-MM or YYYY-MM-DD, included)",
               {"type": "string", "pattern": DAY}),
        _query("type", "Document type", {"type": "string", "enum": list(DOC_TYPES)}),
        _query("sort", "relevance (default; newest first without q), date "
               "(newest first) or date_asc (oldest first); undated items last",
               {"type": "string", "enum": list(SORTS), "default": SORTS[0]}),
        _query("presenter", "Only items with this presenter (exact name)",
               {"type": "string", "maxLength": MAX_PRESENTER_CHARS}),
        _query("person", "Only items of meetings this person attended, or items "
               "they presented (any spelling with the same name key)",
               {"type": "string", "maxLength": MAX_PRESENTER_CHARS}),
        _query("has_decision", "1: only items that state a decision",
               {"type": "string", "enum": ["", "0", "1", "false", "true"]}),
        _query("exact", "1: the words as typed; no spelling correction, no OCR or "
               "near-spelling fallbacks (a better spelling is only suggested)",
               {"type": "string", "enum": ["", "0", "1", "false", "true"]}),
        format_parameter(search_csv_note()),
    ]  # fmt: skip


def _documents_operation() -> dict:
    """GET /api/documents: the list integrations start from."""
    return {
        "operationId": "listDocuments",
        "summary": "Every document's metadata, newest first",
        "responses": {
            "200": _json("All documents", "DocumentList"),
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }


def _document_operation() -> dict:
    """GET /api/documents/{doc_id}: one document, all its items."""
    return {
        "operationId": "getDocument",
        "summary": "One document's metadata and all its items",
        "parameters": [
            {
                "name": "doc_id",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
            },
        ],  # fmt: skip
        "responses": {
            "200": _json("The document", "Document"),
            "404": {"$ref": "#/components/responses/NotFound"},
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }


def _openapi_operation() -> dict:
    """GET /api/openapi.json: so the description describes itself too."""
    return {
        "operationId": "openapi",
        "summary": "This description",
        "responses": {
            "200": {
                "description": "OpenAPI 3.1",
                "content": {"application/json": {"schema": {"type": "object"}}},
            }
        },
    }


def _schemas() -> dict:
    """The response bodies; closed, so the tests catch undocumented fields."""
    return {
        "SearchResponse": _optional(
            _object(
                query={"type": "string"},
                total={"type": "integer", "minimum": 0},
                page={"type": "integer", "minimum": 1},
                per_page={"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                hits={"type": "array", "items": {"$ref": REF + "Hit"}},
                facets={"$ref": REF + "Facets"},
            ),
            suggestion={
                "type": ["string", "null"],
                "description": "Menade du: a spelling of unknown words that finds "
                "something, offered when the words as typed find something too",
            },
            interpreted_query={
                "type": "string",
                "description": "The query searched, as the grammar read it (Swedish "
                "operators); after a spelling correction, the corrected query",
            },
            corrections={"type": "array", "items": {"$ref": REF + "Correction"}},
            warnings={"type": "array", "items": {"$ref": REF + "Warning"}},
            total_pages={"type": "integer", "minimum": 0},
            next={
                "type": ["string", "null"],
                "format": "uri",
                "description": "Absolute address of the next page, null on the last",
            },
        ),
        "Correction": _object(
            kind={
                "type": "string",
                "enum": ["spelling", "synonym", "ocr", "near"],
                "description": "spelling: the word was replaced (the typed words "
                "found nothing); the others were searched as well and added hits",
            },
            original={"type": "string"},
            replacement={"type": "string"},
        ),
        "Warning": _object(
            code={
                "type": "string",
                "enum": [
                    "query_reinterpreted",
                    "unknown_parameter",
                    "ignored_parameter",
                    "empty_range",
                ],
            },
            message={"type": "string", "description": "For a person, in Swedish"},
            detail={
                "type": "string",
                "description": "The note alone, or the parameter's name",
            },
        ),  # fmt: skip
        "Hit": _hit_schema(),
        "Facets": _facets_schema(),
        "DocumentList": _object(
            documents={"type": "array", "items": {"$ref": REF + "DocumentSummary"}}
        ),
        "DocumentSummary": _object(**_document_fields()),
        "Document": _object(
            **_document_fields(),
            items={"type": "array", "items": {"$ref": REF + "Item"}},
        ),
        "Item": _item_schema(),
        "Attendee": _object(
            name={"type": "string"},
            role={"type": "string", "enum": list(ROLES)},
            note={**NULLABLE_STRING, "description": "e.g. del av tid, ordförande"},
            stands_in_for={
                **NULLABLE_STRING,
                "description": "Whom a substitute stood in for",
            },
        ),
        "Error": _object(error={"type": "string"}),
    }


def _hit_schema() -> dict:
    """One agenda item as a search hit; highlights are HTML with <mark> only."""
    return _object(
        doc_id={"type": "string"},
        source={"type": "string", "description": "Path of the file in the corpus"},
        doc_type={"type": "string", "enum": list(DOC_TYPES)},
        title={"type": "string", "description": "The document's title"},
        date={
            "type": ["string", "null"],
            "format": "date",
            "description": "Meeting or signing date, or the first day of an "
            "agreement's period (date_kind says which); null when undated",
        },
        **DATE_FIELDS,
        item_id={"type": "string", "description": "Stable id of the item"},
        item_number={"type": "integer", "minimum": 1},
        item_title={"type": "string"},
        item_title_read={
            "type": "string",
            "description": "The heading as a reader would write it: a scan's "
            "misread words corrected (item_title keeps the scan's text)",
        },
        presenters=STRINGS,
        score={"type": "number", "description": "Relevance, also under sort=date"},
        highlights={**STRINGS, "description": "Escaped HTML fragments, <mark>ed"},
        url={"type": "string", "description": "The item on its document page"},
        permalink={
            "type": "string",
            "format": "uri",
            "description": "Absolute permanent link to the item",
        },
        decisions=STRINGS,
        ocr={"type": "boolean"},
        ocr_confidence={"type": ["number", "null"]},
        pages={"type": "array", "items": {"type": "integer", "minimum": 1}},
        attendance={
            "type": "array",
            "description": "Attendees of the meeting the query names (first item)",
            "items": _object(
                name={"type": "string"},
                role={"type": "string", "enum": list(ROLES)},
                stands_in_for=NULLABLE_STRING,
            ),
        },
    )


def _facets_schema() -> dict:
    """Counts over all matches; has_decision is empty when nothing was searched."""
    flags = {**COUNTS, "propertyNames": {"enum": ["true", "false"]}}
    return _object(
        year={**COUNTS, "propertyNames": {"pattern": "^[0-9]{4}$"}},
        doc_type={**COUNTS, "propertyNames": {"enum": list(DOC_TYPES)}},
        presenter={**COUNTS, "description": "Most frequent first"},
        has_decision=flags,
    )


def _document_fields() -> dict:
    """A document's metadata, shared by the list and the single document."""
    return {
        "doc_id": {"type": "string"},
        "source": {"type": "string"},
        "doc_type": {"type": "string", "enum": list(DOC_TYPES)},
        "title": {"type": "string"},
        "date": {"type": ["string", "null"], "format": "date"},
        **DATE_FIELDS,
        "time": NULLABLE_STRING,
        "place": NULLABLE_STRING,
        "present": STRINGS,
        "absent": STRINGS,
        "secretary": NULLABLE_STRING,
        "convener": {**NULLABLE_STRING, "description": "Who convened (Kallat av)"},
        "attendance": {
            "type": "array",
            "description": "Everyone in the attendance list and footer, with role",
            "items": {"$ref": REF + "Attendee"},
        },
        "source_url": {"type": ["string", "null"], "format": "uri"},
        "ocr": {"type": "boolean"},
        "item_count": {"type": "integer", "minimum": 0},
        "url": {"type": "string", "description": "The document page"},
        "file_url": {"type": "string", "description": "The original file"},
    }


def _item_schema() -> dict:
    """An item as /api/documents/{doc_id} gives it: plain text, no HTML."""
    return _object(
        item_id={"type": "string"},
        item_number={"type": "integer", "minimum": 1},
        item_title={"type": "string"},
        presenters=STRINGS,
        decisions=STRINGS,
        attachments={**STRINGS, "description": "Files and links the item cites"},
        ocr={"type": "boolean"},
        ocr_confidence={"type": ["number", "null"]},
        pages={"type": "array", "items": {"type": "integer", "minimum": 1}},
        text={"type": "string", "description": "Plain text, paragraphs by blank lines"},
        url={"type": "string", "description": "Permanent link to the item"},
        file_url={"type": "string", "description": "The original file (at its page)"},
    )


def _responses() -> dict:
    """The error answers, all {"error": message}."""
    return {
        "BadRequest": _json("A parameter is wrong; the message names it", "Error"),
        "NotFound": _json("No such document", "Error"),
        "Unavailable": _json(
            "The search index is not available (none yet, or damaged: unused until"
            " the indexer rebuilds it), or the query ran past the time budget"
            " (UMEBRA_SEARCH_SECONDS); the message says which",
            "Error",
        ),
    }


def _object(**properties) -> dict:
    """A closed object: every property required, nothing undocumented allowed."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _optional(schema: dict, **properties) -> dict:
    """``schema`` with properties a response may leave out."""
    schema["properties"].update(properties)
    return schema


def _with_csv(response: dict, note: str) -> dict:
    """A JSON response that ``format=csv`` turns into a CSV download."""
    response["content"]["text/csv"] = {
        **CSV,
        "description": f"{CSV['description']}; {note}",
    }
    return response


def _json(description: str, schema: str) -> dict:
    """A JSON response with a schema from the components."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF + schema}}},
    }


def _query(name: str, description: str, schema: dict) -> dict:
    """A query-string parameter."""
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _int_range(low: int, high: int, default: int) -> dict:
    """A bounded integer parameter, as params.py bounds it."""
    return {"type": "integer", "minimum": low, "maximum": high, "default": default}
