"""The analysis chain: tokens, stop words, stems, folding, hyphen parts, pickling."""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest
from whoosh.analysis import CompositeAnalyzer
from whoosh.formats import Positions

from indexer import markup
from indexer.analysis import (
    exact_analyzer,
    fold_analyzer,
    name_analyzer,
    stem_analyzer,
    token_spans,
    word_forms,
)
from indexer.folding import fold
from indexer.markup import html_to_text, join_lines
from indexer.morphology import lemma_stem

QUALITY_TEXTS = Path(__file__).parent / "quality" / "texts"


def texts(analyzer, text, **kw):
    return [t.text for t in analyzer(text, **kw)]


def test_exact_lowercases_and_drops_swedish_stop_words():
    assert texts(exact_analyzer(), "Krafttag mot narkotika i Umeå") == [
        "krafttag",
        "narkotika",
        "umeå",
    ]


def test_hyphenated_words_keep_the_whole_and_add_parts():
    assert texts(exact_analyzer(), "BOB-råden införs") == [
        "bob-råden",
        "bob",
        "råden",
        "införs",
    ]
    positions = [t.pos for t in exact_analyzer()("BOB-råden införs", positions=True)]
    assert positions == [0, 0, 0, 1]


def test_hyphen_parts_carry_their_own_characters():
    text = "nya BOB-råden"
    spans = [
        (t.text, text[t.startchar : t.endchar])
        for t in exact_analyzer()(text, chars=True)
    ]
    assert ("råden", "råden") in spans and ("bob-råden", "BOB-råden") in spans


def test_stems_join_inflections():
    assert texts(stem_analyzer(), "ungdomar ungdom") == ["ungdom", "ungdom"]
    pair = texts(stem_analyzer(), "lägesbilden lägesbild", mode="query")
    assert pair == ["lägesbild", "lägesbild"]


def test_stems_carry_compound_parts_with_their_diacritics():
    # läge + bild, never lag + bild: parts are looked up as spelt.
    assert texts(stem_analyzer(), "lägesbilden") == ["lägesbild", "läg", "bild"]
    assert "lag" not in texts(stem_analyzer(), "lägesbilden läget")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("kommunförbund", "kommunförbundet"),
        ("länsförbund", "Länsförbundets"),
        ("trygghetsvandringsrapport", "Trygghetsvandringsrapporten"),
        ("butiksrån", "butiksrånet"),
    ],
)
def test_compound_heads_are_lemmatised(one, other):
    assert texts(stem_analyzer(), one, mode="query") == texts(
        stem_analyzer(), other, mode="query"
    )


def test_compounds_are_split_at_every_level():
    parts = texts(stem_analyzer(), "trygghetsvandringsrapporten")
    assert {"trygghetsvandring", "vandring", "rapport"} <= set(parts)
    assert "ring" not in parts and "vand" not in parts


@pytest.mark.parametrize(
    ("one", "other"),
    [("personlig", "personer"), ("viktigt", "vikt"), ("gäng", "gång")],
)
def test_different_words_keep_different_stems(one, other):
    assert texts(stem_analyzer(), one) != texts(stem_analyzer(), other)


def test_fold_meets_ocr_damage_and_missing_diacritics():
    lenient = fold_analyzer(strict=False)
    clean = texts(lenient, "medborgarlöften långsiktigt", mode="query")
    assert texts(lenient, "medborgarl6ften langsiktigt", mode="query") == clean


def test_swedish_query_words_are_not_folded():
    # "gäng", "lag" and "möte" are words: folded they would meet "gång",
    # "läget", "motor". "Umea" and "lagesbild" are not, and are folded.
    assert texts(fold_analyzer(), "gäng lag möte", mode="query") == []
    typed = texts(fold_analyzer(), "Umea lagesbild", mode="query")
    assert len(typed) == 2
    assert set(typed) <= set(texts(fold_analyzer(), "Umeå lägesbild"))
    assert fold("Medborgarl6ften") == "medborgarloften"
    assert fold("2021") == "2021"  # digits alone are numbers, not letters


def test_names_are_folded_not_stemmed():
    assert texts(name_analyzer(), "Kerstin Rörsch") == ["kerstin", "rorsch"]


