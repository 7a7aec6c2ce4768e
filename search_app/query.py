"""From what a user typed to an engine query, and back to the words it matched.

Part of the engine seam (with ``indexer.schema``, ``indexer.build`` and
``search``): the parser, its operators, and the matcher that finds the
query's words in an item's original text for highlighting.
"""

from __future__ import annotations

from whoosh import query as Q
from whoosh.qparser import MultifieldParser, OperatorsPlugin
from whoosh.qparser.plugins import FieldsPlugin

from indexer.analysis import token_spans, word_forms
from indexer.schema import BODY_FIELDS, QUERY_FIELDS, TITLE_FIELDS


def make_parser(schema) -> MultifieldParser:
    """Default field group AND; Swedish operators too; no field syntax.

    Field syntax is off so that "§ 5: budget" is searched as text.
    """
    parser = MultifieldParser(list(QUERY_FIELDS), schema, fieldboosts=QUERY_FIELDS)
    parser.remove_plugin_class(FieldsPlugin)
    parser.replace_plugin(
        OperatorsPlugin(
            And=r"(?<=\s)(?:AND|OCH)(?=\s)",
            Or=r"(?<=\s)(?:OR|ELLER)(?=\s)",
            Not=r"(^|(?<=(\s|[()])))(?:NOT|INTE)(?=\s)",
            AndNot=None,
            AndMaybe=None,
            Require=None,
        )
    )
    return parser


class TermMatcher:
    """Finds, in an item's original text, the words a query matched.

    The query's terms are per field (exact, stemmed, folded); a word of the
    text matches when its form for that field is among them. OCR corrections
    made at index time count for the folded form.
    """

    def __init__(self, q, reader) -> None:
        kinds = {**BODY_FIELDS, **TITLE_FIELDS}
        self.terms: dict[str, set[str]] = {"exact": set(), "stem": set(), "fold": set()}
        for field, text in _positive_terms(q, reader):
            kind = kinds.get(field)
            if kind:
                self.terms[kind].add(text.decode() if isinstance(text, bytes) else text)

    def matches(self, word: str, correction: str | None = None) -> bool:
        forms = word_forms(word)
        if correction:
            forms["fold"] |= word_forms(correction.lower())["fold"]
        return any(forms[kind] & self.terms[kind] for kind in self.terms)

    def spans(self, text: str, corrections: dict[str, str]) -> list[tuple[int, int]]:
        if not any(self.terms.values()):
            return []
        return [
            (start, end)
            for start, end, word in token_spans(text)
            if self.matches(word, corrections.get(word))
        ]


def _positive_terms(q, reader):
    """Terms of the query that a matching item contains (not the NOT-ed ones)."""
    if q is None or isinstance(q, Q.Not):
        return
    if isinstance(q, Q.AndNot):
        yield from _positive_terms(q.a, reader)
        return
    if q.is_leaf():
        yield from q.expanded_terms(reader, phrases=True)
        return
    for child in q.children():
        yield from _positive_terms(child, reader)
