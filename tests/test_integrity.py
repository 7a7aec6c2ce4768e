"""A damaged index is noticed by the next run and rebuilt, not served in part."""

from __future__ import annotations

import pytest

from indexer import build_index, live_generation
from indexer.store import read_manifest

HEADER = "Ärende:\tOmfattning/notering:\tFöredragande:\n"


def minutes(day: int, word: str) -> str:
    return (
        f"2022-10-{day:02d}\n\nKlockan 15.00\n\nKallade:\n\nAnna Svensson\n\n"
        f"{HEADER}Punkt\t{word} diskuterades.\tAnna Svensson\n\n"
        "Noterat av:\n\nAnna Svensson\n"
    )


@pytest.mark.parametrize("how", ["truncated", "garbled", "missing"])
def test_damaged_segment_file_triggers_a_rebuild(tmp_path, how):
    corpus, index = tmp_path / "korpus", tmp_path / "index"
    corpus.mkdir()
    for day, word in enumerate(["Klotter", "Mopeder", "Nattvandring"], 1):
        (corpus / f"m{day}.txt").write_text(minutes(day, word), encoding="utf-8")
    build_index(corpus, index)
    live = live_generation(index)
    sums = read_manifest(live)["checksums"]
    name = max(sums, key=lambda n: sums[n][0])  # the biggest index file
    path = live / name
    data = path.read_bytes()
    if how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbled":
        path.write_bytes(data[:10] + bytes(b ^ 0xFF for b in data[10:20]) + data[20:])
    else:
        path.unlink()

    summary = build_index(corpus, index)
    assert summary.rebuilt
    assert any("index damaged" in w and name in w for _, w in summary.warnings)
    assert live_generation(index) != live
    assert summary.items == 3
    again = build_index(corpus, index)
    assert not again.changed and not again.warnings
