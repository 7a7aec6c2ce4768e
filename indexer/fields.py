"""One agenda item as the fields of its index document."""

from __future__ import annotations

from .lexicon import Lexicon
from .model import Document, Item
from .ocrfix import correct_item, correct_text, marks_as_printed
from .people import item_person_keys
from .schema import make_item_id


def item_fields(doc: Document, item: Item, lexicon: Lexicon | None) -> dict:
    """The index document of one item.

    OCR'd items are corrected towards the lexicon (``lexicon``) in the
    stemmed and folded fields, heading included, so "Iagen" is found as
    "lagen" without folding; the exact field and the stored text keep the
    characters on the page, which highlighting marks. Their corrected text,
    with only the diacritics the scan printed, also goes into the OCR-only
    fields, which every query word searches.
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
        # The heading is searched as corrected ("Foraldrastod" as
        # "föräldrastöd") and stored as printed, which the pages show.
        "item_title": fixed.title,
        "_stored_item_title": item.title,
        "item_title_fold": fixed.title,
        "body": item.text,
        "body_stem": fixed.body,
        "body_fold": fixed.body,
        "item_title_ocr": marks_as_printed(item.title, fixed.corrections)
        if item.ocr
        else "",
        "body_ocr": marks_as_printed(item.text, fixed.corrections) if item.ocr else "",
        "people": _people(doc, item, fixed.people, lexicon),
        "presenter": ",".join(item.presenters),
        "title": doc.title,
        "text": item.text,
        "presenters": item.presenters,
        "decisions": item.decisions,
        "attachments": item.attachments,
        "pages": item.pages,
        "ocr_confidence": item.ocr_confidence,
        "corrections": fixed.corrections,
        # Name keys of who took part: the person filter.
        "person": ",".join(item_person_keys(doc, item)),
    }
    if item.number == 1:
        fields["doc_meta"] = _doc_meta(doc)
    return fields


def _people(doc: Document, item: Item, presenters: str, lexicon) -> str:
    """Presenters; on a meeting's first item also everyone in its attendance.

    A name search then finds the meeting once, not every item; a field of
    its own would cost every query word one more term.
    """
    if item.number != 1 or not doc.attendance:
        return presenters
    names = " ".join(a.name for a in doc.attendance)
    if item.ocr and lexicon is not None:
        names, _ = correct_text(names, lexicon)
    return f"{presenters} {names}".strip()


def _doc_meta(doc: Document) -> dict:
    keys = ("title", "date", "time", "place", "present", "absent", "secretary")
    meta = {k: getattr(doc, k) for k in keys}
    meta["convener"] = doc.convener
    meta["attendance"] = [a.as_dict() for a in doc.attendance]
    meta.update(source_url=doc.source_url, ocr=doc.ocr, item_count=len(doc.items))
    # What ``date`` is: an agreement's period start is no signing day.
    meta.update(
        date_kind=doc.date_kind if doc.date else None,
        valid_from=doc.valid_from,
        valid_to=doc.valid_to,
    )
    return meta
