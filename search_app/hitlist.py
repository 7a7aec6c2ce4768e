"""The hits as the pages show them: labels and links computed once, for every view.

The search page, the /embed list and the Atom feed show the same hits; they
read these keys and compute nothing themselves.
"""

from __future__ import annotations

from .labels import ROLE_LABELS, stated_date, type_label
from .links import file_url, item_permalink, search_url
from .vocabulary import SearchParams

DECISION_CHARS = 300  # a hit shows the decision's opening; the item shows all of it


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word before ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,.;:") + " …"


def present_hits(params: SearchParams, hits: list[dict]) -> list[dict]:
    """Each hit of the JSON response, with its display labels and links added."""
    return [present_hit(params, hit) for hit in hits]


def present_hit(params: SearchParams, hit: dict) -> dict:
    """One hit, ready for a template: nothing left to compute there."""
    pages = hit.get("pages") or []
    read = hit.get("item_title_read") or hit["item_title"]
    return {
        **hit,
        "type_label": type_label(hit["doc_type"]),
        "date_label": stated_date(hit),
        # A scan's heading as corrected; its own text is on the document page.
        "heading": f"{hit['item_number']}. {read}",
        "scanned_heading": hit["item_title"] if read != hit["item_title"] else "",
        "permalink": item_permalink(hit["doc_id"], hit["item_number"]),
        "file_url": file_url(hit["source"], pages),
        "file_label": f"Originalfilen, sida {min(pages)}" if pages else "Originalfilen",
        "decision_text": shorten(" ".join(hit.get("decisions") or []), DECISION_CHARS),
        "attendance_label": ", ".join(
            f"{a['name']} ({ROLE_LABELS.get(a['role'], a['role'])})"
            for a in hit.get("attendance") or []
        ),
        "presenter_links": [
            (name, search_url(params, presenter=name)) for name in hit["presenters"]
        ],
    }
