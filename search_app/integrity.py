"""Whether the live index is whole, checked before a request reads it.

The indexer records each index file's size and SHA-256 in the generation's
manifest (``indexer.store``). A truncated or garbled segment file otherwise
shows as 500s or, worse, as answers with items missing and status 200. So
the server refuses to read a damaged index (503, see ``errors``) until the
next indexer run notices the same damage and rebuilds.

Three checks, by cost:

- every request stats the index files (a few dozen system calls, 0.3 ms): a
  file missing or of another size than recorded is damage at once;
- a file whose modification time is not the one recorded was rewritten
  since the indexer wrote it (or the index was copied): it is hashed at
  once, before the engine reads it;
- every other file is hashed once, in a background thread, when the server
  first sees it. Hashing a 10,000-meeting index (270 MB) takes longer than
  start-up may, so the first requests are answered while it runs; a file
  found garbled then makes the following ones 503.

And when the engine fails to open the index, every file is hashed at once
(``verify_now``), so damage the checks above missed is still named.

Segment files never change once written (nor does the word-forms table,
``indexer.formtable``, written under a new name each run): an incremental run
adds new ones and a newer table of contents (``_MAIN_<n>.toc``) before it
rewrites the manifest. Until it has, files the manifest names may be gone
and new ones unrecorded; neither is damage, so a manifest older than the
newest table of contents is trusted only for the sizes of the files still
there.

Standard library only, like ``indexer.store``: no engine is loaded here.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from pathlib import Path

from indexer.store import MANIFEST, file_sha256, read_manifest

from .vocabulary import IndexDamaged

log = logging.getLogger(__name__)
_TOC = re.compile(r"_\w+_(\d+)\.toc")

Stat = tuple[int, int]  # size, modification time in nanoseconds


class IntegrityCheck:
    """Checks one index folder's live generation; shared by all threads."""

    def __init__(self, background: bool = True) -> None:
        self._lock = threading.Lock()
        self._background = background
        self._manifest_key: tuple | None = None
        self._sums: dict[str, list] = {}  # file name -> [size, sha256]
        self._toc = -1  # the table of contents the manifest was written after
        self._hashed: dict[tuple[Path, str], Stat] = {}  # content found as recorded
        self._garbled: set[tuple[Path, str]] = set()
        self._pending: dict[tuple[Path, str], Stat] = {}
        self._worker: threading.Thread | None = None
        # What the last check found whole: the manifest, the files' stats, and
        # how many hashes had been judged by then. The same again is whole
        # again, without comparing each file (most requests).
        self._judged = 0
        self._whole: tuple | None = None

    def check(self, generation: Path) -> None:
        """Raise IndexDamaged if a file of ``generation`` is not as recorded."""
        sums, toc, manifest = self._manifest(generation)
        if not sums:
            return  # an index from before checksums were recorded
        present = _stats(generation)
        seen = (manifest, self._judged, present)
        if seen == self._whole:
            return
        stale = _newest_toc(present) > toc  # an incremental run is committing
        damaged = []
        for name, (size, _, *written) in sums.items():
            stat = present.get(name)
            if stat is None:
                if not stale:
                    damaged.append(name)
                continue
            key = (generation, name)
            if stat[0] != size or key in self._garbled:
                damaged.append(name)
            elif self._hashed.get(key) != stat:
                # Rewritten since the indexer wrote it (or copied): hashed now,
                # before Whoosh reads it; as written: hashed in the background.
                self._queue(key, stat, now=bool(written) and written[0] != stat[1])
                if key in self._garbled:
                    damaged.append(name)
        if damaged:
            log.error("index %s damaged: %s", generation, ", ".join(sorted(damaged)))
            raise IndexDamaged(f"index files damaged: {', '.join(sorted(damaged))}")
        with self._lock:
            if not self._pending:  # nothing judged meanwhile, none to judge
                self._whole = seen

    def wait(self) -> None:
        """Wait until every queued file is hashed (for tests and tools)."""
        worker = self._worker
        if worker is not None:
            worker.join()

    # --- the manifest ------------------------------------------------------------

    def _manifest(self, generation: Path) -> tuple[dict[str, list], int, tuple]:
        """The recorded sums, the newest table of contents, the manifest's stat."""
        key: tuple = (generation, None, None)
        try:
            stat = (generation / MANIFEST).stat()
            key = (generation, stat.st_mtime_ns, stat.st_size)
        except OSError:
            pass
        with self._lock:
            if key != self._manifest_key:
                sums = read_manifest(generation).get("checksums", {})
                self._sums = sums
                self._toc = max(
                    (int(m[1]) for m in map(_TOC.fullmatch, sums) if m), default=-1
                )
                self._manifest_key = key
                # What was found of older generations no longer matters.
                for done in (self._hashed, self._pending):
                    for old in [k for k in done if k[0] != generation]:
                        del done[old]
                self._garbled = {k for k in self._garbled if k[0] == generation}
            return self._sums, self._toc, key

    # --- hashing -----------------------------------------------------------------

    def verify_now(self, generation: Path) -> bool:
        """Hash every file of ``generation`` now; whether all are as recorded.

        For when reading the index failed: damage, or something else.
        """
        sums, _, _ = self._manifest(generation)
        present = _stats(generation)
        for name in sums:
            if name in present:
                self._hash(generation, name)
        return not any(key[0] == generation for key in self._garbled)

    def _queue(self, key: tuple[Path, str], stat: Stat, now: bool = False) -> None:
        if now:
            self._hash(*key, stat)
            return
        with self._lock:
            if self._pending.get(key) == stat:
                return
            self._pending[key] = stat
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(
                target=self._hash_pending, name="index-integrity", daemon=True
            )
        if self._background:
            self._worker.start()
        else:
            self._worker.run()
            self._worker = None

    def _hash_pending(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    return
                key, stat = self._pending.popitem()
            self._hash(*key, stat)

    def _hash(self, generation: Path, name: str, stat: Stat | None = None) -> None:
        """Compare one file's content with its recorded hash; note the outcome."""
        key = (generation, name)
        with self._lock:
            current = (
                self._manifest_key is not None and self._manifest_key[0] == generation
            )
            recorded = self._sums.get(name) if current else None
        if not current:
            # Another generation's manifest is cached now (a request checked
            # the next one meanwhile): compare with this one's own record.
            try:
                recorded = read_manifest(generation).get("checksums", {}).get(name)
            except (OSError, ValueError):
                return  # the generation is gone: the per-request stat decides
        if recorded is None:
            return  # not listed: nothing to compare with
        try:
            if stat is None:
                st = (generation / name).stat()
                stat = (st.st_size, st.st_mtime_ns)
            digest = file_sha256(generation / name)
        except OSError:
            return  # gone: the per-request stat decides
        whole = digest == recorded[1]
        with self._lock:
            self._judged += 1
            if whole:
                self._hashed[key] = stat
                self._garbled.discard(key)
            else:
                self._garbled.add(key)
        if not whole:
            log.error("index file %s differs from its checksum", generation / name)


def _stats(generation: Path) -> dict[str, Stat]:
    """Size and modification time of each file in the generation."""
    out = {}
    try:
        with os.scandir(generation) as entries:
            for entry in entries:
                try:
                    st = entry.stat()
                except OSError:
                    continue
                out[entry.name] = (st.st_size, st.st_mtime_ns)
    except OSError:
        pass
    return out


def _newest_toc(present: dict[str, Stat]) -> int:
    return max((int(m[1]) for m in map(_TOC.fullmatch, present) if m), default=-1)
