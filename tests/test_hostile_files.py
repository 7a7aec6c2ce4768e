"""Hostile and broken corpus files: each is named with a reason, the rest is indexed.

Every file is made here: PDFs with reportlab, the PNG with Pillow, the rest as
bytes. The corpus also holds files that are awkward but good (cp1252, BOM and
CRLF, deep folders with spaces and å/ä/ö, a symlink loop) and a text whose
items carry script, image, SVG and javascript: payloads, which the API and the
pages must show as inert text.
"""

from __future__ import annotations

import io
import os
import random
import re
import subprocess
import sys
import time
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from indexer import build_index
from search_app import create_app

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "PYTHONUTF8": "1"}
HEADER = "Ärende:\tOmfattning/notering:\tFöredragande:\n"

CP1252_TEXT = (
    "2022-10-04\n\nKlockan 15.00\n\nKallade:\n\nLars Öberg, Åsa Näslund\n\n" + HEADER
    + "Trygghetsvandring på Ålidhem\t<p>Boende på Ålidhem önskar bättre belysning "
    "i gångtunnlarna.</p>\tÅsa Näslund\n\nNoterat av:\n\nLars Öberg\n"
)  # fmt: skip
BOM_CRLF_TEXT = (
    "2023-05-16\n\nKlockan 15.00\n\nKallade:\n\nAnna Svensson\n\n" + HEADER
    + "Sparkcyklar\t<p>Parkerade sparkcyklar på trottoarerna skapar otrygghet.</p>"
    "\tAnna Svensson\n\nNoterat av:\n\nAnna Svensson\n"
)  # fmt: skip
NESTED_TEXT = (
    "2021-11-09\n\nKlockan 15.00\n\nKallade:\n\nPer Olsson\n\n" + HEADER
    + "Fyrverkerier\t<p>Fyrverkeriförsäljningen inför nyår följs upp.</p>\tPer Olsson\n"
    "\nNoterat av:\n\nPer Olsson\n"
)  # fmt: skip
NESTED = (
    "/".join(f"nivå {n:02d} å ä ö" for n in range(1, 13)) + "/Möte i Umeå å ä ö.txt"
)

# Sections of an agreement keep their text as written: the payloads are literal.
XSS_AGREEMENT = """Överenskommelse om grafittisanering i Umeå

Inledning

Grafittisanering <script>alert(1)</script> ska ske inom ett dygn.

Kameror

Kameraövervakning <img src=x onerror=alert(1)> diskuterades.

Uppföljning

Trygghetsvandringar "><svg onload=alert(1)> genomförs varje höst.

Länkar

Se <a href="javascript:alert(1)">avtalet</a> och javascript:alert(1) för detaljer.
"""
# Minutes cells are HTML fragments: there the payloads are written as entities.
XSS_MINUTES = (
    "2023-03-14\n\nKlockan 15.00\n\nKallade:\n\nEva Berg\n\n" + HEADER
    + "Klotter\t<p>Klottersanering &lt;script&gt;alert(1)&lt;/script&gt; vid skolan."
    "</p>\tEva Berg\nLänkar\t<p>Webbplatsen &lt;a href=&quot;javascript:alert(1)&quot;"
    "&gt;klicka&lt;/a&gt; granskades.</p>\tEva Berg\n\nNoterat av:\n\nEva Berg\n"
)  # fmt: skip
# (query word, the payload next to it in the item's text)
PAYLOADS = [
    ("grafittisanering", "<script>alert(1)</script>"),
    ("kameraövervakning", "<img src=x onerror=alert(1)>"),
    ("trygghetsvandringar", '"><svg onload=alert(1)>'),
    ("avtalet", '<a href="javascript:alert(1)">avtalet</a>'),
    ("klottersanering", "<script>alert(1)</script>"),
    ("webbplatsen", '<a href="javascript:alert(1)">klicka</a>'),
]


# --- making the files -----------------------------------------------------------------