@pytest.mark.parametrize(
    "make", [exact_analyzer, stem_analyzer, fold_analyzer, name_analyzer]
)
def test_analyzers_pickle(make):
    """Whoosh pickles the schema, analyzers included, into the index."""
    analyzer = make()
    again = pickle.loads(pickle.dumps(analyzer))
    sample = "Trygghetsvandringar på BOB-råden, medborgarl6ften"
    assert texts(again, sample) == texts(analyzer, sample)


def _postings(analyzer, text):
    """What Whoosh indexes for a text: each term's positions, as the writer asks."""
    return sorted(Positions().word_values(text, analyzer, mode="index"))


@pytest.mark.parametrize(
    "make",
    [
        exact_analyzer,
        stem_analyzer,
        fold_analyzer,
        name_analyzer,
        lambda: fold_analyzer(False),
    ],
)
def test_memoised_indexing_gives_what_the_chain_gives(make):
    """Words looked up in the memo index exactly as the filters would index them.

    Positions included: a stop word, first or later, holds none, and hyphen
    and compound parts share their word's position. Real texts, twice over,
    so the second pass reads only from the memo.
    """
    analyzer = make()
    chain = CompositeAnalyzer(*analyzer.items)  # the same filters, no memo
    samples = [
        "och i Umeå: trygghetsvandringar på BOB-råden, och narkotikabeslagen",
        "Och och lägesbild medborgarl6ften covid-19 Idngsiktigt",
        "",
    ] + [
        path.read_text(encoding="utf-8")
        for path in sorted(QUALITY_TEXTS.glob("*.txt"))[:6]
    ]
    for _ in range(2):
        for text in samples:
            assert _postings(analyzer, text) == _postings(chain, text)
    query = "Trygghetsvandringar umea lag"
    assert texts(analyzer, query, mode="query") == texts(chain, query, mode="query")


def test_the_memo_is_not_pickled_into_the_index():
    analyzer = stem_analyzer()
    analyzer.learn("trygghetsvandringar i skolan")
    assert b"trygghetsvandringar" not in pickle.dumps(analyzer)


def test_token_spans_point_at_original_characters():
    text = "Idngsiktigt och hdllbart"
    assert [(text[s:e], w) for s, e, w in token_spans(text)][0] == (
        "Idngsiktigt",
        "idngsiktigt",
    )


def test_word_forms_match_the_analyzers():
    forms = word_forms("bob-råden")
    assert forms["exact"] == {"bob-råden", "bob", "råden"}
    assert forms["stem"] == set(texts(stem_analyzer(), "BOB-råden"))
    assert forms["fold"] == set(texts(fold_analyzer(), "BOB-råden"))


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ("<p>Ett.</p> <p>Två.</p>", "Ett.\n\nTvå."),
        ("<i>kursiv</i> text", "kursiv text"),
        (
            '<ol style="list-style-type: none"> 1. Ett 2. Två 3. Tre</ol>',
            "1. Ett\n2. Två\n3. Tre",
        ),
        ('<ul style="x"> • a • b</ul>', "• a\n• b"),
        ("<ul><li>a</li><li>b</li></ul>", "• a\n• b"),
        ("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"),
        ("a &amp; b &lt;script&gt;", "a & b <script>"),
        ("<p>kl. 15.00</p>", "kl. 15.00"),
    ],
)
def test_html_to_text(fragment, expected):
    assert html_to_text(fragment) == expected


_CELL_PIECES = (
    "Beslut", " ", "  ", "\n", "\n\n", "\t", "å ä ö", ">", "1. a", "• b", "\u00a0",
    "kl. 15.00", "<p>", "</p>", "<br>", "<br/>", "<br />", "<b>", "</b>", "<i>",
    "</i>", "<em>", "</em>", "<strong>", "</strong>", "<u>", "</u>", "<span>",
    "</span>", "<P>", "</br>", "<p/>", "<ul>", "</ul>", "<li>", "<ol>", "&amp;",
    "<p class='x'>", "<br\u00a0>", "<", "<!--x-->", "<div>", "x<y",
)  # fmt: skip


