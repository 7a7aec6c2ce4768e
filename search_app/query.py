"""From what a user typed to an engine query, and back to the words it matched.

Part of the engine seam (with ``indexer.schema``, ``indexer.build`` and
``search``): the parser, its operators, and the matcher that finds the
query's words in an item's original text for highlighting.
"""

from __future__ import annotations

import copy
import re

from whoosh import query as Q
from whoosh.qparser import MultifieldParser, OperatorsPlugin
from whoosh.qparser.plugins import FieldsPlugin, RangePlugin
from whoosh.support.levenshtein import levenshtein

from indexer.analysis import NonWordFilter, token_spans, word_forms
from indexer.morphology import compound_split, lost_diacritics
from indexer.ocrfix import damage_variants, fold
from indexer.schema import BODY_FIELDS, QUERY_FIELDS, TITLE_FIELDS

FUZZY_FIELDS = ("body_fold", "body_ocr")
FUZZY_MIN_CHARS = 7  # shorter words have too many neighbours to guess at
FUZZY_BOOST = 0.3  # below every exact, stemmed and folded match
CONFUSION_MIN_CHARS = 6
FALLBACK_MAX_CHARS = 30  # no real word is longer; automata on longer ones are slow
CONFUSION_BOOST = 0.5
SYNONYM_BOOST = 0.6  # the word the user typed ranks above its synonyms
MAX_VARIANTS = 8  # per query word: bounds the work a long query can cause
MAX_EXPANSIONS = 64  # terms a truncation (trygg*) may stand for, the commonest kept
MIN_PREFIX = 2  # letters before the first * or ?
MAX_WORDS = 60  # leaf terms a query may have before it is refused
MAX_TOTAL_EXPANSIONS = 1024  # terms all truncations of one query may stand for
# Phrases are matched position by position, the costliest thing a query does.
# The folded title field finds no phrase the stemmed title and the folded
# body do not.
REDUNDANT_PHRASE_FIELDS = {"item_title_fold"}
OCR_FIELDS = {"body_ocr", "item_title_ocr"}


class QueryRefused(ValueError):
    """A query that would cost too much; the message tells the user what to change."""


_OPERATOR_WORDS = re.compile(r"\b(AND|OR|NOT|OCH|ELLER|INTE)\b")


def parse(parser: MultifieldParser, text: str):
    """Parse, reading the operators as plain words where they make no sense.

    Whoosh's parser crashes on some operator sequences ("INTE OCH x");
    lowercased, they are just words (and mostly stop words).
    """
    try:
        return parser.parse(text)
    except Exception:  # noqa: BLE001 - the parser's failures are not typed
        plain = _OPERATOR_WORDS.sub(lambda m: m.group(0).lower(), text)
        try:
            return parser.parse(plain)
        except Exception:  # noqa: BLE001
            raise QueryRefused("the query could not be read") from None


def make_parser(schema, strict: bool = True) -> MultifieldParser:
    """Default field group AND; Swedish operators too; no field syntax.

    Field syntax is off so that "§ 5: budget" is searched as text.
    Ranges are off too. ``strict=False`` also looks for the query's Swedish
    words in the folded fields (see ``indexer.analysis.NonWordFilter``): the
    second try of a query that found nothing.
    """
    if not strict:
        schema = _lenient(schema)
    parser = MultifieldParser(list(QUERY_FIELDS), schema, fieldboosts=QUERY_FIELDS)
    parser.remove_plugin_class(FieldsPlugin)
    # Ranges ("[a TO z]") over words walk the vocabulary and mean nothing here.
    parser.remove_plugin_class(RangePlugin)
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


def typed_without_diacritics(text: str) -> bool:
    """Whether the query shows a user without å, ä and ö on the keyboard.

    One word that reads as a commoner word without its diacritics ("umea",
    "overgripande") is enough: then every word of the query may stand for
    one with them ("overgripande mal" is "övergripande mål").
    """
    return any(lost_diacritics(word) for _, _, word in token_spans(text))


def _lenient(schema):
    """A copy of the schema whose folded fields fold every query word."""
    schema = copy.deepcopy(schema)
    for _, field in schema.items():
        for part in getattr(getattr(field, "analyzer", None), "items", ()):
            if isinstance(part, NonWordFilter):
                part.strict = False
    return schema


