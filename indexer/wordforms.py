"""What the word-forms table holds: every word highlighting can meet, analysed.

And each word's compound split, which query parsing asks for: a server
registers the table (``indexer.morphology.use_known_splits``), so the words
of a query drawn from the archive are looked up, not split.

The server marks a hit's words by asking ``analysis.word_forms`` for each
distinct one (``search_app.matching``). Those words are the tokens of what
the index stores and the server shows: an item's text, its heading and, on
a meeting's first item, the names of its attendance list; and for a scan,
the corrections made of its words, lowercased and folded. A run collects
them from the index documents it writes, works out their forms, and writes
the table (its file format is :mod:`.formtable`) into the generation before
the engine's commit, so a reader that sees the new items finds their words.

The table is a cache of a pure function: ``word_forms`` depends only on the
analysis code and the word list, so a value written by the indexer is what
the server would compute. What keeps the two the same code is the table's
key, :func:`forms_key`: the analysis version (``SCHEMA_VERSION``, bumped by
hand whenever analysis changes, which also forces a full rebuild) and the
versions of the word list and the stemmer. A server whose key differs
ignores the table and computes every word, as it would without one; a
forgotten bump is the same mistake for the table as for the index itself.

An incremental run keeps the table complete by copying the previous one and
adding the new documents' words; words only deleted documents had stay (a
cache may hold more than it is asked for) until the next full build.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import metadata
from pathlib import Path

from . import formtable
from .analysis import TOKEN_PATTERN, word_forms
from .folding import fold_letters
from .formtable import FormTable
from .morphology import compound_split
from .schema import SCHEMA_VERSION

_TOKEN = re.compile(TOKEN_PATTERN)  # analysis.token_spans' tokens, without spans
_DEPENDENCIES = ("wordfreq", "snowballstemmer")  # the word list and the stemmer


@cache
def forms_key() -> str:
    """What the table's values were computed with; another key, another table."""
    versions = "; ".join(f"{name} {_version(name)}" for name in _DEPENDENCIES)
    return f"analysis {SCHEMA_VERSION}; {versions}"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "none"


def open_forms(path: Path | None) -> FormTable | None:
    """The table at ``path`` if this code's analysis wrote it, else None."""
    return formtable.open_table(path, forms_key())


def shown_words(fields: dict) -> set[str]:
    """The lowercased words of an index document's text, heading and attendance.

    ``fields`` as ``indexer.fields.item_fields`` makes them: what the index
    stores, which the server marks.
    """
    texts = [fields.get("text") or "", fields.get("_stored_item_title") or ""]
    meta = fields.get("doc_meta") or {}
    texts += [entry.get("name") or "" for entry in meta.get("attendance") or []]
    found: set[str] = set()
    for text in texts:
        found.update(_TOKEN.findall(text))
    return {word.lower() for word in found}


def correction_words(fields: dict) -> set[str]:
    """The forms of a scan's corrections that highlighting analyses."""
    found = set()
    for fixed in (fields.get("corrections") or {}).values():
        found.add(fixed.lower())
        found.add(fold_letters(fixed))  # a correction's marks_as_printed form
    return found


class FormsWriter:
    """Collects the words of the items a run writes; writes the table.

    ``base``: the table the run's generation has, for an incremental run; its
    words are copied, not analysed again.
    """

    def __init__(self, base: FormTable | None = None) -> None:
        self._base = base
        self._new: dict[bytes, bytes] = {}
        self._pending: set[str] = set()
        self._texts_taken: set[str] = set()  # item ids whose text words are in
        self.written: Path | None = None

    def add(self, fields: dict) -> None:
        """Take an index document's words (its text's only once per item).

        The indexer may hand an item over twice: as read, so that its words
        are analysed while other files are read, and as written, with the
        corrections only known once every file is read.
        """
        item_id = fields["item_id"]
        if item_id not in self._texts_taken:
            self._texts_taken.add(item_id)
            self._pending |= shown_words(fields)
        self._pending |= correction_words(fields)

    def work_out(self) -> None:
        """Analyse the words taken since the last call that are not known yet."""
        base, new = self._base, self._new
        for word in self._pending:
            try:
                key = word.encode()
            except UnicodeEncodeError:
                continue  # not a token the table can hold: worked out when asked
            if key in new or (base is not None and word in base):
                continue
            forms = word_forms.__wrapped__(word)  # uncached: each word comes once
            split = compound_split(word)  # cached: the analysis just asked
            value = formtable.encode(forms, split)
            if (
                value is not None
                and formtable.decode(value) == forms
                and formtable.decode_split(value) == split
            ):
                new[key] = value
        self._pending.clear()

    def records(self) -> dict[bytes, bytes]:
        """The records worked out so far (for another process' writer)."""
        self.work_out()
        return self._new

    def handover(self) -> tuple[dict[bytes, bytes], set[str]]:
        """What a writer in another process takes (``adopt``): the records
        worked out so far, and the items whose text words they cover."""
        return self.records(), self._texts_taken

    def adopt(self, records: dict[bytes, bytes], taken: Iterable[str] = ()) -> None:
        """Take records another process worked out with the same analysis.

        ``taken``: the items whose text words it took (``handover``). Those
        items' words then count as worked out: handed over again (as
        written), an item only adds its corrections' words, and its text is
        not read for words a second time.
        """
        self._new.update(records)
        self._texts_taken.update(taken)

    def write(self, generation: Path) -> Path | None:
        """Write the table into ``generation`` under a new name; None if unchanged.

        Unchanged: an incremental run that brought no new word keeps its table.
        """
        self.work_out()
        if self._base is not None and not self._new:
            return None
        records = dict(self._base.records()) if self._base is not None else {}
        records.update(self._new)
        path = formtable.next_name(generation)
        formtable.write(path, records, forms_key())
        self.written = path
        return path

    def remove_older(self, generation: Path) -> None:
        """Delete the generation's other tables, once the new one is committed.

        Before the manifest is written, so that it records only the new one;
        a server that has an older one open reads on from its open file.
        """
        if self.written is None:
            return
        for path in formtable.tables(generation):
            if path != self.written:
                path.unlink(missing_ok=True)


def base_table(generation: Path | None, manifest: dict) -> FormTable | None:
    """The table an incremental run extends: the newest the manifest records.

    Recorded means checked: the run verified the manifest's files before
    writing (``store.damage``). A newer file a failed run left is not trusted.
    """
    if generation is None:
        return None
    recorded = [
        path
        for path in formtable.tables(generation)
        if path.name in manifest.get("checksums", {})
    ]
    return open_forms(recorded[-1] if recorded else None)
