"""The register pages' views: labels, links and paging for beslut, person, möten.

Everything the templates show is computed here from the rows ``records``
gives the JSON API too; the templates only loop and test.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from .labels import swedish_date
from .links import person_url

DECISION_ARGS = ("q", "year", "from", "to", "per_page")


def decisions_context(data: dict, args, is_person: Callable[[str], bool]) -> dict:
    """The template context for /beslut; ``is_person`` tells names from teams."""
    kept = {k: args.get(k) for k in DECISION_ARGS if args.get(k)}
    pages = -(-data["total"] // data["per_page"]) if data["total"] else 0
    return {
        "data": data,
        "rows": [_decision_row(row, is_person) for row in data["decisions"]],
        "count_label": _count(data["total"], "beslut", "beslut"),
        "years": [
            {
                "year": year,
                "count": count,
                "on": year == data["year"],
                "url": _url("/beslut", kept, year=_toggle(year, data["year"])),
            }
            for year, count in data["years"].items()
        ],
        "filtered": bool(kept.keys() - {"per_page"}),
        "clear_url": "/beslut",
        "prev_url": _url("/beslut", kept, page=data["page"] - 1)
        if data["page"] > 1
        else None,
        "next_url": _url("/beslut", kept, page=data["page"] + 1)
        if data["page"] < pages
        else None,
        "page_label": f"Sida {data['page']} av {pages}" if pages > 1 else "",
        "csv_url": _url("/api/decisions", kept, format="csv"),
        "json_url": _url("/api/decisions", kept, page=data["page"]),
    }


def _decision_row(row: dict, is_person: Callable[[str], bool]) -> dict:
    return {
        **row,
        "date_label": swedish_date(row["date"]),
        # Names link to their person page; "Umebrå kansli" stays plain.
        "presenter_links": [
            (n, person_url(n) if is_person(n) else None) for n in row["presenters"]
        ],
    }


def person_context(person: dict) -> dict:
    """The template context for /person/<namn>."""
    name = person["name"]
    return {
        "person": person,
        "per_year": [
            {"year": year, **counts} for year, counts in person["per_year"].items()
        ],
        "meetings": [
            {**m, "date_label": swedish_date(m["date"])} for m in person["meetings"]
        ],
        "presented": [
            {**p, "date_label": swedish_date(p["date"])} for p in person["presented"]
        ],
        "decisions": [
            {**d, "date_label": swedish_date(d["date"])}
            for d in person["decisions_in_presented_items"]
        ],
        "other_spellings": [s for s in person["spellings"] if s != name],
        "search_url": "/?" + urlencode({"q": f'"{name}"', "sort": "date"}),
        "json_url": f"/api{person['url']}",
    }


def people_context(people: list[dict], q: str) -> dict:
    """The template context for /personer."""
    return {
        "people": people,
        "q": q,
        "count_label": _count(len(people), "person", "personer"),
        "json_url": _url("/api/people", {"q": q} if q else {}),
        "csv_url": _url("/api/people", {"q": q} if q else {}, format="csv"),
    }


def meetings_context(rows: list[dict]) -> dict:
    """The template context for /moten."""
    groups = meetings_by_year(
        [{**row, "date_label": swedish_date(row["date"])} for row in rows]
    )
    return {
        "groups": groups,
        "count_label": _count(len(rows), "möte", "möten"),
        "json_url": "/api/meetings",
        "csv_url": "/api/meetings?format=csv",
    }


def _toggle(value: str, active: str | None) -> str | None:
    """A filter link turns the value on, or off when it is the active one."""
    return None if value == active else value


def meetings_by_year(rows: list[dict]) -> list[dict]:
    """Meetings grouped by year, newest first; undated ones last."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault((row["date"] or "")[:4], []).append(row)
    ordered = sorted(groups.items(), reverse=True)  # "" (undated) sorts last
    return [{"year": year or None, "meetings": members} for year, members in ordered]


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _url(path: str, kept: dict, **changes) -> str:
    """``path`` with the kept arguments and ``changes`` (None drops one)."""
    args = {**kept, **changes}
    if str(args.get("page")) == "1":
        args.pop("page")
    args = {k: v for k, v in args.items() if v not in (None, "")}
    return path + ("?" + urlencode(args) if args else "")
