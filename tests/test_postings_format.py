"""The postings adapter and array engine against Whoosh's own search, at scale.

The seed corpus is small enough that every posting list fits one of Whoosh's
blocks (128 postings), so the multi-block reads, block skipping, sparse
phrase reads and the fallbacks of ``whoosh_postings`` never run on it. Here
an index is generated: a few thousand items written through the project's
schema, analysis and item-to-fields mapping, in three segments (one written
with inlined postings, which Whoosh reads through another matcher), with
items deleted from two of them. Every query is run by ``scoring.Engine`` and
by Whoosh's searcher (``search(limit=None)`` scores every match): the same
items must match, with the same scores. This is the check to run before the
exact ``whoosh-reloaded`` pin in ``pyproject.toml`` moves.

Every such comparison runs twice: on postings blocks as the index writes them
(``indexer.codec``, arrays) and as Whoosh's own codec writes them (pickles,
as in indexes written before), since the reader serves both.
"""

from __future__ import annotations

import random
import re
from pathlib import Path
from pickle import dumps

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.codec.whoosh3 import W3Codec
from whoosh.formats import Positions
from whoosh.matching import ListMatcher
from whoosh.system import pack_uint

from indexer import codec
from indexer.codec import ArrayCodec, decode_block
from indexer.fields import item_fields
from indexer.model import Document, Item
from indexer.positions import PackedPositions
from indexer.schema import get_schema
from search_app import whoosh_postings
from search_app.fallbacks import with_fallbacks
from search_app.queryparse import bound, make_parser, parse
from search_app.scoring import CACHE_BYTES, SPARSE_PHRASE, Engine
from search_app.whoosh_postings import IndexPostings
from tests.conftest import numbered_minutes

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
BLOCK = 128  # Whoosh's default postings block
ITEMS_PER_DOC = 8
COMMON, SECOND, RARE = "polisen", "ungdomar", "snöskotrar"
PRESENTERS = ["Anna Berg", "Elin Lindqvist", "Karl Öberg", "Moa Brydsten"]

TEXTS = [
    COMMON,
    SECOND,
    f"{COMMON} {SECOND}",
    f"{COMMON} OR {SECOND}",
    f"{COMMON} INTE {SECOND}",
    f"INTE {COMMON}",
    f'"{COMMON} {SECOND}"',
    f'"{SECOND} {COMMON}"~3',
    f'"{RARE} {COMMON}"',
    f'"{RARE} {COMMON} {SECOND}"',
    "poli*",
    "polisn",  # a near spelling: fallbacks
    "Anna Berg",
    "*",
]


def vocabulary() -> list[str]:
    """Real Swedish words, from the seed corpus, so analysis does its real work."""
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))
    words = sorted(set(re.findall(r"[a-zåäö]{4,}", text.lower())))
    return [w for w in words if w not in {COMMON, SECOND, RARE}]


def make_doc(n: int, rng: random.Random, words: list[str], weights) -> Document:
    """One generated minutes document: eight items of about ten words."""
    items = []
    for number in range(1, ITEMS_PER_DOC + 1):
        body = rng.choices(words, weights, k=rng.randint(4, 9))
        if rng.random() < 0.9:
            body.insert(rng.randrange(len(body) + 1), COMMON)
        if rng.random() < 0.5:
            body.insert(rng.randrange(len(body) + 1), SECOND)
        if rng.random() < 0.4:
            body.insert(rng.randrange(len(body) + 1), f"{COMMON} {SECOND}")
        if rng.random() < 0.003:  # rare, and beside the common word
            body.append(f"{RARE} {COMMON} {SECOND}")
        items.append(
            Item(
                number=number,
                title=" ".join(rng.choices(words, weights, k=2)).capitalize(),
                text=" ".join(body) + ".",
                presenters=rng.sample(PRESENTERS, rng.randint(0, 2)),
                decisions=["Beslut"] if rng.random() < 0.2 else [],
            )
        )
    return numbered_minutes(n, items)


