"""The service's answers as plain dicts: hits, items, facets, an empty response.

Stored fields in, the shapes of ``vocabulary`` out; no engine, so the
service's policy (``search``) stays short and these stay easy to read.
"""

from __future__ import annotations

import re
import unicodedata
from operator import itemgetter
from typing import TYPE_CHECKING, cast
from urllib.parse import quote

from .querytext import Interpretation
from .vocabulary import (
    FACETS,
    Facets,
    Hit,
    Item,
    Notice,
    SearchParams,
    SearchResponse,
)

if TYPE_CHECKING:
    from .matching import TermMatcher


def _notice(code: str, message: str, detail: str) -> Notice:
    return {"code": code, "message": message, "detail": detail}


def empty_response(params: SearchParams, reading: Interpretation) -> SearchResponse:
    """A response that found nothing yet, saying how the query was read."""
    warnings = [
        _notice("query_reinterpreted", f"Tolkad som ”{reading.display}”: {n}", n)
        for n in reading.notes
    ]
    warnings += [
        _notice("unknown_parameter", f"Okänd parameter ignorerades: {name}", name)
        for name in params.ignored
    ]
    warnings += [
        _notice(
            "ignored_parameter",
            f"Parametern {name} gäller bara sökord och ignorerades",
            name,
        )
        for name in params.unused
    ]
    if params.date_from and params.date_to and params.date_from > params.date_to:
        message = f"from ({params.date_from}) ligger efter to ({params.date_to})"
        warnings.append(_notice("empty_range", message, "from"))
    return {
        "query": params.q,
        "total": 0,
        "page": params.page,
        "per_page": params.per_page,
        "hits": [],
        "facets": {"year": {}, "doc_type": {}, "presenter": {}, "has_decision": {}},
        "suggestion": None,
        "interpreted_query": reading.display,
        "corrections": [],
        "warnings": warnings,
        "total_pages": 0,
    }


def facets(counts: dict) -> Facets:
    """Facet counts as the API shows them: years and types sorted, people by count."""
    out = {name: dict(sorted(counts[name].items())) for name in FACETS}
    for name in FACETS:
        out[name].pop("", None)  # undated items have no year to filter by
    # Most items first, then by name: sorted by name, then stably by count.
    by_name = sorted(counts["presenter"].items())
    out["presenter"] = dict(sorted(by_name, key=itemgetter(1), reverse=True))
    flags = counts["has_decision"]
    out["has_decision"] = {"true": flags.get("true", 0), "false": flags.get("false", 0)}
    return cast(Facets, out)


def item_url(doc_id: str, number: int, q: str = "") -> str:
    """The item's anchor on its document page; with the search in the query string."""
    query = f"?q={quote(q)}" if q else ""
    return f"/doc/{quote(doc_id)}{query}#item-{number}"


def _dates(fields: dict) -> dict:
    """What the document states: a meeting or signing date, or a period.

    An agreement that states only its period ("2021–2024") is dated, sorted
    and filtered by the period's first day, and says so (``date_kind``
    "period"), so no page shows it as signed on that day.
    """
    kind = fields.get("date_kind")
    date = fields.get("date") or None
    if kind is None and date:  # an index from before dates had kinds
        kind = "meeting" if fields["doc_type"] == "minutes" else "signed"
    valid = fields.get("valid") or (None, None)
    return {
        "date": date,
        "date_kind": kind if date else None,
        "valid_from": valid[0],
        "valid_to": valid[1],
    }


def _item_facts(fields: dict) -> dict:
    """What a hit and a document page both say about an item, after its people."""
    return {
        "decisions": fields.get("decisions") or [],
        "ocr": bool(fields.get("ocr")),
        "ocr_confidence": fields.get("ocr_confidence"),
        "pages": fields.get("pages") or [],
    }


def hit(fields: dict, score: float, q: str, matcher: TermMatcher) -> Hit:
    text = fields.get("text") or ""
    ocr = bool(fields.get("ocr"))
    spans = matcher.spans(text, fields.get("corrections") or {}, ocr)
    found = {
        "doc_id": fields["doc_id"],
        "source": fields["source"],
        "doc_type": fields["doc_type"],
        "title": fields["title"],
        **_dates(fields),
        "item_id": fields["item_id"],
        "item_number": fields["item_number"],
        "item_title": fields["item_title"],
        "item_title_read": read_heading(
            fields["item_title"], fields.get("corrections") or {}
        ),
        "presenters": fields.get("presenters") or [],
        "score": round(float(score or 0.0), 4),
        "match": {"text": text, "spans": spans},
        "url": item_url(fields["doc_id"], fields["item_number"], q),
        **_item_facts(fields),
        "attendance": _attendance_matches(fields, matcher),
    }
    return cast(Hit, found)  # the spreads hold the rest of Hit's keys


_WORD = re.compile(r"\w+")


def _base(word: str) -> str:
    """A word's first letter without case or diacritics: "Å" -> "a"."""
    return unicodedata.normalize("NFD", word[:1].lower())[:1]


def read_heading(title: str, corrections: dict[str, str]) -> str:
    """A scanned heading as a reader would write it: "Uppfdljning" -> "Uppföljning".

    The indexer's own corrections of the item (lowercased word -> word), in
    the case the scan printed; a clean item has none and keeps its heading.
    The document page still shows the scan's own text.
    """
    if not corrections:
        return title

    def repair(match: re.Match) -> str:
        word = match.group(0)
        fixed = corrections.get(word.lower())
        if not fixed:
            return word
        if word.isupper() and len(word) > 1:
            return fixed.upper()
        # "Idngsiktigt" is "långsiktigt": its capital was the misread letter.
        capital = word[:1].isupper() and _base(word) == _base(fixed)
        return fixed[:1].upper() + fixed[1:] if capital else fixed

    return _WORD.sub(repair, title)


def _attendance_matches(fields: dict, matcher: TermMatcher) -> list[dict]:
    """The meeting's attendees the query names: why a meeting's first item is a hit.

    Attendance is indexed on a meeting's first item only, so only there can
    it be the reason for a hit; elsewhere this is empty.
    """
    meta = fields.get("doc_meta") or {}
    return [
        {k: entry.get(k) for k in ("name", "role", "stands_in_for")}
        for entry in meta.get("attendance") or []
        if matcher.spans(entry["name"], {})
    ]


def item(fields: dict, matcher: TermMatcher | None) -> Item:
    text = fields.get("text") or ""
    corrections = fields.get("corrections") or {}
    ocr = bool(fields.get("ocr"))
    spans = matcher.spans(text, corrections, ocr) if matcher else []
    title = fields["item_title"]
    title_spans = matcher.spans(title, corrections, ocr) if matcher else []
    found = {
        "item_id": fields["item_id"],
        "item_number": fields["item_number"],
        "item_title": title,
        "title_spans": title_spans,
        "presenters": fields.get("presenters") or [],
        **_item_facts(fields),
        "attachments": fields.get("attachments") or [],
        "text": text,
        "spans": spans,
        "matched": bool(spans or title_spans),
    }
    return cast(Item, found)