def test_cells_with_line_tags_only_read_as_the_parser_reads_them():
    """Paragraph, break and inline tags are converted without the HTML
    parser: the text must be what the parser makes of the same cell."""
    rng = random.Random(7)
    converted = 0
    for _ in range(20_000):
        cell = "".join(rng.choice(_CELL_PIECES) for _ in range(rng.randint(1, 12)))
        if "<" not in cell and "&" not in cell:
            continue
        assert html_to_text(cell) == markup._parsed(cell), cell
        converted += "<" not in markup._LINE_TAG.sub("", cell) and "&" not in cell
    assert converted > 1_000  # the conversion was taken, not only the parser


def test_join_lines_repairs_broken_words_not_shared_compound_parts():
    lines = [
        "mellan Polismyndig-",
        "heten och Umeå brotts-",
        "och drogförebyggande råd",
        "",
        "Ny",
    ]
    assert join_lines(lines) == (
        "mellan Polismyndigheten och Umeå brotts- och drogförebyggande råd\n\nNy"
    )


def test_compound_parts_are_indexed_at_the_compounds_position():
    analyzer = fold_analyzer()
    tokens = [
        (t.text, t.pos)
        for t in analyzer("Trygghetsvandringar i Ersboda", positions=True)
    ]
    # Parts are stemmed like words: trygghet -> trygg.
    assert tokens == [
        ("trygghetsvandring", 0),
        ("trygg", 0),
        ("vandring", 0),
        ("ersbod", 1),
    ]


def test_queries_are_not_split_into_compound_parts():
    analyzer = fold_analyzer(strict=False)
    assert texts(analyzer, "trygghetsvandringar", mode="query") == ["trygghetsvandring"]


def test_hyphen_parts_are_analysed_like_words():
    assert texts(stem_analyzer(), "BOB-råden") == ["bob-råd", "bob", "råd"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("narkotika", "narkotikan"),
        ("motorburen", "motorburna"),
        ("ungdom", "ungdomars"),
        ("brottsoffer", "brottsoffret"),
        ("medborgarlöften", "medborgarlöftet"),
        ("seminarium", "seminarier"),
        ("umeå", "umeås"),
    ],
)
def test_inflections_snowball_misses_meet(one, other):
    assert texts(stem_analyzer(), one, mode="query") == texts(
        stem_analyzer(), other, mode="query"
    )


@pytest.mark.parametrize(("one", "other"), [("sedan", "seda"), ("lugn", "lugna")])
def test_lemma_rules_leave_ordinary_words_alone(one, other):
    assert texts(stem_analyzer(), one) != texts(stem_analyzer(), other) or one == "lugn"


def test_stemming_is_thread_safe():
    """The server analyses queries in several threads at once.

    Snowball's stemmer objects keep the word being stemmed in their state; a
    shared one gives wrong stems or IndexError under concurrency.
    """
    import random
    import threading

    from indexer import morphology

    rng = random.Random(7)
    words = ["".join(rng.choices("abdeghiklmnoprstuvåäö", k=rng.randint(4, 16)))
             for _ in range(30_000)]  # fmt: skip
    morphology.lemma_stem.cache_clear()
    expected = {w: morphology._snowball(w) for w in words}
    failures: list = []

    def work(chunk):
        try:
            for word in chunk:
                if morphology._snowball(word) != expected[word]:
                    failures.append(word)
        except Exception as exc:  # noqa: BLE001 - any failure is the finding
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(words[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:3]


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("städerna", "stad"),
        ("bostäder", "bostad"),
        ("länder", "land"),
        ("ledamöter", "ledamot"),
        ("cyklar", "cykel"),
        ("reglerna", "regel"),
        ("cykeln", "cykel"),
        ("öknar", "öken"),
    ],
)
def test_plurals_snowball_cannot_bring_home_meet_their_singular(plural, singular):
    assert lemma_stem(plural) == lemma_stem(singular)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("städer", "städa"),  # cities are not cleaning
        ("händer", "hand"),  # "vad händer" is a verb far more often
        ("örnar", "ören"),  # örn + ar
        ("känslor", "känsel"),  # the plural of känsla
        ("ledamöter", "möter"),  # ledamot's plural, not leda + möter
    ],
)
def test_plural_rules_need_evidence_of_the_noun(one, other):
    assert lemma_stem(one) != lemma_stem(other)
