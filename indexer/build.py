"""Build the index from the corpus, or bring it up to date with it.

``build_index`` is the verb: under the index folder's lock (:mod:`.store`) it
plans the run (:mod:`.plan`), reads and segments each new or changed file
(kept on disk until written, :mod:`.spool`), writes their items
(:mod:`.fields`) through Whoosh, and records the manifest. A big full build
learns every distinct word's forms once while the files are read
(:mod:`.warm`) and writes with worker processes forked before the first file
(:mod:`.parallel`).
A full build goes into a new generation that is published when complete; an
incremental run writes into the live one through Whoosh's atomic commit.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import Schema

from . import store
from .codec import ArrayCodec
from .config import check_synonyms, load_metadata
from .fields import item_fields
from .lexicon import base_lexicon
from .model import RejectedFile
from .ocrfix import correction_lexicon
from .parallel import ParallelWriter
from .plan import Overrides, Plan, make_plan, old_rejects
from .readahead import ahead
from .sandbox import ReadFile, file_reader, forks_die_with_parent
from .schema import SCHEMA_VERSION, get_schema, signature
from .spool import DocumentSpool
from .warm import WordLearner
from .wordforms import FormsWriter, base_table
from .writer import ItemWriter

Progress = Callable[[int, int, str], None]
PARALLEL_MIN_DOCS = 200  # below this, starting workers costs more than it saves
WRITER_MB = 256  # posting buffer per process before it spills to a sorted run
# Postings per block of Whoosh's format (its default 128): the array reader pays a
# fixed cost per block, and bigger blocks compress better.
BLOCK_POSTINGS = 1024
LEARNT_WORDS = "learnt-words.pickle"  # in a new generation while it is written


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


@dataclass
class _Run:
    """What one run works with, gathered under the lock."""

    corpus_dir: Path
    index_dir: Path
    live: Path | None  # the published generation, None before the first build
    manifest: dict  # the live generation's
    overrides: Overrides
    schema: Schema
    summary: Summary
    progress: Progress | None


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
    with store.locked(index_dir, wait):
        for name in store.remove_unpublished(index_dir):
            summary.warnings.append((name, "removed: left by a failed or killed run"))
        live = store.live_generation(index_dir)
        manifest = store.read_manifest(live)
        schema = get_schema()
        current = signature(schema)
        rebuild = rebuild or (live is not None and manifest.get("signature") != current)
        if live is not None and not rebuild:
            damaged = store.damage(live, manifest)
            if damaged:  # a truncated or garbled file: partial answers otherwise
                summary.warnings.append(
                    (live.name, f"index damaged ({', '.join(damaged)}); rebuilt")
                )
                rebuild = True
        overrides = _overrides(corpus_dir, summary)
        full = rebuild or live is None
        plan = make_plan(corpus_dir, manifest, overrides, full, SCHEMA_VERSION)
        summary.unchanged = plan.unchanged
        summary.rejected += old_rejects(manifest, plan)
        if plan.has_work:
            run = _Run(
                corpus_dir=corpus_dir,
                index_dir=index_dir,
                live=live,
                manifest=manifest,
                overrides=overrides,
                schema=schema,
                summary=summary,
                progress=progress,
            )
            _run(run, plan)
        summary.rejected += store.publish_synonyms(
            corpus_dir, index_dir, check_synonyms
        )
        summary.items = _count_items(index_dir)
    summary.seconds = time.monotonic() - started
    return summary


def _overrides(corpus_dir: Path, summary: Summary) -> Overrides:
    overrides, problems = load_metadata(corpus_dir)
    summary.rejected += problems
    return overrides


def _run(run: _Run, plan: Plan) -> None:
    """Read the plan's files, write their items, then the manifest; publish."""
    entries: dict[str, dict] = {} if plan.full else dict(run.manifest.get("files", {}))
    # The words highlighting meets and their forms: an incremental run extends
    # the live generation's table, a full build starts a new one.
    forms = FormsWriter(None if plan.full else base_table(run.live, run.manifest))
    target = store.new_generation(run.index_dir) if plan.full else run.live
    assert target is not None  # an incremental run has a live generation
    parallel: _Parallel | None = None
    try:
        if _parallel(plan.full, len(plan.todo)):
            # Forked first: while this process is small, before this run's threads.
            parallel = _start_parallel(target, run.schema, forms)
        if plan.todo:
            file_reader().start()  # warms its caches in its own process ...
            # ... while this one warms the lexicon that writing the items needs.
            threading.Thread(target=base_lexicon, daemon=True).start()
        with closing(DocumentSpool(run.index_dir)) as docs:
            learner = parallel.learner if parallel is not None else None
            _read_all(run, plan, entries, docs, learner)
            _fill(target, run, plan, docs, entries, forms, parallel)
    except BaseException:
        if parallel is not None:
            parallel.cancel()
        if plan.full:  # e.g. a full disk: leave nothing half-written behind
            store.discard(target)
        raise
    run.summary.rebuilt = plan.full
    run.summary.deleted = plan.deleted
    run.summary.indexed = docs.sources


