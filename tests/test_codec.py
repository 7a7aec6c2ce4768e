"""Array-coded postings blocks (``indexer.codec``): what is written is read back.

Postings are written through the codec's own writer into a file and read back
twice: through Whoosh's matcher interface (its searcher uses it) and through
the server's array reader. Both must give exactly the ids, weights and
positions written, for every width the layout has, and for the blocks it
leaves to Whoosh's own value coding. ``test_postings_format`` compares
searches over a whole generated index with Whoosh's.
"""

from __future__ import annotations

import random
import zlib
from io import BytesIO

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3TermInfo, W3TermsReader
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.formats import Existence, Frequency
from whoosh.system import pack_uint

from indexer import live_generation
from indexer.codec import (
    FLOATS,
    ONES,
    PACKED_VALUES,
    WHOOSH_VALUES,
    ArrayCodec,
    ArrayLeafMatcher,
    MappedFile,
    decode_block,
)
from indexer.positions import PackedPositions
from search_app import whoosh_postings

BLOCK = 64


def write_postings(postings, fmt, block=BLOCK) -> tuple[bytes, W3TermInfo]:
    """One term's postings, ``(id, weight, positions or None)``, as the codec
    writes them; the file's bytes and the term's info."""
    out = BytesIO()
    writer = ArrayCodec(blocklimit=block).postings_writer(StructFile(out))
    terminfo = W3TermInfo()
    writer.start_postings(fmt, terminfo)
    for docid, weight, positions in postings:
        if type(fmt) is PackedPositions:
            value = fmt.encode(positions)
        else:  # what Whoosh's formats write: a count, or nothing
            value = pack_uint(int(weight)) if fmt.posting_size else b""
        writer.add_posting(docid, weight, value)
    writer.finish_postings()
    return out.getvalue(), terminfo


def read_back(raw: bytes, terminfo, fmt):
    return ArrayCodec().postings_reader(BufferFile(memoryview(raw)), terminfo, fmt)


def block_heads(raw: bytes, terminfo, fmt) -> list[tuple[int, int, int, int]]:
    """Each block's four layout bytes."""
    matcher = read_back(raw, terminfo, fmt)
    heads = []
    while matcher.is_active():
        size = matcher._nextoffset - matcher._dataoffset
        data = zlib.decompress(matcher._postfile.get(matcher._dataoffset, size))
        heads.append(tuple(data[:4]))  # layout, id width, weights, values
        matcher._next_block()
    return heads


def postings_of(rng, count, max_gap, weight, positions) -> list:
    docid, out = 0, []
    for _ in range(count):
        docid += rng.randint(1, max_gap)
        places = None
        if positions:
            places = sorted(rng.sample(range(positions), rng.randint(1, 5)))
        out.append((docid, weight(rng), places))
    return out


