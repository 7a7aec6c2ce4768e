"""The document page's view: header, contents, items with anchors and hit navigation.

Arriving from a search (?q=), the items that hold the query's words are
marked and chained: each has links to the previous and the next such item,
so the reader can walk the hits of a long document without scrolling.
"""

from __future__ import annotations

from .highlight import marked_item
from .labels import items_label, stated_date, type_label
from .links import file_url, item_permalink, search_url
from .vocabulary import SearchParams


def document_page(doc: dict, q: str) -> dict:
    """The template context for /doc/<doc_id>."""
    hits = [item["item_number"] for item in doc["items"] if item["matched"]]
    return {
        "doc": doc,
        "q": q,
        "type_label": type_label(doc["doc_type"]),
        "header": header_rows(doc),
        "file_url": file_url(doc["source"]),
        "items": [_item(doc, item, hits) for item in doc["items"]],
        "hits_label": items_label(len(hits)),
        "hits_total": len(hits),
        "first_hit": f"#item-{hits[0]}" if hits else None,
        "back_url": search_url(SearchParams(q=q)) if q.strip() else None,
    }


def header_rows(doc: dict) -> list[tuple[str, str]]:
    """The meeting's facts as (label, value) rows; missing facts are left out."""
    rows = [
        ("Datum", stated_date(doc)),
        ("Tid", doc.get("time")),
        ("Plats", doc.get("place")),
        ("Närvarande", ", ".join(doc.get("present") or [])),
        ("Frånvarande", ", ".join(doc.get("absent") or [])),
        ("Antecknat av", doc.get("secretary")),
    ]
    return [(label, value) for label, value in rows if value]


def _item(doc: dict, item: dict, hits: list[int]) -> dict:
    """One item with its anchor, links and (when it is a hit) its neighbours."""
    number, pages = item["item_number"], item.get("pages") or []
    position = hits.index(number) if number in hits else None
    return {
        **marked_item(item),
        "anchor": f"item-{number}",
        "permalink": item_permalink(doc["doc_id"], number),
        "file_url": file_url(doc["source"], pages),
        "pages_label": _pages_label(pages),
        "hit_number": None if position is None else position + 1,
        "prev_hit": _neighbour(hits, position, -1),
        "next_hit": _neighbour(hits, position, +1),
    }


def _neighbour(hits: list[int], position: int | None, step: int) -> str | None:
    """The anchor of the previous or next hit, if there is one."""
    if position is None or not 0 <= position + step < len(hits):
        return None
    return f"#item-{hits[position + step]}"


def _pages_label(pages: list[int]) -> str | None:
    """Where the item stands in the original file."""
    if not pages:
        return None
    first, last = min(pages), max(pages)
    return f"Sida {first}" if first == last else f"Sidorna {first}–{last}"
