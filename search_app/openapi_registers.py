"""The OpenAPI description of the registers (decisions, people, meetings) and CSV.

Kept apart from ``openapi`` so that the search's description and the
registers' can change without touching each other; ``openapi.spec`` merges
them. Same rules: closed schemas, limits from the code that enforces them.
"""

from __future__ import annotations

from .csvexport import EXPORT_LIMIT, FORMATS
from .params import MAX_PAGE
from .vocabulary import (
    MAX_NAME_CHARS,
    MAX_QUERY_CHARS,
    REGISTER_MAX_PER_PAGE,
    REGISTER_PER_PAGE,
    ROLES,
)

DEFAULT_PER_PAGE, MAX_PER_PAGE = REGISTER_PER_PAGE, REGISTER_MAX_PER_PAGE

REF = "#/components/schemas/"
STRINGS = {"type": "array", "items": {"type": "string"}}
NULLABLE_STRING = {"type": ["string", "null"]}
DATE = {"type": ["string", "null"], "format": "date"}
# A date parameter; empty means "not given", as the register's form sends it.
DATE_PARAMETER = {"type": "string", "anyOf": [{"enum": [""]}, {"format": "date"}]}
COUNT = {"type": "integer", "minimum": 0}
CSV = {
    "description": "CSV, UTF-8 with BOM (opens in Excel), one row per record",
    "schema": {"type": "string"},
}


def format_parameter(what: str) -> dict:
    """``format``: json (default) or csv."""
    schema = {"type": "string", "enum": list(FORMATS), "default": "json"}
    return _query("format", f"json (default) or csv: {what}", schema)


def search_csv_note() -> str:
    """What format=csv does to a search."""
    return f"with format=csv every hit in order (at most {EXPORT_LIMIT}), not one page"


def register_paths() -> dict:
    """The register endpoints."""
    return {
        "/api/decisions": {"get": _operation(
            "listDecisions", "The decisions register, newest first",
            [
                _query("q", "Words every decision shown holds (word starts, "
                       "å/ä/ö optional)",
                       {"type": "string", "maxLength": MAX_QUERY_CHARS}),
                _query("year", "Meeting year", {"type": "string",
                                                 "pattern": "^[0-9]{4}$"}),
                _query("from", "First meeting date", DATE_PARAMETER),
                _query("to", "Last meeting date", DATE_PARAMETER),
                _query("page", "1-based page", _range(1, MAX_PAGE, 1)),
                _query("per_page", "Decisions per page",
                       _range(1, MAX_PER_PAGE, DEFAULT_PER_PAGE)),
                format_parameter("every matching decision, not one page"),
            ],
            "DecisionPage", csv=True,
        )},
        "/api/people": {"get": _operation(
            "listPeople", "Everyone in attendance lists and as presenters, by surname",
            [_query("q", "Words of the name (word starts)",
                    {"type": "string", "maxLength": MAX_QUERY_CHARS}),
             format_parameter("the same list")],
            "PeopleList", csv=True,
        )},
        "/api/people/{name}": {"get": _operation(
            "getPerson", "One person: meetings attended and missed, items, decisions",
            [{"name": "name", "in": "path", "required": True,
              "description": "The name; case, hyphens and spacing do not matter",
              "schema": {"type": "string", "maxLength": MAX_NAME_CHARS}}],
            "Person", not_found=True,
        )},
        "/api/meetings": {"get": _operation(
            "listMeetings", "Every meeting, newest first, with its counts",
            [format_parameter("the same list")], "MeetingList", csv=True,
        )},
    }  # fmt: skip


