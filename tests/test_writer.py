"""The item writer writes what Whoosh's writer writes, byte for byte.

``indexer.writer.ItemWriter`` takes another way to the same segment files
(postings gathered per term as arrays, written a term at a time); every
reader, Whoosh's and the server's, relies on those files being the same. So
each case here writes the same items through Whoosh's ``SegmentWriter`` and
through ``ItemWriter`` into two indexes and compares every file of every
segment: the terms, the postings, the stored fields, the lengths, the
columns. Items are real Swedish text (the seed corpus, the judged set's
texts) and the shapes that take other paths: postings over many blocks, a
pool spilled to disk, segments merged (their postings come back encoded),
deletions, a position gap too wide for 16 bits, boosts.
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from indexer.analysis import stem_analyzer
from indexer.codec import ArrayCodec
from indexer.fields import item_fields
from indexer.model import Document, Item
from indexer.schema import get_schema
from indexer.termpool import TermPool
from indexer.writer import ItemWriter

from .conftest import numbered_minutes, seed_documents

ROOT = Path(__file__).resolve().parent.parent
TEXTS = sorted((ROOT / "tests" / "quality" / "texts").glob("*.txt"))
BLOCK = 16  # postings per block: small, so that terms span many blocks


def real_words() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in TEXTS)
    return re.findall(r"\w+(?:-\w+)*", text)


def generated(count: int, seed: int, start: int = 0) -> list[Document]:
    """Minutes made of the judged texts' words, in their Zipfian mix."""
    rng = random.Random(seed)
    words = real_words()
    docs = []
    for n in range(start, start + count):
        items = [
            Item(
                number=k,
                title=" ".join(rng.choices(words, k=3)),
                text=" ".join(rng.choices(words, k=rng.randint(5, 120))),
                presenters=rng.sample(["Anna Berg", "Karl Öberg", "Moa Brydsten"], 1),
            )
            for k in range(1, 6)
        ]
        docs.append(numbered_minutes(n, items))
    return docs


def index_documents(docs: list[Document]) -> list[dict]:
    return [item_fields(doc, item, None) for doc in docs for item in doc.items]


def write_both(
    tmp_path: Path, commits: list[dict], codec=None, **writer_args
) -> list[dict]:
    """Each commit ({"add": index documents, "delete": doc ids, "optimize":
    bool}) through both writers, each into its own index; every segment's
    files (by extension) and their digests, per writer."""
    found = []
    for name, make in (("whoosh", SegmentWriter), ("items", ItemWriter)):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), get_schema())
        for commit in commits:
            writer = make(
                ix,
                codec=codec() if codec else ArrayCodec(blocklimit=BLOCK),
                compound=False,
                **writer_args,
            )
            for doc_id in commit.get("delete", ()):
                writer.delete_by_term("doc_id", doc_id)
            for fields in commit.get("add", ()):
                writer.add_document(**fields)
            writer.commit(optimize=commit.get("optimize", False), merge=False)
        found.append(segment_files(ix, folder))
    return found


def segment_files(ix, folder: Path) -> dict:
    out = {}
    for number, segment in enumerate(ix._segments()):
        prefix = f"{segment.segment_id()}."
        for path in sorted(folder.glob(prefix + "*")):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            out[(number, path.name[len(prefix) :])] = digest
    assert any(ext == "pst" for _, ext in out), "no postings written"
    return out


def test_the_same_segment_files_as_whooshs_writer(tmp_path):
    """The seed corpus (an OCR'd agreement among them) and generated minutes,
    with terms over many blocks."""
    documents = index_documents(seed_documents() + generated(40, seed=1))
    boosted = dict(documents[3], _boost=1.5, _body_boost=2.0)  # Whoosh's boosts
    whoosh, ours = write_both(tmp_path, [{"add": documents + [boosted]}])
    assert ours == whoosh


def test_with_whooshs_own_codec_the_pool_hands_over_postings_one_by_one(tmp_path):
    """A codec that takes no whole terms gets Whoosh's posting tuples from
    the pool, position values encoded again: the same files too."""
    documents = index_documents(seed_documents()[:2] + generated(10, seed=8))
    whoosh, ours = write_both(
        tmp_path, [{"add": documents}], codec=lambda: W3Codec(blocklimit=BLOCK)
    )
    assert ours == whoosh


def test_a_pool_spilled_to_disk_writes_the_same_files(tmp_path, monkeypatch):
    """A pool past its limit writes sorted runs and merges them at the end."""
    spills = []
    spill = TermPool._spill

    def counted(pool):
        spills.append(pool)
        spill(pool)

    monkeypatch.setattr(TermPool, "_spill", counted)
    documents = index_documents(generated(30, seed=2))
    whoosh, ours = write_both(tmp_path, [{"add": documents}], limitmb=0.05)
    assert len(spills) > 3, "the pool did not spill"
    assert ours == whoosh


def test_merged_segments_and_deletions_write_the_same_files(tmp_path):
    """Incremental commits with deletions, then all segments merged into one:
    the merged segments' postings come back encoded, and go into the pool."""
    first, second = generated(20, seed=3), generated(10, seed=4, start=15)
    commits = [
        {"add": index_documents(first)},
        {
            "add": index_documents(second),
            "delete": [f"doc{n}" for n in range(15, 20)] + ["doc3"],
        },
        {"add": index_documents(generated(3, seed=5, start=40)), "optimize": True},
    ]
    whoosh, ours = write_both(tmp_path, commits)
    assert {number for number, _ in ours} == {0}, "not merged into one segment"
    assert ours == whoosh


