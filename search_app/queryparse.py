"""From what a user typed to a bounded engine query.

The parser (its operators, Swedish ones too, and no field or range syntax;
strict about Swedish words, or lenient for a query typed without å, ä, ö),
the rewriting of compounds into themselves or their parts near each other,
and the bounds that cap the work one query can cause or refuse it with a
reason the user can act on.
"""

from __future__ import annotations

import copy
import re

from whoosh import query as Q
from whoosh.qparser import OperatorsPlugin
from whoosh.qparser.plugins import FieldsPlugin, RangePlugin

from indexer.analysis import NonWordFilter, token_spans
from indexer.morphology import compound_split, lost_diacritics
from indexer.schema import QUERY_FIELDS

from .vocabulary import QueryRefused
from .whoosh_parser import PlainParser

MAX_EXPANSIONS = 64  # terms a truncation (trygg*) may stand for, the commonest kept
MIN_PREFIX = 2  # letters before the first * or ?
MAX_SLOP = 10  # "a b"~N: a larger slop costs time and memory, finds nothing new
MAX_WORDS = 60  # leaf terms a query may have before it is refused
MAX_TOTAL_EXPANSIONS = 1024  # terms all truncations of one query may stand for
# Phrases are matched position by position, the costliest thing a query does.
# The folded title field finds no phrase the stemmed title and the folded
# body do not.
REDUNDANT_PHRASE_FIELDS = {"item_title_fold"}
# Truncations are expanded where they find words the other fields do not:
# the stemmed body's words start like the exact body's, and the OCR-only
# fields' corrected words are in the stemmed and folded fields.
NO_TRUNCATION_FIELDS = {"body_stem", "body_ocr", "item_title_ocr"}

_OPERATOR_WORDS = re.compile(r"\b(AND|OR|NOT|OCH|ELLER|INTE)\b")


def parse(parser: PlainParser, text: str):
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


def normalized(q):
    """``q.normalize()``, the same query, without most of its deep copies.

    Whoosh's normalize merges an OR nested in an OR (an AND in an AND) into
    it, giving each merged subquery its boost times the nested one's through
    ``with_boost``, which deep-copies the subquery. Every compound of a query
    is such a nest: the group of the compound and its parts, each an OR over
    the fields; for a compound the copies took about a fifth of parsing. The
    merges are made here first, with shallow copies (the parsed tree is new
    and never changed after), each subquery normalized first as normalize
    would; normalize then finds them made and does the rest.
    """
    return _merged(q).normalize()


_MERGING = (Q.And, Q.Or)  # the groups the parser makes; normalize merges nests of them


def _merged(q):
    """``q`` with the nests normalize would merge merged, where that is sure
    to give what normalize gives; anything else is left to normalize.

    A nest is an AND in an AND or an OR in an OR (the other compounds, AND
    NOT, a required or optional part, a sequence, normalize by rules of their
    own). It is merged here only when it holds two or more different plain
    queries (terms, phrases): then normalize keeps it as it is and merges
    it. A nest of one would collapse into its query instead, and a query
    with a boost rule of its own (NOT) takes its boost differently.
    """
    if type(q) not in _MERGING:
        return q
    subs = []
    for sub in q.subqueries:
        # As normalize does first: a one-word phrase becomes a term, without
        # the phrase's boost; a merge's boost then applies to it.
        sub = _merged(sub) if type(sub) in _MERGING else sub.normalize()
        if type(sub) is type(q) and _plain_group(sub.subqueries):
            subs += [
                s if s is Q.NullQuery else _boosted(s, s.boost * sub.boost)
                for s in sub.subqueries
            ]
        else:
            subs.append(sub)
    merged = copy.copy(q)
    merged.subqueries = subs
    return merged


def _plain_group(subs) -> bool:
    """Two or more different plain queries (see ``_boosted``), and maybe
    nothing-queries (a phrase of stop words), which normalize drops."""
    found = [s for s in subs if s is not Q.NullQuery]
    plain = all(
        type(s).with_boost is Q.Query.with_boost
        and not isinstance(s, (Q.compound.CompoundQuery, Q.Every))
        for s in found
    )
    return plain and len(set(found)) > 1


def _boosted(q, boost: float):
    """``q.with_boost(boost)`` of a plain query: a shallow copy where
    Whoosh's would be deep (the parsed tree is new and never changed)."""
    q = copy.copy(q)
    q.boost = boost
    return q


def make_parser(schema, strict: bool = True, retry: bool = False) -> PlainParser:
    """Default field group AND; Swedish operators too; no field syntax.

    Field syntax is off so that "§ 5: budget" is searched as text.
    Ranges are off too. ``strict=False`` also looks for the query's Swedish
    words in the folded fields (see ``indexer.analysis.NonWordFilter``): the
    query typed without å, ä and ö; ``retry`` only those of its words that
    more likely lost their marks: the second try of a query that found nothing.
    """
    if not strict or retry:
        schema = _lenient(schema, retry)
    parser = PlainParser(
        list(QUERY_FIELDS), schema, fieldboosts=QUERY_FIELDS, normalizer=normalized
    )
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


# --- bounds ------------------------------------------------------------------------


def typed_without_diacritics(text: str) -> bool:
    """Whether the query shows a user without å, ä and ö on the keyboard.

    One word that reads as a commoner word without its diacritics ("umea",
    "overgripande") is enough: then every word of the query may stand for
    one with them ("overgripande mal" is "övergripande mål").
    """
    return any(lost_diacritics(word) for _, _, word in token_spans(text))


def _lenient(schema, retry: bool = False):
    """A copy of the schema whose folded fields fold every query word (or,
    ``retry``, the words that more likely lost their marks)."""
    schema = copy.deepcopy(schema)
    for _, field in schema.items():
        for part in getattr(getattr(field, "analyzer", None), "items", ()):
            if isinstance(part, NonWordFilter) and part.strict:
                part.strict = False  # the OCR-only fields fold every word anyway
                part.retry = retry
    return schema


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
        if isinstance(node, Q.Phrase) and node.slop > MAX_SLOP:
            node = Q.Phrase(node.fieldname, node.words, MAX_SLOP, node.boost)
        truncation = isinstance(node, (Q.Wildcard, Q.Prefix))
        if truncation and node.fieldname in NO_TRUNCATION_FIELDS:
            return Q.NullQuery
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
    literal = re.split(r"[*?]", text, maxsplit=1)[0]
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
        term.truncated = True  # indexed words: no misreadings to add (fallbacks)
    return Q.Or(terms) if terms else Q.NullQuery


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
