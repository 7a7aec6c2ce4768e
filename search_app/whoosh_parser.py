"""The service's query parser: Whoosh's, with plain texts built directly.

Nearly every text the service parses is plain: words joined by AND (the
canonical text of ``querytext``), phrases in quotes, and the groups
``queryparse.expand_compounds`` writes for a compound ('(w OR "a b"~4^0.5 OR
"b a"~4^0.5)'). For such a text Whoosh's parser tags, groups, filters and
copies a node per word and field, then normalizes the tree: about a
millisecond, an eighth of the server's time for a query asked the first
time. Here the same tree is built straight from the words, each word
analysed once per field, and each unit (a word, a phrase, a group)
normalized once; both are kept, since words and compounds recur from query
to query. The trees are the parser's own: same fields, boosts and nesting.

The nesting is Whoosh's as it is, quirks included: an explicit AND wraps its
clauses in a second AND; in a bracketed OR group the first word's fields
stand in the group itself and each later member is a group of its own,
carrying the member's boost. Any text outside this small grammar (other
operators, truncations, hyphens, field syntax, a phrase first in a group, a
word analysed into several tokens) is left to Whoosh. Tests compare the two
trees on thousands of texts.
"""

from __future__ import annotations

import re

from whoosh import query as Q
from whoosh.qparser import QueryParser
from whoosh.qparser.plugins import MultifieldPlugin

from .lru import LRU

WORDS_KEPT = 50_000  # words whose analysis per field a parser keeps
UNITS_KEPT = 20_000  # units (word, phrase, group) whose normalized tree it keeps

_WORD = r"[^\W_]+"
_PHRASE = rf'"(?P<text>{_WORD}(?: {_WORD})*)"(?:~(?P<slop>[1-9]\d{{0,2}}))?'
_BOOST = r"(?:\^(?P<boost>\d+(?:\.\d+)?))?"
_MEMBER = re.compile(rf"(?P<word>{_WORD})|{_PHRASE}{_BOOST}")
_UNIT = re.compile(rf"\((?P<group>[^()]*)\)|(?P<word>{_WORD})|{_PHRASE}{_BOOST}")
_JOIN = re.compile(r" AND | ")
_OPERATORS = frozenset({"AND", "OR", "NOT", "OCH", "ELLER", "INTE"})