def write(ix, docs, delete=(), **writer_args) -> None:
    """One commit, as the indexer writes: deletions by document, then items."""
    writer = ix.writer(**writer_args)
    for doc_id in delete:
        writer.delete_by_term("doc_id", doc_id)
    for doc in docs:
        for item in doc.items:
            writer.add_document(**item_fields(doc, item, None))
    writer.commit(merge=False)  # keep the segments apart


CODECS = {
    "arrays": lambda: ArrayCodec(blocklimit=BLOCK),  # what the index writes
    "pickles": W3Codec,  # Whoosh's own blocks: older indexes
}


@pytest.fixture(scope="module", params=sorted(CODECS))
def generated(tmp_path_factory, request):
    make_codec = CODECS[request.param]
    rng = random.Random(1)
    words = vocabulary()
    rng.shuffle(words)
    weights = [1 / (rank + 1) for rank in range(len(words))]

    def docs(numbers, version=0):
        return [make_doc(n + version * 1000, rng, words, weights) for n in numbers]

    path = tmp_path_factory.mktemp("generated")
    ix = whoosh_index.create_in(str(path), get_schema())
    write(ix, docs(range(250)), codec=make_codec())
    # Changed and new documents, old versions deleted: as an incremental run.
    changed = docs(range(10, 20), version=1)
    for doc in changed:
        doc.doc_id = f"doc{int(doc.doc_id[3:]) - 1000}"
    write(
        ix,
        changed + docs(range(250, 280)),
        delete=[f"doc{n}" for n in range(30)],
        codec=make_codec(),
    )
    write(
        ix,
        docs(range(280, 295)),
        delete=[f"doc{n}" for n in [*range(100, 105), *range(250, 255)]],
        codec=make_codec(),
    )
    with ix.searcher() as searcher:
        parser = make_parser(ix.schema)
        yield ix, searcher, parser


def whoosh_results(searcher, q) -> dict[int, float]:
    return {docnum: score for score, docnum in searcher.search(q, limit=None).top_n}


def assert_same(engine: Engine, searcher, q, expected=None) -> dict[int, float]:
    expected = whoosh_results(searcher, q) if expected is None else expected
    got = engine.evaluate(q, searcher)
    assert set(np.flatnonzero(got.mask).tolist()) == set(expected), q
    for docnum, score in expected.items():
        assert got.scores[docnum] == pytest.approx(score, rel=1e-5), (q, docnum)
    return expected


def parsed(searcher, parser, text: str):
    reader = searcher.reader()
    return with_fallbacks(bound(parse(parser, text), reader), reader)


def test_the_generated_index_has_the_shapes_the_seed_corpus_lacks(generated):
    ix, searcher, _ = generated
    reader = searcher.reader()
    segments = [segment for segment, _ in reader.leaf_readers()]
    assert len(segments) == 3
    assert sum(bool(s.deleted_docs_set) for s in segments) == 2
    btext = reader.schema["body"].to_bytes(COMMON)
    assert segments[0].doc_frequency("body", btext) > 10 * BLOCK  # many blocks


def test_whole_fields_are_read_like_whooshs_all_ids(generated):
    """The facet columns' reads: every value of a field with its live items,
    across segments with deletions, as Whoosh's own matchers list them."""
    _, searcher, _ = generated
    reader = searcher.reader()
    index = IndexPostings(reader)
    checked = 0
    for field in ["year", "doc_type", "presenter", "has_decision", "body"]:
        values = list(index.values(field))
        terms = list(reader.lexicon(field))
        assert len(values) == len(terms) > 0, field
        for (_, ids), btext in zip(values, terms, strict=True):
            expected = list(reader.postings(field, btext).all_ids())
            assert ids.tolist() == expected, (field, btext)
            checked += len(expected)
    assert checked > 10_000
    fieldobj = reader.schema["item_number"]
    expected_numbers = [
        (fieldobj.from_bytes(b), list(reader.postings("item_number", b).all_ids()))
        for b in fieldobj.sortable_terms(reader, "item_number")
    ]
    numbers = [(n, ids.tolist()) for n, ids in index.numbers("item_number")]
    assert numbers == expected_numbers and len(numbers) > 1
    deleted = set(index.deleted().tolist())
    assert deleted and not any(
        deleted.intersection(ids.tolist()) for _, ids in index.values("year")
    )


