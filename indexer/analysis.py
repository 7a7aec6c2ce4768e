"""Swedish analysis: a tokenizer and small filters composed into three analyzers.

Every item is indexed three ways, each in its own field, so that ranking can
prefer the closest match: the exact lowercased form, its stem, and its stem
folded for OCR damage (diacritics, digits read for letters). The same
analyzers run at query time, so a query is always compared like with like.

Analyzers are pickled into the index with the schema; the filters therefore
hold no stemmer object, only call module-level functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from whoosh.analysis import (
    CompositeAnalyzer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
    Token,
)
from whoosh.lang.stopwords import stoplists

from .folding import fold
from .morphology import is_swedish_word, lemma_stem, may_lack_marks, split_compound

# Words with inner hyphens or apostrophes stay one token ("BOB-råden",
# "covid-19"); their parts are added by HyphenPartsFilter.
TOKEN_PATTERN = r"\w+(?:[-'’]\w+)*"
_TOKEN = re.compile(TOKEN_PATTERN)
SWEDISH_STOP_WORDS = frozenset(stoplists["sv"])


class HyphenPartsFilter(Filter):
    """After "bob-råden", also emit "bob" and "råden" at the same position.

    So a query for either part, or for the parts with a space between them,
    finds the hyphenated form.
    """

    def __call__(self, tokens):
        for token in tokens:
            # Read before yielding: later filters rewrite token.text in place.
            text = token.text
            yield token
            if "-" not in text:
                continue
            start, end = (
                getattr(token, "startchar", None),
                getattr(token, "endchar", None),
            )
            offset = 0
            for part in text.split("-"):
                if len(part) > 1 and part not in SWEDISH_STOP_WORDS:
                    token.text = part
                    if start is not None:
                        token.startchar = start + offset
                        token.endchar = start + offset + len(part)
                    yield token
                offset += len(part) + 1
            token.text = text
            if start is not None:
                token.startchar, token.endchar = start, end


class SwedishStemFilter(Filter):
    """Replace each token by its Swedish stem, inflections Snowball misses included."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = lemma_stem(token.text)
            yield token


class CompoundPartsFilter(Filter):
    """After a compound, also emit its parts at the same position (index only).

    "trygghetsvandringar" is followed by "trygghet" and "vandringar", so a
    search for "vandring" finds it. Queries are not split: a query for the
    compound itself should not match its parts standing apart.
    """

    def __call__(self, tokens):
        for token in tokens:
            text = token.text  # read before yielding: later filters rewrite it
            yield token
            if token.mode == "query":
                continue
            for part in split_compound(text):
                token.text = part
                yield token
            token.text = text


class NonWordFilter(Filter):
    """At query time, pass on only the words that are not Swedish words.

    Folding merges words ("gäng" and "gång" are both "gang"), so a query word
    that is a Swedish word as typed, or that carries its diacritics, is not
    looked for in the folded fields at all: "lag" never finds "läget". Words
    that are not words ("Umea", "lagesbild") are, and find "Umeå" and
    "lägesbild" there. ``strict=False`` turns this off, for a query typed
    without å, ä and ö; ``retry`` is the second try of a query that found
    nothing ("hedersrelaterat vald"), which folds only the words that more
    likely lost their marks.
    """

    def __init__(self, strict: bool = True) -> None:
        self.strict = strict
        # The retry's middle way: a word goes to the folded fields only if the
        # same letters with å, ä or ö make a commoner word ("vald" ~ "våld"),
        # never when it is itself the commoner one ("skott", not "skött").
        self.retry = False

    def __call__(self, tokens):
        retry = getattr(self, "retry", False)
        for token in tokens:
            if token.mode == "query" and (self.strict or retry):
                if _is_word(token.text) and not (retry and may_lack_marks(token.text)):
                    continue
            yield token


def _is_word(word: str) -> bool:
    return bool(_DIACRITICS.intersection(word)) or is_swedish_word(word)


