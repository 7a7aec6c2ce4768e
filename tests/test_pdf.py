"""PDF ingest: the canonical text of generated minutes, agreements and scans.

Every PDF here is generated in the test (tests/pdfgen.py, reportlab); the seed
minutes' PDFs must give the same agenda items as the seed text files. The OCR
tests run wherever Tesseract is installed and must run in CI (``CI`` set).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexer.ingest import ocr, read_document
from indexer.ingest.pdf import HEADER_ROW, read_pdf
from indexer.model import RawDocument, RejectedFile
from indexer.segment import segment
from tests import pdfgen

SWEDISH_PROSE = [
    "# Överenskommelse om samverkan",
    "Syftet med samverkansöverenskommelsen är att säkra ett långsiktigt och "
    "hållbart brottsförebyggande arbete för Umeå kommun och Polismyndigheten.",
    "# Medborgarlöften",
    "Under hösten har medborgarlöften varit på remissrunda till samtliga "
    "nämnder i Umeå kommun och remissvar har inkommit.",
]


def read(path: Path) -> RawDocument:
    return read_pdf(path, path.name, "0" * 64)


def row_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if "\t" in line]


LAYOUTS = {  # name: (rules, header repeated on each page)
    "grid": ("grid", True),
    "no-rules": ("none", True),
    "row-rules": ("horizontal", True),
    "grid-header-once": ("grid", False),
}


@pytest.fixture(scope="module")
def seed_pdfs(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """The three seed minutes as PDFs in each table layout."""
    folder = tmp_path_factory.mktemp("seed_pdfs")
    return {
        (prefix, name): pdfgen.seed_minutes_pdf(
            prefix, folder / f"{prefix}_{name}.pdf", rules, repeat_header=repeat
        )
        for prefix in pdfgen.SEEDS
        for name, (rules, repeat) in LAYOUTS.items()
    }


@pytest.fixture
def tesseract() -> None:
    """OCR must be possible: skipped on a machine without it, an error in CI."""
    try:
        ocr.check_available()
    except ocr.OcrUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the OCR tests: {exc}")
        pytest.skip(str(exc))


def same_document(pdf_doc, txt_doc) -> None:
    """Items (count, titles, presenters) and header metadata agree."""
    assert [(i.title, i.presenters) for i in pdf_doc.items] == [
        (i.title, i.presenters) for i in txt_doc.items
    ]
    assert pdf_doc.date == txt_doc.date
    assert pdf_doc.secretary == txt_doc.secretary


# --- the seed minutes ----------------------------------------------------------


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("prefix", pdfgen.SEEDS)
def test_seed_minutes_pdf_gives_the_text_files_items(seed_pdfs, prefix, layout):
    txt = segment(read_document(pdfgen.seed_path(prefix), pdfgen.CORPUS_DIR))
    raw = read(seed_pdfs[prefix, layout])
    doc = segment(raw)
    same_document(doc, txt)
    assert (doc.present, doc.absent) == (txt.present, txt.absent)
    assert (doc.time, doc.place) == (txt.time, txt.place)
    assert not raw.ocr and raw.ocr_pages == () and raw.ocr_confidence is None
    pages = raw.text.count("\f") + 1
    assert pages >= 2
    assert all(item.pages for item in doc.items)
    assert all(1 <= p <= pages for item in doc.items for p in item.pages)


def test_canonical_text_of_ruled_minutes(seed_pdfs):
    text = read(seed_pdfs["000", "grid"]).text
    lines = text.split("\n")
    for header_line in ("2021-02-02", "Klockan 15.00", "Videokonferens", "Kallade:"):
        assert header_line in lines
    names = lines[lines.index("Kallade:") + 2]
    assert names.startswith("Michael Rystedt, Fredrik Jeppson,")
    assert "~~Lennart Johansson~~, Lena Riedl" in names
    assert "~~Maria Falck~~, Karin Isaksson" in names
    assert names.count("~~") == 4
    assert names.endswith("Malin Lagervall, Anders Hanberger")
    assert lines.count(HEADER_ROW) == 1  # the header repeated on each page: dropped
    assert lines[lines.index("Noterat av:") + 2] == "Elin Lindqvist, sekreterare"
    rows = row_lines(text)
    assert all(row.count("\t") == 2 for row in rows)
    titles = [row.split("\t")[0] for row in rows]
    assert "Föregående mötesanteckningar" in titles
    assert "Rapport från verksamheten, Information från Polisen:" in titles
    presenters = [row.split("\t")[2] for row in rows]
    assert "Kerstin Rörsch, Anna Cederlund, Seth Åberg" in presenters


def test_page_breaks_are_form_feed_lines_and_cut_rows_continue(seed_pdfs):
    lines = read(seed_pdfs["000", "grid"]).text.split("\n")
    breaks = [n for n, line in enumerate(lines) if line == "\f"]
    assert len(breaks) >= 2
    assert "\f" not in "".join(line for line in lines if line != "\f")
    after = lines[breaks[0] + 1]
    assert after.startswith("\t<ol><li>")  # the rest of the row on page 1


def test_cell_paragraphs_and_lists_are_kept(seed_pdfs):
    text = read(seed_pdfs["000", "grid"]).text
    assert "<ul><li>minska brottsligheten i Umeå kommun</li><li>öka tryggheten" in text
    assert "<ol><li>Förstärkt ordinarie förebyggande arbete</li><li>Ledningsstöd" in (
        text
    )
    assert "<p>Presentation av ny uppdragsplan</p> <p>Nytt området" in text
    row = next(r for r in row_lines(text) if r.startswith("Aktuellt Umebrå"))
    assert "</li></ul> <p>Nationella Brå har visat intresse" in row
    assert "\n" not in row and "<br>" not in row


def test_table_without_rules_reads_like_the_ruled_one(seed_pdfs):
    ruled = row_lines(read(seed_pdfs["001", "grid"]).text)
    plain = row_lines(read(seed_pdfs["001", "no-rules"]).text)
    assert [r.split("\t")[0] for r in plain if r.split("\t")[0]] == [
        r.split("\t")[0] for r in ruled if r.split("\t")[0]
    ]
    assert plain[0] == HEADER_ROW


def test_long_row_continues_over_pages(tmp_path):
    body = " ".join(
        f"<p>Stycke {n}: polisen redovisar lägesbilden och samverkan kring unga "
        "i riskzon, med uppföljning av insatserna under hösten.</p>"
        for n in range(1, 70)
    )
    minutes = pdfgen.Minutes(
        prelude=["2024-05-14", "Klockan 15.00", "Kallade:", "Anna Ek, ~~Per Holm~~"],
        rows=[["Lägesbild", body, "Anna Ek"], ["Övriga frågor", "Inga.", ""]],
        footer=["Noterat av:", "Eva Lind"],
    )
    raw = read(pdfgen.minutes_pdf(minutes, tmp_path / "lang.pdf"))
    lines = raw.text.split("\n")
    after_breaks = [lines[n + 1] for n, line in enumerate(lines) if line == "\f"]
    continued = [line for line in after_breaks if line.startswith("\t<p>Stycke")]
    assert len(continued) >= 2
    doc = segment(raw)
    assert [i.title for i in doc.items] == ["Lägesbild", "Övriga frågor"]
    first = doc.items[0]
    assert first.pages == list(range(1, len(continued) + 2))
    assert "Stycke 1:" in first.text and "Stycke 69:" in first.text
    assert doc.absent == ["Per Holm"] and doc.secretary == "Eva Lind"


def test_moderate_size_reads_every_row_page_by_page(tmp_path, monkeypatch):
    import pdfplumber.page

    closed = []
    original = pdfplumber.page.Page.close

    def close(page):
        closed.append(page.page_number)
        original(page)

    monkeypatch.setattr(pdfplumber.page.Page, "close", close)
    raw = read(pdfgen.minutes_pdf(pdfgen.long_minutes(120), tmp_path / "stor.pdf"))
    pages = raw.text.count("\f") + 1
    assert pages >= 10
    assert closed[:pages] == list(range(1, pages + 1))  # each page closed when done
    doc = segment(raw)
    assert len(doc.items) == 120
    assert all(i.title.startswith(f"{n}. ") for n, i in enumerate(doc.items, 1))


# --- struck names, prose ------------------------------------------------------


def test_names_struck_with_thin_rects(tmp_path):
    names = [("Anna Svensson", True), ("Per Persson", False), ("Eva Ek", True)]
    raw = read(pdfgen.struck_rect_pdf(names, tmp_path / "rect.pdf"))
    assert raw.text.strip().split("\n")[-1] == (
        "~~Anna Svensson~~, Per Persson, ~~Eva Ek~~"
    )


def test_agreement_prose_is_plain_paragraphs(tmp_path):
    raw = read(pdfgen.prose_pdf(SWEDISH_PROSE, tmp_path / "avtal.pdf"))
    assert "\t" not in raw.text and "<" not in raw.text
    paragraphs = raw.text.strip().split("\n\n")
    assert paragraphs[0] == "Överenskommelse om samverkan"
    assert paragraphs[2] == "Medborgarlöften"
    assert paragraphs[1].startswith("Syftet med") and "\n" not in paragraphs[1]
    doc = segment(raw)
    assert doc.doc_type == "agreement"
    assert "Medborgarlöften" in [item.title for item in doc.items]


# --- files that cannot be read -------------------------------------------------


def test_not_a_pdf(tmp_path):
    path = tmp_path / "brev.pdf"
    path.write_text("Hej, detta är ett brev.", encoding="utf-8")
    with pytest.raises(RejectedFile, match="not a PDF"):
        read(path)


def test_empty_file(tmp_path):
    path = tmp_path / "tom.pdf"
    path.write_bytes(b"")
    with pytest.raises(RejectedFile, match="empty"):
        read(path)


def test_truncated_pdf(seed_pdfs, tmp_path):
    data = seed_pdfs["001", "grid"].read_bytes()
    path = tmp_path / "halv.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(RejectedFile, match="truncated"):
        read(path)


def test_damaged_pdf(tmp_path):
    path = tmp_path / "trasig.pdf"
    path.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n")
    with pytest.raises(RejectedFile, match="damaged PDF"):
        read(path)


def test_password_protected_pdf(tmp_path):
    path = pdfgen.encrypted_pdf(tmp_path / "last.pdf", user_password="hemligt")
    with pytest.raises(RejectedFile, match="encrypted.*password"):
        read(path)


def test_pdf_locked_only_against_copying_is_read(tmp_path):
    raw = read(pdfgen.encrypted_pdf(tmp_path / "skyddad.pdf", user_password=""))
    assert "långsiktigt" in raw.text
    assert any("encrypted" in w for w in raw.warnings)


def test_blank_pdf(tmp_path):
    with pytest.raises(RejectedFile, match="no text"):
        read(pdfgen.blank_pdf(tmp_path / "blank.pdf"))


def test_read_document_dispatches_pdfs(seed_pdfs, tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "2021").mkdir(parents=True)
    target = corpus / "2021" / "möte.pdf"
    target.write_bytes(seed_pdfs["001", "grid"].read_bytes())
    raw = read_document(target, corpus)
    assert raw.source == "2021/möte.pdf" and len(raw.sha256) == 64
    assert HEADER_ROW in raw.text.split("\n")


# --- OCR ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def scanned_prose(tmp_path_factory) -> Path:
    """Page 1 real text, page 2 a scanned agreement page."""
    folder = tmp_path_factory.mktemp("scan")
    clean = pdfgen.prose_pdf(SWEDISH_PROSE, folder / "ren.pdf")
    return pdfgen.scanned_pdf(
        clean, folder / "skannad.pdf", text_page=["Bilaga till protokollet 2021-02-02"]
    )


def test_scanned_page_is_ocrd(tesseract, scanned_prose):
    raw = read(scanned_prose)
    assert raw.ocr and raw.ocr_pages == (2,)
    assert raw.ocr_confidence is not None and raw.ocr_confidence > 80
    first, second = raw.text.split("\n\f\n")
    assert first.strip() == "Bilaga till protokollet 2021-02-02"
    for word in ("långsiktigt", "medborgarlöften", "Polismyndigheten", "Umeå"):
        assert word in second
    assert "Medborgarlöften" in second.split("\n\n")


def test_scanned_minutes_give_the_text_files_items(tesseract, tmp_path):
    clean = pdfgen.seed_minutes_pdf("001", tmp_path / "001.pdf")
    raw = read(pdfgen.scanned_pdf(clean, tmp_path / "001_skannad.pdf"))
    assert raw.ocr and raw.ocr_pages == tuple(range(1, raw.text.count("\f") + 2))
    txt = segment(read_document(pdfgen.seed_path("001"), pdfgen.CORPUS_DIR))
    doc = segment(raw)
    same_document(doc, txt)
    assert doc.absent == txt.absent  # strike-through lines found in the image
    assert doc.ocr and all(item.ocr for item in doc.items)


def test_missing_tesseract_rejects_with_what_to_install(scanned_prose, monkeypatch):
    import pytesseract

    monkeypatch.setattr(
        pytesseract.pytesseract, "tesseract_cmd", "tesseract-not-installed"
    )
    with pytest.raises(ocr.OcrUnavailable) as caught:
        read(scanned_prose)
    assert isinstance(caught.value, RejectedFile)
    assert "tesseract-ocr" in str(caught.value)
    assert "tesseract-ocr-swe" in str(caught.value)


def test_missing_swedish_model_rejects_with_what_to_install(scanned_prose, monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract, "get_languages", lambda *a, **k: ["eng", "osd"])
    with pytest.raises(ocr.OcrUnavailable, match="tesseract-ocr-swe"):
        read(scanned_prose)


def test_text_pdf_needs_no_tesseract(seed_pdfs, monkeypatch):
    import pytesseract

    monkeypatch.setattr(
        pytesseract.pytesseract, "tesseract_cmd", "tesseract-not-installed"
    )
    assert not read(seed_pdfs["002", "grid"]).ocr


# --- end to end: a scanned agreement in the index ---------------------------------

AGREEMENT = [
    "# Överenskommelse om samverkan och prioriteringar 2021–2024",
    "Syftet med samverkansöverenskommelsen är att säkra ett långsiktigt och "
    "hållbart brottsförebyggande arbete för Umeå kommun och Polismyndigheten "
    "med gemensamma fokusområden och mål framtagna utifrån en lokal lägesbild.",
    "# Inledning",
    "Samhället har allt att vinna på en minskad brottslighet och ökad trygghet.",
    "# Medborgarlöften",
    "Medborgarlöften är en utveckling och en förstärkning av "
    "samverkansöverenskommelsen mellan kommun och polis.",
]


@pytest.mark.parametrize("dpi", [200, 110])  # a clean scan, and a poor one
def test_a_scanned_agreement_is_found_by_clean_swedish_queries(
    tesseract, tmp_path, dpi
):
    from indexer import build_index
    from search_app.search import SearchParams, SearchService

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    clean = pdfgen.prose_pdf(AGREEMENT, tmp_path / "avtal.pdf")
    pdfgen.scanned_pdf(clean, corpus / "överenskommelse 2021.pdf", dpi=dpi)
    summary = build_index(corpus, tmp_path / "index")
    assert not summary.rejected and summary.indexed == ["överenskommelse 2021.pdf"]
    service = SearchService(tmp_path / "index")
    for query, heading in [
        ("långsiktigt hållbart", "Överenskommelse"),
        ("medborgarlöften", "Medborgarlöften"),
        ("lägesbild", "Överenskommelse"),
    ]:
        hits = service.search(SearchParams(q=query))["hits"]
        assert hits, (dpi, query)
        assert any(heading.lower()[:8] in h["item_title"].lower() for h in hits)
        assert all(h["ocr"] and h["ocr_confidence"] > 50 for h in hits)
        assert all(h["pages"] == [1] for h in hits)
        assert any(h["match"]["spans"] for h in hits)


def test_without_tesseract_scans_are_named_and_retried_later(
    tesseract, scanned_prose, tmp_path, monkeypatch
):

    from indexer import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "skannad.pdf").write_bytes(scanned_prose.read_bytes())
    (corpus / "ren.pdf").write_bytes(
        pdfgen.prose_pdf(AGREEMENT, tmp_path / "r.pdf").read_bytes()
    )
    # Files are read in a worker process: hide Tesseract through its PATH.
    real = os.environ["PATH"]
    monkeypatch.setenv("PATH", str(tmp_path))
    first = build_index(corpus, tmp_path / "index")
    assert first.indexed == ["ren.pdf"]
    assert [s for s, _ in first.rejected] == ["skannad.pdf"]
    assert "tesseract-ocr-swe" in first.rejected[0][1]
    monkeypatch.setenv("PATH", real)
    second = build_index(corpus, tmp_path / "index")  # the file did not change
    assert second.indexed == ["skannad.pdf"] and not second.rejected
