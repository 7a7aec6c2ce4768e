"""Whoosh's multi-process writer, with workers forked small and taught later.

Whoosh's ``MpWriter`` forks its workers when the first batch of documents is
handed over, that is after every file has been read: each worker then starts
as a copy of the indexer at its largest (the documents, the learnt words)
and adds its posting pool on top. These workers are forked when the writer
is made, before any file is read, while the indexer is small; before its
first batch each takes the memo of learnt words (:mod:`.warm`) from the file
the learner wrote, so that it still analyses each word once, as a look-up.

Each worker writes a segment of its own (Whoosh's ``multisegment``: no
final merge) with an ``ItemWriter`` (:mod:`.writer`).

Cancelling stops the workers outright: Whoosh's own ``cancel`` only flags
its copy of each worker object and would leave them waiting for work; so
does a commit with nothing handed over.
"""

from __future__ import annotations

import gc
from pathlib import Path

from whoosh.multiproc import MpWriter, SubWriterTask

from .warm import load_learnt
from .writer import ItemWriter

YOUNG_OBJECTS = 50_000  # a worker's collector threshold (Python's default: 700)


class _Worker(SubWriterTask):
    """A writer worker that adopts the learnt memo before its first batch and
    writes its own segment with an ``ItemWriter``."""

    def __init__(self, *args, memo: Path) -> None:
        super().__init__(*args)
        self.memo = memo
        self._taught = False

    def run(self):
        """Whoosh's worker loop, for one segment of its own (multisegment).

        The collector looks at new objects far less often than by default
        (every 700 allocations): a writer allocates a record per new term
        and its arrays, and makes next to no reference cycles, and the
        default passes cost about a fifth of its CPU (the in-process write
        of the 1,000-meeting corpus: 5.7-6.2 s -> 4.5-4.6 s). Cycles wait
        at most YOUNG_OBJECTS allocations; a worker lives for one segment.
        """
        gc.set_threshold(YOUNG_OBJECTS, 20, 20)
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = ItemWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            job = self.jobqueue.get()
            if job is None:
                break
            self._process_file(*job)
        if not self.running:
            writer.cancel()
            return
        fieldnames = writer.pool.fieldnames
        segment = writer._finalize_segment()
        self.resultqueue.put((None, fieldnames, segment), timeout=5)

    def _process_file(self, filename, doc_count):
        if not self._taught:
            self._taught = True
            load_learnt(self.memo)  # none when learning failed: analysed here
        super()._process_file(filename, doc_count)


class ParallelWriter(MpWriter):
    """``MpWriter`` whose workers all start now (see the module's docstring).

    Make it before any thread starts in this process: it forks.
    """

    def __init__(self, ix, memo: Path, procs: int, **kwargs) -> None:
        super().__init__(ix, procs=procs, multisegment=True, **kwargs)
        self.memo = memo
        for _ in range(self.procs):
            self._new_task()

    def _new_task(self):
        task = _Worker(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
            memo=self.memo,
        )
        self.tasks.append(task)
        task.start()
        return task

    def commit(self, *args, **kwargs):
        if not self._added_sub:
            # Nothing was handed over (every file rejected, say): Whoosh would
            # commit in-process and leave the workers waiting for work.
            self._stop_workers()
        super().commit(*args, **kwargs)

    def cancel(self):
        try:
            self._stop_workers()
        finally:
            super().cancel()

    def _stop_workers(self) -> None:
        for task in self.tasks:
            if task.is_alive():
                task.kill()
            task.join()