_DIACRITICS = frozenset("åäöéü")


class FoldFilter(Filter):
    """Fold diacritics and digit-for-letter OCR errors: "l6ften" ~ "löften".

    ``keep_marked`` is for the OCR-only fields, which every query word
    searches folded: there a word of the text whose å, ä or ö survived the
    scan was read as printed, and folding it would only merge it with other
    words ("läget" with "laget", "lägesbild" with "lag"), so it keeps its
    letters. Words without them may have lost them and are folded.
    """

    def __init__(self, keep_marked: bool = False) -> None:
        self.keep_marked = keep_marked

    def __call__(self, tokens):
        keep = getattr(self, "keep_marked", False)
        for token in tokens:
            if not (keep and token.mode != "query" and has_marks(token.text)):
                token.text = fold(token.text)
            yield token


def has_marks(word: str) -> bool:
    """Whether a word carries å, ä, ö, é or ü, which a scan prints only if seen."""
    return not _DIACRITICS.isdisjoint(word)


def ocr_form(word: str) -> str:
    """A word's form in the OCR-only fields (index side): see FoldFilter."""
    return lemma_stem(word if has_marks(word) else fold(word))


MEMO_WORDS = 150_000  # distinct words remembered per chain and process


class WordMemoAnalyzer(CompositeAnalyzer):
    """A chain that, when indexing, runs once per distinct word, not per occurrence.

    Every filter after the tokenizer looks at one token at a time, so what a
    word becomes (its forms at its position, or nothing for a stop word)
    depends on the word alone; Swedish text is Zipfian, and most occurrences
    are words seen before. Indexing therefore looks each word up in a memo and
    runs the filters only for words not seen yet. The positions are the ones
    the chain gives: a stop word holds none (StopFilter renumbers). Queries,
    and any call that asks for more than positions, run the chain as it is.

    The memo belongs to the process (shared by instances of the same chain),
    so a worker forked after :func:`learn_words` starts with it filled; it is
    bounded, and never pickled with the schema.
    """

    def __or__(self, other):
        return WordMemoAnalyzer(self, other)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_memo_key"}

    def __call__(self, value, no_morph=False, **kwargs):
        if no_morph or not self._memoable(kwargs):
            return super().__call__(value, no_morph=no_morph, **kwargs)
        return self._indexed(value, kwargs.get("start_pos", 0))

    def _memoable(self, kwargs) -> bool:
        return (
            kwargs.get("mode") == "index"
            and kwargs.get("tokenize", True)
            and kwargs.get("removestops", True)
            and not kwargs.get("chars")
            and not kwargs.get("keeporiginal")
            and self.memoable()
        )

    def memoable(self) -> bool:
        """Whether indexing a text can go word by word (see the class)."""
        tokenizer = self.items[0]
        return isinstance(tokenizer, RegexTokenizer) and not tokenizer.gaps

    def _indexed(self, value: str, start_pos: int):
        """The tokens of ``positions``, by position (forms at one position in
        alphabetical order: every Whoosh format gathers them per form anyway)."""
        token = Token(positions=True, removestops=True, mode="index", boost=1.0)
        token.stopped = False
        placed = self.positions(value, start_pos).items()
        for pos, form in sorted((pos, form) for form, ps in placed for pos in ps):
            token.text, token.pos = form, pos
            yield token

    def positions(
        self, value: str, start_pos: int = 0, tokens: list[str] | None = None
    ) -> dict[str, list[int]]:
        """Each form the chain makes of ``value`` when indexing, with its
        positions in increasing order: what a position field's postings hold,
        without a token object per occurrence. Only for a ``memoable`` chain.
        ``tokens``: the value's tokens (``tokens``), when the caller has them
        already.

        Each word is looked up in the memo (see the class); a stop word holds
        no position, and the positions are StopFilter's renumbering: the
        first kept word keeps its place, each later one follows it.
        """
        memo = _memo(self)
        out: dict[str, list[int]] = {}
        known = out.get
        pos = None
        if tokens is None:
            tokens = self.tokens(value)
        for n, word in enumerate(tokens):
            forms = memo.get(word)
            if forms is None:
                forms = self.forms(word, memo)
            if not forms:
                continue
            pos = start_pos + n if pos is None else pos + 1
            for form in forms:
                places = known(form)
                if places is None:
                    out[form] = [pos]
                else:
                    places.append(pos)
        return out

    def word_forms(self, word: str) -> tuple[str, ...]:
        """What indexing makes of one word (``forms``), from the memo if there."""
        memo = _memo(self)
        forms = memo.get(word)
        return self.forms(word, memo) if forms is None else forms

    def forms(self, word: str, memo: dict | None = None) -> tuple[str, ...]:
        """What the chain's filters make of one token, in order; () if dropped."""
        token = Token(positions=True, removestops=True, mode="index", boost=1.0)
        token.text, token.pos, token.stopped = word, 0, False
        tokens = iter((token,))
        for item in self.items[1:]:
            tokens = item(tokens)
        forms = tuple(t.text for t in tokens if not t.stopped)
        if memo is not None and len(memo) < MEMO_WORDS:
            memo[word] = forms
        return forms

    def learn(self, value: str, tokens: list[str] | None = None) -> None:
        """Fill the memo with the words of ``value`` (e.g. before forking);
        ``tokens``: its tokens, when the caller has them already."""
        memo = _memo(self)
        if tokens is None:
            tokens = self.tokens(value)
        for word in dict.fromkeys(tokens):  # each distinct word once
            if word not in memo:
                self.forms(word, memo)

    def tokens(self, value: str, shared: dict | None = None) -> list[str]:
        """The tokens of ``value`` in order, before any filter.

        ``shared``: tokens already made, by tokenizer and text. An item's
        text goes to several chains (exact, stemmed, folded, for a heading
        and a body field), nearly all with the same tokenizer; with one
        ``shared`` for the item, its text is tokenized once per tokenizer,
        not once per chain.
        """
        expression = self.items[0].expression
        if shared is None:
            return [m.group(0) for m in expression.finditer(value)]
        key = (expression, value)
        made = shared.get(key)
        if made is None:
            made = shared[key] = [m.group(0) for m in expression.finditer(value)]
        return made


