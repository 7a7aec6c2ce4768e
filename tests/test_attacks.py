"""Files made to stop, hang or exhaust the indexer: each costs at most its budget.

Every file is generated here (PDFs are written object by object). One indexer
run over all of them, next to good files, with a small per-file budget, must
finish, name each bad file with its reason, keep its own memory low and leave
every good file searchable.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import unicodedata
import zlib
from pathlib import Path
from urllib.parse import urlencode

import pytest

from indexer.ingest.normalize import _INVISIBLE, normalize_text
from indexer.model import RawDocument
from indexer.segment import segment
from search_app import create_app

ROOT = Path(__file__).resolve().parent.parent
HEADER = "Ärende:\tOmfattning/notering:\tFöredragande:\n"
SECONDS, MEMORY_MB = 8, 600  # the budget the run gets per file
ENV = {
    **os.environ,
    "PYTHONIOENCODING": "utf-8",
    "UMEBRA_FILE_SECONDS": str(SECONDS),
    "UMEBRA_FILE_MEMORY_MB": str(MEMORY_MB),
}


def minutes(title: str, cell: str, kallade: str = "Anna Svensson", rows: str = ""):
    return (
        f"2022-10-04\n\nKlockan 15.00\n\nKallade:\n\n{kallade}\n\n{HEADER}"
        f"{title}\t{cell}\tAnna Svensson\n{rows}\nNoterat av:\n\nAnna Svensson\n"
    )


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF of the given objects (1 is the catalog), with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def page_pdf(content: bytes, length: bytes | None = None, resources=b"<< >>"):
    """One page whose content stream is ``content`` (Flate-compressed)."""
    data = zlib.compress(content, 9)
    length = length or b"%d" % len(data)
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources " + resources + b" >>",
        b"<< /Length " + length + b" /Filter /FlateDecode >>\nstream\n" + data
        + b"\nendstream",
        b"6 0 R",
        b"5 0 R",
    ])  # fmt: skip


def bomb(megabytes: int, pattern: bytes = b"\0") -> bytes:
    """A content stream of ``pattern`` repeated: about a thousandth of its size
    compressed."""
    packer = zlib.compressobj(9)
    block = pattern * (2**20 // len(pattern))
    data = b"".join(packer.compress(block) for _ in range(megabytes))
    data += packer.flush()
    return raw_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data
        + b"\nendstream",
    ])  # fmt: skip


GOOD = {
    "bra möte.txt": minutes("Nattvandring", "Nattvandrarna i centrum rapporterar."),
    "stray markup.txt": minutes("Klotter", "<p>Klottersanering <![ trasig</p>"),
    "many p.txt": minutes("Belysning", "Gatubelysning " + "<p " * 32_000),
    "list spaces.txt": minutes(
        "Skolan", "<ul><li>Skolgården" + " " * 100_000 + "• rastvakter</li></ul>"
    ),
    "parens.txt": minutes("Parkering", "Parkeringsregler", kallade="(" * 50_000),
    "invisible.txt": minutes(
        "Trygghet", "Tryg\u200dghet och fri\u202eti\u00adden\u2060"
    ),
    "long token.txt": minutes(
        "Ocr", "trygghetsvandring polisen foreningar " * 60 + "vandring" * 400
    ),
}
BAD = {  # name -> (content, words one of which the reason holds)
    "no items.txt": (
        "2022-10-04\n\nKallade:\n\nAnna Svensson\n\nNoterat av:\n\nAnna\n\n" + HEADER,
        ("no agenda items",),
    ),
    "length loop.pdf": (page_pdf(b"q Q", length=b"4 0 R"), ("damaged", "time limit")),
    "resource loop.pdf": (
        page_pdf(b"BT /F1 12 Tf (hej) Tj ET", resources=b"5 0 R"),
        ("damaged", "time limit"),
    ),
    # 40 MB of operators: stopped by the cap on operators per page (or, on a
    # very busy machine, the time budget first).
    "q Q.pdf": (page_pdf(b"q Q\n" * 10_000_000), ("operators", "time limit")),
    # Inflating stops at the cap on a stream's size, long before the memory
    # or time budget.
    "bomb.pdf": (bomb(MEMORY_MB + 200), ("inflates",)),
    "q Q 200 MB.pdf": (bomb(200, b"q Q\n"), ("inflates",)),
    "one line.txt": (minutes("Lång", "ord " * 5_300_000), ("too much text",)),
}
BAD_NAME = b"m\xf6te latin1.txt"  # not UTF-8: indexed under an escaped name


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    root = tmp_path_factory.mktemp("attacks")
    corpus = root / "korpus"
    corpus.mkdir()
    for name, text in GOOD.items():
        (corpus / name).write_text(text, encoding="utf-8")
    for name, (content, _) in BAD.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (corpus / name).write_bytes(data)
    text = minutes("Mopeder", "Mopedbuskörning vid Ålidhem.").encode("utf-8")
    with open(os.fsencode(corpus) + b"/" + BAD_NAME, "wb") as fh:
        fh.write(text)
    out_file, err_file = root / "out.txt", root / "err.txt"
    started = time.monotonic()
    with out_file.open("w") as stdout, err_file.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "indexer", "--corpus", str(corpus),
             "--index", str(root / "index")],
            cwd=ROOT, env=ENV, stdout=stdout, stderr=stderr,
        )  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)  # the worker's peak is included
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    err = err_file.read_text("utf-8")
    print(f"attacks: {seconds:.1f} s, peak RSS {usage.ru_maxrss // 1024} MB")
    return {
        "code": os.waitstatus_to_exitcode(status),
        "out": out_file.read_text("utf-8"),
        "err": err,
        "rejected": dict(re.findall(r"^rejected: (.+?): (.+)$", err, re.MULTILINE)),
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,
        "client": create_app({"INDEX_DIR": str(root / "index")}).test_client(),
    }


def search(client, q: str) -> list[str]:
    response = client.get("/api/search?" + urlencode({"q": q, "per_page": 100}))
    assert response.status_code == 200
    return [hit["source"] for hit in response.get_json()["hits"]]


def test_the_run_completes_and_names_exactly_the_bad_files(attacked):
    assert attacked["code"] == 0, attacked["err"]
    assert "Traceback" not in attacked["err"]
    assert set(attacked["rejected"]) == set(BAD), attacked["err"]
    assert f"{len(GOOD) + 1} files indexed" in attacked["out"]


@pytest.mark.parametrize("name", list(BAD))
def test_each_bad_file_is_rejected_with_its_reason(attacked, name):
    reason = attacked["rejected"][name].lower()
    assert any(word in reason for word in BAD[name][1]), reason


def test_time_and_memory_stay_within_the_budget(attacked):
    # Each bad file costs at most its time budget; the good ones little.
    assert attacked["seconds"] < SECONDS * len(BAD) + 60, attacked["seconds"]
    assert attacked["peak_mb"] < MEMORY_MB + 100, attacked["peak_mb"]


@pytest.mark.parametrize(
    "word, source",
    [
        ("nattvandrarna", "bra möte.txt"),
        ("klottersanering", "stray markup.txt"),
        ("gatubelysning", "many p.txt"),
        ("rastvakter", "list spaces.txt"),
        ("parkeringsregler", "parens.txt"),
        ("trygghet", "invisible.txt"),
        ("fritiden", "invisible.txt"),
        ("trygghetsvandring", "long token.txt"),
        ("mopedbuskörning", "m\\xf6te latin1.txt"),
    ],
)
def test_good_files_next_to_the_attacks_are_searchable(attacked, word, source):
    assert source in search(attacked["client"], word)


def test_no_invisible_character_reaches_the_index(attacked):
    response = attacked["client"].get("/api/documents/" + _doc_id(attacked))
    text = str(response.get_json())
    assert "Trygghet" in text
    assert not any(ch in text for ch in "\u200d\u202e\u00ad\u2060"), text


def _doc_id(attacked) -> str:
    documents = attacked["client"].get("/api/documents").get_json()["documents"]
    return next(d["doc_id"] for d in documents if d["source"] == "invisible.txt")


# --- linear time, in-process ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        minutes("Rader", "start", rows="\tfortsättning utan slut\t\n" * 100_000),
        minutes("Tecken", "<p>" + "<p " * 40_000 + "</p>"),
        minutes("Listor", "<ol><li>a" + "\t" * 200_000 + "</li></ol>"),
        minutes("Kallade", "text", kallade="Anna (" * 40_000),
    ],
    ids=["continuation rows", "p repeated", "whitespace in a list", "parens"],
)
def test_crafted_cells_and_rows_are_segmented_in_linear_time(text):
    started = time.monotonic()
    doc = segment(RawDocument("x.txt", text, "0"), {})
    assert doc.items and time.monotonic() - started < 10


def test_normalisation_drops_every_format_character_unicode_knows():
    missing = [
        hex(cp)
        for cp in range(0x110000)
        if unicodedata.category(chr(cp)) == "Cf" and not _INVISIBLE.match(chr(cp))
    ]
    assert not missing
    assert normalize_text("tryg\u200dghet\x00") == "trygghet"
    assert normalize_text("sida 1\fsida 2\n\tx") == "sida 1\fsida 2\n\tx"


# --- kill -9 ------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        return [int(c) for t in tasks for c in (t / "children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs /proc")
def test_killed_indexer_leaves_no_worker_and_the_next_run_finishes(tmp_path):
    corpus, index = tmp_path / "korpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a slow.pdf").write_bytes(page_pdf(b"q Q\n" * 10_000_000))
    (corpus / "bra.txt").write_text(GOOD["bra möte.txt"], encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "indexer", "--corpus", str(corpus), "--index",
         str(index)],
        cwd=ROOT, env={**ENV, "UMEBRA_FILE_SECONDS": "60"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not (workers := _children(proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert workers, "the indexer started no worker"
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, workers))
    env = {**ENV, "UMEBRA_FILE_SECONDS": "3"}
    done = subprocess.run(
        [sys.executable, "-m", "indexer", "--corpus", str(corpus), "--index",
         str(index), "--no-wait"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 files indexed" in done.stdout and "a slow.pdf" in done.stderr


def test_an_overlong_item_is_split_into_parts_and_loses_no_word():
    """An item over the cap becomes several items; every word stays, in order."""
    from indexer.model import Document, Item
    from indexer.sandbox import MAX_ITEM_CHARS, _cap_items

    lines = [f"Rad {n}: samverkan mot narkotika i centrum." for n in range(12_000)]
    long_text = "\n".join(lines)
    assert len(long_text) > 2 * MAX_ITEM_CHARS
    doc = Document(
        doc_id="d", source="d.txt", sha256="0", doc_type="agreement", title="Avtal",
        date=None,
        items=[Item(1, "Inledning", "Kort."), Item(2, "Bilaga", long_text),
               Item(3, "Slut", "Sista raden nämner kvartersvärdarna.")],
    )  # fmt: skip
    warnings = _cap_items(doc)
    parts = [item for item in doc.items if item.title.startswith("Bilaga (del ")]
    assert len(parts) >= 3 and len(warnings) == 1
    assert all(len(p.text) <= MAX_ITEM_CHARS for p in parts)
    assert "\n".join(p.text for p in parts).split() == long_text.split()
    assert [item.number for item in doc.items] == list(range(1, len(doc.items) + 1))
    assert doc.items[-1].title == "Slut" and doc.items[0].text == "Kort."