def test_a_sortable_fields_values_are_read_from_its_column(generated):
    """Dates and item numbers from Whoosh's sort columns, per item across
    segments: what their postings say (deleted items read "" and 0)."""
    _, searcher, _ = generated
    index = IndexPostings(searcher.reader())
    dates = index.column_texts("date")
    expected = np.full(index.size(), "", dtype=object)
    for value, ids in index.values("date"):
        expected[ids] = value
    assert dates is not None and dates.tolist() == expected.tolist()
    assert len(set(dates.tolist())) > 10 and "" in set(dates[index.deleted()])
    assert index.column_texts("body") is None  # not sortable: no column
    numbers = index.column_numbers("item_number")
    expected_numbers = np.zeros(index.size(), dtype=np.int64)
    for number, ids in index.numbers("item_number"):
        expected_numbers[ids] = number
    assert numbers is not None and numbers.tolist() == expected_numbers.tolist()
    assert numbers.max() > 1 and not numbers[index.deleted()].any()
    assert index.column_numbers("date") is None  # not a number
    assert index.column_texts("item_number") is None  # not text
    # Where no column is kept, the same values come from the postings.
    assert index.item_texts("date").tolist() == dates.tolist()
    assert index.item_texts("doc_type").tolist().count("") == index.deleted().size
    assert index.item_numbers("item_number").tolist() == numbers.tolist()


def test_other_matchers_are_read_posting_by_posting(generated):
    """Whoosh hands a list matcher for postings it inlined in the terms file
    (an option of its codec); the adapter reads those through the matcher
    interface, with the same result as its block reader."""
    _, searcher, _ = generated
    reader = searcher.reader()
    segment = reader.leaf_readers()[-1][0]  # no deletions: no filter either
    for field, word in [("body", COMMON), ("body", RARE), ("people", "anna")]:
        btext = reader.schema[field].to_bytes(word)
        leaf, blockwise = whoosh_postings._leaf(segment.postings(field, btext))
        assert blockwise
        ids, weights, values = [], [], []
        while leaf.is_active():
            ids.append(leaf.id())
            weights.append(leaf.weight())
            values.append(leaf.value())
            leaf.next()

        def listed():
            return ListMatcher(ids, weights, values, leaf.format)  # noqa: B023

        def blocks():
            return segment.postings(field, btext)  # noqa: B023

        for positions in (False, True):
            a = whoosh_postings._segment_postings(listed(), positions)
            b = whoosh_postings._segment_postings(blocks(), positions)
            assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
            if positions:
                assert all(
                    np.array_equal(x, y) for x, y in zip(a[2], b[2], strict=True)
                )
        wanted = np.asarray(ids[::7], dtype=np.int64)
        a = whoosh_postings._candidate_positions(listed(), wanted)
        b = whoosh_postings._candidate_positions(blocks(), wanted)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[0], wanted)
        assert all(np.array_equal(x, y) for x, y in zip(a[1], b[1], strict=True))


@pytest.fixture(scope="module")
def parsed_texts(generated):
    """Each of TEXTS parsed as the service parses it, with Whoosh's results."""
    _, searcher, parser = generated
    queries = [parsed(searcher, parser, text) for text in TEXTS]
    return [(q, whoosh_results(searcher, q)) for q in queries]


@pytest.mark.parametrize("cache_bytes", [CACHE_BYTES, 1])
def test_parsed_queries_match_and_score_like_whoosh(
    generated, parsed_texts, cache_bytes
):
    """Every query shape the parser makes; with a one-byte cache as well, where
    each read evicts the one before and nothing may depend on the cache."""
    _, searcher, _ = generated
    engine = Engine(searcher.reader(), cache_bytes=cache_bytes)
    nonempty = 0
    for q, expected in parsed_texts:
        nonempty += bool(assert_same(engine, searcher, q, expected))
    assert nonempty >= len(TEXTS) - 1
    assert len(engine._cache) == 1 if cache_bytes == 1 else len(engine._cache) > 10