def pdf_bytes(pages: list[list[str]], **options) -> bytes:
    """A PDF with a text layer, one list of lines per page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, **options)
    for lines in pages:
        y = 800
        for line in lines:
            pdf.drawString(60, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


VALID_PDF = [
    ["Överenskommelse om belysning i Umeå", "", "Inledning", "",
     "Ljusinstallationer i gångtunnlar minskar otryggheten."],
]  # fmt: skip


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def random_bytes(seed: int, alphabet: bytes | None = None, size: int = 8192) -> bytes:
    rng = random.Random(seed)
    if alphabet is None:
        return rng.randbytes(size)
    return bytes(rng.choice(alphabet) for _ in range(size))


# name -> (bytes, words of which the reason must hold one)
BROKEN = {
    "tom.txt": (lambda: b"", ("empty",)),
    "tom.pdf": (lambda: b"", ("empty",)),
    "trasig.pdf": (lambda: (v := pdf_bytes(VALID_PDF))[: len(v) // 2], ("truncated",)),
    "lösenord.pdf": (
        lambda: pdf_bytes([["Hemligt protokoll"]], encrypt="secret"),
        ("password", "encrypted"),
    ),
    "bild.pdf": (png_bytes, ("not a pdf",)),
    "slump.txt": (lambda: random_bytes(1), ("binary",)),
    "slump utan nul.txt": (
        lambda: random_bytes(2, bytes(range(1, 256))),
        ("not text", "binary"),
    ),
    "slump hög.txt": (
        lambda: random_bytes(3, bytes(range(32, 256))),
        ("not text", "binary"),
    ),
}
GOOD = {
    "cp1252.txt": CP1252_TEXT.encode("cp1252"),
    "bom crlf.txt": b"\xef\xbb\xbf" + BOM_CRLF_TEXT.replace("\n", "\r\n").encode(),
    NESTED: NESTED_TEXT.encode(),
    "giltig.pdf": pdf_bytes(VALID_PDF),
    "xss överenskommelse.txt": XSS_AGREEMENT.encode(),
    "xss protokoll.txt": XSS_MINUTES.encode(),
}


def write_corpus(folder: Path) -> Path:
    for name, data in {
        **{n: make() for n, (make, _) in BROKEN.items()},
        **GOOD,
    }.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    nested = folder / NESTED
    os.symlink("..", nested.parent / "tillbaka")  # a loop through the parent
    os.symlink(".", folder / "här igen")  # and one to the corpus itself
    return folder


# --- fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile corpus, indexed; with the build's summary and a client on it."""
    root = tmp_path_factory.mktemp("hostile")
    corpus = write_corpus(root / "korpus")
    started = time.monotonic()
    summary = build_index(corpus, root / "index")
    seconds = time.monotonic() - started
    client = create_app({"INDEX_DIR": str(root / "index")}).test_client()
    return {"corpus": corpus, "summary": summary, "seconds": seconds, "client": client}


def search(client, q: str, **params) -> dict:
    response = client.get(
        "/api/search?" + urlencode({"q": q, "per_page": 100, **params})
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def document(client, source: str) -> dict:
    docs = {
        d["source"]: d for d in client.get("/api/documents").get_json()["documents"]
    }
    response = client.get(f"/api/documents/{docs[source]['doc_id']}")
    assert response.status_code == 200
    return response.get_json()


# --- broken files ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(BROKEN))
def test_broken_file_is_rejected_by_name_with_a_reason(hostile, name):
    rejected = dict(hostile["summary"].rejected)
    assert name in rejected
    reason = rejected[name].lower()
    assert any(word in reason for word in BROKEN[name][1]), reason


def test_only_the_broken_files_are_rejected_and_every_other_file_is_indexed(hostile):
    summary = hostile["summary"]
    assert {name for name, _ in summary.rejected} == set(BROKEN)
    assert sorted(summary.indexed) == sorted(GOOD)


def test_rejected_files_are_not_in_the_index(hostile):
    sources = {
        d["source"]
        for d in hostile["client"].get("/api/documents").get_json()["documents"]
    }
    assert sources == set(GOOD)


def test_cli_names_every_rejected_file_with_its_reason_and_exits_0(hostile, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "indexer", "--corpus", str(hostile["corpus"]),
         "--index", str(tmp_path / "index")],
        cwd=ROOT, env=ENV, capture_output=True, text=True, encoding="utf-8",
        timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = dict(
        re.findall(r"^rejected: (.+?): (.+)$", proc.stderr, flags=re.MULTILINE)
    )
    assert set(lines) == set(BROKEN)
    for name, reason in lines.items():
        assert any(word in reason.lower() for word in BROKEN[name][1]), (name, reason)
    assert "Traceback" not in proc.stderr
    assert f"{len(GOOD)} files indexed" in proc.stdout
    assert f"{len(BROKEN)} rejected" in proc.stdout


# --- awkward but good files -----------------------------------------------------------


def test_cp1252_text_is_found_by_a_swedish_word_with_its_letters_intact(hostile):
    result = search(hostile["client"], "gångtunnlarna")
    hit = next(h for h in result["hits"] if h["source"] == "cp1252.txt")
    assert hit["item_title"] == "Trygghetsvandring på Ålidhem"
    assert "<mark>gångtunnlarna</mark>" in " ".join(hit["highlights"])
    assert "Ã" not in str(hit)  # no mojibake
    assert search(hostile["client"], "ålidhem")["total"] >= 1


def test_cp1252_file_is_reported_as_decoded_with_a_warning(hostile):
    assert any(
        "cp1252" in w for s, w in hostile["summary"].warnings if s == "cp1252.txt"
    )


def test_utf8_with_bom_and_crlf_is_found_and_read_cleanly(hostile):
    result = search(hostile["client"], "sparkcyklar")
    assert [h["source"] for h in result["hits"]] == ["bom crlf.txt"]
    doc = document(hostile["client"], "bom crlf.txt")
    assert doc["date"] == "2023-05-16"  # the BOM did not hide the first line
    assert not any("\r" in i["text"] or "\ufeff" in i["text"] for i in doc["items"])


def test_deeply_nested_file_with_spaces_and_swedish_letters_is_found(hostile):
    result = search(hostile["client"], "fyrverkeriförsäljningen")
    assert [h["source"] for h in result["hits"]] == [NESTED]
    assert NESTED.count("/") == 12


def test_symlink_loop_neither_hangs_nor_duplicates_anything(hostile):
    summary = hostile["summary"]
    assert not any("tillbaka" in s or "här igen" in s for s in summary.indexed)
    assert summary.seconds < 60 and hostile["seconds"] < 60
    assert search(hostile["client"], "fyrverkeriförsäljningen")["total"] == 1


def test_valid_pdf_is_indexed_next_to_the_broken_ones(hostile):
    result = search(hostile["client"], "ljusinstallationer")
    assert [h["source"] for h in result["hits"]] == ["giltig.pdf"]


# --- hostile text ---------------------------------------------------------------------

ACTIVE_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data"}


class Page(HTMLParser):
    """Every element with its attributes, inline script text, and the page's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.inline_script = ""
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline_script += data
        else:
            self.text.append(data)


def parse(body: str) -> Page:
    page = Page()
    page.feed(body)
    page.close()
    return page


def assert_inert(page: Page, where: str) -> None:
    """Nothing on the page can run; the template's script file is the only script."""
    for tag, attrs in page.elements:
        assert tag != "img", (where, attrs)
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), (where, attrs)
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), (where, tag, name, value)
            if name.lower() in ACTIVE_URL_ATTRS and value:
                assert not value.strip().lower().startswith("javascript:"), (where, tag)
    assert page.inline_script.strip() == "", where


