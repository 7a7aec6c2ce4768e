"""Measure search quality against the judged queries, so regressions show as numbers.

Builds a throw-away index from ``corpus/`` plus OCR-damaged copies of the seed
minutes (see :mod:`tests.quality.damage`), runs every query of ``judged.json``
through :class:`search_app.search.SearchService` and reports recall@10, MRR and
nDCG@10, overall and per category, whether each ``nothing`` query found nothing,
and the queries that missed relevant items in the top ten.

A hit is relevant when ``(hit["source"], hit["item_number"])`` is in the query's
judged set. Definitions (binary relevance, cut-off ``K`` = 10):

* recall@10: relevant items in the top ten / min(number relevant, 10), so a
  query with more than ten relevant items can still score 1.0;
* MRR: 1 / rank of the first relevant hit in the top ten, 0 if there is none;
* nDCG@10: DCG of the top ten (gain 1 / log2(rank + 1)) over the ideal DCG.

The overall figures average over all queries except the ``nothing`` ones, which
are scored by whether they return zero hits.

Precision is measured by the marks a reader sees. For every hit on the first
page, the item is opened on its document page (as a reader following the link
would) and its marked words are read; a *false mark* is

* a marked word listed in the query's ``never_mark`` (words that are not a
  form of any query word: *möte* must never mark *motorburen*), counted on
  clean items only, since in OCR'd text a folded match may be the word itself;
* for a quoted phrase, a marked word that is not part of a marked run as long
  as the phrase (its words marked outside the phrase).

Usage: ``python -m tests.quality.evaluate [--json OUT] [--keep DIR]`` from the
repository root (or ``python tests/quality/evaluate.py``).
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
import tempfile
from collections import defaultdict
from html import unescape
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO_ROOT / "corpus"
JUDGED_PATH = Path(__file__).resolve().parent / "judged.json"
K = 10
NOTHING = "nothing"
METRICS = ("recall@10", "mrr", "ndcg@10")
CATEGORIES = (
    "topic",
    "precision",
    "person",
    "decision",
    "phrase",
    "inflection",
    "compound",
    "no_diacritics",
    "ocr",
    NOTHING,
)


def _ensure_importable() -> None:
    """Let ``python tests/quality/evaluate.py`` import the repo's packages too."""
    root = str(REPO_ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)


def load_judged(path: Path = JUDGED_PATH) -> list[dict[str, Any]]:
    """The judged queries, checked for the fields the evaluation relies on."""
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    for entry in entries:
        if entry["category"] not in CATEGORIES:
            raise ValueError(f"unknown category {entry['category']!r}: {entry['q']!r}")
        if (entry["category"] == NOTHING) != (not entry["relevant"]):
            raise ValueError(f"only 'nothing' queries have no relevant items: {entry}")
        never = entry.get("never_mark", [])
        if not isinstance(never, list) or not all(isinstance(w, str) for w in never):
            raise ValueError(f"never_mark must be a list of words: {entry['q']!r}")
    return entries


def prepare_corpus(work_dir: Path, corpus_dir: Path = CORPUS_DIR) -> Path:
    """Copy the corpus and add the damaged copies; returns the new corpus dir."""
    _ensure_importable()
    from tests.quality.damage import write_damaged_corpus, write_evaluation_corpus

    target = Path(work_dir) / "corpus"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(corpus_dir, target)
    write_damaged_corpus(corpus_dir, target)
    write_evaluation_corpus(corpus_dir, target)
    return target


def build_eval_index(work_dir: Path, corpus_dir: Path = CORPUS_DIR) -> Path:
    """Build the evaluation index under ``work_dir``; returns the index dir."""
    _ensure_importable()
    from indexer import build_index

    corpus = prepare_corpus(work_dir, corpus_dir)
    index_dir = Path(work_dir) / "index"
    build_index(corpus, index_dir, rebuild=True)
    return index_dir


def _dcg(flags: list[bool]) -> float:
    """Discounted cumulative gain of binary relevance flags, best rank first."""
    return sum(1.0 / math.log2(rank + 1) for rank, hit in enumerate(flags, 1) if hit)


def score_query(ranked: list[tuple[str, int]], relevant: set[tuple[str, int]]) -> dict:
    """recall@10, MRR and nDCG@10 of one ranked list against its judged set."""
    top: list[tuple[str, int]] = []
    for key in ranked:  # an item listed twice counts once
        if key not in top:
            top.append(key)
    top = top[:K]
    flags = [key in relevant for key in top]
    first = next((rank for rank, hit in enumerate(flags, 1) if hit), None)
    ideal = _dcg([True] * min(len(relevant), K))
    return {
        "recall@10": sum(flags) / min(len(relevant), K),
        "mrr": 1.0 / first if first else 0.0,
        "ndcg@10": _dcg(flags) / ideal if ideal else 0.0,
        "first_relevant_rank": first,
    }