def test_phrases_found_again_are_the_same_at_any_boost(generated, parsed_texts):
    """A phrase's places are kept per index version: asked again, and inside
    other queries at other boosts, it matches and scores as Whoosh does."""
    _, searcher, _ = generated
    engine = Engine(searcher.reader())
    for q, expected in parsed_texts + parsed_texts:
        assert_same(engine, searcher, q, expected)
    assert any(key[0] == "phrase" for key in engine._cache)
    phrase = Q.Phrase("body", [COMMON, SECOND])
    for boost in (1.0, 2.5, 0.5, 1.0):
        phrase.boost = boost
        assert assert_same(engine, searcher, phrase)


def test_sparse_phrases_read_only_the_blocks_they_need(generated, monkeypatch):
    """A rare word beside a common one whose postings are cached without
    positions: only the common word's blocks that hold a candidate are read."""
    _, searcher, parser = generated
    engine = Engine(searcher.reader())
    reader = searcher.reader()
    field = "body"
    common = reader.schema[field].to_bytes(COMMON)
    assert_same(engine, searcher, Q.Term(field, COMMON))  # postings, no positions
    assert engine._cache.get(("k", field, common)) is None
    rare_docs = reader.doc_frequency(field, reader.schema[field].to_bytes(RARE))
    assert 0 < rare_docs * SPARSE_PHRASE <= reader.doc_frequency(field, common)
    reads = []
    segment = reader.leaf_readers()[0][0]
    leaf_class = type(whoosh_postings._leaf(segment.postings(field, common))[0])
    original = leaf_class._read_data

    def counting(matcher):
        reads.append(matcher._maxid)
        return original(matcher)

    monkeypatch.setattr(leaf_class, "_read_data", counting)
    IndexPostings(reader).postings(field, common)
    every_block = len(reads)
    assert every_block > 10
    phrase = Q.Phrase(field, [RARE, COMMON])
    expected = whoosh_results(searcher, phrase)
    assert expected
    reads.clear()
    assert_same(engine, searcher, phrase, expected)
    # The rare word's blocks, then only the common word's blocks with a candidate.
    assert len(reads) <= 2 * rare_docs and len(reads) < every_block / 2
    assert engine._cache.get(("k", field, common)) is None  # nothing cached whole


def test_dense_phrases_read_positions_of_words_cached_without_them(generated):
    _, searcher, _ = generated
    engine = Engine(searcher.reader())
    for word in (COMMON, SECOND):
        assert_same(engine, searcher, Q.Term("body_stem", word))
    for words, slop in [([COMMON, SECOND], 1), ([SECOND, COMMON], 3)]:
        stems = [
            next(iter(searcher.reader().schema["body_stem"].process_text(w)))
            for w in words
        ]
        assert assert_same(engine, searcher, Q.Phrase("body_stem", stems, slop=slop))


def test_the_index_writes_packed_positions(generated):
    """Every positional field of the schema writes packed, not pickled, lists."""
    _, searcher, _ = generated
    schema = searcher.schema
    formats = {n: getattr(schema[n], "format", None) for n in schema.names()}
    positional = [n for n, f in formats.items() if f and f.supports("positions")]
    assert "body" in positional and "people" in positional
    assert all(type(formats[n]) is PackedPositions for n in positional)


def test_per_posting_position_decoding_gives_the_same_results(generated, monkeypatch):
    """With the block decoders declining every block, each posting is decoded
    on its own: same matches, same scores. (Array blocks are handed over as
    Whoosh's values, as a block with a 32-bit position gap is written.)"""
    _, searcher, parser = generated
    monkeypatch.setattr(whoosh_postings, "_packed_block", lambda encoded: None)

    def as_whoosh_values(data, n):
        block = decode_block(data, n)
        if block.counts is None or block.gaps is None:
            return block
        values = codec.packed_values(block.counts, block.gaps)
        return codec.Block(block.id_gaps, block.weights, None, None, values)

    monkeypatch.setattr(codec, "decode_block", as_whoosh_values)
    engine = Engine(searcher.reader())
    for text in [f'"{COMMON} {SECOND}"', f'"{RARE} {COMMON} {SECOND}"']:
        assert assert_same(engine, searcher, parsed(searcher, parser, text))


