"""The document page's view: header, contents, items with anchors and hit navigation.

Arriving from a search (?q=), the items that hold the query's words are
marked and chained: each has links to the previous and the next such item,
so the reader can walk the hits of a long document without scrolling.
"""

from __future__ import annotations

import re

from .highlight import mark, marked_item
from .labels import items_label, stated_date, type_label
from .links import file_url, item_permalink, search_url
from .vocabulary import Item, SearchParams

_LABELLED = re.compile(r"\bbeslut\w*\s*:", re.I)


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
        ("Kallat av", doc.get("convener")),
    ]
    return [(label, value) for label, value in rows if value]


def _item(doc: dict, item: Item, hits: list[int]) -> dict:
    """One item with its anchor, links and (when it is a hit) its neighbours."""
    number, pages = item["item_number"], item.get("pages") or []
    position = hits.index(number) if number in hits else None
    shown = marked_item(item)
    paragraphs, elsewhere = decision_paragraphs(shown)
    return {
        **shown,
        "paragraphs": paragraphs,
        "other_decisions": elsewhere,
        "anchor": f"item-{number}",
        "permalink": item_permalink(doc["doc_id"], number),
        "file_url": file_url(doc["source"], pages),
        "pages_label": _pages_label(pages),
        "hit_number": None if position is None else position + 1,
        "prev_hit": _neighbour(hits, position, -1),
        "next_hit": _neighbour(hits, position, +1),
    }


def decision_paragraphs(item: dict) -> tuple[list[dict], list[str]]:
    """The item's paragraphs, those stating a decision flagged; and any decision
    the text does not hold.

    A decision is shown once: where it stands in the text, flagged, not again
    in a list below it. An attachment that opens the paragraph stands before
    the "Beslut:" label, apart from the decision. Only a decision the text
    lacks gets listed.
    """
    decisions = item.get("decisions") or []
    text, spans = item.get("text") or "", item.get("spans") or []
    paragraphs, offset = [], 0
    for para, html in zip(text.split("\n\n"), item["paragraphs_html"], strict=False):
        decides = any(d in para for d in decisions)
        entry = {
            "html": html,
            "decision": decides,
            # A paragraph that says "Beslut:" itself needs no second label.
            "label": decides and not _LABELLED.search(para),
            "attachment_html": None,
        }
        ref = _leading_attachment(para, item) if entry["label"] else None
        if ref:
            rest = len(para) - len(para[len(ref) :].lstrip())
            head = _within(spans, offset, offset + len(ref))
            entry["attachment_html"] = mark(ref, head)
            tail = _within(spans, offset + rest, offset + len(para))
            entry["html"] = mark(para[rest:], tail)
        paragraphs.append(entry)
        offset += len(para) + 2
    elsewhere = [d for d in decisions if d not in text]
    return paragraphs, elsewhere


def _leading_attachment(para: str, item: dict) -> str | None:
    """The attachment the paragraph opens with, if any."""
    refs = item.get("attachments") or []
    return next((a for a in refs if para.startswith(a + " ")), None)


def _within(spans: list, offset: int, end: int) -> list[tuple[int, int]]:
    """The spans inside text[offset:end], counted from ``offset``."""
    return [(s - offset, e - offset) for s, e in spans if s >= offset and e <= end]


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
