"""A position field's words as items give them, made into postings all at once.

An item's text in a position field becomes, per form the chain makes of each
word, a posting with the word's positions. Doing that as the items come
costs Python work per occurrence: a look-up of the word's forms, a position
counted, and per form a look-up and four appends to the term's arrays. At
10,000 meetings that was nearly a third of the writer's CPU (py-spy).

Here an item adds only its words' numbers (each distinct word is numbered
once per field, with its forms), one dictionary look-up per word. When the
segment is written, numpy works out the whole field at once:

- each word's positions: StopFilter's renumbering, in which a stop word (a
  word with no forms) holds none, the first kept word keeps its place and
  each later one follows the one before;
- each (word, form) pair as one occurrence, ordered by form with a stable
  sort, so by item and then position within a form, the order postings take;
- the postings, cut where the form or the item changes: their items,
  position counts and weights (the count times the format's boost times the
  item's boost, Whoosh's weight in Whoosh's order of operations).

What comes out is what ``WordMemoAnalyzer.positions`` per item gave before,
term for term (``tests/test_writer.py`` compares the segment files with
Whoosh's own writer's).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator
from itertools import chain

import numpy as np

from .runs import run_indices, run_starts

_UINT = np.dtype(f"u{array('I').itemsize}")

# (form, items, weights, position counts, positions), a term's postings
Postings = tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


class FieldOccurrences:
    """One position field's items: their words as numbers, laid end to end."""

    def __init__(self, format_boost: float) -> None:
        self.format_boost = format_boost
        self._numbers: dict[str, int] = {}  # word -> its number
        self._word_forms: list[tuple[int, ...]] = []  # per word: its forms' numbers
        self._sizes = array("I")  # per word: how many forms (0: a stop word)
        self._form_numbers: dict[str, int] = {}
        self._forms: list[str] = []  # per form number: the form
        self.words = array("I")  # per occurrence: its word's number
        self._items = array("I")
        self._lengths = array("I")  # per item: how many words
        self._boosts = array("d")  # per item: the field's boost

    @property
    def word_count(self) -> int:
        """Distinct words numbered so far."""
        return len(self._sizes)

    def add(
        self,
        item: int,
        words: list[str],
        forms_of: Callable[[str], tuple[str, ...]],
        boost: float = 1.0,
    ) -> int:
        """One item's words in order; ``forms_of`` gives what the chain makes
        of a word not numbered yet. Returns the field's length: the (word,
        form) pairs, as many as the positions its postings hold."""
        if not words:
            return 0
        numbers = self._numbers
        try:
            sequence = [numbers[word] for word in words]
        except KeyError:
            for word in words:
                if word not in numbers:
                    self._number(word, forms_of(word))
            sequence = [numbers[word] for word in words]
        if self._items and self._items[-1] >= item:
            raise ValueError(f"item {item} after a later one, out of order")
        self.words.fromlist(sequence)
        self._items.append(item)
        self._lengths.append(len(sequence))
        self._boosts.append(boost)
        return sum(map(self._sizes.__getitem__, sequence))

    def _number(self, word: str, forms: tuple[str, ...]) -> None:
        form_numbers = self._form_numbers
        numbered = []
        for form in forms:
            number = form_numbers.get(form)
            if number is None:
                number = form_numbers[form] = len(self._forms)
                self._forms.append(form)
            numbered.append(number)
        self._numbers[word] = len(self._sizes)
        self._word_forms.append(tuple(numbered))
        self._sizes.append(len(numbered))

    def postings(self) -> Iterator[Postings]:
        """Every form's postings, forms in order (as their UTF-8 bytes sort)."""
        if not self.words:
            return
        words = np.frombuffer(self.words, dtype=_UINT).astype(np.int64)
        sizes = np.frombuffer(self._sizes, dtype=_UINT).astype(np.int64)
        lengths = np.frombuffer(self._lengths, dtype=_UINT).astype(np.int64)
        per_word = sizes[words]  # forms of each occurrence's word
        if not per_word.any():
            return  # stop words only

        # Positions (where the word has forms): StopFilter's renumbering.
        item_of = np.repeat(np.arange(len(lengths)), lengths)
        starts = run_starts(lengths)
        kept = np.cumsum(per_word > 0)  # words with forms up to each, inclusive
        before = np.concatenate(([0], kept))[starts]  # ... before each item
        first = np.searchsorted(kept, before + 1) - starts  # its first such word
        place = first[item_of] + kept - before[item_of] - 1
        del kept, starts

        # One occurrence per (word, form), ordered by form, then item, position.
        occurrence_word = np.repeat(np.arange(len(words)), per_word)
        flat = np.fromiter(
            chain.from_iterable(self._word_forms),
            dtype=np.int64,
            count=int(sizes.sum()),
        )
        first_form = run_starts(sizes)[words]
        form = flat[run_indices(first_form, per_word)]
        del flat, first_form, words, per_word
        order = np.argsort(form, kind="stable")
        form = form[order]
        occurrence_word = occurrence_word[order]
        del order
        item = item_of[occurrence_word]
        positions = place[occurrence_word]
        del item_of, place, occurrence_word

        # Postings start where the form or the item changes; terms where the form does.
        changed = np.empty(len(form), dtype=bool)
        changed[0] = True
        np.not_equal(form[1:], form[:-1], out=changed[1:])
        posting_starts = np.flatnonzero(
            changed | np.concatenate(([True], item[1:] != item[:-1]))
        )
        bounds = np.append(posting_starts, len(form))
        counts = np.diff(bounds)
        posting_item = item[posting_starts]
        items = np.frombuffer(self._items, dtype=_UINT).astype(np.int64)[posting_item]
        boosts = np.frombuffer(self._boosts, dtype=np.float64)[posting_item]
        weights = counts.astype(np.float64) * self.format_boost * boosts
        posting_form = form[posting_starts]
        term_starts = np.flatnonzero(changed[posting_starts])
        term_ends = np.append(term_starts[1:], len(posting_starts))
        del item, changed, posting_item, boosts

        names = self._forms
        present = posting_form[term_starts].tolist()
        for t in sorted(range(len(present)), key=lambda t: names[present[t]]):
            a, b = int(term_starts[t]), int(term_ends[t])
            yield (
                names[present[t]],
                items[a:b],
                weights[a:b],
                counts[a:b],
                positions[bounds[a] : bounds[b]],
            )
