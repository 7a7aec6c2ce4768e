"""Search quality must not regress: judged queries scored against floor levels.

The evaluation (``tests/quality/evaluate.py``) runs once per module; the floors
in ``tests/quality/floors.json`` are what the system reached when they were last
set, rounded down slightly. Raise them when the search gets better.
"""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.quality.damage import (
    COPIES,
    HEADER_ROW,
    LEVELS,
    TEXTS_DIR,
    damage_text,
    file_seed,
    level_name,
    seed_minutes,
    write_damaged_corpus,
    write_evaluation_corpus,
)
from tests.quality.evaluate import (
    CATEGORIES,
    CORPUS_DIR,
    METRICS,
    NOTHING,
    evaluate,
    false_marks,
    load_judged,
    marked_runs,
)

FLOORS_PATH = Path(__file__).resolve().parent / "quality" / "floors.json"
FLOORS: dict[str, Any] = json.loads(FLOORS_PATH.read_text(encoding="utf-8"))
SCORED = [c for c in CATEGORIES if c != NOTHING]


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One evaluation run shared by the floor checks (building the index is slow)."""
    return evaluate(work_dir=tmp_path_factory.mktemp("quality"), verbose=False)


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every corpus file and damaged copy, segmented, by source name."""
    from indexer.ingest import read_document
    from indexer.segment import segment

    corpus = tmp_path_factory.mktemp("segmented") / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    write_damaged_corpus(CORPUS_DIR, corpus)
    write_evaluation_corpus(CORPUS_DIR, corpus)
    return {
        p.name: segment(read_document(p, corpus))
        for p in corpus.glob("*.txt")
        if p.name != "synonyms.txt"
    }


def _fold(title: str) -> str:
    """Titles compared without case, diacritics or punctuation."""
    folded = title.casefold().translate(str.maketrans("åäöé", "aaoe"))
    return "".join(ch for ch in folded if ch.isalnum())


def test_judged_set_covers_every_category() -> None:
    judged = load_judged()
    assert len(judged) >= 250
    assert len({e["q"] for e in judged}) == len(judged)  # no query judged twice
    counts = {c: sum(e["category"] == c for e in judged) for c in CATEGORIES}
    assert all(n >= 5 for n in counts.values()), counts
    probes = [e for e in judged if e.get("never_mark")]
    assert len(probes) >= 20


def test_judged_set_covers_every_damage_level() -> None:
    judged = load_judged()
    sources = {r["source"] for e in judged for r in e["relevant"]}
    for level in LEVELS:
        prefix = level_name("", level)
        written = [n for n in sources if n.startswith(prefix)]
        assert written, f"no judged item in a copy damaged at level {level!r}"


@pytest.mark.parametrize(
    ("html", "runs"),
    [
        ("<mark>a</mark> <mark>b</mark>", [["a", "b"]]),
        ("<mark>lokal</mark> x <mark>lägesbild</mark>", [["lokal"], ["lägesbild"]]),
        ("<mark>våld</mark> i <mark>nära</mark>", [["våld", "nära"]]),
        ("<mark>a&amp;b</mark>.", [["a&b"]]),
        ("no marks", []),
    ],
)
def test_marked_runs(html: str, runs: list[list[str]]) -> None:
    assert marked_runs(html) == runs


def test_false_marks_counts_probe_words_and_stray_phrase_words() -> None:
    item = {
        "item_title_html": "Lokal lägesbild",
        "paragraphs_html": [
            "En <mark>lokal</mark> <mark>lägesbild</mark> tas fram. Den visar "
            "<mark>lokalsamhällets</mark> behov; <mark>lägesbilden</mark> visar"
        ],
    }
    phrase = {"q": '"lokal lägesbild"', "never_mark": ["lokalsamhällets"]}
    assert false_marks(phrase, item, clean=True) == [
        "lokalsamhällets",
        "lokalsamhällets",
        "lägesbilden",
    ]
    # In OCR'd text a folded match may be the word itself: phrases only.
    assert false_marks(phrase, item, clean=False) == ["lokalsamhällets", "lägesbilden"]
    words = {"q": "lokal lägesbild", "never_mark": ["lokalsamhällets"]}
    assert false_marks(words, item, clean=True) == ["lokalsamhällets"]


def test_judged_items_match_the_segmentation(segmented: dict[str, Any]) -> None:
    """A judged item must still be the item the segmenter numbers so.

    Titles are compared loosely (OCR repairs may change a few letters); a
    renumbering after a segmentation change makes them differ and fails here,
    with the list of entries to update in judged.json.
    """
    wrong = []
    for entry in load_judged():
        for ref in entry["relevant"]:
            doc = segmented.get(ref["source"])
            n = ref["item_number"]
            if doc is None or not 1 <= n <= len(doc.items):
                wrong.append(f"{entry['q']!r}: no item {ref['source']}#{n}")
                continue
            actual = doc.items[n - 1].title
            ratio = difflib.SequenceMatcher(
                None, _fold(ref["item_title"]), _fold(actual)
            ).ratio()
            if ratio < 0.75:
                wrong.append(
                    f"{entry['q']!r}: {ref['source']}#{n} is now {actual!r}, "
                    f"judged as {ref['item_title']!r}"
                )
    assert not wrong, "\n".join(wrong)


