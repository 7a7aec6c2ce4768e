"""Generate test PDFs with reportlab, so that no binary fixture is committed.

Minutes PDFs are drawn from the seed text files in ``corpus/``: their canonical
rendering is parsed back into header lines, table rows and footer, and laid out
the way the council's Word minutes look. The table has three columns, ruling
lines (a full grid, rules under the rows only, or none), the header row
repeated on every page (or not) and long rows continued over page breaks;
cells hold paragraphs and bullet or numbered lists; absent names are struck
through with a real line drawn across the word. A test can then compare what
the PDF reader gives with what the text gives. ``scanned_pdf`` rasterises a
generated PDF into an image-only one, the way a scanner would.
"""

from __future__ import annotations

import html
import io
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

CORPUS_DIR = Path(__file__).resolve().parents[1] / "corpus"
HEADER = ("Ärende:", "Omfattning/notering:", "Föredragande:")
SEEDS = ("000", "001", "002")  # the seed minutes with a tab table
MARGIN = 20 * mm
COL_WIDTHS = (52 * mm, 88 * mm, 30 * mm)  # the widest title word fits column 1
BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11)
CELL = ParagraphStyle("cell", parent=BODY, spaceAfter=5)
ITEM = ParagraphStyle("item", parent=BODY, leftIndent=12, bulletIndent=1)
HEAD = ParagraphStyle("head", parent=BODY, fontName="Helvetica-Bold")
PROSE = ParagraphStyle(
    "prose",
    fontName="Helvetica",
    fontSize=11,
    leading=14,
    spaceAfter=9,
    strikeWidth=0.7,
)
HEADING = ParagraphStyle(
    "heading", parent=PROSE, fontName="Helvetica-Bold", fontSize=13, spaceBefore=6
)

_STRUCK = re.compile(r"~~(.+?)~~")
_TAG = re.compile(r"(<[^>]*>)")
_INLINE = ("<i>", "</i>", "<b>", "</b>")
# "• a • b", and "- a. - b" where a dash only marks an item after a sentence end.
_UL_MARK = re.compile(r"(?:^|\s)•\s+|(?:^\s*|(?<=[.!?:])\s+)[–\-]\s+")
_OL_MARK = re.compile(r"(?:^|\s)\d{1,2}\.\s+")
# The cell ends inside a list or paragraph: its last block tag opens one.
_UNCLOSED = re.compile(r"<(?:p|ul|ol|li)\b[^>]*>(?:(?!</?(?:p|ul|ol|li)\b).)*$", re.S)


@dataclass
class Minutes:
    """A minutes document as parsed from a seed's canonical text."""

    prelude: list[str] = field(default_factory=list)  # header lines, names line
    rows: list[list[str]] = field(default_factory=list)  # cells: HTML fragments
    footer: list[str] = field(default_factory=list)  # "Noterat av:", the name
    breaks: set[int] = field(default_factory=set)  # rows that start a new page


@dataclass
class Block:
    """A paragraph ("p") or a list ("ul", "ol") of a cell."""

    kind: str
    texts: list[str] = field(default_factory=list)
    marker: str = "•"  # what a "ul" list's items start with


def seed_path(prefix: str) -> Path:
    """The seed file ``corpus/<prefix>_*.txt``."""
    return next(CORPUS_DIR.glob(f"{prefix}_*.txt"))


def parse_minutes(text: str) -> Minutes:
    """Split a canonical rendering back into the parts a PDF draws.

    A blank line before a row is where the original had a page break (the
    row after it is often the rest of the row above), so the PDF breaks there.
    """
    minutes = Minutes()
    part, blank = minutes.prelude, False
    for line in text.replace("\f", "\n").split("\n"):
        if not line.strip():
            blank = True
            continue
        if part is minutes.prelude and line.lstrip().startswith("Ärende"):
            part = minutes.rows
        elif part is minutes.rows and "\t" in line:
            if blank and minutes.rows:
                minutes.breaks.add(len(minutes.rows))
            cells = [c.strip() for c in line.split("\t")]
            minutes.rows.append((cells + ["", "", ""])[:3])
        elif part is minutes.prelude:
            minutes.prelude.append(line.strip())
        else:
            part = minutes.footer
            minutes.footer.append(line.strip())
        blank = False
    return minutes


def markup(text: str) -> str:
    """Escape text for a reportlab Paragraph; ``~~x~~`` is drawn struck through."""
    parts = []
    for piece in _TAG.split(text):
        if piece.lower() in _INLINE:
            parts.append(piece.lower())
        elif not piece.startswith("<"):
            parts.append(html.escape(html.unescape(piece), quote=False))
    escaped = " ".join("".join(parts).split())
    return _STRUCK.sub(r"<strike>\1</strike>", escaped)


