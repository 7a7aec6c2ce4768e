"""Build the index from the corpus, or bring it up to date with it.

The index dir holds generations::

    CURRENT        the name of the live generation; replaced atomically
    gen-000001/    a Whoosh index, manifest.json, corpus_words.txt
    .lock          held by the one indexer that may write

A full build writes a new generation and publishes it by replacing CURRENT,
so a reader never sees a half-built index and a crash leaves the old one
serving. An incremental run writes into the live generation through Whoosh's
own commit, which readers also see all at once or not at all.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from .ingest import file_sha256, iter_corpus, read_document, source_name
from .lexicon import Lexicon, base_lexicon
from .metadata import METADATA_FILE, load_overrides
from .model import Document, Item, RejectedFile
from .ocrfix import correct_text, trusted_words
from .people import item_person_keys
from .schema import SCHEMA_VERSION, get_schema, make_item_id, signature
from .segment import segment

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
CORPUS_WORDS = "corpus_words.txt"
SYNONYMS_FILE = "synonyms.txt"  # staff-edited, in the corpus; the server reads a copy

Progress = Callable[[int, int, str], None]


@dataclass
class Summary:
    """What a run did, for the command line and the tests."""

    indexed: list[str] = field(default_factory=list)
    unchanged: int = 0
    deleted: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    items: int = 0  # items in the index after the run
    rebuilt: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.indexed or self.deleted or self.rebuilt)


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


def _new_generation(index_dir: Path) -> Path:
    numbers = [int(p.name[4:]) for p in index_dir.glob("gen-*") if p.name[4:].isdigit()]
    path = index_dir / f"gen-{max(numbers, default=0) + 1:06d}"
    path.mkdir()
    return path


def _publish(index_dir: Path, generation: Path) -> None:
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
def _locked(index_dir: Path, wait: bool) -> Iterator[None]:
    with (index_dir / ".lock").open("a") as fh:
        flags = fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(fh, flags)
        except BlockingIOError:
            raise IndexBusy(f"another indexer is writing {index_dir}") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _read_json(path: Path, default: dict) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def _write_json(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


# --- the run -----------------------------------------------------------------


@dataclass
class _Plan:
    files: dict[str, tuple[Path, str]]  # source -> (path, key)
    todo: list[str]
    deleted: list[str]
    full: bool


def build_index(
    corpus_dir: Path,
    index_dir: Path,
    rebuild: bool = False,
    progress: Progress | None = None,
    wait: bool = True,
) -> Summary:
    """Index new, changed and deleted files (all of them with ``rebuild``)."""
    started = time.monotonic()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    summary = Summary()
    with _locked(index_dir, wait):
        live = live_generation(index_dir)
        manifest = _read_json(live / MANIFEST, {}) if live else {}
        current = signature(get_schema())
        rebuild = rebuild or (live is not None and manifest.get("signature") != current)
        overrides = _overrides(corpus_dir, summary)
        plan = _plan(corpus_dir, manifest, overrides, rebuild or live is None)
        summary.unchanged = len(plan.files) - len(plan.todo)
        _report_old_rejects(manifest, plan, summary)
        if plan.todo or plan.deleted or plan.full:
            _run(
                plan,
                corpus_dir,
                index_dir,
                live,
                manifest,
                overrides,
                summary,
                progress,
            )
        _copy_synonyms(corpus_dir, index_dir)
        summary.items = _count_items(index_dir)
    summary.seconds = time.monotonic() - started
    return summary


def _copy_synonyms(corpus_dir: Path, index_dir: Path) -> None:
    """Publish the synonym list next to the index, where the server looks for it.

    It applies at query time, so an edit takes effect without re-indexing.
    """
    source, target = corpus_dir / SYNONYMS_FILE, index_dir / SYNONYMS_FILE
    text = source.read_text(encoding="utf-8") if source.is_file() else ""
    current = target.read_text(encoding="utf-8") if target.is_file() else ""
    if text != current:
        tmp = target.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)


def _overrides(corpus_dir: Path, summary: Summary) -> tuple[dict, dict]:
    try:
        return load_overrides(corpus_dir)
    except ValueError as exc:
        summary.rejected.append((METADATA_FILE, str(exc)))
        return {}, {}


def _plan(corpus_dir: Path, manifest: dict, overrides: tuple, full: bool) -> _Plan:
    defaults, entries = overrides
    files = {}
    for path in iter_corpus(corpus_dir):
        source = source_name(path, corpus_dir)
        try:
            digest = file_sha256(path)
        except OSError:
            digest = "unreadable"
        extra = json.dumps([defaults, entries.get(source)], sort_keys=True, default=str)
        key = f"{SCHEMA_VERSION}:{digest}:{hashlib.sha1(extra.encode()).hexdigest()}"
        files[source] = (path, key)
    known = (
        manifest.get("files", {}) if manifest.get("schema") == SCHEMA_VERSION else {}
    )
    full = full or not known and bool(manifest)
    todo = [
        s
        for s, (_, key) in files.items()
        if full or known.get(s, {}).get("key") != key or known[s].get("retry")
    ]
    deleted = [] if full else [s for s in known if s not in files]
    return _Plan(files, todo, deleted, full)


def _report_old_rejects(manifest: dict, plan: _Plan, summary: Summary) -> None:
    """Files rejected before and unchanged since are reported again, not re-read."""
    for source, entry in manifest.get("files", {}).items():
        if source in plan.files and source not in plan.todo and entry.get("rejected"):
            summary.rejected.append((source, entry["rejected"]))


def _run(plan, corpus_dir, index_dir, live, manifest, overrides, summary, progress):
    docs: list[Document] = []
    entries: dict[str, dict] = {} if plan.full else dict(manifest.get("files", {}))
    defaults, per_file = overrides
    for n, source in enumerate(plan.todo, 1):
        path, key = plan.files[source]
        if progress:
            progress(n, len(plan.todo), source)
        try:
            raw = read_document(path, corpus_dir)
            doc = segment(raw, {"defaults": defaults, "file": per_file.get(source, {})})
        except RejectedFile as exc:
            summary.rejected.append((source, str(exc)))
            entries[source] = {"key": key, "rejected": str(exc), "retry": exc.retryable}
            continue
        summary.warnings += [(source, w) for w in raw.warnings]
        docs.append(doc)
        entries[source] = {"key": key, "doc_id": doc.doc_id, "items": len(doc.items)}
    target = _new_generation(index_dir) if plan.full else live
    words = _corpus_words(target if not plan.full else None, docs)
    _write(target, plan, docs, manifest, words)
    for source in plan.deleted:
        entries.pop(source, None)
    new_manifest = {
        "schema": SCHEMA_VERSION,  # bumped by hand when analysis code changes
        "signature": signature(get_schema()),  # fields and analyzer chains
        "corpus": str(corpus_dir.resolve()),
        "files": entries,
    }
    _write_json(target / MANIFEST, new_manifest)
    (target / CORPUS_WORDS).write_text("\n".join(sorted(words)), encoding="utf-8")
    if plan.full:
        _publish(index_dir, target)
    summary.rebuilt = plan.full
    summary.deleted = plan.deleted
    summary.indexed = [d.source for d in docs]


def _corpus_words(generation: Path | None, docs: list[Document]) -> set[str]:
    """The clean corpus' vocabulary: earlier runs' plus this run's clean documents."""
    words: set[str] = set()
    if generation is not None and (generation / CORPUS_WORDS).is_file():
        words.update((generation / CORPUS_WORDS).read_text(encoding="utf-8").split())
    clean = (
        "\n".join([i.title, i.text, *i.presenters, *d.present, *d.absent])
        for d in docs
        if not d.ocr
        for i in d.items
    )
    words.update(w for w in trusted_words(clean) if w.isalpha() and len(w) > 1)
    return words