def _mean(values: list[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0


def _is_damaged_copy(source: str) -> bool:
    """Whether a source is one of the damaged copies written by damage.py."""
    return Path(source).name.startswith("ocr_")


_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_PHRASE = re.compile(r'^"([^"]+)"$')
_WORDS = re.compile(r"\w+")


def _stop_words() -> frozenset[str]:
    from whoosh.lang.stopwords import stoplists

    return frozenset(stoplists["sv"])


def _only_stop_words(text: str) -> bool:
    return all(w.lower() in _stop_words() for w in _WORDS.findall(text))


def marked_runs(html: str) -> list[list[str]]:
    """The marked words of an HTML fragment, grouped in runs of adjacent marks.

    Marks separated only by spaces, punctuation or stop words (which are not
    searched, hence never marked) belong to one run, so the words of a phrase
    marked where it occurs form one run.
    """
    runs: list[list[str]] = []
    last_end = None
    for match in _MARK.finditer(html):
        word = unescape(match.group(1))
        between = unescape(html[last_end : match.start()]) if last_end else ""
        if runs and _only_stop_words(between):
            runs[-1].append(word)
        else:
            runs.append([word])
        last_end = match.end()
    return runs


def false_marks(entry: dict[str, Any], item: dict[str, Any], clean: bool) -> list[str]:
    """The marks on one item (document page) a reader would not accept."""
    html = [item["item_title_html"], *item["paragraphs_html"]]
    runs = [run for fragment in html for run in marked_runs(fragment)]
    never = {w.casefold() for w in entry.get("never_mark", [])}
    wrong = []
    if clean:
        wrong += [w for run in runs for w in run if w.casefold() in never]
    phrase = _PHRASE.match(entry["q"].strip())
    if phrase:
        words = _WORDS.findall(phrase.group(1))
        length = sum(w.lower() not in _stop_words() for w in words) or len(words)
        wrong += [w for run in runs if len(run) < length for w in run]
    return wrong


def _hit_false_marks(service, entry: dict[str, Any], hit: dict[str, Any]) -> list[str]:
    from search_app.highlight import marked_item

    doc = service.document(hit["doc_id"], entry["q"])
    if doc is None:
        return []
    item = next(
        (i for i in doc["items"] if i["item_number"] == hit["item_number"]), None
    )
    if item is None:
        return []
    clean = not _is_damaged_copy(hit["source"]) and not hit.get("ocr")
    return false_marks(entry, marked_item(item), clean)


def run_judged(index_dir: Path, judged: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run every judged query; per query its hits, scores and missed items."""
    _ensure_importable()
    from search_app.search import SearchParams, SearchService

    service = SearchService(index_dir)
    results = []
    for entry in judged:
        response = service.search(SearchParams(q=entry["q"], per_page=K))
        hits = response["hits"]
        wrong = {
            f"{hit['source']}#{hit['item_number']}": marks
            for hit in hits
            if (marks := _hit_false_marks(service, entry, hit))
        }
        ranked = [(hit["source"], int(hit["item_number"])) for hit in hits]
        titles = {
            key: hit.get("item_title", "")
            for key, hit in zip(ranked, hits, strict=True)
        }
        result: dict[str, Any] = {
            "q": entry["q"],
            "category": entry["category"],
            "total": int(response["total"]),
            "top": [
                {"source": s, "item_number": n, "item_title": titles[(s, n)]}
                for s, n in ranked
            ],
            "false_marks": sum(len(m) for m in wrong.values()),
            "false_marked": wrong,
        }
        if entry["category"] != NOTHING:
            relevant = {(r["source"], int(r["item_number"])) for r in entry["relevant"]}
            result.update(score_query(ranked, relevant))
            found = set(ranked[:K])
            result["missed"] = [
                r
                for r in entry["relevant"]
                if (r["source"], r["item_number"]) not in found
            ]
            for label, keep in (("clean", False), ("ocr_copies", True)):
                part = {key for key in relevant if _is_damaged_copy(key[0]) == keep}
                if part:
                    got = len(part & found) / min(len(part), K)
                    result[f"recall@10_{label}"] = min(got, 1.0)
        results.append(result)
    return results


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Overall and per-category figures, the nothing checks and the failures."""
    by_cat: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for result in results:
        by_cat[result["category"]].append(result)
    scored = [r for r in results if r["category"] != NOTHING]
    overall: dict[str, Any] = {m: _mean([r[m] for r in scored]) for m in METRICS}
    overall["queries"] = len(scored)
    overall["false_marks"] = sum(r["false_marks"] for r in results)
    for label in ("clean", "ocr_copies"):
        values = [r[f"recall@10_{label}"] for r in scored if f"recall@10_{label}" in r]
        overall[f"recall@10_{label}"] = _mean(values)
    categories: dict[str, dict[str, Any]] = {}
    for cat in CATEGORIES:
        rows = by_cat.get(cat, [])
        if not rows:
            continue
        if cat == NOTHING:
            zero = [1.0 if r["total"] == 0 else 0.0 for r in rows]
            categories[cat] = {"zero_hits": _mean(zero), "queries": len(rows)}
        else:
            categories[cat] = {m: _mean([r[m] for r in rows]) for m in METRICS}
            categories[cat]["queries"] = len(rows)
            categories[cat]["false_marks"] = sum(r["false_marks"] for r in rows)
    nothing = {r["q"]: r["total"] for r in by_cat.get(NOTHING, [])}
    failed = [
        {
            "q": r["q"],
            "category": r["category"],
            "recall@10": round(r["recall@10"], 4),
            "first_relevant_rank": r["first_relevant_rank"],
            "missed": r["missed"],
            "top": r["top"][:3],
        }
        for r in scored
        if r["missed"] and r["recall@10"] < 1.0
    ]
    marked = [
        {"q": r["q"], "category": r["category"], "marks": r["false_marked"]}
        for r in results
        if r["false_marks"]
    ]
    return {
        "overall": overall,
        "categories": categories,
        "nothing": nothing,
        "failed": failed,
        "false_marked": marked,
        "queries": results,
    }


def evaluate(
    work_dir: Path | None = None,
    judged_path: Path = JUDGED_PATH,
    corpus_dir: Path = CORPUS_DIR,
    verbose: bool = True,
) -> dict[str, Any]:
    """Build the index, run the judged queries and return (and print) the figures."""
    judged = load_judged(judged_path)
    if work_dir is None:
        with tempfile.TemporaryDirectory(prefix="umebra-quality-") as tmp:
            figures = summarise(
                run_judged(build_eval_index(Path(tmp), corpus_dir), judged)
            )
    else:
        index_dir = build_eval_index(Path(work_dir), corpus_dir)
        figures = summarise(run_judged(index_dir, judged))
    if verbose:
        print(format_report(figures))
    return figures


def _fmt_item(item: dict[str, Any]) -> str:
    return f"{item['source']}#{item['item_number']} {item.get('item_title', '')!r}"


def format_report(figures: dict[str, Any]) -> str:
    """The figures as a plain-text report for the terminal."""
    lines = [
        f"{'category':<15}{'n':>4}  {'recall@10':>9}  {'MRR':>6}  {'nDCG@10':>7}"
        f"  {'false marks':>11}"
    ]
    rows = [("overall", figures["overall"])] + list(figures["categories"].items())
    for name, row in rows:
        if name == NOTHING:
            lines.append(
                f"{name:<15}{row['queries']:>4}  zero hits for {row['zero_hits']:.0%}"
            )
            continue
        lines.append(
            f"{name:<15}{row['queries']:>4}  {row['recall@10']:>9.3f}  "
            f"{row['mrr']:>6.3f}  {row['ndcg@10']:>7.3f}  {row['false_marks']:>11}"
        )
    overall = figures["overall"]
    lines.append(
        f"recall@10 on clean sources {overall['recall@10_clean']:.3f}, "
        f"on damaged copies {overall['recall@10_ocr_copies']:.3f}"
    )
    lines.append("")
    lines.append("nothing queries (must return 0 hits):")
    for q, total in figures["nothing"].items():
        verdict = "ok" if total == 0 else "FAIL"
        lines.append(f"  {verdict:<4} {q!r}: {total} hits")
    lines.append("")
    lines.append(f"queries with false marks ({len(figures['false_marked'])}):")
    for entry in figures["false_marked"]:
        lines.append(f"  [{entry['category']}] {entry['q']!r}")
        for where, words in entry["marks"].items():
            lines.append(f"      {where}: {', '.join(words)}")
    lines.append("")
    lines.append(f"failed queries ({len(figures['failed'])}):")
    for fail in figures["failed"]:
        lines.append(
            f"  [{fail['category']}] {fail['q']!r}: recall@10 {fail['recall@10']:.2f}, "
            f"first relevant at {fail['first_relevant_rank']}"
        )
        for item in fail["missed"]:
            lines.append(f"      missed {_fmt_item(item)}")
        for n, item in enumerate(fail["top"], 1):
            lines.append(f"      top{n}   {_fmt_item(item)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the report, optionally write the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument(
        "--keep", type=Path, help="build corpus and index in this dir and keep them"
    )
    args = parser.parse_args(argv)
    figures = evaluate(work_dir=args.keep)
    if args.json:
        args.json.write_text(
            json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
