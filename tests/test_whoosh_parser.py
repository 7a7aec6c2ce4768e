"""Plain query texts are built as Whoosh builds them (search_app.whoosh_parser).

The texts are made from the seed corpus' and the judged set's words and the
judged queries, in every shape the service hands the parser: words joined by
AND or side by side, phrases with slop and boost, the groups compounds
become, stop words. Each tree is compared node by node with the one Whoosh's
own parser makes, for the strict, the lenient and the retry parser.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from whoosh import query as Q
from whoosh.qparser import QueryParser

from indexer.schema import get_schema
from search_app.queryparse import expand_compounds, make_parser, normalized
from search_app.querytext import interpret

ROOT = Path(__file__).resolve().parent.parent
QUALITY = Path(__file__).resolve().parent / "quality"
_WORD = re.compile(r"[^\W_]+")  # digits too: "2019", "5a"


def _same(a, b) -> bool:
    """The same tree: types, fields, words, slops and boosts, node by node.

    (Whoosh's own ``==`` finds two empty ORs different.)
    """
    if type(a) is not type(b):
        return False
    for attr in ("fieldname", "text", "words", "slop", "boost"):
        if getattr(a, attr, None) != getattr(b, attr, None):
            return False
    subs_a, subs_b = getattr(a, "subqueries", None), getattr(b, "subqueries", None)
    if subs_a is None or subs_b is None:
        return subs_a is subs_b
    return len(subs_a) == len(subs_b) and all(map(_same, subs_a, subs_b))


def _words() -> list[str]:
    texts = [
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))
    ]
    texts += [
        p.read_text(encoding="utf-8") for p in sorted((QUALITY / "texts").glob("*.txt"))
    ]
    return [w for text in texts for w in _WORD.findall(text)]


def _texts(count: int = 700) -> list[str]:
    """Query texts in the shapes the service parses, from real words."""
    rng = random.Random(17)
    words = _words()
    judged = [entry["q"] for entry in json.loads((QUALITY / "judged.json").read_text())]
    out = []
    for q in judged:
        engine = interpret(q).engine
        out += [engine, expand_compounds(engine)]

    def phrase() -> str:
        start = rng.randrange(len(words) - 3)
        text = '"' + " ".join(words[start : start + rng.randint(1, 3)]) + '"'
        if rng.random() < 0.3:
            text += f"~{rng.randint(1, 9)}"
        if rng.random() < 0.3:
            text += f"^{rng.choice(['0.5', '2', '1.5'])}"
        return text

    def group() -> str:
        members = [rng.choice(words)]
        members += [
            rng.choice([rng.choice(words), phrase()]) for _ in range(rng.randint(1, 3))
        ]
        return "(" + " OR ".join(members) + ")"

    def unit() -> str:
        return rng.choices([lambda: rng.choice(words), phrase, group], [6, 2, 1])[0]()

    for _ in range(count):
        units = [unit() for _ in range(rng.randint(1, 4))]
        text = rng.choice([" AND ", " "]).join(units)
        out += [text, expand_compounds(text)]
    return out


NOT_PLAIN = [
    "trygg*",
    "polis OR narkotika",
    "NOT polis",
    "polis AND NOT narkotika",
    "bob-råden",
    "§ 5: budget",
    '"ungdom',
    "polis^2",
    "(polis OR (narkotika OR alkohol))",
    '("motorburen ungdom" OR polis)',
    "polis AND",
    "polis  ungdom",
    "polis AND ungdom narkotika",
]


@pytest.fixture(scope="module")
def parsers():
    schema = get_schema()
    return {
        "strict": make_parser(schema),
        "lenient": make_parser(schema, strict=False),
        "retry": make_parser(schema, retry=True),
    }


@pytest.fixture(scope="module")
def texts():
    return _texts()


@pytest.mark.parametrize("kind", ["strict", "lenient", "retry"])
def test_plain_texts_are_built_as_whoosh_builds_them(parsers, texts, kind):
    parser = parsers[kind]
    plain = 0
    for text in texts:
        theirs = QueryParser.parse(parser, text, normalize=False)
        mine = parser.plain(text)
        if mine is None:
            continue
        plain += 1
        assert _same(mine, theirs), text
        # Normalized, from the units it keeps, the first time and again.
        expected = theirs.normalize()
        assert _same(parser.parse(text), expected), text
        assert _same(parser.parse(text), expected), text
        assert _same(normalized(theirs), expected), text
    # Nearly every text the service parses takes the direct way.
    assert plain >= 0.97 * len(texts), (plain, len(texts))


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_other_texts_are_whooshs_own(parsers, text):
    for parser in parsers.values():
        assert parser.plain(text) is None
        assert _same(parser.parse(text), QueryParser.parse(parser, text))


def test_a_unit_kept_from_one_text_serves_the_next(parsers):
    """Words and groups are kept per parser; reused, they give the same trees."""
    parser = parsers["strict"]
    group = expand_compounds("ungdomsbrottslighet")
    assert group.startswith("(")
    for text in [
        f"polis AND {group}",
        f"{group} AND polis",
        f"{group} polis",
        "polis polis",
    ]:
        assert _same(parser.parse(text), QueryParser.parse(parser, text)), text
    assert parser.parse("och") is Q.NullQuery
    assert parser.parse("och AND av") is Q.NullQuery
