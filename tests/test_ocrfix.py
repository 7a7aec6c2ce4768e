"""OCR tolerance: damage detection and correction towards the lexicon."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.folding import fold_all, fold_letters
from indexer.ingest.ocrdetect import looks_like_ocr
from indexer.lexicon import MIN_ZIPF, base_lexicon, swedish_words
from indexer.ocrfix import correct_text, correct_token

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def lexicon():
    return base_lexicon().with_corpus_words(["medborgarlöften", "fokusområden"])


@pytest.mark.parametrize(
    ("damaged", "word"),
    [
        ("Idngsiktigt", "långsiktigt"),
        ("hdllbart", "hållbart"),
        ("Idgesbild", "lägesbild"),
        ("medborgarl6ften", "medborgarlöften"),
        ("Umed", "umeå"),
        ("brottsférebyggande", "brottsförebyggande"),
        ("Uppfdljning", "uppföljning"),
        ("fokusomrdden", "fokusområden"),
    ],
)
def test_damaged_words_are_corrected(lexicon, damaged, word):
    assert correct_token(damaged, lexicon) == word


@pytest.mark.parametrize(
    "word",
    ["kommun", "polisen", "narkotika", "trygghet", "Ersboda", "läget", "gäng",
     "skött", "Lägesbilden"],
)  # fmt: skip
def test_clean_or_unknown_words_are_left_alone(lexicon, word):
    # "läget" folds like "laget", "gäng" like "gång": a word as printed stays.
    assert correct_token(word, lexicon) in (None, word.lower())


@pytest.mark.parametrize(
    ("damaged", "word"), [("Malbild", "målbild"), ("fran", "från")]
)
def test_lost_diacritics_are_restored_where_the_marked_word_is_far_commoner(
    lexicon, damaged, word
):
    assert correct_token(damaged, lexicon) == word


def test_correct_text_keeps_token_count_and_reports_changes(lexicon):
    text = "ett Idngsiktigt och hdllbart arbete i Umed"
    fixed, changes = correct_text(text, lexicon)
    assert fixed == "ett långsiktigt och hållbart arbete i umeå"
    assert len(fixed.split()) == len(text.split())
    assert changes == {
        "idngsiktigt": "långsiktigt",
        "hdllbart": "hållbart",
        "umed": "umeå",
    }


def test_the_ocr_seed_reads_as_ocr_and_the_others_do_not():
    verdicts = {
        p.name[:3]: looks_like_ocr(p.read_text()) for p in CORPUS.glob("0*.txt")
    }
    assert verdicts == {
        "000": False,
        "001": False,
        "002": False,
        "003": True,
        "004": False,
    }


def test_corpus_words_that_fold_alike_resolve_the_same_way_every_time():
    # Equal frequency (both corpus words): the marked spelling wins, whatever
    # order the words come in.
    for words in (["foraldrastöd", "föräldrastöd"], ["föräldrastöd", "foraldrastöd"]):
        lexicon = base_lexicon().with_corpus_words(words)
        assert lexicon.best_for_folded("foraldrastod") == "föräldrastöd"


def test_the_word_list_is_wordfreqs_down_to_the_floor():
    """Read bucket by bucket and cut at MIN_ZIPF: the same words and Zipf
    values as the whole frequency list filtered (a word listed twice, in a
    common bucket and a rare one, would show here)."""
    from wordfreq import get_frequency_dict

    floor = 10 ** (MIN_ZIPF - 9)
    whole = get_frequency_dict("sv", wordlist="large")
    expected = {
        word: round(math.log10(freq) + 9, 2)
        for word, freq in whole.items()
        if freq >= floor and word.isalpha()
    }
    assert swedish_words() == expected
    assert 50_000 < len(expected) < len(whole)


@given(st.lists(st.text(max_size=12)))
def test_folding_many_words_at_once_is_folding_each(words):
    """Any text, cased letters of every script, a final sigma at a word's
    end, newlines inside a word: the same forms as one word at a time."""
    assert fold_all(words) == [fold_letters(word) for word in words]


def test_the_lexicon_folds_its_words_as_each_alone():
    lexicon = base_lexicon()
    for word in list(lexicon.words())[::97]:
        assert lexicon.knows_folded(fold_letters(word))
        best = lexicon.best_for_folded(fold_letters(word))
        assert fold_letters(best) == fold_letters(word)
        assert lexicon.frequency(best) >= lexicon.frequency(word)