def learn_values(pairs: Iterable[tuple[WordMemoAnalyzer, str]]) -> None:
    """Fill each chain's memo with the words of its value, each value
    tokenized once per tokenizer (``WordMemoAnalyzer.tokens``)."""
    shared: dict[tuple, list[str]] = {}
    for analyzer, value in pairs:
        analyzer.learn(value, analyzer.tokens(value, shared))


_MEMOS: dict[tuple, dict[str, tuple[str, ...]]] = {}


def memo_key(analyzer: WordMemoAnalyzer) -> tuple:
    """What names a chain's memo: its filters and their settings, in order.

    The same in every process that builds the same chain, so a memo learnt
    in one can be taken by another (``indexer.warm``).
    """
    key = analyzer.__dict__.get("_memo_key")
    if key is None:
        key = analyzer._memo_key = tuple(
            (type(item).__name__, tuple(sorted(vars(item).items(), key=str)))
            for item in analyzer.items
        )
    return key


def _memo(analyzer: WordMemoAnalyzer) -> dict[str, tuple[str, ...]]:
    """The process' memo for this chain: same filters, same settings, same memo."""
    key = memo_key(analyzer)
    memo = _MEMOS.get(key)
    if memo is None:  # not setdefault: this runs for every value indexed
        memo = _MEMOS[key] = {}
    return memo


def learnt_words(
    analyzers: Iterable[WordMemoAnalyzer],
) -> dict[tuple, dict[str, tuple[str, ...]]]:
    """These chains' memos in this process, for another (see ``indexer.warm``)."""
    return {memo_key(analyzer): _memo(analyzer) for analyzer in analyzers}


