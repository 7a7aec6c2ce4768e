"""The documents a run has read, kept on disk until the writer takes them.

A run reads every file before it writes any item: an OCR'd item is corrected
towards the words of the whole corpus. Held in memory, the documents made
the indexer grow with the archive (160 MB at 10,000 meetings, about 480 MB
at 30,000), the largest process of a big build. Here each is pickled into an
unnamed temporary file as it is read, and read back one at a time; what the
run needs of all of them together (their sources and ids, whether any is
OCR'd, the words of the clean ones) is gathered as they pass.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .model import Document
from .ocrfix import clean_words


class DocumentSpool:
    """Documents appended in reading order, iterated in the same order.

    The file has no name (it is gone once closed, or when the process dies)
    and lies in ``folder``, on the index's disk.
    """

    def __init__(self, folder: Path) -> None:
        self._file = tempfile.TemporaryFile(dir=folder)
        self.sources: list[str] = []
        self.doc_ids: list[str] = []
        self.clean_words: set[str] = set()  # ocrfix.clean_words of them all
        self._scans: list[tuple[int, int]] = []  # OCR'd: (number, offset)

    @property
    def scanned(self) -> bool:
        """Whether any document is OCR'd."""
        return bool(self._scans)

    def append(self, doc: Document) -> None:
        self._file.seek(0, 2)  # at the end, whatever was read back meanwhile
        if doc.ocr:
            self._scans.append((len(self.sources), self._file.tell()))
        pickle.dump(doc, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self.sources.append(doc.source)
        self.doc_ids.append(doc.doc_id)
        self.clean_words |= clean_words([doc])

    def __len__(self) -> int:
        return len(self.sources)

    def __iter__(self) -> Iterator[Document]:
        """Each document again, as read; one at a time in memory."""
        self._file.flush()
        self._file.seek(0)
        for _ in range(len(self.sources)):
            yield pickle.load(self._file)

    def scans(self) -> Iterator[tuple[int, Document]]:
        """The OCR'd documents with their numbers (places in reading order),
        the others not read back: the run makes the scans' items before the
        rest, and unpickling every document for them was most of that."""
        self._file.flush()
        for number, offset in self._scans:
            self._file.seek(offset)
            yield number, pickle.load(self._file)

    def close(self) -> None:
        self._file.close()
