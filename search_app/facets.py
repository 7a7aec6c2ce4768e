"""The search page's filter column: facet options with counts, active filters, sort.

Each option is a link to the same search with one filter changed, so the
filters work without JavaScript and every filtered list has its own URL.
"""

from __future__ import annotations

from .labels import type_label
from .links import search_args, search_url
from .vocabulary import SearchParams

PRESENTERS_SHOWN = 8  # the rest fold away under "Fler föredragande"


def filter_groups(params: SearchParams, facets: dict) -> list[dict]:
    """The facet groups, in page order; groups without options are left out."""
    years = sorted(facets.get("year", {}).items(), reverse=True)
    types = [(t, type_label(t), n) for t, n in facets.get("doc_type", {}).items()]
    people = facets.get("presenter", {}).items()
    decided = facets.get("has_decision", {}).get("true", 0)
    decisions = [("1", "Endast beslut", decided)] if decided else []
    groups = [
        _group(params, "year", "År", [(y, y, n) for y, n in years]),
        _group(params, "type", "Dokumenttyp", types),
        _group(params, "presenter", "Föredragande", [(p, p, n) for p, n in people]),
        _group(params, "has_decision", "Beslut", decisions),
    ]
    return [g for g in groups if g["options"]]


def _group(params: SearchParams, key: str, title: str, values) -> dict:
    """One facet: the first options shown, the rest under "more"."""
    active = search_args(params).get(key)
    options = [
        {
            "label": label,
            "count": count,
            "on": value == active,
            "url": search_url(params, "/", **{key: None if value == active else value}),
        }
        for value, label, count in values
    ]
    return {
        "key": key,
        "title": title,
        "options": options,
        "shown": options[:PRESENTERS_SHOWN],
        "more": options[PRESENTERS_SHOWN:],
    }


def active_filters(params: SearchParams) -> list[tuple[str, str]]:
    """The filters in force, each with the URL of the search without it."""
    active = []
    if params.years:
        label = "År: " + ", ".join(params.years)
        active.append((label, search_url(params, year=None)))
    if params.date_from or params.date_to:
        span = f"{params.date_from or '…'} – {params.date_to or '…'}"
        unset = search_url(params, "/", **{"from": None, "to": None})
        active.append((f"Tid: {span}", unset))
    if params.doc_type:
        label = f"Typ: {type_label(params.doc_type)}"
        active.append((label, search_url(params, type=None)))
    if params.presenter:
        label = f"Föredragande: {params.presenter}"
        active.append((label, search_url(params, presenter=None)))
    if params.person:
        label = f"Person: {params.person}"
        active.append((label, search_url(params, person=None)))
    if params.has_decision:
        active.append(("Endast beslut", search_url(params, has_decision=None)))
    return active


def clear_url(params: SearchParams) -> str:
    """The same words, no filters."""
    return search_url(
        params, "/", year=None, type=None, presenter=None, has_decision=None,
        person=None, **{"from": None, "to": None},
    )  # fmt: skip


def sort_links(params: SearchParams) -> list[tuple[str, str, bool]]:
    """Relevance, newest or oldest first: (label, url, chosen).

    A list without words has no relevance to sort by: newest first, then.
    """
    newest = params.sort == "date" or (params.sort == "relevance" and not params.q)
    links = [
        ("Datum, nyast först", search_url(params, sort="date"), newest),
        ("Datum, äldst först", search_url(params, sort="date_asc"),
         params.sort == "date_asc"),
    ]  # fmt: skip
    if params.q.strip():
        links.insert(
            0, ("Relevans", search_url(params, sort=None), params.sort == "relevance")
        )
    return links


def range_form(params: SearchParams) -> dict:
    """The "Tid" form: from and to as typed, the rest of the search kept hidden."""
    args = search_args(params)
    keep = search_args(params, year=None, page=None, **{"from": None, "to": None})
    hidden = [(k, v) for k, vs in keep.items() for v in (vs if isinstance(vs, list)
              else [vs])]  # fmt: skip
    return {"from": args.get("from", ""), "to": args.get("to", ""), "hidden": hidden}
