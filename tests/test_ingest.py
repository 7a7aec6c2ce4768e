"""Reading corpus files: encodings, broken files, and walking the folder tree."""

from __future__ import annotations

import os

import pytest

from indexer.ingest import iter_corpus, read_document
from indexer.model import RejectedFile

TEXT = (
    "2023-05-04\n\nÄrende:\tOmfattning/notering:\tFöredragande:\n"
    "Övriga frågor\tInga.\t\n"
)


@pytest.mark.parametrize(
    ("data", "warned"),
    [
        (TEXT.encode("utf-8"), False),
        (b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode("utf-8"), False),
        (TEXT.encode("cp1252"), True),
    ],
)
def test_encodings_decode_to_the_same_text(tmp_path, data, warned):
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    raw = read_document(path, tmp_path)
    assert raw.text == TEXT
    assert bool(raw.warnings) == warned


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (bytes(range(256)) * 20, "binary"),
        (b"\x81\x8d\x8f\x90\x9d" * 100, "not text"),
    ],
)
def test_broken_text_files_are_rejected_with_a_reason(tmp_path, data, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(RejectedFile, match=reason):
        read_document(path, tmp_path)


def test_walk_is_recursive_sorted_and_safe(tmp_path):
    deep = tmp_path / "2021" / "mars möten" / "å ä ö"
    deep.mkdir(parents=True)
    (deep / "möte 1.txt").write_text(TEXT)
    (tmp_path / "b.pdf").write_bytes(b"%PDF-")
    (tmp_path / ".hidden.txt").write_text(TEXT)
    (tmp_path / "metadata.toml").write_text("")
    (tmp_path / "notes.docx").write_text("")
    os.symlink(tmp_path, tmp_path / "2021" / "loop")  # a symlink loop must not hang
    found = [p.relative_to(tmp_path).as_posix() for p in iter_corpus(tmp_path)]
    assert found == ["2021/mars möten/å ä ö/möte 1.txt", "b.pdf"]
    assert read_document(deep / "möte 1.txt", tmp_path).source == (
        "2021/mars möten/å ä ö/möte 1.txt"
    )
