"""The registers as pages and API: decisions, people and meetings.

/beslut and /api/decisions, /personer, /person/<namn> and /api/people[/<namn>],
/moten and /api/meetings. Thin like the other views: read the parameters,
ask one function of ``records`` over the service's catalogue, then render,
jsonify or export the same rows as CSV (``format=csv``).
"""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, current_app, jsonify, render_template, request

from indexer.people import is_person_name

from .csvexport import csv_response, export_format
from .errors import ApiError
from .links import site_url
from .params import MAX_PAGE, clean_text, int_arg
from .records import (
    DecisionFilter,
    decision_rows,
    decisions_page,
    filter_decisions,
    find_person,
    meetings,
    person_detail,
    search_people,
)
from .registerpages import (
    decisions_context,
    meetings_context,
    people_context,
    person_context,
)
from .vocabulary import MAX_NAME_CHARS, REGISTER_MAX_PER_PAGE, REGISTER_PER_PAGE

bp = Blueprint("registers", __name__)

DECISION_COLUMNS = [
    "date", "document", "item_number", "item_title", "presenters", "decision",
    "attachments", "url", "doc_id",
]  # fmt: skip
PEOPLE_COLUMNS = [
    "name", "meetings_attended", "meetings_missed", "items_presented", "decisions",
    "first_date", "last_date", "url",
]  # fmt: skip
MEETING_COLUMNS = [
    "date", "time", "place", "present", "absent", "substitutes", "items",
    "decisions", "secretary", "title", "url", "doc_id",
]  # fmt: skip


def _catalogue() -> list[dict]:
    """Every document with its items' facts, from the app's search service."""
    return current_app.extensions["search"].catalogue()


# --- decisions ---------------------------------------------------------------------


@bp.get("/api/decisions")
def api_decisions():
    """The decisions register as JSON (one page) or CSV (every matching row)."""
    wanted, page, per_page = decision_params()
    if export_format() == "csv":
        rows = filter_decisions(decision_rows(_catalogue()), wanted)
        return csv_response(rows, DECISION_COLUMNS, "beslut.csv", _base())
    return jsonify(decisions_page(_catalogue(), wanted, page, per_page))


@bp.get("/beslut")
def decisions():
    """The decisions register: newest first, searchable, by year or dates."""
    wanted, page, per_page = decision_params()
    data = decisions_page(_catalogue(), wanted, page, per_page)
    context = decisions_context(data, request.args, is_person_name)
    return render_template("beslut.html", **context)


def decision_params() -> tuple[DecisionFilter, int, int]:
    """q, year, from, to, page and per_page, or ApiError naming the wrong one."""
    args = request.args
    year = args.get("year") or None
    if year is not None and not re.fullmatch(r"[0-9]{4}", year):
        raise ApiError("year must be a year, YYYY")
    wanted = DecisionFilter(
        q=clean_text(args, "q"),
        year=year,
        date_from=_date(args.get("from")),
        date_to=_date(args.get("to")),
    )
    page = int_arg(args, "page", 1, 1, MAX_PAGE)
    per_page = int_arg(args, "per_page", REGISTER_PER_PAGE, 1, REGISTER_MAX_PER_PAGE)
    return wanted, page, per_page


def _date(raw: str | None) -> str | None:
    if not raw:
        return None
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            raise ValueError(raw)
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise ApiError("from and to must be dates, YYYY-MM-DD") from None


def _base() -> str:
    """This server's address, for absolute links in exported files."""
    return site_url()


# --- people ------------------------------------------------------------------------


@bp.get("/api/people")
def api_people():
    """Everyone named in attendance lists and as presenters; ?q= narrows by name."""
    found = search_people(_catalogue(), clean_text(request.args, "q"))
    if export_format() == "csv":
        return csv_response(found, PEOPLE_COLUMNS, "personer.csv", _base())
    return jsonify({"total": len(found), "people": found})


@bp.get("/personer")
def people_list():
    """Everyone in the archive, by surname, with a search box."""
    q = clean_text(request.args, "q")
    found = search_people(_catalogue(), q)
    return render_template("personer.html", **people_context(found, q))


@bp.get("/api/people/<path:name>")
def api_person(name: str):
    """One person: meetings attended and missed, items presented, decisions."""
    return jsonify(_person(name))


@bp.get("/person/<path:name>")
def person(name: str):
    """A person's page."""
    return render_template("person.html", **person_context(_person(name)))


def _person(name: str) -> dict:
    if len(name) > MAX_NAME_CHARS:
        raise ApiError(f"no person {name[:40]!r}…", 404)
    found = find_person(_catalogue(), name)
    if found is None:
        raise ApiError(f"no person {name!r}", 404)
    return person_detail(found)


# --- meetings ----------------------------------------------------------------------


@bp.get("/api/meetings")
def api_meetings():
    """Every meeting, newest first, with attendance, item and decision counts."""
    rows = meetings(_catalogue())
    if export_format() == "csv":
        return csv_response(rows, MEETING_COLUMNS, "moten.csv", _base())
    return jsonify({"total": len(rows), "meetings": rows})


@bp.get("/moten")
def meetings_list():
    """The meetings by year."""
    return render_template("moten.html", **meetings_context(meetings(_catalogue())))