def test_a_position_gap_wider_than_16_bits_writes_the_same_files(tmp_path):
    """The packed layout holds 16-bit gaps; a wider one makes its block keep
    Whoosh's own values, from either writer."""
    filler = " ".join(["skolan"] * 70_000)
    doc = Document(
        doc_id="long",
        source="long.txt",
        sha256="0" * 64,
        doc_type="minutes",
        title="Långt möte",
        date="2024-05-02",
        items=[Item(number=1, title="Polisen", text=f"klotter {filler} klotter")],
    )
    documents = index_documents([doc]) + index_documents(generated(5, seed=6))
    whoosh, ours = write_both(tmp_path, [{"add": documents}])
    assert ours == whoosh


def test_positions_are_what_the_chain_indexes():
    """Each form's positions, as the analyzer's tokens give them: hyphen and
    compound parts at their word's position, stop words holding none."""
    text = "Och trygghetsvandringar i BOB-råden och trygghetsvandringar"
    analyzer = stem_analyzer()
    expected: dict[str, list[int]] = {}
    for token in analyzer(text, positions=True, mode="index", no_morph=True):
        expected.setdefault(token.text, []).append(token.pos)
    assert analyzer.positions(text) == expected
    # StopFilter renumbers: "och" and "i" hold no position.
    assert expected["vandring"] == expected["trygghetsvandring"] == [1, 3]


def test_a_writer_for_term_vectors_is_refused(tmp_path):
    from whoosh.fields import TEXT, Schema

    ix = whoosh_index.create_in(str(tmp_path), Schema(body=TEXT(vector=True)))
    with pytest.raises(ValueError, match="term vectors"):
        ItemWriter(ix)


def test_items_out_of_order_are_refused():
    """A term's postings must come in item order: its arrays are written as
    they are. Terms may interleave (a merged segment comes term by term)."""
    pool = TermPool(get_schema(), limit=1 << 20)
    forms = stem_analyzer().word_forms
    pool.add_words("body_stem", 5, ["polisen"], forms)
    pool.add(("doc_id", b"d", 4, 1.0, b""))
    with pytest.raises(ValueError, match="out of order"):
        pool.add_words("body_stem", 5, ["polisen"], forms)
    pool.add(("doc_id", b"d", 5, 1.0, b""))
    with pytest.raises(ValueError, match="out of order"):
        pool.add(("doc_id", b"d", 5, 1.0, b""))


def test_an_item_given_both_ways_is_refused():
    """A field's words (``add_words``) and encoded postings (``add``, a
    merged segment's) are joined in item order; one item twice is refused."""
    pool = TermPool(get_schema(), limit=1 << 20)
    pool.add_words("body_stem", 5, ["polisen"], stem_analyzer().word_forms)
    value = get_schema()["body_stem"].format.encode([0])
    pool.add(("body_stem", b"polis", 5, 1.0, value))
    with pytest.raises(ValueError, match="out of order"):
        list(pool.terms())


def test_fields_spilled_and_not_written_to_again_are_read_back():
    """A pool past its limit at every posting: each run holds one term, and
    what is left in memory is empty fields."""
    pool = TermPool(get_schema(), limit=1)
    pool.add(("doc_id", b"d", 4, 1.0, b""))
    pool.add_words("body_stem", 5, ["polisen"], stem_analyzer().word_forms)
    try:
        terms = dict(pool.terms())
    finally:
        pool.cleanup()  # closes the runs
    assert list(terms) == [("body_stem", b"polis"), ("doc_id", b"d")]
    assert terms["body_stem", b"polis"].ids.tolist() == [5]


def test_postings_given_both_ways_are_joined_in_item_order():
    """A merged segment's postings (numbered after the new items) may come
    before new items of the same term; the term's postings are in item order."""
    pool = TermPool(get_schema(), limit=1 << 20)
    fmt = get_schema()["body_stem"].format
    forms = stem_analyzer().word_forms
    pool.add_words("body_stem", 1, ["polisen", "och", "polisen"], forms)
    pool.add(("body_stem", b"polis", 3, 1.0, fmt.encode([4, 9])))
    pool.add_words("body_stem", 7, ["polisen"], forms)
    pool.add(("body_stem", b"polis", 4, 1.0, fmt.encode([5])))
    terms = dict(pool.terms())
    postings = terms["body_stem", b"polis"]
    assert postings.ids.tolist() == [1, 3, 4, 7]
    assert postings.counts.tolist() == [2, 2, 1, 1]
    assert postings.positions.tolist() == [0, 1, 4, 9, 5, 0]  # "och" holds none


def test_a_spilling_pool_stays_within_its_limit(tmp_path):
    """Runs are pickled a term at a time: a pickler's memo would keep every
    term written (and, reading back, every term read) alive to the end, so
    that a pool past its limit peaked higher than one never spilled."""
    import tracemalloc

    documents = index_documents(generated(60, seed=7))

    def peak(name: str, limitmb: float) -> tuple[int, int]:
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), get_schema())
        writer = ItemWriter(ix, codec=ArrayCodec(blocklimit=BLOCK), limitmb=limitmb)
        tracemalloc.start()
        try:
            for fields in documents:
                writer.add_document(**fields)
            runs = len(writer.pool._runs)
            writer.commit()
            return runs, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak("warm", 256)  # the word list and the analysis' memo, loaded once
    none, whole = peak("whole", 256)
    runs, spilled = peak("spilled", 0.25)
    assert runs >= 4 and none == 0
    assert spilled < 0.6 * whole, (spilled, whole)
