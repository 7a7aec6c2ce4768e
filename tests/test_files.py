"""The original-file route serves indexed files and nothing else."""

from __future__ import annotations

import pytest

from .conftest import http_get


def test_an_indexed_file_is_served_as_plain_text(server, seed_corpus):
    status, headers, body = http_get(f"{server}/files/000_fc1aedb1226712d1.txt")
    assert status == 200
    assert headers["content-type"].startswith("text/plain")
    assert body == (seed_corpus / "000_fc1aedb1226712d1.txt").read_bytes()


@pytest.mark.parametrize(
    "path",
    [
        "metadata.toml",  # in the corpus, but not a document
        "synonyms.txt",
        "nope.txt",
        "../pyproject.toml",
        "..%2f..%2fetc%2fpasswd",
        "%2e%2e/%2e%2e/etc/passwd",
        "/etc/passwd",
        "000_fc1aedb1226712d1.txt/../../pyproject.toml",
    ],
)
def test_anything_else_is_404(server, path):
    status, _, body = http_get(f"{server}/files/{path}")
    assert status == 404
    assert b"root:" not in body and b"[project]" not in body
