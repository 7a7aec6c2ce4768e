"""Several server processes on one listening socket, forked after the load.

One Python process answers on one core: the interpreter lock lets only one
thread compute at a time, and a search is computation (array arithmetic,
analysis, highlighting). Worker processes use every core. They are forked
after the app has loaded what every query needs (the index's facet columns
and statistics, the Swedish lexicon, the commonest postings), so those pages
are shared copy-on-write instead of loaded once per worker, and no worker's
first query pays for them. Each worker runs waitress on the socket the parent
bound; the kernel hands each new connection to one of them.

The parent only supervises: a worker that dies is replaced (unless workers
keep dying as soon as they start), and SIGTERM or SIGINT stops them all.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
import time
from collections.abc import Callable

RESPAWN_GRACE_S = 5.0  # a worker that dies sooner than this counts as a failed start
MAX_QUICK_DEATHS = 5  # in a row: give up rather than fork in a loop


def can_fork() -> bool:
    """Whether this platform forks (not on Windows)."""
    return hasattr(os, "fork")


def serve_forked(
    serve_one: Callable[[socket.socket], None],
    sock: socket.socket,
    workers: int,
    after_fork: Callable[[], None] = lambda: None,
) -> int:
    """Run ``serve_one(sock)`` in ``workers`` forked processes until stopped.

    Returns the exit status for the parent: 0 when stopped by a signal, 1 when
    the workers kept failing at start.
    """
    children: dict[int, float] = {}  # pid -> start time
    stopping = False

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            _signal(pid, signal.SIGTERM)

    # Objects made before the fork stay put: the collector would otherwise
    # write to their pages in every worker and unshare them.
    gc.freeze()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(workers):
        children[_spawn(serve_one, sock, after_fork)] = time.monotonic()
    quick_deaths = 0
    while children:
        try:
            pid, _status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:  # pragma: no cover - PEP 475 retries wait()
            continue
        started = children.pop(pid, None)
        if started is None or stopping:
            continue
        quick = time.monotonic() - started < RESPAWN_GRACE_S
        quick_deaths = quick_deaths + 1 if quick else 0
        if quick_deaths >= MAX_QUICK_DEATHS:
            stop(signal.SIGTERM, None)
            _reap(children)
            return 1
        children[_spawn(serve_one, sock, after_fork)] = time.monotonic()
    return 0


def _spawn(serve_one, sock: socket.socket, after_fork) -> int:
    pid = os.fork()
    if pid:
        return pid
    # The worker: default signal handling (SIGTERM ends it), its own files.
    status = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        after_fork()
        serve_one(sock)
    except KeyboardInterrupt:
        pass
    except BaseException:  # noqa: BLE001 - reported, then the parent replaces it
        import traceback

        traceback.print_exc()
        status = 1
    finally:
        os._exit(status)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _reap(children: dict[int, float]) -> None:
    for pid in list(children):
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        children.pop(pid, None)
