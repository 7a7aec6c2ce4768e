"""The query grammar as a table: what was typed, how it is read, what is said."""

from __future__ import annotations

import pytest

from search_app.querytext import MAX_DEPTH, interpret


@pytest.mark.parametrize(
    "typed, display, engine, noted",
    [
        ("a b", "a b", "a AND b", False),
        ("a OCH b", "a b", "a AND b", False),
        ("a och b", "a b", "a AND b", False),
        ("a ELLER b", "a ELLER b", "a OR b", False),
        ("a eller b", "a ELLER b", "a OR b", True),
        ("a or b", "a ELLER b", "a OR b", True),
        ("a -b", "a INTE b", "a AND NOT b", False),
        ("a INTE b", "a INTE b", "a AND NOT b", False),
        ("a inte b", "a INTE b", "a AND NOT b", True),
        ('a "inte" b', 'a "inte" b', 'a AND "inte" AND b', False),
        ('a -"b c"', 'a INTE "b c"', 'a AND NOT "b c"', False),
        ("a -(b ELLER c)", "a INTE (b ELLER c)", "a AND NOT (b OR c)", False),
        ("a b ELLER c", "a b ELLER c", "a AND (b OR c)", False),
        ("(a b) ELLER c", "(a b) ELLER c", "(a AND b) OR c", False),
        ("a OR", "a", "a", True),
        ("(a OR", "a", "a", True),
        ("OR a", "a", "a", True),
        ("a INTE", "a", "a", True),
        ("a)", "a", "a", True),
        ('"a b', '"a b"', '"a b"', True),
        ("a ELLER ELLER b", "a ELLER b", "a OR b", True),
        ("a () b", "a b", "a AND b", True),
        ("INTE INTE a", "a", "a", False),
        ("-a", "* INTE a", "* AND NOT a", True),
        ("trygg*", "trygg*", "trygg*", False),
        ("Umeå-modellen", "Umeå-modellen", "Umeå-modellen", False),
        ("AND", "", "", True),
        ('"', "", "", True),
        ("", "", "", False),
    ],
)
def test_grammar(typed, display, engine, noted):
    reading = interpret(typed)
    assert (reading.display, reading.engine) == (display, engine)
    assert bool(reading.notes) == noted


@pytest.mark.parametrize(
    "typed",
    [
        "(" * 600 + "a",
        "INTE " * 199 + "x",
        "-" * 900 + "x",
        '-"' * 400,
        ")" * 500 + "a",
        "a OR " * 200,
        '"' * 999,
    ],  # fmt: skip
)
def test_hostile_input_is_read_without_failing(typed):
    reading = interpret(typed)
    assert reading.engine.count("(") <= MAX_DEPTH * 2
    assert len(reading.notes) == len(set(reading.notes))