CASES = {
    # name: (id gap, weight, position span, id width, weight kind)
    "dense ids, all ones": (3, lambda r: 1.0, 50, 1, ONES),
    "16-bit ids, counts": (2000, lambda r: float(r.randint(1, 9)), 500, 2, 1),
    "32-bit ids, wide counts": (
        200_000,
        lambda r: float(r.randint(1, 900)),
        60_000,
        4,
        2,
    ),
    "boosted weights": (5, lambda r: r.randint(1, 9) * 1.5, 50, 1, FLOATS),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_postings_read_back_as_written(case):
    max_gap, weight, span, id_width, weight_kind = CASES[case]
    fmt = PackedPositions()
    postings = postings_of(random.Random(case), 3 * BLOCK + 7, max_gap, weight, span)
    raw, terminfo = write_postings(postings, fmt)
    heads = block_heads(raw, terminfo, fmt)
    assert len(heads) == 4
    assert {h[1:] for h in heads} == {(id_width, weight_kind, PACKED_VALUES)}

    # Whoosh's matcher interface, posting by posting.
    matcher = read_back(raw, terminfo, fmt)
    assert isinstance(matcher, ArrayLeafMatcher)
    seen = []
    while matcher.is_active():
        value = matcher.value()
        seen.append((matcher.id(), matcher.weight(), fmt.decode_positions(value)))
        matcher.next()
    assert seen == postings

    # The server's array reader, whole term and chosen ids.
    ids, weights, (places, counts) = whoosh_postings._segment_postings(
        read_back(raw, terminfo, fmt), True
    )
    assert ids.tolist() == [p[0] for p in postings]
    assert weights.tolist() == [p[1] for p in postings]
    assert counts.tolist() == [len(p[2]) for p in postings]
    assert places.tolist() == [x for p in postings for x in p[2]]
    chosen = postings[1::9]
    wanted = np.asarray([p[0] for p in chosen], dtype=np.int64)
    got, (places, counts) = whoosh_postings._candidate_positions(
        read_back(raw, terminfo, fmt), wanted
    )
    assert got.tolist() == wanted.tolist()
    assert places.tolist() == [x for p in chosen for x in p[2]]


def test_a_block_with_a_32_bit_position_gap_keeps_whooshs_values():
    """Packed positions whose gap needs 32 bits are not narrowed: that block
    keeps Whoosh's own value coding, the others stay packed arrays."""
    fmt = PackedPositions()
    postings = [(n, 1.0, [n % 7, n % 7 + 3]) for n in range(2 * BLOCK)]
    far = BLOCK + 5
    postings[far] = (far, 1.0, [2, 2 + 70_000])
    raw, terminfo = write_postings(postings, fmt)
    assert [h[3] for h in block_heads(raw, terminfo, fmt)] == [
        PACKED_VALUES,
        WHOOSH_VALUES,
    ]
    matcher = read_back(raw, terminfo, fmt)
    assert [(i, w, fmt.decode_positions(v)) for i, w, v in _all(matcher)] == postings
    ids, _, (places, counts) = whoosh_postings._segment_postings(
        read_back(raw, terminfo, fmt), True
    )
    assert ids.tolist() == list(range(2 * BLOCK))
    assert places.tolist() == [x for p in postings for x in p[2]]


@pytest.mark.parametrize("fmt", [Frequency(), Existence()], ids=type)
def test_formats_without_positions_keep_whooshs_values(fmt):
    postings = [(n * 3, float(1 + n % 4), None) for n in range(BLOCK + 1)]
    raw, terminfo = write_postings(postings, fmt)
    assert [h[3] for h in block_heads(raw, terminfo, fmt)] == [WHOOSH_VALUES] * 2
    matcher = read_back(raw, terminfo, fmt)
    expected = [
        (p[0], p[1], pack_uint(int(p[1])) if fmt.posting_size else None)
        for p in postings
    ]
    assert _all(matcher) == expected
    ids, weights, _ = whoosh_postings._segment_postings(
        read_back(raw, terminfo, fmt), False
    )
    assert ids.tolist() == [p[0] for p in postings]
    assert weights.tolist() == [p[1] for p in postings]


def test_an_unknown_layout_is_refused_not_misread():
    with pytest.raises(ValueError, match="layout"):
        decode_block(bytes([9, 1, 0, 1]) + bytes(12), 2)


def test_the_indexer_writes_array_blocks(index_dir):
    """The built seed index reads its postings through the array matcher."""
    ix = whoosh_index.open_dir(str(live_generation(index_dir)))
    with ix.searcher() as searcher:
        reader = searcher.reader()
        segment = reader.leaf_readers()[0][0]
        term = max(
            segment.all_terms(), key=lambda t: segment.doc_frequency(*t)
        )  # the commonest: not inlined in the terms file
        leaf, blockwise = whoosh_postings._leaf(segment.postings(*term))
        assert blockwise and isinstance(leaf, ArrayLeafMatcher)


def test_the_terms_file_is_mapped_and_read_alike(index_dir):
    """Every term of the seed index: the mapped terms file answers as the file
    read through Whoosh's own file object does (presence, counts, order)."""
    generation = live_generation(index_dir)
    ix = whoosh_index.open_dir(str(generation))
    with ix.searcher() as searcher:
        for segment, _ in searcher.reader().leaf_readers():
            mapped = segment._terms
            assert isinstance(mapped._dbfile, MappedFile)
            name = segment._segment.make_filename(ArrayCodec.TERMS_EXT)
            path = generation / name
            plain = W3TermsReader(
                ArrayCodec(),
                StructFile(path.open("rb"), name=name),
                path.stat().st_size,
                segment._terms._postfile,
            )
            try:
                terms = list(mapped.terms())
                assert terms == list(plain.terms()) and len(terms) > 1000
                for field, btext in terms:
                    assert (field, btext) in mapped
                    got, want = (
                        mapped.term_info(field, btext),
                        plain.term_info(field, btext),
                    )
                    assert vars(got) == vars(want)
                    assert (field, btext + b"\x00") not in mapped
            finally:
                plain._tindex.close()


def _all(matcher):
    out = []
    while matcher.is_active():
        out.append((matcher.id(), matcher.weight(), matcher.value()))
        matcher.next()
    return out