class PlainParser(QueryParser):
    """Whoosh's ``MultifieldParser`` that builds plain texts' queries itself.

    Same arguments, same answers: ``parse`` of a plain text returns the tree
    Whoosh's own ``parse`` returns; any other text goes to Whoosh.
    """

    def __init__(
        self, fieldnames, schema, fieldboosts=None, normalizer=None, **kwargs
    ) -> None:
        super().__init__(None, schema, **kwargs)
        self.add_plugin(MultifieldPlugin(fieldnames, fieldboosts=fieldboosts))
        boosts = fieldboosts or {}
        self._fields = [
            (name, schema[name], boosts.get(name, 1.0)) for name in fieldnames
        ]
        # ``q.normalize()``, or a faster function that gives the same tree.
        self._normalize = normalizer or (lambda q: q.normalize())
        self._analysed = LRU(WORDS_KEPT)
        self._normalized = LRU(UNITS_KEPT)

    def parse(self, text, normalize=True, debug=False):
        if not debug:
            q = self._plain_normalized(text) if normalize else self.plain(text)
            if q is not None:
                return q
        q = super().parse(text, normalize=False, debug=debug)
        return self._normalize(q) if normalize else q

    def plain(self, text: str):
        """The parser's unnormalized tree of a plain ``text``; None if not plain."""
        read = _units(text)
        if read is None:
            return None
        units, joined = read
        built = []
        for n, (_, unit) in enumerate(units):
            sub = self._unit(unit)
            if sub is None:
                return None
            # Whoosh wraps a bracketed group in an AND of its own when it
            # stands beside others, unless it is the first one AND joins.
            if isinstance(unit, list) and len(units) > 1 and (n or not joined):
                sub = Q.And([sub])
            built.append(sub)
        return Q.And([Q.And(built)]) if joined and len(built) > 1 else Q.And(built)

    def _plain_normalized(self, text: str):
        """``plain(text)`` normalized, from its units normalized one by one.

        A unit's normalized tree is kept (words and compounds recur from
        query to query); joining them is the top level of Whoosh's
        ``And.normalize``, which is all that is left to do: a unit
        normalizes to a term, a phrase, an OR or nothing, never to an AND,
        and the AND a group is wrapped in normalizes away.
        """
        read = _units(text)
        if read is None:
            return None
        kept, seen = [], set()
        for source, unit in read[0]:
            q = self._normalized.get(source)
            if q is None:
                tree = self._unit(unit)
                if tree is None:
                    return None
                q = self._normalize(tree)
                self._normalized.put(source, q, 1)
            if isinstance(q, Q.And):
                return None
            if q is not Q.NullQuery and q not in seen:
                seen.add(q)
                kept.append(q)
        if not kept:
            return Q.NullQuery
        return kept[0] if len(kept) == 1 else Q.And(kept)

    def _unit(self, unit):
        return self._group(unit) if isinstance(unit, list) else self._member(unit)

    def _group(self, members: list[re.Match]):
        """'(w OR m ...)': w's terms stand in the group, each later member is a
        group of its own."""
        first = self._fielded(members[0])
        if first is None:
            return None
        subs = list(first)
        for member in members[1:]:
            sub = self._member(member)
            if sub is None:
                return None
            subs.append(sub)
        return Q.Or(subs)

    def _member(self, member: re.Match):
        fielded = self._fielded(member)
        if fielded is None:
            return None
        boost = member.group("boost")
        return Q.Or(fielded, boost=float(boost)) if boost else Q.Or(fielded)

    def _fielded(self, member: re.Match) -> list | None:
        """A word's terms or a phrase's phrases, one per field that has any."""
        word = member.group("word")
        if word is not None:
            forms = self._forms(word)
            if forms is None:
                return None
            return [
                Q.Term(name, texts[0], boost=boost)
                for (name, _, boost), texts in zip(self._fields, forms, strict=True)
                if texts
            ]
        words = member.group("text").split(" ")
        slop = int(member.group("slop") or 1)
        per_word = []
        for w in words:
            forms = self._forms(w, phrase=True)
            if forms is None:
                return None
            per_word.append(forms)
        return [
            Q.Phrase(
                name,
                [t for forms in per_word for t in forms[n]],
                slop=slop,
                boost=boost,
            )
            for n, (name, _, boost) in enumerate(self._fields)
        ]

    def _forms(self, word: str, phrase: bool = False) -> tuple | None:
        """Per field, what its analyzer makes of ``word`` at query time; None
        where a field makes several tokens of it and a term would not do."""
        forms = self._analysed.get(word)
        if forms is None:
            forms = tuple(
                tuple(field.process_text(word, mode="query"))
                for _, field, _ in self._fields
            )
            self._analysed.put(word, forms, 1)
        if not phrase and any(len(texts) > 1 for texts in forms):
            return None
        return forms


def _units(text: str) -> tuple[list, bool] | None:
    """The units of a plain text, each (its text, its match or its group's
    members' matches), and whether AND joins them; None if not plain."""
    units: list = []
    joins: set[str] = set()
    pos = 0
    while True:
        unit = _UNIT.match(text, pos)
        if unit is None or unit.group("word") in _OPERATORS:
            return None
        if unit.group("group") is not None:
            members = _members(unit.group("group"))
            if members is None:
                return None
            units.append((unit.group(), members))
        else:
            units.append((unit.group(), unit))
        pos = unit.end()
        if pos == len(text):
            return (units, " AND " in joins) if len(joins) < 2 else None
        join = _JOIN.match(text, pos)
        if join is None:
            return None
        joins.add(join.group())
        pos = join.end()


def _members(inner: str) -> list[re.Match] | None:
    """A group's members: a word first, then words or phrases, all by OR."""
    members = []
    for part in inner.split(" OR "):
        member = _MEMBER.fullmatch(part)
        if member is None or member.group("word") in _OPERATORS:
            return None
        members.append(member)
    if len(members) < 2 or members[0].group("word") is None:
        return None
    return members