def _write(target: Path, plan: _Plan, docs, manifest, words) -> None:
    if plan.full:
        ix = whoosh_index.create_in(str(target), get_schema())
    else:
        ix = whoosh_index.open_dir(str(target))
    lexicon = (
        base_lexicon().with_corpus_words(words) if any(d.ocr for d in docs) else None
    )
    old = manifest.get("files", {})
    writer = _writer(ix, full=plan.full, docs=len(docs))
    try:
        if not plan.full:
            stale = {old.get(s, {}).get("doc_id") for s in plan.todo + plan.deleted}
            # Also the ids being added: a crash between Whoosh's commit and the
            # manifest leaves them in the index but not in the manifest.
            stale |= {doc.doc_id for doc in docs}
            for doc_id in stale - {None}:
                writer.delete_by_term("doc_id", doc_id)
        for doc in docs:
            for item in doc.items:
                writer.add_document(**item_fields(doc, item, lexicon))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


PARALLEL_MIN_DOCS = 200  # below this, starting workers costs more than it saves
WRITER_MB = 256  # posting buffer per process before it spills to a sorted run


def _writer(ix, full: bool, docs: int):
    """A multi-process writer for big full builds, a plain one otherwise.

    Whoosh's MpWriter analyses and writes documents in worker processes, each
    into its own segment (multisegment: no final merge, the searcher reads
    them all); incremental runs stay in-process, they touch few documents.
    """
    procs = min(os.cpu_count() or 1, 4)
    # Separate segment files, not one compound file: readers of a compound file
    # copy each part into memory, once per searcher (160 MB each at 85k items).
    if full and docs >= PARALLEL_MIN_DOCS and procs > 1:
        return ix.writer(
            procs=procs, limitmb=WRITER_MB, multisegment=True, compound=False
        )
    return ix.writer(limitmb=WRITER_MB, compound=False)


