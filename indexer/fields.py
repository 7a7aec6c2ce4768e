"""One agenda item as the fields of its index document."""

from __future__ import annotations

from .lexicon import Lexicon
from .model import Document, Item
from .ocrfix import correct_item
from .schema import make_item_id


def item_fields(doc: Document, item: Item, lexicon: Lexicon | None) -> dict:
    """The index document of one item.

    OCR'd items are corrected towards the lexicon (``lexicon``) in the folded
    fields only; the exact and stemmed fields keep the characters on the page,
    which highlighting marks.
    """
    fixed = correct_item(item, lexicon)
    fields = {
        "item_id": make_item_id(doc.doc_id, item.number),
        "doc_id": doc.doc_id,
        "source": doc.source,
        "doc_type": doc.doc_type,
        "year": doc.year or "",
        "date": doc.date or "",
        "date_kind": doc.date_kind if doc.date else None,
        "valid": (doc.valid_from, doc.valid_to),
        "item_number": item.number,
        "has_decision": bool(item.decisions),
        "ocr": item.ocr,
        "item_title": item.title,
        "item_title_fold": fixed.title,
        "body": item.text,
        "body_stem": item.text,
        "body_fold": fixed.body,
        "people": fixed.people,
        "presenter": ",".join(item.presenters),
        "title": doc.title,
        "text": item.text,
        "presenters": item.presenters,
        "decisions": item.decisions,
        "pages": item.pages,
        "ocr_confidence": item.ocr_confidence,
        "corrections": fixed.corrections,
    }
    if item.number == 1:
        fields["doc_meta"] = _doc_meta(doc)
    return fields


def _doc_meta(doc: Document) -> dict:
    keys = ("title", "date", "time", "place", "present", "absent", "secretary")
    meta = {k: getattr(doc, k) for k in keys}
    meta.update(source_url=doc.source_url, ocr=doc.ocr, item_count=len(doc.items))
    # What ``date`` is: an agreement's period start is no signing day.
    meta.update(
        date_kind=doc.date_kind if doc.date else None,
        valid_from=doc.valid_from,
        valid_to=doc.valid_to,
    )
    return meta