def cell_blocks(cell: str) -> list[Block]:
    """Parse a cell's HTML fragment into paragraph and list blocks."""
    blocks: list[Block] = []
    mode, is_open = "p", False  # is_open: text continues the last entry
    for piece in _TAG.split(cell):
        tag = piece.lower().rstrip("/ >") + ">" if piece.startswith("<") else ""
        if tag in _INLINE:
            piece = tag
        elif tag:
            if tag.startswith(("<ul", "<ol")):
                mode = tag[1:3]
                blocks.append(Block(mode))
            elif tag in ("</ul>", "</ol>", "<p>"):
                mode = "p"
            elif tag == "<li>" and mode != "p":
                blocks[-1].texts.append("")
            is_open = tag == "<li>" and mode != "p"
            continue
        if piece.strip() or is_open:
            _add_text(blocks, mode, piece, is_open)
            is_open = True
    return [
        Block(b.kind, [t.strip() for t in b.texts], b.marker) for b in blocks if b.texts
    ]


def _add_text(blocks: list[Block], mode: str, text: str, is_open: bool) -> None:
    """Add text to the open entry or start new ones (list items split by marker)."""
    if mode == "p":
        if is_open:
            blocks[-1].texts[-1] += text
        else:
            blocks.append(Block("p", [text]))
        return
    if mode == "ul" and not blocks[-1].texts and text.strip()[:1] in "•–-":
        blocks[-1].marker = text.strip()[0]
    pattern = _UL_MARK if mode == "ul" else _OL_MARK
    pieces = pattern.split(text if is_open else " " + text)
    if is_open and blocks[-1].texts:
        blocks[-1].texts[-1] += pieces.pop(0)
    blocks[-1].texts.extend(p for p in pieces if p.strip())


def cell_flowables(cell: str, style: ParagraphStyle = CELL) -> list[Flowable]:
    """Paragraphs and bullet or numbered items for one table cell."""
    out: list[Flowable] = []
    for block in cell_blocks(cell):
        if block.kind == "p":
            out += [Paragraph(markup(text), style) for text in block.texts]
            continue
        for n, text in enumerate(block.texts, 1):
            bullet = block.marker if block.kind == "ul" else f"{n}."
            out.append(Paragraph(markup(text), ITEM, bulletText=bullet))
        out.append(Spacer(1, CELL.spaceAfter))
    return out


def join_cut_rows(minutes: Minutes) -> Minutes:
    """Rows as the meeting wrote them: a row cut by a page break joined again.

    The seeds show a cut row as a row after a page break whose first cell is
    empty, or which has no presenter while the row above ends inside an
    unclosed list or paragraph. Separator rows ("--") are layout debris and are dropped.
    The PDF then breaks such rows wherever its own pages end.
    """
    joined = Minutes(minutes.prelude, [], minutes.footer)
    for n, row in enumerate(minutes.rows):
        if all(not c.strip("-– ") for c in row):
            continue
        prev = joined.rows[-1] if joined.rows else None
        if prev and n in minutes.breaks and _continues(prev, row):
            joined.rows[-1] = [
                f"{a} {b}".strip() for a, b in zip(prev, row, strict=True)
            ]
            continue
        if n in minutes.breaks and joined.rows:
            joined.breaks.add(len(joined.rows))
        joined.rows.append(list(row))
    return joined


def _continues(prev: list[str], row: list[str]) -> bool:
    """Whether the seed's row after a page break is the rest of the row above."""
    unclosed = _UNCLOSED.search(prev[1]) is not None
    return not row[0].strip() or (not row[2].strip() and unclosed)


def minutes_story(
    minutes: Minutes, rules: str = "grid", repeat_header: bool = True
) -> list[Flowable]:
    """The flowables of a minutes PDF: header lines, the table, the footer."""
    minutes = join_cut_rows(minutes)
    story: list[Flowable] = [Paragraph(markup(line), PROSE) for line in minutes.prelude]
    story.append(Spacer(1, 4 * mm))
    cuts = [0, *sorted(minutes.breaks), len(minutes.rows)]
    for start, end in itertools.pairwise(cuts):
        if start:
            story.append(PageBreak())
        story.append(minutes_table(minutes.rows[start:end], rules, repeat_header))
    story.append(Spacer(1, 8 * mm))
    footer = [Paragraph(markup(line), PROSE) for line in minutes.footer]
    return story + [KeepTogether(footer)] if footer else story


def minutes_table(
    rows: list[list[str]], rules: str = "grid", repeat_header: bool = True
) -> Table:
    """The Ärende | Omfattning/notering | Föredragande table; rows split over pages.

    ``rules``: "grid" (every cell ruled), "horizontal" (a rule under each row,
    none between the columns) or "none" (cell padding only).
    """
    head = [Paragraph(h, HEAD) for h in HEADER]
    data = [head] + [[cell_flowables(c) for c in row] for row in rows]
    table = Table(
        data,
        colWidths=COL_WIDTHS,
        repeatRows=1 if repeat_header else 0,
        splitInRow=3 * BODY.leading,
    )
    style = [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 4)]
    if rules == "grid":
        style.append(("GRID", (0, 0), (-1, -1), 0.6, colors.black))
    elif rules == "horizontal":
        style.append(("LINEBELOW", (0, 0), (-1, -1), 0.6, colors.black))
    else:
        style.append(("BOTTOMPADDING", (0, 0), (-1, -1), 8))
    table.setStyle(TableStyle(style))
    return table


