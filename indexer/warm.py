"""Analyse each distinct word once per build, while the files are being read.

A word's forms (stems, compound parts, folds) cost far more to work out than
to look up, and the analyzers keep them in a per-process memo (see
:class:`indexer.analysis.WordMemoAnalyzer`). The writer's worker processes are
forked from the indexer, so a memo filled here before they start is theirs
too: each distinct word is analysed once instead of once per worker. Reading
happens in another process; this runs in a thread while the indexer would
otherwise only wait for it, so both cores work.

OCR'd documents are left to the writer: their words are corrected towards a
lexicon that is complete only once every file has been read. The words of
every document, OCR'd ones too, are also worked out for the word-forms table
here (:mod:`.wordforms`); the corrections' words follow when they are made.
"""

from __future__ import annotations

import queue
import threading

from .analysis import WordMemoAnalyzer
from .fields import item_fields
from .model import Document
from .wordforms import FormsWriter


class WordLearner:
    """Feeds read documents' words to the schema's analyzers in a thread."""

    def __init__(self, schema, forms: FormsWriter | None = None) -> None:
        self._analyzers = {
            name: schema[name].analyzer
            for name in schema.names()
            if isinstance(getattr(schema[name], "analyzer", None), WordMemoAnalyzer)
        }
        self._forms = forms
        self._queue: queue.SimpleQueue[Document | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def add(self, doc: Document) -> None:
        """Learn this document's words (later, in the thread)."""
        if not doc.ocr or self._forms is not None:
            self._queue.put(doc)

    def finish(self) -> None:
        """Wait until every document handed over is learnt."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while (doc := self._queue.get()) is not None:
            for item in doc.items:
                fields = item_fields(doc, item, None)  # corrections come later
                if not doc.ocr:
                    for name, analyzer in self._analyzers.items():
                        value = fields.get(name)
                        if isinstance(value, str):
                            analyzer.learn(value)
                if self._forms is not None:
                    self._forms.add(fields)
            if self._forms is not None:  # after learning: the analysis is warm
                self._forms.work_out()