class TermMatcher:
    """Finds, in an item's original text, the words a query matched.

    The query's terms are per field (exact, stemmed, folded, folded in OCR'd
    items only); a word of the text matches when its form for that field is
    among them. OCR corrections made at index time count for the stemmed and
    folded forms. The words of a phrase are marked only where they stand as
    the phrase, never on their own.
    """

    def __init__(self, q, reader) -> None:
        self.terms: dict[str, set[str]] = {
            "exact": set(),
            "stem": set(),
            "fold": set(),
            "ocr": set(),
        }
        self.phrases: list[tuple[str, tuple[str, ...], int]] = []
        # The words of a page repeat: each is matched once.
        self._seen: dict[tuple[str, str | None], bool] = {}
        for field, text in _positive_terms(q, reader):
            kind = _KINDS.get(field)
            if kind:
                self.terms[kind].add(_text(text))
        for field, words, slop in _positive_phrases(q):
            kind = _KINDS.get(field)
            if kind and words:
                self.phrases.append((kind, words, slop))
        self._keys = {fold(t)[:2] for terms in self.terms.values() for t in terms}
        self._keys |= {fold(w)[:2] for _, words, _ in self.phrases for w in words}

    def matches(
        self, word: str, correction: str | None = None, ocr: bool = False
    ) -> bool:
        key = (word, correction, ocr)
        known = self._seen.get(key)
        if known is None:
            known = self._seen[key] = self._matches(word, correction, ocr)
        return known

    def _matches(self, word: str, correction: str | None, ocr: bool) -> bool:
        kinds = [("exact", "exact"), ("stem", "stem"), ("fold", "fold")]
        if ocr:
            kinds.append(("fold", "ocr"))  # folded forms meet the OCR-only terms
        return any(
            forms[form] & self.terms[kind]
            for forms in self._forms(word, correction)
            for form, kind in kinds
        )

    def _forms(self, word: str, correction: str | None) -> list[dict]:
        """The word's forms, and its correction's stemmed and folded forms."""
        out = []
        if correction and self._may_match(correction.lower()):
            fixed = word_forms(correction.lower())
            out.append({**fixed, "exact": frozenset()})
        if self._may_match(word):
            out.append(word_forms(word))
        return out

    def _may_match(self, word: str) -> bool:
        """False when no form of the word can be a query term: skips its analysis.

        Every form the analysis makes (stem, lemma, compound part, folded) is
        a piece of the word with only its end changed, so a term's first two
        letters, folded, appear in the folded word.
        """
        folded = fold(word)
        return any(key in folded for key in self._keys)

    def spans(
        self, text: str, corrections: dict[str, str], ocr: bool = False
    ) -> list[tuple[int, int]]:
        """The words of ``text`` the query matched; ``ocr``: the item is a scan."""
        if not any(self.terms.values()) and not self.phrases:
            return []
        tokens = list(token_spans(text))
        marked = {
            (start, end)
            for start, end, word in tokens
            if self.matches(word, corrections.get(word), ocr)
        }
        if self.phrases:
            marked |= self._phrase_spans(tokens, corrections, ocr)
        return sorted(marked)

    def _phrase_spans(self, tokens, corrections, ocr) -> set[tuple[int, int]]:
        """Where each phrase stands: its words in order, within its slop."""
        words = [
            (start, end, self._forms(word, corrections.get(word)))
            for start, end, word in tokens
            if word_forms(word)["exact"]  # stop words hold no phrase position
        ]
        found: set[tuple[int, int]] = set()
        for kind, phrase, slop in self.phrases:
            if kind == "ocr" and not ocr:
                continue
            for first in range(len(words)):
                run = _phrase_at(words, first, kind, phrase, slop)
                found.update((words[n][0], words[n][1]) for n in run)
        return found


_KINDS = {**BODY_FIELDS, **TITLE_FIELDS}


def _text(term) -> str:
    return term.decode() if isinstance(term, bytes) else term


def _phrase_at(words, first: int, kind: str, phrase, slop: int) -> list[int]:
    """Positions of the phrase's words if it starts at ``first``, else []."""
    form = "fold" if kind == "ocr" else kind
    run, at = [], first
    for n, term in enumerate(phrase):
        limit = at + 1 if n == 0 else min(at + slop + 1, len(words))
        hit = next(
            (
                i
                for i in range(at, limit)
                if any(term in forms[form] for forms in words[i][2])
            ),
            None,
        )
        if hit is None:
            return []
        run.append(hit)
        at = hit + 1
    return run


def _positive_terms(q, reader):
    """Terms of the query that a matching item contains (not the NOT-ed ones).

    The words of phrases are left to ``_positive_phrases``.
    """
    if q is None or isinstance(q, (Q.Not, Q.Phrase)):
        return
    if isinstance(q, Q.AndNot):
        yield from _positive_terms(q.a, reader)
        return
    if q.is_leaf():
        yield from q.expanded_terms(reader, phrases=True)
        return
    for child in q.children():
        yield from _positive_terms(child, reader)