def _copies() -> list[tuple[Path, str]]:
    """Every (source file, damage level) the evaluation corpus holds a copy of."""
    texts = sorted(TEXTS_DIR.glob("*.txt"))
    pairs = [(src, "medium") for src in seed_minutes(CORPUS_DIR)]
    for src in seed_minutes(CORPUS_DIR) + texts:
        pairs += [(src, level) for level in COPIES.get(src.name[:3], ())]
    return pairs


def test_damage_levels_damage_as_much_as_they_say() -> None:
    rates: dict[str, list[float]] = {level: [] for level in LEVELS}
    for src, level in _copies():
        stats: dict[str, int] = {}
        text = src.read_text(encoding="utf-8")
        damage_text(text, file_seed(src.name), stats, rate=LEVELS[level])
        rates[level].append(stats["damaged"] / stats["words"])
    mean = {level: sum(r) / len(r) for level, r in rates.items()}
    assert 0.04 <= mean["light"] <= 0.10, mean
    assert 0.15 <= mean["medium"] <= 0.25, mean
    assert mean["heavy"] >= 0.27, mean


@pytest.mark.parametrize("pair", _copies(), ids=lambda p: f"{p[0].name[:3]}-{p[1]}")
def test_every_damaged_copy_keeps_the_items(
    segmented: dict[str, Any], pair: tuple[Path, str]
) -> None:
    src, level = pair
    original, copy = segmented[src.name], segmented[level_name(src.name, level)]
    assert len(copy.items) == len(original.items)
    titles = difflib.SequenceMatcher(
        None,
        [_fold(i.title)[:6] for i in original.items],
        [_fold(i.title)[:6] for i in copy.items],
    ).ratio()
    assert titles >= 0.5


def test_damaged_copies_keep_the_table_and_the_items(segmented: dict[str, Any]) -> None:
    for src in seed_minutes(CORPUS_DIR):
        text = src.read_text(encoding="utf-8")
        damaged = damage_text(text, file_seed(src.name))
        assert damaged == damage_text(text, file_seed(src.name))  # deterministic
        assert damaged.count("\n") == text.count("\n")
        if any(HEADER_ROW.match(line) for line in text.split("\n")):
            pairs = zip(text.split("\n"), damaged.split("\n"), strict=True)
            for line, new in pairs:
                assert new.count("\t") == line.count("\t")
                if HEADER_ROW.match(line) or "~~" in line:
                    assert line.count("~~") == new.count("~~")
        stats: dict[str, int] = {}
        damage_text(text, file_seed(src.name), stats)
        assert 0.15 <= stats["damaged"] / stats["words"] <= 0.25, stats
        original, copy = segmented[src.name], segmented["ocr_" + src.name]
        assert len(copy.items) == len(original.items)
        assert [len(i.presenters) for i in copy.items] == [
            len(i.presenters) for i in original.items
        ]


def test_overall_figures_at_or_above_floor(figures: dict[str, Any]) -> None:
    below = {
        m: (figures["overall"][m], FLOORS["overall"][m])
        for m in METRICS
        if figures["overall"][m] < FLOORS["overall"][m]
    }
    assert not below, f"overall (figure, floor) below floor: {below}"


@pytest.mark.parametrize("category", SCORED)
def test_category_figures_at_or_above_floor(
    figures: dict[str, Any], category: str
) -> None:
    floors = FLOORS["categories"][category]
    got = figures["categories"][category]
    below = {m: (got[m], floors[m]) for m in METRICS if got[m] < floors[m]}
    failed = [f["q"] for f in figures["failed"] if f["category"] == category]
    assert not below, f"{category} (figure, floor) below floor: {below}; {failed=}"


def test_false_marks_at_or_below_ceiling(figures: dict[str, Any]) -> None:
    """Marks a reader would not accept (see evaluate.false_marks) must not grow."""
    over = {
        name: (row["false_marks"], FLOORS["categories"][name]["false_marks"])
        for name, row in figures["categories"].items()
        if name != NOTHING
        and row["false_marks"] > FLOORS["categories"][name]["false_marks"]
    }
    assert figures["overall"]["false_marks"] <= FLOORS["overall"]["false_marks"]
    marked = [m for m in figures["false_marked"] if m["category"] in over]
    assert not over, f"false marks (count, ceiling) over ceiling: {over}; {marked}"


def test_nothing_queries_find_nothing(figures: dict[str, Any]) -> None:
    found = {q: total for q, total in figures["nothing"].items() if total}
    assert not found, f"queries that must find nothing returned hits: {found}"
