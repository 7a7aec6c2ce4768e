"""The word-forms table file: words and their analysed forms, read in place.

Highlighting asks, for every distinct word of every hit it shows, what each
analyzer makes of it (``indexer.analysis.word_forms``); for a word a server
process has not met before that means compound splitting, milliseconds. The
indexer has met every word of the stored text already, so it writes the
answers into the generation as this file, and the server looks them up.

The file is read through a memory map and never unpacked: opening it costs
a few system calls, a lookup a binary search over the sorted keys, and the
pages are the operating system's file cache, shared by every forked worker
instead of copied into each. Layout (little-endian)::

    magic "WORDFORM" | format u32 | count u32 | key length u32 | 0 u32
    key: UTF-8, padded with zeros to a multiple of 8 bytes
    key offsets:   count + 1 u64, each a word's start in the file
    value offsets: count + 1 u64, each its forms' start
    words:  UTF-8, sorted by their bytes, back to back
    forms:  per word "exact<TAB>stem<TAB>fold<TAB>ocr<TAB>split", each
            form a set's members sorted and joined by one space; split the
            word's compound split ("modifier base head") or empty

The split (``indexer.morphology.compound_split``) is what query parsing
asks of a word: a server registers the table, and a query's words are
looked up instead of split.

The key names what wrote the values (the analysis version, see
``indexer.wordforms``): a reader passes the key it expects and gets no table
when another one wrote the file.

Each write makes a new file, ``word_forms_<n>.bin`` with ``n`` one above the
generation's highest: a file never changes once written, like the engine's
segment files, so a reader never sees one half-replaced and the integrity
check's rule that a recorded file keeps its size and content holds.

The indexer never truncates a table: a file cut short in place by someone
else while a server has it mapped would kill the process reading the lost
pages (SIGBUS). The integrity check refuses the index on the size first,
before each request reads it, so only a cut during a request can.

Standard library only, like ``indexer.store``: the server opens the table
without the analysis, which it needs only for words the table lacks.
"""

from __future__ import annotations

import mmap
import os
import re
import struct
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

MAGIC = b"WORDFORM"
FORMAT = 2  # 2: each record ends with the word's compound split
FORMS = ("exact", "stem", "fold", "ocr")  # the order of word_forms' dict
_HEADER = struct.Struct("<8sIII4x")
_OFFSET = struct.Struct("<Q")
_NAME = re.compile(r"word_forms_(\d+)\.bin")

Forms = dict[str, frozenset[str]]
Split = tuple[str, str, str]  # as indexer.morphology.compound_split gives it


class TableDamaged(ValueError):
    """A record of the table cannot be read as written: the file is damaged."""


# --- names in a generation -------------------------------------------------------


def tables(generation: Path) -> list[Path]:
    """The generation's table files, oldest first."""
    found = []
    try:
        with os.scandir(generation) as entries:
            for entry in entries:
                match = _NAME.fullmatch(entry.name)
                if match:
                    found.append((int(match[1]), Path(entry.path)))
    except OSError:
        return []
    return [path for _, path in sorted(found)]


def latest(generation: Path | None) -> Path | None:
    """The generation's newest table file, or None."""
    found = tables(generation) if generation is not None else []
    return found[-1] if found else None


def next_name(generation: Path) -> Path:
    """A name no table of the generation has had: one above the highest."""
    newest = latest(generation)
    number = int(_NAME.fullmatch(newest.name)[1]) if newest else 0  # type: ignore[index]
    return generation / f"word_forms_{number + 1}.bin"


# --- records -------------------------------------------------------------------


def encode(forms: Mapping[str, frozenset[str]], split: Split | None) -> bytes | None:
    """One word's forms and split as the table stores them; None if they cannot be.

    A form or part holding a space or a tab, or an empty one, would not read
    back as itself: such a word is left out, and the server works it out.
    """
    pieces = [form for name in FORMS for form in forms[name]] + list(split or ())
    if any(not piece or " " in piece or "\t" in piece for piece in pieces):
        return None
    fields = [" ".join(sorted(forms[name])) for name in FORMS] + [" ".join(split or ())]
    try:
        return "\t".join(fields).encode()
    except UnicodeEncodeError:
        return None


def decode(value: bytes) -> Forms:
    """One word's forms from their stored bytes; TableDamaged if unreadable."""
    fields = _fields(value)
    return {
        name: frozenset(field.split(" ")) if field else frozenset()
        for name, field in zip(FORMS, fields[:-1], strict=True)
    }


def decode_split(value: bytes) -> Split | None:
    """One word's compound split from its stored bytes; TableDamaged if unreadable."""
    split = _fields(value)[-1]
    if not split:
        return None
    parts = split.split(" ")
    if len(parts) != 3:
        raise TableDamaged("word forms record has a split of the wrong length")
    return parts[0], parts[1], parts[2]