def _positive_phrases(q):
    """(field, words, slop) of every phrase of the query, not the NOT-ed ones."""
    if q is None or isinstance(q, Q.Not):
        return
    if isinstance(q, Q.Phrase):
        yield q.fieldname, tuple(_text(w) for w in q.words), max(q.slop, 1)
        return
    if isinstance(q, Q.AndNot):
        yield from _positive_phrases(q.a)
        return
    if not q.is_leaf():
        for child in q.children():
            yield from _positive_phrases(child)


# --- fallbacks -----------------------------------------------------------------


def with_fallbacks(q, reader):
    """Add, per query word, its OCR misreadings and near spellings found in the index.

    A scan the indexer could not correct may still hold "ungdorn" for
    "ungdom": the confusion variants that occur in the index are added at a
    lower weight. A word the index does not hold at all ("trygghetsvandringr")
    also gets its neighbours at edit distance 1, lower still. Both are
    bounded, so a long query cannot expand without limit.
    """

    def expand(node):
        if not isinstance(node, Q.Term) or node.fieldname not in FUZZY_FIELDS:
            return node
        if getattr(node, "truncated", False):
            return node  # a truncation's words are indexed words, not misreadings
        field = node.fieldname
        text = node.text.decode() if isinstance(node.text, bytes) else node.text
        if len(text) > FALLBACK_MAX_CHARS:
            return node
        extra = _confusions(reader, field, text, node.boost)
        if len(text) >= FUZZY_MIN_CHARS and (field, text) not in reader:
            near = terms_within(reader, field, text, 1, prefix=2)
            extra += [Q.Term(field, w, boost=node.boost * FUZZY_BOOST)
                      for w in list(near)[:MAX_VARIANTS]]  # fmt: skip
        return Q.Or([node, *extra]) if extra else node

    return q.accept(expand)


def _confusions(reader, field: str, text: str, boost: float) -> list:
    if len(text) < CONFUSION_MIN_CHARS:
        return []
    found = [v for v in sorted(damage_variants(text)) if (field, v) in reader]
    return [
        Q.Term(field, v, boost=boost * CONFUSION_BOOST)
        for v in found[:MAX_VARIANTS]
    ]


def terms_within(reader, field: str, text: str, maxdist: int, prefix: int):
    """Indexed words within ``maxdist`` edits of ``text`` sharing its first letters.

    Whoosh answers this with an automaton on a one-segment index but, on an
    index of several segments, computes the edit distance of every word with
    the prefix (with transpositions, unlike the automaton). Here it is one
    rule whatever the segments: plain edits, as the automaton counts them,
    and a word whose length differs by more than ``maxdist`` is passed over
    before any distance is computed.
    """
    fieldobj = reader.schema[field]
    for btext in reader.expand_prefix(field, text[:prefix]):
        word = fieldobj.from_bytes(btext)
        if (
            abs(len(word) - len(text)) <= maxdist
            and levenshtein(word, text, maxdist) <= maxdist
        ):
            yield word


# --- synonyms ------------------------------------------------------------------


def load_synonyms(text: str) -> list[list[str]]:
    """Groups of equivalent terms: one group a line, comma-separated; # comments."""
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        members = [m.strip().lower() for m in line.split(",") if m.strip()]
        if len(members) > 1:
            groups.append(members)
    return groups


def expand_synonyms(text: str, groups: list[list[str]]) -> str:
    """Rewrite each synonym outside quotes as a group of all its equivalents.

    "knark i skolan" becomes '(knark OR narkotika^0.6) i skolan': the typed
    word keeps its full weight. Quoted phrases are left as the user wrote them.
    """
    if not groups:
        return text
    pieces = re.split(r'("[^"]*")', text)
    for n in range(0, len(pieces), 2):  # even pieces are outside quotes
        pieces[n] = _expand_piece(pieces[n], groups)
    return "".join(pieces)


def _expand_piece(piece: str, groups: list[list[str]]) -> str:
    spans = []
    for group in groups:
        for member in group:
            pattern = r"(?<!\w)" + re.escape(member) + r"(?!\w)"
            for m in re.finditer(pattern, piece, re.IGNORECASE):
                spans.append((m.start(), m.end(), group))
    out, last = [], 0
    for start, end, group in sorted(spans):
        if start < last:
            continue
        typed = piece[start:end].lower()
        others = [_term(m) + f"^{SYNONYM_BOOST}" for m in group if m != typed]
        out += [piece[last:start], f"({' OR '.join([_term(typed), *others])})"]
        last = end
    return "".join(out) + piece[last:]


def _term(member: str) -> str:
    return f'"{member}"' if " " in member else member


# --- compounds -----------------------------------------------------------------

COMPOUND_NEAR_BOOST = 0.5  # the compound's parts apart rank below the compound
COMPOUND_NEAR_SLOP = 4  # "brottslighet bland unga ungdomar": words between
_BARE_WORD = re.compile(r"(?<![\w*?~^:])([^\W\d_]{7,})(?![\w*?~^:])")