def _groups(decoded) -> list[list[int]]:
    flat, counts = decoded
    ends = np.cumsum(counts)
    return [flat[e - c : e].tolist() for e, c in zip(ends, counts, strict=True)]


LISTS = [
    [[0, 3, 1], [5], [2, 2, 300, 70000]],
    [[1]],
    [[4, 4], [0]],
    [[7, 65535 + 7], [1, 2, 3]],  # a gap of exactly 0xFFFF still fits 16 bits
    [[9, 9 + 65536], [1]],  # one that does not: 32 bits for that posting
    [],
]


@pytest.mark.parametrize("lists", LISTS)
def test_packed_positions_round_trip(lists):
    """Whoosh's own decoders read back what the packed format wrote."""
    fmt = PackedPositions()
    for positions in [sorted(set(p)) for p in lists]:
        value = fmt.encode(positions)
        assert fmt.decode_positions(value) == positions
        assert fmt.decode_frequency(value) == len(positions)
    if lists:
        assert fmt.encode([5]) == pack_uint(1) + bytes([5, 0])


@pytest.mark.parametrize("lists", LISTS)
def test_block_position_decoders_agree_with_whooshs(lists):
    """The block decoders give each posting's deltas as Whoosh decodes them."""
    lists = [sorted(set(p)) for p in lists]
    deltas = [[b - a for a, b in zip([0, *p], p, strict=False)] for p in lists]
    packed = PackedPositions()
    encoded = [packed.encode(p) for p in lists]
    assert [packed.decode_positions(v) for v in encoded] == lists
    assert _groups(whoosh_postings._block_deltas(encoded, packed)) == deltas
    # Older indexes: Whoosh's pickled lists, with and without the final STOP.
    fmt = Positions()
    pickled = [fmt.encode(p) for p in lists]
    for values in (pickled, [v[:-1] for v in pickled]):
        assert _groups(whoosh_postings._block_deltas(values, fmt)) == deltas
    # Another pickle protocol, or a count that disagrees: Whoosh decodes.
    other = [pack_uint(len(d)) + dumps(d, 4) for d in deltas]
    assert _groups(whoosh_postings._block_deltas(other, fmt)) == deltas
    miscounted = [
        pack_uint(len(d) + 1) + value[4:]
        for d, value in zip(deltas, pickled, strict=True)
    ]
    assert _groups(whoosh_postings._block_deltas(miscounted, fmt)) == deltas


def test_shapes_without_an_array_rule_are_scored_by_whoosh(generated):
    """Whoosh scores what the engine has no rule for; the engine combines it."""
    _, searcher, _ = generated
    engine = Engine(searcher.reader(), cache_bytes=1)
    common = Q.Term("body", COMMON)
    shapes = [
        Q.Prefix("body", "ungdom"),
        Q.Wildcard("body_stem", "poli?"),
        Q.FuzzyTerm("body", "polisn", maxdist=1),
        Q.NumericRange("item_number", 2, 4),
        Q.TermRange("year", "2012", "2015"),
        Q.AndMaybe(common, Q.Term("body", SECOND)),
        Q.AndNot(common, Q.Term("body", SECOND)),
        Q.DisjunctionMax([common, Q.Term("body_stem", "ungdom")]),
        Q.And([common, Q.Prefix("body", "ungdom", boost=2.0)], boost=1.5),
        Q.Or([Q.Term("body", RARE), Q.NumericRange("item_number", 7, 8)]),
        Q.Or([common], boost=3.0),  # one subquery: Whoosh drops the boost
        Q.And([Q.Term("body", SECOND)], boost=3.0),
        Q.Not(Q.Or([common, Q.Term("people", "anna")])),
        Q.Every(boost=0.5),
        Q.And([Q.Every(), Q.Term("has_decision", True)]),
        Q.Term("nosuchfield", COMMON),
        Q.Phrase("nosuchfield", [COMMON, SECOND]),
        Q.Term("presenter", "Anna Berg"),
    ]
    for q in shapes:
        assert_same(engine, searcher, q)
    for q in [Q.Or([]), Q.And([]), Q.NullQuery]:
        assert not engine.evaluate(q, searcher).mask.any()
