"""Slips in metadata.toml and synonyms.txt cost only the entry, never the run."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest

from indexer import build_index
from indexer.config import check_synonyms
from search_app import create_app
from search_app.synonyms import MAX_GROUPS, expand_synonyms, load_synonyms

HEADER = "Ärende:\tOmfattning/notering:\tFöredragande:\n"


def minutes(date: str, title: str, text: str) -> str:
    return (
        f"{date}\n\nKlockan 15.00\n\nKallade:\n\nAnna Svensson\n\n{HEADER}"
        f"{title}\t{text}\tAnna Svensson\n\nNoterat av:\n\nAnna Svensson\n"
    )


METADATA = """[defaults]
minutes_title = "Möte {date:>100000000}"

["a.txt"]
date = 2022-11-15

["b.txt"]
title = "Möte {0}"
type = "protokoll"

["c.txt"]
title = "Samverkansmöte"
"""
SYNONYMS = b"knark, narkotika\nbrott, kriminalitet\xff\xfe\nklotter, graffiti\n"


@pytest.fixture(scope="module")
def configured(tmp_path_factory):
    root = tmp_path_factory.mktemp("config")
    corpus = root / "korpus"
    corpus.mkdir()
    texts = {
        "a.txt": minutes("2022-10-04", "Knark", "Narkotikan i skolan ökar."),
        "b.txt": minutes("2022-10-05", "Klotter", "Graffiti på viadukten."),
        "c.txt": minutes("2022-10-06", "Brott", "Kriminalitet i centrum."),
    }
    for name, text in texts.items():
        (corpus / name).write_text(text, encoding="utf-8")
    (corpus / "metadata.toml").write_text(METADATA, encoding="utf-8")
    (corpus / "synonyms.txt").write_bytes(SYNONYMS)
    summary = build_index(corpus, root / "index")
    client = create_app({"INDEX_DIR": str(root / "index")}).test_client()
    return summary, client


def documents(client) -> dict[str, dict]:
    listed = client.get("/api/documents").get_json()["documents"]
    return {d["source"]: d for d in listed}


def test_every_file_is_indexed_despite_the_bad_entries(configured):
    summary, client = configured
    assert sorted(summary.indexed) == ["a.txt", "b.txt", "c.txt"]
    assert set(documents(client)) == {"a.txt", "b.txt", "c.txt"}


def test_each_bad_entry_is_named_with_its_line_and_reason(configured):
    problems = dict(configured[0].rejected)
    assert "may only name {date}" in problems["metadata.toml line 1"]
    assert "[b.txt]" in problems["metadata.toml line 7"]
    assert "not UTF-8" in problems["synonyms.txt line 2"]
    assert len(problems) == 3, problems


def test_an_unquoted_date_is_taken_as_the_date(configured):
    assert documents(configured[1])["a.txt"]["date"] == "2022-11-15"


def test_a_rejected_title_format_leaves_a_short_default_title(configured):
    docs = documents(configured[1])
    assert docs["c.txt"]["title"] == "Samverkansmöte"
    assert all(len(d["title"]) < 100 for d in docs.values())


def test_the_good_synonym_lines_still_apply(configured):
    client = configured[1]
    response = client.get("/api/search?" + urlencode({"q": "graffiti"}))
    assert {h["source"] for h in response.get_json()["hits"]} == {"b.txt"}
    response = client.get("/api/search?" + urlencode({"q": "knark"}))
    assert {h["source"] for h in response.get_json()["hits"]} == {"a.txt"}


def test_check_synonyms_keeps_good_lines_and_names_bad_ones():
    text, problems = check_synonyms(b"a, b\n\xff\nc, " + b"x" * 100 + b"\n")
    assert text == "a, b\n"
    assert [where for where, _ in problems] == [
        "synonyms.txt line 2",
        "synonyms.txt line 3",
    ]


def test_fifty_thousand_synonym_groups_keep_a_query_fast():
    text = "\n".join(f"ord{n}, term{n}, uttryck {n}" for n in range(50_000))
    groups = load_synonyms(text)
    assert len(groups) == MAX_GROUPS
    started = time.monotonic()
    for _ in range(10):
        query = expand_synonyms("ord5 narkotika i skolan ord7 " * 20, groups)
    assert (time.monotonic() - started) / 10 < 0.2
    assert query.count(" OR ") <= 30
