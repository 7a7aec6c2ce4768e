"""Jobs done ahead in a thread come back in order, failures included."""

from __future__ import annotations

import time

import pytest

from indexer.readahead import ahead


def test_results_come_in_the_jobs_order_while_later_jobs_run_ahead():
    started: list[int] = []

    def slow_first(n: int) -> int:
        started.append(n)
        if n == 0:
            time.sleep(0.2)
        return n * n

    results = ahead(slow_first, range(6), depth=3)
    assert next(results) == (0, 0)
    assert list(results) == [(n, n * n) for n in range(1, 6)]
    assert started == list(range(6))


def test_the_thread_works_while_the_caller_does():
    """The caller's own work and the jobs overlap: six jobs of 0.1 s and six
    steps of 0.1 s take about 0.7 s, not 1.2 s."""

    def job(n: int) -> int:
        time.sleep(0.1)
        return n

    began = time.monotonic()
    for _ in ahead(job, range(6)):
        time.sleep(0.1)
    assert time.monotonic() - began < 1.0


def test_a_failed_job_is_handed_over_and_the_next_still_done():
    def picky(n: int) -> int:
        if n == 2:
            raise ValueError("two")
        return n

    got = list(ahead(picky, range(4)))
    assert [job for job, _ in got] == [0, 1, 2, 3]
    assert isinstance(got[2][1], ValueError) and got[3][1] == 3


def test_an_exit_ends_the_jobs():
    def exits(n: int) -> int:
        if n == 1:
            raise SystemExit(3)
        return n

    got = list(ahead(exits, range(5)))
    assert [job for job, _ in got] == [0, 1]
    assert isinstance(got[1][1], SystemExit)


def test_closing_early_stops_the_thread_after_its_job():
    done: list[int] = []

    def job(n: int) -> int:
        done.append(n)
        return n

    results = ahead(job, range(1000), depth=2)
    assert next(results) == (0, 0)
    results.close()
    time.sleep(0.3)
    assert len(done) < 10
    with pytest.raises(StopIteration):
        next(results)