def _fields(value: bytes) -> list[str]:
    try:
        fields = value.decode().split("\t")
    except UnicodeDecodeError as exc:
        raise TableDamaged(f"unreadable word forms: {exc}") from None
    if len(fields) != len(FORMS) + 1:
        raise TableDamaged("word forms record has the wrong number of fields")
    return fields


# --- writing -------------------------------------------------------------------


def write(path: Path, records: Mapping[bytes, bytes], key: str) -> None:
    """Write ``records`` (UTF-8 word -> encoded forms) as a table, atomically."""
    words = sorted(records)
    key_bytes = key.encode()
    header = _HEADER.pack(MAGIC, FORMAT, len(words), len(key_bytes))
    key_block = key_bytes + b"\0" * (-len(key_bytes) % 8)
    start = len(header) + len(key_block) + 2 * (len(words) + 1) * _OFFSET.size
    key_offsets = _offsets(start, (len(w) for w in words))
    value_offsets = _offsets(key_offsets[-1], (len(records[w]) for w in words))
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(header)
            fh.write(key_block)
            fh.write(b"".join(_OFFSET.pack(o) for o in key_offsets))
            fh.write(b"".join(_OFFSET.pack(o) for o in value_offsets))
            fh.write(b"".join(words))
            fh.write(b"".join(records[w] for w in words))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _offsets(start: int, lengths: Iterable[int]) -> list[int]:
    out = [start]
    for length in lengths:
        out.append(out[-1] + length)
    return out


# --- reading -------------------------------------------------------------------


class FormTable:
    """An open table: look words up without reading the file into memory.

    Safe to share between threads (it only reads) and across ``fork``.
    """

    def __init__(self, path: Path, mapped: mmap.mmap, count: int, start: int):
        self.path = path
        self._map = mapped
        self._count = count
        view = memoryview(mapped)
        end = start + (count + 1) * _OFFSET.size
        self._keys = view[start:end].cast("Q")
        self._values = view[end : end + (count + 1) * _OFFSET.size].cast("Q")

    def __len__(self) -> int:
        return self._count

    def __contains__(self, word: str) -> bool:
        return self._find(word) >= 0

    def get(self, word: str) -> Forms | None:
        """The word's forms, or None if the table does not hold it."""
        n = self._find(word)
        if n < 0:
            return None
        return decode(self._map[self._values[n] : self._values[n + 1]])

    def split(self, word: str) -> Split | None:
        """The word's compound split (None: no compound); KeyError if not held.

        The shape of ``indexer.morphology.use_known_splits``' lookup.
        """
        n = self._find(word)
        if n < 0:
            raise KeyError(word)
        return decode_split(self._map[self._values[n] : self._values[n + 1]])

    def _find(self, word: str) -> int:
        """The word's place among the sorted keys, or -1: a binary search."""
        try:
            target = word.encode()
        except UnicodeEncodeError:
            return -1
        keys, data = self._keys, self._map
        lo, hi = 0, self._count
        while lo < hi:
            mid = (lo + hi) >> 1
            if data[keys[mid] : keys[mid + 1]] < target:
                lo = mid + 1
            else:
                hi = mid
        if lo == self._count or data[keys[lo] : keys[lo + 1]] != target:
            return -1
        return lo

    def records(self) -> Iterator[tuple[bytes, bytes]]:
        """Every (word, encoded forms), in order: for writing a larger table."""
        keys, values, data = self._keys, self._values, self._map
        for n in range(self._count):
            yield data[keys[n] : keys[n + 1]], data[values[n] : values[n + 1]]

    def close(self) -> None:
        self._keys.release()
        self._values.release()
        self._map.close()


def open_table(path: Path | None, key: str) -> FormTable | None:
    """The table at ``path`` if it is one ``key`` wrote, else None.

    None too for a file that is not a table of this format (shorter than its
    header says, another magic or format): what it held is then worked out
    again, never read wrongly. Damage beyond that is the integrity check's
    to find (the file is in the manifest's checksums).
    """
    if path is None or sys.byteorder != "little":
        return None  # offsets are read in place as native integers
    try:
        with path.open("rb") as fh:
            mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # gone, unreadable, or empty
        return None
    table = _checked(path, mapped, key)
    if table is None:
        mapped.close()
    return table


def _checked(path: Path, mapped: mmap.mmap, key: str) -> FormTable | None:
    size = len(mapped)
    if size < _HEADER.size:
        return None
    magic, version, count, key_length = _HEADER.unpack_from(mapped)
    if magic != MAGIC or version != FORMAT:
        return None
    key_end = _HEADER.size + key_length
    if key_end > size or mapped[_HEADER.size : key_end] != key.encode():
        return None
    start = key_end + (-key_length % 8)
    words = start + 2 * (count + 1) * _OFFSET.size
    if words > size:
        return None
    (first,) = _OFFSET.unpack_from(mapped, start)
    (last,) = _OFFSET.unpack_from(mapped, words - _OFFSET.size)
    if first != words or last != size:
        return None
    return FormTable(path, mapped, count, start)