def adopt_learnt(memos: dict[tuple, dict[str, tuple[str, ...]]]) -> None:
    """Take memos learnt by another process running the same chains."""
    for key, memo in memos.items():
        _MEMOS.setdefault(key, {}).update(memo)


def _base():
    return WordMemoAnalyzer(
        RegexTokenizer(TOKEN_PATTERN),
        LowercaseFilter(),
        StopFilter(stoplist=SWEDISH_STOP_WORDS, minsize=1),
        HyphenPartsFilter(),
    )


def exact_analyzer():
    """Lowercased words: the strongest evidence, ranked first."""
    return _base()


def stem_analyzer():
    """Swedish stems and compound parts: inflected forms meet ("ungdomar" ~
    "ungdom"), and a part finds its compound ("narkotika" ~ "narkotikabeslag").
    """
    return _base() | CompoundPartsFilter() | SwedishStemFilter()


def ocr_analyzer():
    """The folded forms of OCR'd text, searched by every query word.

    Like ``fold_analyzer`` with every query word folded, except that words
    whose diacritics survived the scan keep them (see FoldFilter).
    """
    return (
        _base()
        | NonWordFilter(strict=False)
        | CompoundPartsFilter()
        | FoldFilter(keep_marked=True)
        | SwedishStemFilter()
    )


def fold_analyzer(strict: bool = True):
    """Stems of folded words and compound parts: for damaged text and non-words.

    Matches queries without å/ä/ö and OCR-damaged text. Folding comes before
    stemming so that a word typed without diacritics ("umea") is stemmed
    exactly like the folded original ("umeå"). Query words that are Swedish
    words skip this field (see NonWordFilter) unless ``strict`` is off.
    """
    return (
        _base()
        | NonWordFilter(strict)
        | CompoundPartsFilter()
        | FoldFilter()
        | SwedishStemFilter()
    )


def name_analyzer():
    """Person names: whole words, folded, never stemmed.

    Stop words go too: every query word is looked for in every field, and a
    leftover "och" here would make "hotell och taxi" require a person "och".
    """
    return WordMemoAnalyzer(
        RegexTokenizer(TOKEN_PATTERN),
        LowercaseFilter(),
        StopFilter(stoplist=SWEDISH_STOP_WORDS, minsize=1),
        FoldFilter(),
    )


# --- the same forms, token by token, for highlighting --------------------------


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lowercased word) for every token of the original text.

    Highlighting tokenizes every hit's text, so the text is lowercased once
    rather than word by word. That gives the same words at the same places
    because lowercasing keeps each character's length and whether it is a
    word character, with two exceptions: "İ" lowercases to two characters,
    and a capital sigma's lowercase depends on the letters around it. A text
    holding either is lowercased word by word.
    """
    low = text.lower()
    if len(low) == len(text) and "Σ" not in text:
        return [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(low)]
    return [(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(text)]


@lru_cache(maxsize=200_000)
def word_forms(word: str) -> dict[str, frozenset[str]]:
    """What each analyzer makes of one lowercased word (and its hyphen parts).

    Cached: highlighting asks it for every word of every hit shown.
    """
    exact = exact_forms(word)
    words = list(exact)
    parts = [p for w in words for p in split_compound(w)]
    return {
        "exact": exact,
        "stem": frozenset(lemma_stem(w) for w in words + parts),
        "fold": frozenset(lemma_stem(fold(w)) for w in words + parts),
        "ocr": frozenset(ocr_form(w) for w in words + parts),
    }


@lru_cache(maxsize=200_000)
def exact_forms(word: str) -> frozenset[str]:
    """The exact field's forms of one lowercased word: itself and its hyphen parts.

    Without the stemming and compound splitting of ``word_forms``: enough to
    tell a stop word, which holds no position, from a word that does.
    """
    words = [word]
    if "-" in word:
        words += [p for p in word.split("-") if len(p) > 1]
    return frozenset(w for w in words if w not in SWEDISH_STOP_WORDS)