def expand_compounds(text: str) -> str:
    """Let each compound also be found as its parts written near each other.

    "ungdomsbrottslighet" becomes '(ungdomsbrottslighet OR "ungdom
    brottslighet"~4^0.5 OR "brottslighet ungdom"~4^0.5)', so "brottslighet
    bland ungdomar" is found too, below the compound itself. Quoted phrases,
    truncations and operators are left as they are.
    """
    pieces = re.split(r'("[^"]*")', text)
    for n in range(0, len(pieces), 2):  # even pieces are outside quotes
        pieces[n] = _BARE_WORD.sub(_compound_group, pieces[n])
    return "".join(pieces)


def _compound_group(match: re.Match) -> str:
    word = match.group(1)
    split = compound_split(word.lower())
    if split is None or word.isupper():
        return word
    _, base, head = split
    near = f"~{COMPOUND_NEAR_SLOP}^{COMPOUND_NEAR_BOOST}"
    return f'({word} OR "{base} {head}"{near} OR "{head} {base}"{near})'


# --- suggestions ---------------------------------------------------------------

_WORD = re.compile(r"\w+")


def suggest(text: str, reader, field: str = "body") -> str | None:
    """ "Menade du …?": the query with unknown words replaced by the corpus' nearest.

    Only words the index does not hold are replaced, each by the most common
    indexed word within edit distance 1 (2 for long words).
    """
    changed = False

    def nearest(match: re.Match) -> str:
        nonlocal changed
        word = match.group(0)
        lower = word.lower()
        too_long = len(lower) > FALLBACK_MAX_CHARS
        if len(lower) < 4 or too_long or lower.isdigit() or (field, lower) in reader:
            return word
        maxdist = 2 if len(lower) >= 8 else 1
        near = list(terms_within(reader, field, lower, maxdist, prefix=1))
        if not near:
            return word
        changed = True
        return max(near, key=lambda w: reader.doc_frequency(field, w))

    suggestion = _WORD.sub(nearest, text)
    return suggestion if changed else None


# --- bounds ------------------------------------------------------------------------


def bound(q, reader):
    """Cap the work a query can cause, or refuse it with a reason.

    A lone "*" lists every item (cheap in the index). A truncation needs
    MIN_PREFIX letters before the wildcard and stands for its MAX_EXPANSIONS
    most common words; "*a*" would otherwise walk the whole vocabulary.
    """
    if _lists_everything(q):
        return Q.Every()
    leaves = expanded = 0

    def visit(node):
        nonlocal leaves, expanded
        if isinstance(node, Q.Phrase) and node.fieldname in REDUNDANT_PHRASE_FIELDS:
            return Q.NullQuery
        if isinstance(node, (Q.Wildcard, Q.Prefix)) and node.fieldname in OCR_FIELDS:
            return Q.NullQuery  # the stemmed fields hold the corrected words
        if isinstance(node, Q.Every):
            node = Q.Every()  # one walk over the items, not one per field
        elif isinstance(node, (Q.Wildcard, Q.Prefix)):
            node = _expand_truncation(node, reader)
            expanded += sum(1 for _ in node.leaves())
        if node.is_leaf():
            leaves += 1
        return node

    q = q.accept(visit)
    if leaves > MAX_WORDS * len(QUERY_FIELDS):
        raise QueryRefused(f"too many search words (at most {MAX_WORDS})")
    if expanded > MAX_TOTAL_EXPANSIONS:
        raise QueryRefused("too many truncated words (trygg* counts as many words)")
    return q


def _lists_everything(q) -> bool:
    """A lone "*": parsed as one Every (or '*' wildcard) per field."""
    parts = q.subqueries if isinstance(q, Q.Or) else [q]
    return all(
        isinstance(p, Q.Every) or (isinstance(p, Q.Wildcard) and p.text == "*")
        for p in parts
    )


def _expand_truncation(node, reader):
    text = node.text.decode() if isinstance(node.text, bytes) else node.text
    literal = re.match(r"[^*?]*", text).group(0)
    if len(literal) < MIN_PREFIX:
        raise QueryRefused(
            f"truncation needs at least {MIN_PREFIX} letters before * or ? ({node})"
        )
    words = []
    for word in node._btexts(reader):
        words.append(word.decode() if isinstance(word, bytes) else word)
        if len(words) >= MAX_EXPANSIONS * 8:  # bound the walk, then keep the commonest
            break
    field = node.fieldname
    words.sort(key=lambda w: -reader.doc_frequency(field, w))
    terms = [Q.Term(field, w, boost=node.boost) for w in words[:MAX_EXPANSIONS]]
    for term in terms:
        term.truncated = True
    return Q.Or(terms) if terms else Q.NullQuery