@pytest.mark.parametrize(("word", "payload"), PAYLOADS)
def test_api_highlights_hold_the_payload_as_escaped_text(hostile, word, payload):
    result = search(hostile["client"], word)
    assert result["total"] >= 1, word
    highlights = " ".join(h for hit in result["hits"] for h in hit["highlights"])
    tags = set(re.findall(r"</?([a-zA-Z]+)", highlights))
    assert tags <= {"mark"}, tags
    marked = escape(payload, quote=False).split()[0]  # e.g. "&lt;script&gt;alert(1)..."
    assert marked in highlights.replace("&#x27;", "'").replace("&quot;", '"'), (
        highlights
    )


@pytest.mark.parametrize("source", ["xss överenskommelse.txt", "xss protokoll.txt"])
def test_document_api_gives_the_payloads_as_plain_text(hostile, source):
    doc = document(hostile["client"], source)
    text = "\n".join(i["text"] for i in doc["items"])
    for word, payload in PAYLOADS:
        if word.lower() in text.lower():
            assert payload in text, (word, text)


@pytest.mark.parametrize(("word", "payload"), PAYLOADS)
def test_search_page_shows_payloads_as_inert_text(hostile, word, payload):
    response = hostile["client"].get("/?" + urlencode({"q": word}))
    assert response.status_code == 200
    assert_inert(parse(response.get_data(as_text=True)), f"/?q={word}")


@pytest.mark.parametrize("source", ["xss överenskommelse.txt", "xss protokoll.txt"])
@pytest.mark.parametrize("q", ["", "alert"])
def test_document_page_shows_payloads_as_inert_text(hostile, source, q):
    doc = document(hostile["client"], source)
    response = hostile["client"].get(doc["url"] + (f"?q={q}" if q else ""))
    assert response.status_code == 200
    page = parse(response.get_data(as_text=True))
    assert_inert(page, doc["url"])
    shown = "".join(page.text)
    for word, payload in PAYLOADS:
        if word in shown.lower():
            assert payload in shown, (word, payload)


# --- a long PDF -----------------------------------------------------------------------


@pytest.mark.slow
def test_300_page_pdf_is_indexed_in_bounded_time_and_memory(tmp_path):
    pages = [
        [f"Sida {n} rad {i}: trygghetsvandring och samverkan mot narkotika i centrum."
         for i in range(30)]
        for n in range(1, 301)
    ]  # fmt: skip
    pages[0].insert(0, "Överenskommelse om samverkan för trygghet i Umeå")
    pages[-1].append("Sista sidan nämner kvartersvärdarna.")
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    (corpus / "lång rapport.pdf").write_bytes(pdf_bytes(pages))
    out_file, err_file = tmp_path / "out.txt", tmp_path / "err.txt"
    started = time.monotonic()
    with out_file.open("w") as stdout, err_file.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "indexer", "--corpus", str(corpus),
             "--index", str(tmp_path / "index")],
            cwd=ROOT, env=ENV, stdout=stdout, stderr=stderr,
        )  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own peak RSS
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    out, err = out_file.read_text("utf-8"), err_file.read_text("utf-8")
    peak_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    print(f"300-page PDF: {seconds:.1f} s, indexer peak RSS {peak_mb:.0f} MB")
    assert proc.returncode == 0, err
    assert "1 files indexed" in out and "rejected: " not in err
    assert seconds < 240 and peak_mb < 600, (seconds, peak_mb)
    client = create_app({"INDEX_DIR": str(tmp_path / "index")}).test_client()
    assert search(client, "kvartersvärdarna")["total"] == 1  # the last page too
