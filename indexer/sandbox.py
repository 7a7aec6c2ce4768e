"""Read and segment each corpus file in a worker process with a budget.

A corpus file is untrusted: a crafted PDF can make pdfminer loop forever or
inflate a small stream into gigabytes, a crafted cell can make a parser
quadratic. So no file is read in the indexer's own process. A worker process
reads one file at a time under an address-space limit (``RLIMIT_AS``) and the
indexer waits for its answer only until the time budget runs out; then it
kills the worker, rejects the file with the reason and starts a new worker for
the next file. Any exception in the worker rejects just that file too.

The worker dies with the indexer (``PR_SET_PDEATHSIG`` on Linux, and an
end-of-file on its request pipe everywhere), so a killed indexer leaves no
process behind.

The budgets come from the environment, so an operator can change them without
touching code: ``UMEBRA_FILE_SECONDS`` (default 600) and
``UMEBRA_FILE_MEMORY_MB`` (default 2048).
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from .model import Document, Item, RejectedFile

FILE_SECONDS = 600.0  # a 300-page PDF takes a minute or two; a loaded machine more
FILE_MEMORY_MB = 2048  # address space, not resident memory: libraries reserve some
# Longer items are split into parts: every search that touches one pays for its
# length.
MAX_ITEM_CHARS = 200_000
STARTUP_SECONDS = 300.0  # loading the word lists, before any file's budget starts
_HEADER = struct.Struct("!Q")
_reader: FileReader | None = None


@dataclass(frozen=True)
class Limits:
    """The budget of one file: wall-clock seconds and address space in MiB."""

    seconds: float = FILE_SECONDS
    memory_mb: int = FILE_MEMORY_MB

    @classmethod
    def from_env(cls) -> Limits:
        """The defaults, or ``UMEBRA_FILE_SECONDS`` / ``UMEBRA_FILE_MEMORY_MB``."""
        return cls(
            _env_number("UMEBRA_FILE_SECONDS", FILE_SECONDS, float),
            _env_number("UMEBRA_FILE_MEMORY_MB", FILE_MEMORY_MB, int),
        )


def _env_number(name: str, default, kind):
    try:
        value = kind(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


class ReadFile(NamedTuple):
    """What reading a file gives: its document, the warnings, and the
    compound splits worked out while reading it (``morphology``: telling a
    scan from typed text splits its unknown words), which the word learner
    then looks up instead of working them out again. From the sandbox, as
    untrusted as the document: they only shape how its own words are
    analysed."""

    doc: Document
    warnings: list[str]
    splits: dict


class _WorkerLost(Exception):
    """The worker died with the thread that started it."""


def file_reader() -> FileReader:
    """The process' reader, with the budget the environment sets now.

    The worker outlives a run: its warm caches (word lists, lexicon) make the
    next run in the same process as quick as reading in-process was.
    """
    global _reader
    limits = Limits.from_env()
    # A worker runs with the environment it was started with (PATH finds
    # Tesseract): a run with another one gets a new worker.
    if _reader is None or _reader.limits != limits or _reader.env != os.environ:
        if _reader is not None:
            _reader.close()
        _reader = FileReader(limits)
    return _reader


class FileReader:
    """The indexer's side: hands files to a worker and enforces the budget."""

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits.from_env()
        self.env = dict(os.environ)
        self._proc: subprocess.Popen | None = None
        self._send = self._receive = -1
        self._ready = False
        self._lock = threading.Lock()  # one file at a time per worker
        # The kernel kills the worker when the thread that started it ends.
        self._starter: threading.Thread | None = None
        atexit.register(self.close)

    def start(self) -> None:
        """Start the worker now, so it warms up while the indexer plans the run."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._stop()
                self._start()

    def read(self, path: Path, corpus_dir: Path, overrides: dict) -> ReadFile:
        """The file's document and more; RejectedFile when it fails its budget."""
        request = pickle.dumps((path, corpus_dir, overrides))
        with self._lock:
            try:
                return self._ask(request)
            except _WorkerLost:  # its starting thread ended, not this file's doing
                return self._ask(request)

    def _ask(self, request: bytes) -> ReadFile:
        if self._proc is None or self._proc.poll() is not None:
            self._stop()
            self._start()
        try:
            if not self._ready:  # warming up is not the file's time
                self._read_frame(time.monotonic() + STARTUP_SECONDS)
                self._ready = True
            _write_frame(self._send, request)
            answer = self._read_frame(time.monotonic() + self.limits.seconds)
        except TimeoutError:
            self._stop()
            raise RejectedFile(
                f"reading took longer than {self.limits.seconds:g} s (the time limit)"
            ) from None
        except (OSError, EOFError):
            orphaned = self._starter is not None and not self._starter.is_alive()
            code = self._stop()
            if orphaned:
                raise _WorkerLost from None
            raise RejectedFile(_death_reason(code, self.limits)) from None
        kind, *rest = pickle.loads(answer)
        if kind == "ok":
            return ReadFile(*rest)
        reason, retryable, restart = rest
        if restart:  # e.g. after a MemoryError: the heap may be in a poor state
            self._stop()
        error = RejectedFile(reason)
        error.retryable = retryable
        raise error

    def close(self) -> None:
        """Stop the worker (it also stops by itself when this process dies)."""
        self._stop()

    # --- the worker process -----------------------------------------------------

    def _start(self) -> None:
        request_r, request_w = os.pipe()
        answer_r, answer_w = os.pipe()
        command = [
            sys.executable,
            "-c",
            "from indexer.sandbox import serve; serve()",
            str(request_r),
            str(answer_w),
            str(os.getpid()),
            str(self.limits.memory_mb),
        ]
        try:
            self._proc = subprocess.Popen(
                command,
                pass_fds=(request_r, answer_w),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # the answer pipe is the only channel
                env={**self.env, "OMP_THREAD_LIMIT": "1"},
            )
        finally:
            os.close(request_r)
            os.close(answer_w)
        self._send, self._receive = request_w, answer_r
        self._ready = False
        self._starter = threading.current_thread()

    def _stop(self) -> int | None:
        proc, self._proc = self._proc, None
        for fd in (self._send, self._receive):
            if fd >= 0:
                os.close(fd)
        self._send = self._receive = -1
        if proc is None:
            return None
        if proc.poll() is None:
            proc.kill()
        return proc.wait()

    def _read_frame(self, deadline: float) -> bytes:
        header = self._read_exactly(_HEADER.size, deadline)
        return self._read_exactly(_HEADER.unpack(header)[0], deadline)

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        chunks, left = [], size
        while left:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([self._receive], [], [], wait)[0]:
                raise TimeoutError
            chunk = os.read(self._receive, min(left, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)


def _death_reason(code: int | None, limits: Limits) -> str:
    if code is not None and code < 0:
        known = {s.value for s in signal.Signals}
        name = signal.Signals(-code).name if -code in known else str(-code)
        return (
            f"the reader was stopped by signal {name} (memory limit "
            f"{limits.memory_mb} MiB?)"
        )
    return f"the reader ended unexpectedly (exit status {code})"


def _write_frame(fd: int, data: bytes) -> None:
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


# --- inside the worker ---------------------------------------------------------


def serve() -> None:
    """The worker's loop: one request in, one answer out, until the pipe closes."""
    requests, answers, parent, memory_mb = (int(a) for a in sys.argv[1:5])
    die_with_parent(parent)
    _limit_memory(memory_mb)
    from .ingest import read_document  # after the limit: imports count too
    from .lexicon import base_lexicon
    from .morphology import splits_worked_out
    from .segment import segment

    base_lexicon()  # warm while the indexer plans; every text file needs it
    _write_frame(answers, b"ready")

    with os.fdopen(requests, "rb") as inbox:
        while True:
            header = inbox.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return  # the indexer closed the pipe or died
            path, corpus_dir, overrides = pickle.loads(
                inbox.read(_HEADER.unpack(header)[0])
            )
            try:
                with splits_worked_out() as splits:
                    raw = read_document(path, corpus_dir)
                    doc = segment(raw, overrides)
                if not doc.items:
                    raise RejectedFile("no agenda items or sections found in it")
                warnings = list(raw.warnings) + _cap_items(doc)
                answer: tuple = ("ok", doc, warnings, splits)
            except RejectedFile as exc:
                answer = ("rejected", str(exc), exc.retryable, False)
            except MemoryError:
                reason = (
                    f"reading it needs more than {memory_mb} MiB (the memory limit)"
                )
                answer = ("rejected", reason, False, True)
            except Exception as exc:  # any other failure is this file's alone
                reason = f"could not be read ({type(exc).__name__}: {exc})"
                answer = ("rejected", reason[:300], False, True)
            _write_frame(answers, pickle.dumps(answer))


def _cap_items(doc: Document) -> list[str]:
    """Split items longer than MAX_ITEM_CHARS into parts; a warning for each.

    An overlong item would make every search that touches it slow to mark;
    cutting it would lose its end. Each part is an item of its own, cut at a
    paragraph or line break where there is one, titled "(del k av n)", so
    every word stays searchable and no item is too long to mark.
    """
    warnings: list[str] = []
    items: list[Item] = []
    for item in doc.items:
        if len(item.text) <= MAX_ITEM_CHARS:
            items.append(replace(item, number=len(items) + 1))
            continue
        parts = _parts(item.text, MAX_ITEM_CHARS)
        warnings.append(
            f"item {item.number} split into {len(parts)} parts of at most "
            f"{MAX_ITEM_CHARS:,} characters (the limit)"
        )
        for k, text in enumerate(parts, 1):
            items.append(
                replace(
                    item,
                    number=len(items) + 1,
                    title=f"{item.title} (del {k} av {len(parts)})",
                    text=text,
                    decisions=[d for d in item.decisions if d in text],
                    attachments=item.attachments if k == 1 else [],
                )
            )
    doc.items = items
    return warnings


def _parts(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at a break."""
    parts = []
    while len(text) > limit:
        cut = text.rfind("\n", limit // 2, limit)  # a line or paragraph break
        if cut <= 0:
            cut = text.rfind(" ", limit // 2, limit)
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].strip())
        text = text[cut:].strip()
    parts.append(text)
    return [p for p in parts if p]


@contextmanager
def forks_die_with_parent() -> Iterator[None]:
    """Processes forked meanwhile (Whoosh's writer workers) die with this one.

    Orphaned writer workers would keep the index lock, which they inherit,
    and block every later run.
    """
    global _hooked
    if not _hooked and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork)
        _hooked = True
    _FORKING.append(os.getpid())
    try:
        yield
    finally:
        _FORKING.pop()


_FORKING: list[int] = []  # pids of processes inside forks_die_with_parent
_hooked = False


def _after_fork() -> None:
    if _FORKING:
        die_with_parent(_FORKING[-1])
        _FORKING.clear()  # its own children are its own business


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when the indexer dies (Linux)."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # not on this platform: the time budget still applies
        return
    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
