"""Read a corpus file into a :class:`~indexer.model.RawDocument`, by suffix."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from ..model import RawDocument, RejectedFile
from ..store import file_sha256
from .normalize import normalize_text
from .ocrdetect import looks_like_ocr
from .text import decode_text

__all__ = ["RejectedFile", "iter_corpus", "read_document", "source_name"]

SUFFIXES = {".txt", ".pdf"}
# Files at the corpus root that configure the search rather than hold documents.
CONFIG_FILES = {"metadata.toml", "synonyms.txt"}
MAX_FILE_BYTES = 200 * 1024 * 1024  # scanned PDFs are big; their text is not
MAX_TEXT_CHARS = 5_000_000  # a year of minutes is about 500,000


def source_name(path: Path, corpus_dir: Path) -> str:
    """The file's path relative to the corpus, with forward slashes.

    Bytes of a name that are not UTF-8 are written as escapes (``\\xe5``): the
    name goes into ids, JSON and messages, which must all be valid text.
    """
    name = path.relative_to(corpus_dir).as_posix()
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
        name = raw.decode("utf-8", "backslashreplace")
    return name


def iter_corpus(corpus_dir: Path) -> Iterator[Path]:
    """Every indexable file below the corpus dir, in a stable order.

    Symlinked directories are not followed (a link loop must not hang us) and
    hidden files and the configuration files (CONFIG_FILES) are skipped.
    """
    root = corpus_dir.resolve()
    for path in sorted(_walk(corpus_dir)):
        if path.parent == corpus_dir and path.name in CONFIG_FILES:
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            continue  # a link out of the corpus must not bring other files in
        if path.suffix.lower() in SUFFIXES and not path.name.startswith("."):
            yield path


def _walk(root: Path) -> Iterator[Path]:
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink() and entry.is_dir():
                continue
            if entry.is_dir():
                stack.append(entry)
            elif entry.is_file():
                yield entry


def _checked(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        _too_long(len(text))
    return text


def _too_long(chars: int) -> None:
    raise RejectedFile(
        f"too much text (at least {chars:,} characters, the limit is "
        f"{MAX_TEXT_CHARS:,})"
    )


def read_document(path: Path, corpus_dir: Path) -> RawDocument:
    """Read one corpus file; raises RejectedFile with a reason when it can't.

    Its text is normalised (``normalize_text``) once, by the branch that
    read it: a text file's before the costly checks.
    """
    source = source_name(path, corpus_dir)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RejectedFile(f"too large ({size // 2**20} MiB)")
        suffix = path.suffix.lower()
        if suffix == ".pdf":
            from .pdf import read_pdf  # pdfplumber is only loaded when needed

            raw = read_pdf(path, source, file_sha256(path))
            raw.text = _checked(normalize_text(raw.text))
            return raw
        if suffix == ".txt":
            if size > 4 * MAX_TEXT_CHARS:  # UTF-8: at most 4 bytes a character
                _too_long(size // 4)
            data = path.read_bytes()
            text, warnings = decode_text(data)
            text = _checked(normalize_text(_checked(text)))  # before costly checks
            sha = hashlib.sha256(data).hexdigest()
            # A text file may be a scan's OCR output; say so when it reads like one.
            ocr = looks_like_ocr(text)
            return RawDocument(source, text, sha, ocr=ocr, warnings=warnings)
    except OSError as exc:
        raise RejectedFile(f"cannot read: {exc.strerror or exc}") from None
    raise RejectedFile(f"unsupported file type {path.suffix!r}")
