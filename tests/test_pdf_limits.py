"""Caps inside the PDF parser: a stream that inflates too far, a page that
runs too many operators, are rejected at once with the reason, long before
the worker's time or memory budget would stop them."""

from __future__ import annotations

import time
import zlib
from pathlib import Path

import pytest

from indexer.ingest.pdf import read_pdf
from indexer.ingest.pdflimits import PAGE_OBJECTS, STREAM_MB
from indexer.model import RejectedFile
from tests.pdfgen import prose_pdf
from tests.test_attacks import page_pdf, raw_pdf


def one_page(stream: bytes) -> bytes:
    """A PDF whose page's content is ``stream``, already Flate-compressed."""
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1"
        b" /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
        + b"\nendstream",
    ])  # fmt: skip


def inflating(block: bytes, megabytes: int) -> bytes:
    """``block`` repeated to ``megabytes`` MiB, compressed piece by piece."""
    packer = zlib.compressobj(9)
    chunk = block * (2**20 // len(block))
    return b"".join(packer.compress(chunk) for _ in range(megabytes)) + packer.flush()


def bad_checksum(data: bytes) -> bytes:
    """The stream with its Adler-32 garbled: pdfminer's recovery path."""
    return data[:-4] + bytes(b ^ 0xFF for b in data[-4:])


def rejected(tmp_path: Path, data: bytes) -> tuple[str, float]:
    path = tmp_path / "x.pdf"
    path.write_bytes(data)
    started = time.monotonic()
    with pytest.raises(RejectedFile) as caught:
        read_pdf(path, "x.pdf", "0")
    return str(caught.value), time.monotonic() - started


def test_q_operators_inflating_to_200_mb_from_a_small_file(tmp_path):
    data = one_page(inflating(b"q Q\n", 200))
    assert len(data) < 250_000
    reason, seconds = rejected(tmp_path, data)
    assert f"inflates to more than {STREAM_MB} MiB" in reason
    assert seconds < 10


def test_a_decompression_bomb(tmp_path):
    reason, seconds = rejected(tmp_path, one_page(inflating(b"\0", 150)))
    assert "decompression bomb" in reason
    assert seconds < 10


def test_a_bomb_with_a_bad_checksum_takes_the_recovery_path_and_is_capped(tmp_path):
    data = one_page(bad_checksum(inflating(b"\0", 100)))
    reason, seconds = rejected(tmp_path, data)
    assert "inflates" in reason
    assert seconds < 30


def test_a_small_stream_with_a_bad_checksum_is_still_read(tmp_path):
    text = b"BT /F1 12 Tf 72 700 Td (Nattvandring i centrum) Tj ET"
    path = tmp_path / "ok.pdf"
    path.write_bytes(one_page(bad_checksum(zlib.compress(text))))
    assert "Nattvandring i centrum" in read_pdf(path, "ok.pdf", "0").text


def test_a_page_with_too_many_operators(tmp_path, monkeypatch):
    monkeypatch.setenv("UMEBRA_PDF_PAGE_OBJECTS", "20000")
    reason, seconds = rejected(tmp_path, page_pdf(b"q Q\n" * 2_000_000))
    assert "more than 20,000 content-stream operators" in reason
    assert seconds < 10


def test_the_default_caps_leave_room_for_real_pages(tmp_path):
    words = " ".join(f"ord{n}" for n in range(400))
    path = prose_pdf([words] * 6, tmp_path / "tät.pdf")
    assert "ord399" in read_pdf(path, "tät.pdf", "0").text
    assert PAGE_OBJECTS >= 100_000 and STREAM_MB >= 32