def build_pdf(story: list[Flowable], path: Path) -> Path:
    """Lay the story out on A4 pages and write the PDF."""
    doc = SimpleDocTemplate(
        str(path),
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title="UmeBrå",
        invariant=1,  # the same bytes on every run
    )
    doc.build(story)
    return path


def minutes_pdf(minutes: Minutes, path: Path, rules: str = "grid", **kw: bool) -> Path:
    """Write a minutes PDF (see minutes_table for ``rules``, ``repeat_header``)."""
    return build_pdf(minutes_story(minutes, rules, **kw), path)


def seed_minutes_pdf(prefix: str, path: Path, rules: str = "grid", **kw: bool) -> Path:
    """Write the PDF of one seed minutes file ("000", "001", "002")."""
    text = seed_path(prefix).read_text(encoding="utf-8")
    return minutes_pdf(parse_minutes(text), path, rules, **kw)


def long_minutes(rows: int) -> Minutes:
    """Minutes with many rows, cycled from the seeds' rows: for scale tests.

    Each title starts with its row number, so a test can check that every
    row comes back as its own item, in order.
    """
    seeds = [parse_minutes(seed_path(p).read_text(encoding="utf-8")) for p in SEEDS]
    pool = [row for m in seeds for row in join_cut_rows(m).rows if row[1]]
    minutes = Minutes(prelude=seeds[0].prelude, footer=seeds[0].footer)
    for n in range(rows):
        title, body, presenter = pool[n % len(pool)]
        numbered = re.sub(r"^(<p>)?", rf"\g<0>{n + 1}. ", title, count=1)
        minutes.rows.append([numbered, body, presenter])
    return minutes


def prose_pdf(paragraphs: list[str], path: Path) -> Path:
    """An agreement-like PDF: headings (given as "# Heading") and paragraphs."""
    story: list[Flowable] = []
    for para in paragraphs:
        if para.startswith("# "):
            story.append(Paragraph(markup(para[2:]), HEADING))
        else:
            story.append(Paragraph(markup(para), PROSE))
    return build_pdf(story, path)


def struck_rect_pdf(names: list[tuple[str, bool]], path: Path) -> Path:
    """A names line where absent names are struck by thin filled rects, as Word does."""
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(MARGIN, 780, "Närvarande:")
    x = MARGIN
    for n, (name, struck) in enumerate(names):
        label = name + ("," if n < len(names) - 1 else "")
        pdf.drawString(x, 760, label)
        if struck:
            pdf.rect(x, 763.2, pdf.stringWidth(name), 0.7, stroke=0, fill=1)
        x += pdf.stringWidth(label + " ")
    pdf.showPage()
    pdf.save()
    return path


def scanned_pdf(
    source_pdf: Path, path: Path, dpi: int = 200, text_page: list[str] | None = None
) -> Path:
    """An image-only copy of a PDF: every page rasterised, no text layer left.

    ``text_page``: lines drawn as real text on a first page, for a document
    that is only partly scanned.
    """
    import pdfplumber  # the reader's own dependency; it renders with pypdfium2

    out = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    if text_page:
        out.setFont("Helvetica", 11)
        for n, line in enumerate(text_page):
            out.drawString(MARGIN, A4[1] - MARGIN - 20 * n, line)
        out.showPage()
    with pdfplumber.open(source_pdf) as pdf:
        for page in pdf.pages:
            image = page.to_image(resolution=dpi, antialias=True).original
            buffer = io.BytesIO()
            image.convert("L").save(buffer, format="PNG")
            buffer.seek(0)
            out.drawImage(ImageReader(buffer), 0, 0, *A4)
            out.showPage()
            page.close()
    out.save()
    return path


def encrypted_pdf(
    path: Path, user_password: str, owner_password: str = "ägare"
) -> Path:
    """A one-page PDF encrypted with reportlab's standard (RC4) encryption."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    lock = StandardEncryption(user_password, ownerPassword=owner_password, canCopy=0)
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=lock, invariant=1)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(MARGIN, 780, "Överenskommelse om samverkan, sida 1, långsiktigt")
    pdf.showPage()
    pdf.save()
    return path


def blank_pdf(path: Path, pages: int = 2) -> Path:
    """A PDF whose pages carry nothing at all."""
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for _ in range(pages):
        pdf.showPage()
    pdf.save()
    return path
