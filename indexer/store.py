"""The index folder: generations, the lock, the manifest, publishing.

The index dir holds generations::

    CURRENT          the name of the live generation; replaced atomically
    gen-000001/      a Whoosh index, manifest.json, corpus_words.txt,
                     word_forms_<n>.bin (see formtable)
    synonyms.txt     the corpus' synonym list, published for the server
    .lock            held by the one indexer that may write

A full build writes a new generation and publishes it by replacing CURRENT,
so a reader never sees a half-built index and a crash leaves the old one
serving. An incremental run writes into the live generation through Whoosh's
own commit, which readers also see all at once or not at all.

Standard library only: the web app reads the folder through this module
without loading the engine or the analysis.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
CORPUS_WORDS = "corpus_words.txt"
SYNONYMS_FILE = "synonyms.txt"  # staff-edited, in the corpus; the server reads a copy


class IndexBusy(RuntimeError):
    """Another indexer holds the lock."""


# --- generations -------------------------------------------------------------


def live_generation(index_dir: Path) -> Path | None:
    """The directory of the published index, or None before the first build."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    path = index_dir / name
    if not name.startswith("gen-") or "/" in name or not path.is_dir():
        return None
    return path


def new_generation(index_dir: Path) -> Path:
    """A fresh, empty generation directory, numbered after the existing ones."""
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    path = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    path.mkdir()
    return path


def remove_unpublished(index_dir: Path) -> list[str]:
    """Delete generations newer than the live one: a failed or killed build's.

    Called under the lock, so no other build is writing them. The generation
    before the live one stays (a reader may still have it open).
    """
    live = live_generation(index_dir)
    floor = _number(live) if live is not None else 0
    removed = []
    for path in index_dir.glob("gen-*"):
        if path.is_dir() and _number(path) > floor:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return sorted(removed)


def discard(generation: Path) -> None:
    """Remove a generation that was never published (its build failed)."""
    shutil.rmtree(generation, ignore_errors=True)


def _number(generation: Path) -> int:
    digits = generation.name[4:]
    return int(digits) if digits.isdigit() else 0


def publish(index_dir: Path, generation: Path) -> None:
    """Make a generation the live one, atomically; drop all older but the last."""
    previous = live_generation(index_dir)
    tmp = index_dir / f".{CURRENT}.tmp"
    tmp.write_text(generation.name, encoding="utf-8")
    os.replace(tmp, index_dir / CURRENT)
    # The previous generation stays until the next publish: a request that
    # read CURRENT just before the switch can still open it.
    for old in index_dir.glob("gen-*"):
        if old not in (generation, previous):
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def locked(index_dir: Path, wait: bool) -> Iterator[None]:
    """Hold the index's write lock; IndexBusy at once if taken and not ``wait``."""
    with (index_dir / ".lock").open("a+") as fh:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(fh, flags)
        except BlockingIOError:
            fh.seek(0)
            owner = fh.read(20).strip()
            who = f" (process {owner})" if owner.isdigit() else ""
            raise IndexBusy(f"another indexer is writing {index_dir}{who}") from None
        # The owner's id, for the message above. The kernel drops the lock when
        # the owner and every process that inherited it have died; the build's
        # worker processes die with the owner (see build and sandbox).
        fh.truncate(0)
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fh.truncate(0)
            fcntl.flock(fh, fcntl.LOCK_UN)


# --- what a generation holds besides the index ----------------------------------


def read_manifest(generation: Path | None) -> dict:
    """The generation's manifest (files, their keys and doc ids), {} if none."""
    return _read_json(generation / MANIFEST, {}) if generation else {}


def write_manifest(generation: Path, manifest: dict) -> None:
    """Replace the generation's manifest atomically."""
    _write_json(generation / MANIFEST, manifest)


def checksums(generation: Path) -> dict[str, list]:
    """Size, SHA-256 and modification time (ns) of each index file, for the
    manifest. The time lets the server notice a rewritten file at a stat's
    cost; the hash decides."""
    sums = {}
    for path in sorted(generation.iterdir()):
        if path.is_file() and path.name not in _NOT_INDEX and path.suffix != ".tmp":
            stat = path.stat()
            sums[path.name] = [stat.st_size, file_sha256(path), stat.st_mtime_ns]
    return sums


def damage(generation: Path, manifest: dict) -> list[str]:
    """The index files that are missing, truncated or garbled since recorded."""
    damaged = []
    for name, (size, digest, *_) in manifest.get("checksums", {}).items():
        path = generation / name
        try:
            if path.stat().st_size != size or file_sha256(path) != digest:
                damaged.append(name)
        except OSError:
            damaged.append(name)
    return damaged


_NOT_INDEX = {MANIFEST, CORPUS_WORDS}


def file_sha256(path: Path) -> str:
    """Content hash: whether a corpus file changed, whether an index file is whole."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_corpus_words(generation: Path | None) -> set[str]:
    """The clean corpus words earlier runs recorded in the generation."""
    if generation is None or not (generation / CORPUS_WORDS).is_file():
        return set()
    return set((generation / CORPUS_WORDS).read_text(encoding="utf-8").split())


def write_corpus_words(generation: Path, words: set[str]) -> None:
    """Record the clean corpus words, for the next incremental run's lexicon."""
    (generation / CORPUS_WORDS).write_text("\n".join(sorted(words)), encoding="utf-8")


def publish_synonyms(
    corpus_dir: Path, index_dir: Path, check: Callable[[bytes], tuple[str, list]]
) -> list:
    """Publish the synonym list next to the index, where the server looks for it.

    It applies at query time, so an edit takes effect without re-indexing.
    ``check`` keeps the usable lines and says what it left out (returned).
    """
    source, target = corpus_dir / SYNONYMS_FILE, index_dir / SYNONYMS_FILE
    text, problems = check(source.read_bytes()) if source.is_file() else ("", [])
    current = target.read_text("utf-8", "replace") if target.is_file() else ""
    if text != current:
        tmp = target.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    return problems


def original_file(index_dir: Path, source: str) -> Path | None:
    """The corpus file an indexed document came from, or None.

    Only sources the live index holds are answered, looked up by name in its
    manifest, so no request can reach any other file.
    """
    live = live_generation(index_dir)
    if live is None:
        return None
    manifest = read_manifest(live)
    entry = manifest.get("files", {}).get(source)
    if not entry or "doc_id" not in entry or "corpus" not in manifest:
        return None
    corpus = Path(manifest["corpus"]).resolve()
    path = (corpus / source).resolve()
    return path if path.is_relative_to(corpus) and path.is_file() else None


def _read_json(path: Path, default: dict) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)