@dataclass
class _Parallel:
    """A big full build's index, multi-process writer and word learner.

    Made before the first file is read, so that the processes it forks are
    copies of a small indexer (see :mod:`.parallel` and :mod:`.warm`).
    """

    writer: ParallelWriter  # its ``memo``: the learnt words, from the learner
    learner: WordLearner

    def cancel(self) -> None:
        self.learner.stop()
        if not self.writer.is_closed:
            self.writer.cancel()
        self.writer.memo.unlink(missing_ok=True)


def _start_parallel(target: Path, schema: Schema, forms: FormsWriter) -> _Parallel:
    ix = whoosh_index.create_in(str(target), schema)
    memo = target / LEARNT_WORDS
    with forks_die_with_parent():
        writer = ParallelWriter(
            ix,
            memo,
            procs=_procs(),
            limitmb=WRITER_MB,
            compound=False,
            codec=_codec(),
        )
        try:
            learner = WordLearner(schema, forms, memo)
        except BaseException:
            writer.cancel()
            raise
    return _Parallel(writer, learner)


def _fill(
    target: Path,
    run: _Run,
    plan: Plan,
    docs: DocumentSpool,
    entries: dict,
    forms: FormsWriter,
    parallel: _Parallel | None,
) -> None:
    """Write the items, the word forms, the manifest and the corpus words;
    publish a full build."""
    words = store.read_corpus_words(None if plan.full else target) | docs.clean_words
    _write(target, run, plan, docs, words, forms, parallel)
    if parallel is not None:
        parallel.writer.memo.unlink(missing_ok=True)  # the workers are done with it
    forms.remove_older(target)  # before the checksums: recorded, it must stay
    for source in plan.deleted:
        entries.pop(source, None)
    new_manifest = {
        "schema": SCHEMA_VERSION,  # bumped by hand when analysis code changes
        "signature": signature(run.schema),  # fields and analyzer chains
        "corpus": str(run.corpus_dir.resolve()),
        "files": entries,
        "checksums": store.checksums(target),  # lets the next run detect damage
    }
    store.write_manifest(target, new_manifest)
    store.write_corpus_words(target, words)
    if plan.full:
        store.publish(run.index_dir, target)


def _read_all(
    run: _Run,
    plan: Plan,
    entries: dict[str, dict],
    docs: DocumentSpool,
    learner: WordLearner | None,
) -> None:
    """Read and segment each file to do into ``docs``; rejects go to the
    summary and manifest.

    A big full build's learner analyses the words meanwhile (:mod:`.warm`).
    """
    reader = file_reader()
    defaults, per_file = run.overrides
    summary = run.summary

    def read(source: str) -> ReadFile:
        overrides = {"defaults": defaults, "file": per_file.get(source, {})}
        return reader.read(plan.files[source][0], run.corpus_dir, overrides)

    # The next files are read while this one is spooled and learnt.
    for n, (source, outcome) in enumerate(ahead(read, plan.todo), 1):
        key = plan.files[source][1]
        if run.progress:
            run.progress(n, len(plan.todo), source)
        if isinstance(outcome, RejectedFile):
            summary.rejected.append((source, str(outcome)))
            entries[source] = {
                "key": key, "rejected": str(outcome), "retry": outcome.retryable
            }  # fmt: skip
            continue
        if isinstance(outcome, BaseException):
            raise outcome
        doc, warnings, splits = outcome
        summary.warnings += [(source, w) for w in warnings]
        docs.append(doc)
        if learner is not None:
            learner.add(doc, splits)
        entries[source] = {
            "key": key, "doc_id": doc.doc_id, "items": len(doc.items)
        }  # fmt: skip


