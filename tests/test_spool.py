"""The read documents wait on disk, not in the indexer's memory."""

from __future__ import annotations

from indexer.ocrfix import clean_words
from indexer.spool import DocumentSpool
from tests.conftest import seed_documents


def test_documents_come_back_as_read_in_order_as_often_as_asked(tmp_path):
    docs = seed_documents()
    assert any(d.ocr for d in docs) and not all(d.ocr for d in docs)
    spool = DocumentSpool(tmp_path)
    for doc in docs:
        spool.append(doc)
    assert list(tmp_path.iterdir()) == []  # no name: nothing left behind
    assert len(spool) == len(docs)
    assert list(spool) == docs
    assert list(spool) == docs  # again, from the start
    assert spool.sources == [d.source for d in docs]
    assert spool.doc_ids == [d.doc_id for d in docs]
    assert spool.scanned
    assert spool.clean_words == clean_words(docs)
    scans = [(n, d) for n, d in enumerate(docs) if d.ocr]
    assert list(spool.scans()) == scans  # the scans alone, with their places
    assert list(spool) == docs  # and all of them still, after
    spool.append(docs[0])  # appended after reading back: at the end
    assert list(spool) == docs + docs[:1]
    spool.close()


def test_a_run_without_scans_says_so(tmp_path):
    clean = [d for d in seed_documents() if not d.ocr]
    spool = DocumentSpool(tmp_path)
    for doc in clean:
        spool.append(doc)
    assert not spool.scanned
    assert list(spool.scans()) == []
    assert [d.doc_id for d in spool] == [d.doc_id for d in clean]
    spool.close()
