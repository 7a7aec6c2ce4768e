"""Call a function on each of a list of jobs ahead of the caller, in a thread.

The indexer reads each corpus file through the sandboxed reader
(:mod:`.sandbox`), which reads one file at a time and waits for the next
request; and between two requests the indexer had work of its own with each
document (spooling it, handing it to the word learner). So the two took
turns: at 10,000 meetings the reading phase took 37 s of wall time for 19 s
of the reader's CPU and 10 s of the indexer's. Asked from a thread, the next
file is being read while the indexer deals with the last one; the thread
mostly waits on the reader's pipe, without the interpreter's lock.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")

_DONE = object()


def ahead(
    function: Callable[[Job], Result], jobs: Iterable[Job], depth: int = 8
) -> Iterator[tuple[Job, Result | BaseException]]:
    """(job, what ``function(job)`` returned or raised), in the jobs' order.

    At most ``depth`` results wait to be taken. An exception is handed over
    as a result: after an ``Exception`` the next job is still done (a job's
    failure is the caller's to judge), after any other the thread stops.
    Closing the iterator early (the caller failed) stops the thread after
    the job it is doing, which is not waited for.
    """
    results: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def work() -> None:
        try:
            for job in jobs:
                if stop.is_set():
                    return
                try:
                    outcome: object = function(job)
                except Exception as exc:  # noqa: BLE001 - handed to the caller
                    outcome = exc
                except BaseException as exc:  # noqa: BLE001 - and the end
                    _put(results, (job, exc), stop)
                    return
                _put(results, (job, outcome), stop)
        finally:
            _put(results, _DONE, stop)

    threading.Thread(target=work, name="read-ahead", daemon=True).start()
    try:
        while (entry := results.get()) is not _DONE:
            yield entry
    finally:
        stop.set()


def _put(results: queue.Queue, entry: object, stop: threading.Event) -> None:
    """Put, unless the caller stopped taking (then the entry is dropped)."""
    while not stop.is_set():
        try:
            results.put(entry, timeout=0.1)
            return
        except queue.Full:
            continue