def _write(
    target: Path,
    run: _Run,
    plan: Plan,
    docs: DocumentSpool,
    words: set[str],
    forms: FormsWriter,
    parallel: _Parallel | None,
) -> None:
    """Add the documents' items, after deleting what they (and deletions) replace."""
    if parallel is not None:
        writer = parallel.writer
    else:
        if plan.full:
            ix = whoosh_index.create_in(str(target), run.schema)
        else:
            ix = whoosh_index.open_dir(str(target))
        writer = ItemWriter(ix, limitmb=WRITER_MB, compound=False, codec=_codec())
    lexicon = correction_lexicon(docs.scanned, words)
    scans: dict[int, list[dict]] = {}
    if parallel is not None:
        scans = _teach_scans(docs, lexicon, parallel.learner, run.summary)
    _add(writer, target, run, plan, docs, lexicon, forms, scans)


def _teach_scans(
    docs: DocumentSpool, lexicon, learner: WordLearner, summary: Summary
) -> dict[int, list[dict]]:
    """The OCR'd items' index documents, made once, and their words learnt.

    The learner has every clean word by now; an OCR'd item's searched text
    is only known corrected, with the lexicon of the whole corpus. Learnt
    before the writer's workers start, none of them works out a word.
    """
    scans = {
        n: [item_fields(doc, item, lexicon) for item in doc.items]
        for n, doc in docs.scans()
    }
    for made in scans.values():
        for fields in made:
            learner.add_written(fields)
    learner.finish()  # on failure, _run stops it
    if learner.failure:
        summary.warnings.append(
            ("index", f"words analysed while writing: {learner.failure}")
        )
    return scans


def _add(
    writer,
    target: Path,
    run: _Run,
    plan: Plan,
    docs: DocumentSpool,
    lexicon,
    forms,
    scans: dict[int, list[dict]],
) -> None:
    """Hand every item to the writer (``scans``: OCR'd items already made,
    by the document's place in ``docs``)."""
    old = run.manifest.get("files", {})
    try:
        if not plan.full:
            stale = {old.get(s, {}).get("doc_id") for s in plan.todo + plan.deleted}
            # Also the ids being added: a crash between Whoosh's commit and the
            # manifest leaves them in the index but not in the manifest.
            stale |= set(docs.doc_ids)
            for doc_id in stale - {None}:
                writer.delete_by_term("doc_id", doc_id)
        for number, doc in enumerate(docs):
            made = scans.get(number)
            for n, item in enumerate(doc.items):
                fields = made[n] if made else item_fields(doc, item, lexicon)
                forms.add(fields)
                writer.add_document(**fields)
        # Before the commit: a reader that sees the new items finds their words.
        forms.write(target)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def _codec() -> ArrayCodec:
    """Separate segment files, not one compound file (``compound=False``
    where it is used): readers of a compound file copy each part into memory,
    once per searcher (160 MB each at 85k items). Postings blocks as arrays,
    not pickles (``indexer.codec``).

    Big full builds write with a multi-process writer (:mod:`.parallel`),
    each worker into its own segment (multisegment: no final merge, the
    searcher reads them all); other runs write in-process, they touch few
    documents.
    """
    return ArrayCodec(blocklimit=BLOCK_POSTINGS)


def _procs() -> int:
    return min(os.cpu_count() or 1, 4)


def _parallel(full: bool, docs: int) -> bool:
    """Whether a run writes with the multi-process writer."""
    return full and docs >= PARALLEL_MIN_DOCS and _procs() > 1


def _count_items(index_dir: Path) -> int:
    live = store.live_generation(index_dir)
    if live is None or not whoosh_index.exists_in(str(live)):
        return 0
    return whoosh_index.open_dir(str(live)).doc_count()
