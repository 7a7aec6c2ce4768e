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
    HEADER_ROW,
    damage_text,
    file_seed,
    seed_minutes,
    write_damaged_corpus,
)
from tests.quality.evaluate import (
    CATEGORIES,
    CORPUS_DIR,
    METRICS,
    NOTHING,
    evaluate,
    load_judged,
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
    return {p.name: segment(read_document(p, corpus)) for p in corpus.glob("*.txt")}


def _fold(title: str) -> str:
    """Titles compared without case, diacritics or punctuation."""
    folded = title.casefold().translate(str.maketrans("åäöé", "aaoe"))
    return "".join(ch for ch in folded if ch.isalnum())


def test_judged_set_covers_every_category() -> None:
    judged = load_judged()
    assert len(judged) >= 60
    counts = {c: sum(e["category"] == c for e in judged) for c in CATEGORIES}
    assert all(n >= 5 for n in counts.values()), counts


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
        m: (figures["overall"][m], floor)
        for m, floor in FLOORS["overall"].items()
        if figures["overall"][m] < floor
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


def test_nothing_queries_find_nothing(figures: dict[str, Any]) -> None:
    found = {q: total for q, total in figures["nothing"].items() if total}
    assert not found, f"queries that must find nothing returned hits: {found}"