def register_schemas() -> dict:
    """The register response bodies."""
    person_summary = _person_summary_fields()
    return {
        "Decision": _object(
            date=DATE,
            doc_id={"type": "string"},
            document={"type": "string", "description": "The document's title"},
            item_number={"type": "integer", "minimum": 1},
            item_title={"type": "string"},
            presenters=STRINGS,
            decision={"type": "string", "description": "The decision's own text"},
            attachments={**STRINGS, "description": "Files and links the item cites"},
            url={"type": "string", "description": "Permanent link to the item"},
            document_url={"type": "string"},
        ),
        "DecisionPage": _object(
            q={"type": "string"},
            year=NULLABLE_STRING,
            **{"from": DATE, "to": DATE},
            total=COUNT,
            page={"type": "integer", "minimum": 1},
            per_page={"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
            years={
                "type": "object",
                "additionalProperties": COUNT,
                "description": "Decisions per year under the other filters",
            },
            decisions={"type": "array", "items": {"$ref": REF + "Decision"}},
        ),  # fmt: skip
        "MaybeSame": _object(
            name={"type": "string"},
            reason={"type": "string"},
            url={"type": "string"},
        ),
        "PersonSummary": _object(**person_summary),
        "PeopleList": _object(
            total=COUNT,
            people={"type": "array", "items": {"$ref": REF + "PersonSummary"}},
        ),
        "Person": _object(
            **person_summary,
            per_year={
                "type": "object",
                "additionalProperties": _object(attended=COUNT, missed=COUNT),
            },
            meetings={"type": "array", "items": _person_meeting()},
            presented={"type": "array", "items": _presented_item()},
            decisions_in_presented_items={
                "type": "array",
                "items": _object(
                    date=DATE,
                    doc_id={"type": "string"},
                    item_number={"type": "integer", "minimum": 1},
                    item_title={"type": "string"},
                    url={"type": "string"},
                    decision={"type": "string"},
                ),
            },
        ),  # fmt: skip
        "Meeting": _object(
            date=DATE,
            doc_id={"type": "string"},
            title={"type": "string"},
            url={"type": "string"},
            time=NULLABLE_STRING,
            place=NULLABLE_STRING,
            present={**COUNT, "description": "Substitutes included"},
            absent=COUNT,
            substitutes=COUNT,
            secretary=NULLABLE_STRING,
            items=COUNT,
            decisions=COUNT,
        ),
        "MeetingList": _object(
            total=COUNT,
            meetings={"type": "array", "items": {"$ref": REF + "Meeting"}},
        ),
    }


def _person_summary_fields() -> dict:
    return {
        "name": {"type": "string", "description": "The spelling most used"},
        "url": {"type": "string", "description": "The person's page"},
        "spellings": {**STRINGS, "description": "Every spelling with the same key"},
        "meetings_attended": COUNT,
        "meetings_missed": COUNT,
        "items_presented": COUNT,
        "decisions": {**COUNT, "description": "Decisions in items they presented"},
        "first_date": DATE,
        "last_date": DATE,
        "maybe_same": {
            "type": "array",
            "description": "Look-alike names, never merged (kanske samma person)",
            "items": {"$ref": REF + "MaybeSame"},
        },
    }


def _person_meeting() -> dict:
    return _object(
        date=DATE,
        doc_id={"type": "string"},
        title={"type": "string"},
        url={"type": "string"},
        role={"type": "string", "enum": list(ROLES)},
        role_label={"type": "string"},
        note=NULLABLE_STRING,
        stands_in_for=NULLABLE_STRING,
        replaced_by=NULLABLE_STRING,
    )


def _presented_item() -> dict:
    return _object(
        date=DATE,
        doc_id={"type": "string"},
        title={"type": "string"},
        item_number={"type": "integer", "minimum": 1},
        item_title={"type": "string"},
        decisions=STRINGS,
        url={"type": "string"},
    )


def _operation(
    op_id: str,
    summary: str,
    parameters: list,
    schema: str,
    csv: bool = False,
    not_found: bool = False,
) -> dict:
    content: dict[str, dict] = {"application/json": {"schema": {"$ref": REF + schema}}}
    if csv:
        content["text/csv"] = CSV
    responses = {
        "200": {"description": summary, "content": content},
        "400": {"$ref": "#/components/responses/BadRequest"},
        "503": {"$ref": "#/components/responses/Unavailable"},
    }
    if not_found:
        responses["404"] = {"$ref": "#/components/responses/NotFound"}
    return {
        "operationId": op_id,
        "summary": summary,
        "parameters": parameters,
        "responses": responses,
    }


def _object(**properties) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "description": description, "schema": schema}


def _range(low: int, high: int, default: int) -> dict:
    return {"type": "integer", "minimum": low, "maximum": high, "default": default}
