"""Analyse each distinct word once per build, while the files are being read.

A word's forms (stems, compound parts, folds) cost far more to work out than
to look up, and the analyzers keep them in a per-process memo (see
:class:`indexer.analysis.WordMemoAnalyzer`). A build big enough for the
multi-process writer learns every word once, here, and hands the memo to the
writer's workers (:mod:`.parallel`) instead of letting each work them out again.

The learning runs in a process of its own, forked before the first file is
read, while the indexer only waits for the reader. Working a word out fills
the morphology's caches with every piece of every word tried as a compound
part: 300 MB at 10,000 meetings, of which the writer needs nothing but the
answers. In a process of their own those caches die with it; had they grown
in the indexer, the writer's workers, forked from it, would each count them
too (and a process that frees memory seldom gives it back to the system).
What comes back is small: each analyzer's memo and the word-forms table's
records (:mod:`.wordforms`).

An OCR'd document's searched text is corrected towards a lexicon that is
complete only once every file has been read, so its items come twice: as
read, for the words of the table, and as they will be written, corrected,
before the writer starts (``add_written``). Then the writer's workers meet
no word the memo lacks, and never load the lexicon (70 MB each).

The file reader splits many of the same words first (telling a scan from
typed text asks whether each unknown word is a compound) and sends the
splits it worked out with each document (``ReadFile.splits``): the learner
looks those up instead of working them out a second time.

The memo is a cache: should the learning process fail, the build goes on
without it (slower, the same index) and says so in the run's warnings.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import threading
from pathlib import Path

from .analysis import WordMemoAnalyzer, adopt_learnt, learn_values, learnt_words
from .fields import item_fields
from .model import Document
from .morphology import use_known_splits
from .wordforms import FormsWriter

_FORK = multiprocessing.get_context("fork")


class WordLearner:
    """Feeds read documents to a learning process; keeps what it learnt.

    Create it before any thread starts in this process (it forks). ``memo``:
    where the learnt memo is written for the writer's workers
    (:func:`load_learnt`), and ``forms`` receives the table's records.
    """

    def __init__(self, schema, forms: FormsWriter | None, memo: Path) -> None:
        self._forms = forms
        self.failure: str | None = None
        self._conn, child = _FORK.Pipe()
        self._process = _FORK.Process(
            target=_learn,
            args=(schema, child, forms is not None, memo),
            name="umebra-learner",
            daemon=True,
        )
        self._process.start()
        child.close()
        # Sending waits while the learner is busy; reading the next file must not.
        self._outbox: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self._sender: threading.Thread | None = None

    def add(self, doc: Document, splits: dict | None = None) -> None:
        """Learn this document's words (later, in the learning process);
        ``splits``: compound splits already worked out (``ReadFile.splits``)."""
        if not doc.ocr or self._forms is not None:
            self._put(("read", doc, splits or {}))

    def add_written(self, fields: dict) -> None:
        """Learn the words of an OCR'd item's index document, as corrected."""
        self._put(("written", fields, {}))

    def _put(self, message: tuple) -> None:
        if self._sender is None:  # a thread only now: the forks are behind us
            self._sender = threading.Thread(target=self._send, daemon=True)
            self._sender.start()
        self._outbox.put(message)

    def finish(self) -> None:
        """Wait until every document handed over is learnt; take the records.

        The memo itself stays in its file for the writer's workers: this
        process analyses nothing the memo holds.
        """
        self._outbox.put(None)
        if self._sender is not None:
            self._sender.join()
        else:
            self._send()
        try:
            records, taken = self._conn.recv()
        except (EOFError, OSError) as exc:
            self.failure = self.failure or f"learning stopped: {exc or 'no answer'}"
        finally:
            self._conn.close()
            self._process.join(timeout=60)
            if self._process.is_alive():
                self._process.kill()
        if self.failure:
            return
        if self._forms is not None:
            self._forms.adopt(records, taken)

    def stop(self) -> None:
        """End the learning now (the build failed): nothing is taken."""
        self._outbox.put(None)
        if self._process.is_alive():
            self._process.kill()
        self._process.join(timeout=10)
        self._conn.close()

    def _send(self) -> None:
        while True:
            message = self._outbox.get()
            try:
                self._conn.send(message)
            except OSError as exc:  # the learner died: the rest is not learnt
                self.failure = f"learning stopped: {exc}"
                while message is not None:  # drain, so that finish() returns
                    message = self._outbox.get()
                return
            if message is None:
                return


def _learn(schema, conn, with_forms: bool, memo: Path) -> None:
    """The learning process: messages in until None, then the results out."""
    analyzers = {
        name: schema[name].analyzer
        for name in schema.names()
        if isinstance(getattr(schema[name], "analyzer", None), WordMemoAnalyzer)
    }
    forms = FormsWriter() if with_forms else None
    known: dict = {}  # the reader's compound splits: looked up, not worked out
    use_known_splits(known.__getitem__)

    def learn(fields: dict) -> None:
        learn_values(
            (analyzer, value)
            for name, analyzer in analyzers.items()
            if isinstance(value := fields.get(name), str)
        )

    while (message := conn.recv()) is not None:
        kind, value, splits = message
        known.update(splits)
        if kind == "written":  # an OCR'd item as corrected
            learn(value)
            if forms is not None:
                forms.add(value)  # its corrections' words
            continue
        for item in value.items:
            fields = item_fields(value, item, None)  # corrections come later
            if not value.ocr:
                learn(fields)
            if forms is not None:
                forms.add(fields)
        if forms is not None:  # after learning: the analysis is warm
            forms.work_out()
    partial = memo.with_name(memo.name + ".part")
    learnt = learnt_words(analyzers.values())
    with open(partial, "wb") as fh:
        pickle.dump(learnt, fh, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(memo)
    conn.send(forms.handover() if forms is not None else ({}, set()))
    conn.close()


def load_learnt(memo: Path) -> bool:
    """Take the memo a learner wrote into this process; False if there is none."""
    try:
        with open(memo, "rb") as fh:
            adopt_learnt(pickle.load(fh))
    except (OSError, EOFError, pickle.UnpicklingError):
        return False  # a cache: the words are worked out again
    return True
