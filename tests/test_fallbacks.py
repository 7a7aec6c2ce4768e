"""The near-spelling distance: its shortcuts answer as the full edit distance."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.support.levenshtein import levenshtein

from search_app.fallbacks import within

WORDS = st.text(alphabet="aäbcdeiklmnoörstu", min_size=1, max_size=12)


@settings(max_examples=3000, deadline=None)
@given(WORDS, WORDS, st.sampled_from([1, 2]))
def test_within_agrees_with_the_edit_distance(word, text, maxdist):
    assert within(word, text, maxdist) == (levenshtein(word, text, maxdist) <= maxdist)


@settings(max_examples=1000, deadline=None)
@given(WORDS, st.integers(0, 11), st.sampled_from("aäxö"), st.sampled_from([1, 2]))
def test_within_finds_every_single_edit(word, at, letter, maxdist):
    at %= len(word) + 1
    for edited in (
        word[:at] + letter + word[at:],  # extra
        word[:at] + word[at + 1 :],  # missing
        word[:at] + letter + word[at + 1 :],  # wrong
    ):
        if edited:
            assert within(word, edited, maxdist)
