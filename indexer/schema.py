"""The Whoosh schema: one index document per agenda item.

Each item carries its document's fields (doc_id, source, type, title, date,
year) so that filters and facets never need a join. The body is indexed three
ways (exact, stemmed, folded) so that ranking can prefer the closest match;
OCR'd items a fourth way, folded for every query word.
"""

from __future__ import annotations

from whoosh.fields import BOOLEAN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from .analysis import (
    exact_analyzer,
    fold_analyzer,
    name_analyzer,
    ocr_analyzer,
    stem_analyzer,
)
from .positions import PackedPositions

# Bump when the schema or the analysis changes: an index with another version
# is rebuilt from scratch instead of mixing old and new analysis.
SCHEMA_VERSION = 13

# Query fields and their weights: heading above body; exact above stem above
# folded (so clean text outranks its OCR-damaged or diacritic-less look-alikes).
QUERY_FIELDS: dict[str, float] = {
    "item_title": 3.0,
    "item_title_fold": 1.0,
    "body": 1.6,
    "body_stem": 1.2,
    "body_fold": 0.6,
    "item_title_ocr": 0.5,
    "body_ocr": 0.4,
    "people": 2.0,
}
BODY_FIELDS = {
    "body": "exact",
    "body_stem": "stem",
    "body_fold": "fold",
    "body_ocr": "ocr",
}
TITLE_FIELDS = {
    "item_title": "stem",
    "item_title_fold": "fold",
    "item_title_ocr": "ocr",
}


def get_schema() -> Schema:
    """A fresh schema instance (analyzers included)."""
    return Schema(
        item_id=ID(stored=True, unique=True),
        doc_id=ID(stored=True),
        source=ID(stored=True),
        doc_type=ID(stored=True),
        year=ID(stored=True),
        date=ID(stored=True, sortable=True),
        item_number=NUMERIC(stored=True, sortable=True),
        has_decision=BOOLEAN(stored=True),
        ocr=BOOLEAN(stored=True),
        item_title=_text(analyzer=stem_analyzer(), stored=True),
        item_title_fold=_text(analyzer=fold_analyzer()),
        body=_text(analyzer=exact_analyzer()),
        body_stem=_text(analyzer=stem_analyzer()),
        body_fold=_text(analyzer=fold_analyzer()),
        # OCR'd items only: every query word folded, for damage left uncorrected.
        item_title_ocr=_text(analyzer=ocr_analyzer()),
        body_ocr=_text(analyzer=ocr_analyzer()),
        # Presenters; on a meeting's first item also everyone in its attendance
        # list and footer, so a name search finds the meeting once, not every
        # item (a field of its own would cost every query word one more term).
        people=_text(analyzer=name_analyzer()),
        # Names exactly as written, one term each: the presenter facet and filter.
        presenter=KEYWORD(commas=True, lowercase=False, scorable=False),
        # Name keys (indexer.people.name_key) of who took part in an item: its
        # presenters and everyone at the meeting. The person filter.
        person=KEYWORD(commas=True, lowercase=False, scorable=False),
        title=STORED(),
        text=STORED(),
        presenters=STORED(),
        decisions=STORED(),
        attachments=STORED(),
        pages=STORED(),
        ocr_confidence=STORED(),
        corrections=STORED(),
        doc_meta=STORED(),
        date_kind=STORED(),  # "meeting" | "signed" | "period": what ``date`` is
        valid=STORED(),  # an agreement's period (from, to) as years, or Nones
    )


def _text(analyzer, stored: bool = False) -> TEXT:
    """A text field whose positions are written packed (``positions``), not pickled."""
    field = TEXT(analyzer=analyzer, stored=stored)
    field.format = PackedPositions(field_boost=field.format.field_boost)
    return field


def signature(schema: Schema) -> list:
    """What the index was built with: fields, their kinds and analysis chains.

    Stored in the manifest; a different signature means a full rebuild.
    Schema objects themselves do not compare reliably (their column objects
    have no equality).
    """
    out = []
    for name in sorted(schema.names()):
        field = schema[name]
        analyzer = getattr(field, "analyzer", None)
        chain = [type(part).__name__ for part in getattr(analyzer, "items", [])]
        fmt = type(field.format).__name__  # how postings are written
        out.append([name, type(field).__name__, chain, bool(field.stored), fmt])
    return out


def make_item_id(doc_id: str, number: int) -> str:
    """Stable as long as the file's items keep their order."""
    return f"{doc_id}-{number}"
