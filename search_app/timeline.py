"""The timeline: hits per year as the geometry of a small inline SVG bar chart.

Every year from the first to the last with hits gets a slot (quiet years show
as gaps), and each bar links to the search filtered to its year. The template
only draws what is computed here; sizes are SVG attributes, never styles.
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
    bars = [
        _bar(params, i, year, counts.get(year, 0), peak, i % every == 0)
        for i, year in enumerate(slots)
    ]
    return {
        "width": 2 * SIDE + STEP * len(slots),
        "height": TOP + CHART + BOTTOM,
        "baseline": TOP + CHART,
        "bars": bars,
        "undated": total - sum(counts.values()),
    }


def _slots(counts: dict[int, int]) -> list[int]:
    """Every year of the span, so quiet years show as gaps (unless the span is long)."""
    first, last = min(counts), max(counts)
    if last - first + 1 > MAX_SPAN:
        return sorted(counts)
    return list(range(first, last + 1))


def _bar(params, index, year, count, peak, labelled) -> dict:
    """One year's slot: its rectangle, labels and link (none for a quiet year)."""
    height = max(round(CHART * count / peak), 3) if count else 0
    on = params.year == str(year)
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
        "url": search_url(params, year=None if on else str(year)) if count else None,
        "label": f"{year}: {hits_label(count)}" + (", valt år" if on else ""),
    }
