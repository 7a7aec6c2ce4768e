"""The timeline: hits per year as the geometry of a small inline SVG bar chart.

Every year from the first to the last with hits gets a slot (quiet years show
as gaps). The bars select a time range without script: a bar chooses its
year; with one year chosen, another bar widens the choice to the span
between them (``from``/``to``); within a span, a bar narrows it to its year;
the only year chosen, clicked again, clears it. The template only draws what
is computed here; sizes are SVG attributes, never styles.
"""

from __future__ import annotations

from .labels import hits_label
from .links import search_url
from .vocabulary import SearchParams

STEP, BAR, CHART, TOP, BOTTOM, SIDE = 44, 30, 64, 18, 22, 6
MAX_SPAN = 30  # more years than this: only the years with hits get a slot
MAX_LABELS = 12  # more bars than this: every other year label is left out


def timeline(params: SearchParams, years: dict[str, int], total: int) -> dict | None:
    """The chart, or None when there is nothing to draw; ``total`` counts undated."""
    counts = {int(y): n for y, n in years.items() if y.isdigit() and n > 0}
    if not counts:
        return None
    slots = _slots(counts)
    peak = max(counts.values())
    every = -(-len(slots) // MAX_LABELS)
    chosen = chosen_years(params)
    bars = [
        _bar(params, i, year, counts.get(year, 0), peak, i % every == 0, chosen)
        for i, year in enumerate(slots)
    ]
    return {
        "width": 2 * SIDE + STEP * len(slots),
        "height": TOP + CHART + BOTTOM,
        "baseline": TOP + CHART,
        "bars": bars,
        "undated": total - sum(counts.values()),
        "range_label": _range_label(params),
    }


def chosen_years(params: SearchParams) -> tuple[int, int] | set[int] | None:
    """The years chosen: a span (first, last), a set of years, or None."""
    if params.date_from or params.date_to:
        first = int(params.date_from[:4]) if params.date_from else 0
        last = int(params.date_to[:4]) if params.date_to else 9999
        return (first, last)
    if len(params.years) == 1:
        year = int(params.years[0])
        return (year, year)
    return {int(y) for y in params.years} or None


def _range_label(params: SearchParams) -> str | None:
    """ "Vald tid: 2019–2022" when a range (not one year) is chosen."""
    if params.date_from or params.date_to:
        return f"Vald tid: {params.date_from or '…'} – {params.date_to or '…'}"
    if len(params.years) > 1:
        return "Valda år: " + ", ".join(params.years)
    return None


def _choose(params: SearchParams, year: int, chosen) -> dict:
    """The filter changes a click on ``year``'s bar makes."""
    none = {"year": None, "from": None, "to": None}
    if chosen is None or isinstance(chosen, set):
        return {**none, "year": str(year)}
    first, last = chosen
    if first == last == year:
        return none
    if first == last:
        low, high = sorted((first, year))
        return {**none, "from": str(low), "to": str(high)}
    return {**none, "year": str(year)}


def _on(year: int, chosen) -> bool:
    if chosen is None:
        return False
    if isinstance(chosen, set):
        return year in chosen
    return chosen[0] <= year <= chosen[1]


def _slots(counts: dict[int, int]) -> list[int]:
    """Every year of the span, so quiet years show as gaps (unless the span is long)."""
    first, last = min(counts), max(counts)
    if last - first + 1 > MAX_SPAN:
        return sorted(counts)
    return list(range(first, last + 1))


def _bar(params, index, year, count, peak, labelled, chosen) -> dict:
    """One year's slot: its rectangle, labels and link (none for a quiet year)."""
    height = max(round(CHART * count / peak), 3) if count else 0
    on = _on(year, chosen)
    x = SIDE + index * STEP
    return {
        "year": year,
        "count": count,
        "on": on,
        "x": x + (STEP - BAR) // 2,
        "y": TOP + CHART - height,
        "width": BAR,
        "height": height,
        "text_x": x + STEP // 2,
        "count_y": TOP + CHART - height - 4,
        "year_y": TOP + CHART + 16,
        "year_label": str(year) if labelled or on else "",
        "url": search_url(params, **_choose(params, year, chosen)) if count else None,
        "label": f"{year}: {hits_label(count)}" + (", valt år" if on else ""),
    }
