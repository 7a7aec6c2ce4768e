"""Whoosh's segment writer, with postings gathered per term (``indexer.termpool``).

What a segment holds is Whoosh's own: the same stored fields, lengths,
columns, terms and postings blocks, byte for byte (``tests/test_writer.py``
compares them with Whoosh's writer's). What changes is the way there:

- a position field (``PackedPositions``) whose analyzer goes word by word
  (``indexer.analysis.WordMemoAnalyzer``) hands the pool the item's words,
  whose forms and positions are worked out for the whole segment at once
  (``indexer.occurrences``), not a token per occurrence encoded into a value;
- the pool keeps each term's postings as arrays and sorts terms, not
  postings;
- the segment's postings are written a term at a time, each term's field
  lengths gathered with one array index, not looked up per posting.

Every other field, and postings that come from merging segments, take
Whoosh's own path into the same pool. Term vectors and spelling words are
not written (the schema has none; a schema that asks for them is refused).
"""

from __future__ import annotations

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length
from whoosh.writing import SegmentWriter

from .analysis import WordMemoAnalyzer
from .positions import PackedPositions
from .termpool import TermPool

VALUES_REMEMBERED = 50_000  # the terms of values of fields without positions
# A stored length byte as the length the codec records (0: none).
_LENGTHS = np.array([0] + [byte_to_length(b) for b in range(1, 256)], dtype=np.int64)


class ItemWriter(SegmentWriter):
    """``SegmentWriter`` over a ``TermPool`` (see the module docstring)."""

    def __init__(self, ix, limitmb: int = 128, **kwargs) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        for name in self.schema.names():
            field = self.schema[name]
            if field.vector or field.separate_spelling():
                self.cancel()
                raise ValueError(f"field {name!r}: term vectors or spelling words")
        folder = getattr(self._tempstorage, "folder", None)
        self.pool = TermPool(self.schema, limitmb * 1024 * 1024, folder)
        self._orders: dict[tuple, list[str]] = {}
        self._indexed: dict[tuple, list[tuple]] = {}
        self._tokens: dict[tuple, list[str]] = {}  # this item's, per tokenizer and text

    def add_document(self, **fields) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        perdocwriter.start_doc(docnum)
        self._tokens.clear()
        try:
            for fieldname in self._order(fields):
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    boost = self._field_boost(fields, fieldname, docboost)
                    length = self._index(fieldname, field, value, docnum, boost)
                stored = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(
                    fieldname, field, stored if field.stored else None, length
                )
                column = field.column_type
                if column and stored is not None:
                    perdocwriter.add_column_value(
                        fieldname, column, field.to_column_value(stored)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _index(self, fieldname: str, field, value, docnum: int, boost: float) -> int:
        """Pool one field's postings; its length (0 if the field is not scored)."""
        fmt = field.format
        analyzer = field.analyzer
        if (
            type(fmt) is PackedPositions
            and isinstance(value, str)
            and isinstance(analyzer, WordMemoAnalyzer)
            and analyzer.memoable()
        ):
            tokens = analyzer.tokens(value, self._tokens)  # once per tokenizer
            length = self.pool.add_words(
                fieldname, docnum, tokens, analyzer.word_forms, fmt.field_boost, boost
            )
        else:
            length = 0
            add = self.pool.add
            for tbytes, freq, weight, vbytes in self._terms(fieldname, field, value):
                add((fieldname, tbytes, docnum, weight * boost, vbytes))
                length += freq
        return length if field.scorable else 0

    def _order(self, fields: dict) -> list[str]:
        """The document's field names in Whoosh's order (sorted, without the
        ``_`` settings), checked against the schema; once per set of names."""
        names = tuple(fields)
        order = self._orders.get(names)
        if order is None:
            order = sorted(name for name in names if not name.startswith("_"))
            self._check_fields(self.schema, order)
            self._orders[names] = order
        return order

    def _terms(self, fieldname: str, field, value) -> list[tuple]:
        """``field.index(value)``, remembered: an item's ids, dates, types and
        names repeat across items, and analysing a value is a function of the
        value alone."""
        key = (fieldname, type(value), value)
        try:
            return self._indexed[key]
        except KeyError:
            pass
        except TypeError:  # unhashable: not remembered
            return list(field.index(value))
        made = self._indexed[key] = list(field.index(value))
        if len(self._indexed) > VALUES_REMEMBERED:
            self._indexed.clear()
        return made

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        writer = self.fieldwriter
        if not hasattr(writer, "add_term"):  # another codec: Whoosh's way
            writer.add_postings(self.schema, pdr, self.pool.iter_postings())
        else:
            self._write_terms(writer, pdr)
        writer.close()
        if pdr is not None:
            pdr.close()

    def _write_terms(self, writer, pdr) -> None:
        schema = self.schema
        current = None
        lengths = np.zeros(0, dtype=np.int64)
        for (fieldname, term), postings in self.pool.terms():
            if fieldname not in schema:
                continue
            if fieldname != current:
                if current is not None:
                    writer.finish_field()
                writer.start_field(fieldname, schema[fieldname])
                current = fieldname
                lengths = _field_lengths(pdr, fieldname, self.docnum)
            writer.add_term(term, postings, lengths[postings.ids])
        if current is not None:
            writer.finish_field()


def _field_lengths(pdr, fieldname: str, doccount: int) -> np.ndarray:
    """Every item's length of one field, as the codec records it (0: none)."""
    lenfield = _lenfield(fieldname)
    if pdr is None or not pdr.has_column(lenfield):
        return np.zeros(doccount, dtype=np.int64)
    column = pdr.column_reader(lenfield, LENGTHS_COLUMN)
    stored = np.fromiter(
        (column[n] for n in range(doccount)), dtype=np.int64, count=doccount
    )
    return _LENGTHS[stored]