def item_fields(doc: Document, item: Item, lexicon: Lexicon | None) -> dict:
    """The index document of one item."""
    fold_body, fold_title, corrections = item.text, item.title, {}
    people = " ".join(item.presenters + attendance_names(doc, item))
    if item.ocr and lexicon is not None:
        fold_body, corrections = correct_text(item.text, lexicon)
        fold_title, title_fixes = correct_text(item.title, lexicon)
        corrections.update(title_fixes)
        people, _ = correct_text(people, lexicon)  # "Michacl Rystcdt"
    fields = {
        "item_id": make_item_id(doc.doc_id, item.number),
        "doc_id": doc.doc_id,
        "source": doc.source,
        "doc_type": doc.doc_type,
        "year": doc.year or "",
        "date": doc.date or "",
        "item_number": item.number,
        "has_decision": bool(item.decisions),
        "ocr": item.ocr,
        "item_title": item.title,
        "item_title_fold": fold_title,
        "body": item.text,
        "body_stem": item.text,
        "body_fold": fold_body,
        "people": people,
        "presenter": ",".join(item.presenters),
        "title": doc.title,
        "text": item.text,
        "presenters": item.presenters,
        "decisions": item.decisions,
        "attachments": item.attachments,
        "pages": item.pages,
        "ocr_confidence": item.ocr_confidence,
        "corrections": corrections,
    }
    fields["person"] = ",".join(item_person_keys(doc, item))
    if item.number == 1:
        fields["doc_meta"] = _doc_meta(doc)
    return fields


def attendance_names(doc: Document, item: Item) -> list[str]:
    """Everyone in the meeting's attendance, for its first item's people field."""
    return [a.name for a in doc.attendance] if item.number == 1 else []


def _doc_meta(doc: Document) -> dict:
    keys = ("title", "date", "time", "place", "present", "absent", "secretary")
    meta = {k: getattr(doc, k) for k in keys}
    meta["convener"] = doc.convener
    meta["attendance"] = [a.as_dict() for a in doc.attendance]
    meta.update(source_url=doc.source_url, ocr=doc.ocr, item_count=len(doc.items))
    return meta


def original_file(index_dir: Path, source: str) -> Path | None:
    """The corpus file an indexed document came from, or None.

    Only sources the live index holds are answered, looked up by name in its
    manifest, so no request can reach any other file.
    """
    live = live_generation(index_dir)
    if live is None:
        return None
    manifest = _read_json(live / MANIFEST, {})
    entry = manifest.get("files", {}).get(source)
    if not entry or "doc_id" not in entry or "corpus" not in manifest:
        return None
    corpus = Path(manifest["corpus"]).resolve()
    path = (corpus / source).resolve()
    return path if path.is_relative_to(corpus) and path.is_file() else None


def _count_items(index_dir: Path) -> int:
    live = live_generation(index_dir)
    if live is None or not whoosh_index.exists_in(str(live)):
        return 0
    return whoosh_index.open_dir(str(live)).doc_count()
