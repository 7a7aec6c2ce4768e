"""Split a RawDocument into agenda items and read its metadata. Pure: no I/O.

Three layouts occur in the archive:

* minutes as a table (``Ärende<TAB>Omfattning/notering<TAB>Föredragande``), one
  line per row; a row cut by a page break continues in a row whose first cell
  is empty, or holds the rest of the heading;
* the same table flattened into lines (narrow heading column, wide body
  column, short presenter lines, no tabs);
* agreements: prose sections under short heading lines, often OCR'd.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import metadata as meta
from .decisions import find_decisions
from .markup import ends_sentence, html_to_text, join_lines
from .model import Document, Item, RawDocument

_TABLE_HEADER = re.compile(r"^\s*[ÄAä]rende:?\s*\t", re.IGNORECASE)
_SEPARATOR_CELL = re.compile(r"^[-–—\s]*$")
_OPEN_TAG_AT_END = re.compile(
    r"<(p|ul|ol|li)\b[^>]*>(?:(?!</?(?:p|ul|ol|li)\b).)*$", re.S
)
_OCR_BULLET = re.compile(r"^[a-zé¢•·]\s+(?=[A-ZÅÄÖ(])")
_URL_LINE = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$")


def segment(raw: RawDocument, overrides: dict | None = None) -> Document:
    """The document's metadata and items, whatever its layout.

    ``overrides`` is ``{"defaults": {...}, "file": {...}}`` from the metadata
    file (see :mod:`indexer.metadata`).
    """
    overrides = overrides or {}
    lines = raw.text.split("\n")
    header_at = next((i for i, s in enumerate(lines) if _TABLE_HEADER.match(s)), None)
    footer_at = meta.find_footer(lines)
    if header_at is not None:
        doc_type, parts = "minutes", _table_items(lines, header_at + 1, footer_at)
        head = lines[:header_at]
    elif footer_at < len(lines) or meta.has_attendee_label(lines):
        start = meta.flat_table_start(lines)
        doc_type, parts = "minutes", _flat_items(lines, start, footer_at)
        head = lines[:start]
    else:
        doc_type, parts = "agreement", _prose_items(lines)
        head = lines[:0]
    doc = meta.document_header(raw, head, lines[footer_at:], doc_type, overrides)
    doc.items = [_finish(part, n, raw, doc) for n, part in enumerate(parts, 1)]
    if doc.ocr and not raw.ocr_pages:  # OCR text without page information
        for item in doc.items:
            item.ocr, item.ocr_confidence = True, raw.ocr_confidence
    return doc


@dataclass
class _Part:
    """An item while it is being assembled from rows or lines."""

    title: str
    texts: list[str] = field(default_factory=list)
    presenters: list[str] = field(default_factory=list)
    pages: set[int] = field(default_factory=set)
    last_raw_body: str = ""


def _finish(part: _Part, number: int, raw: RawDocument, doc: Document) -> Item:
    text = _join_texts(part.texts)
    title = part.title or doc.title
    pages = sorted(part.pages) if raw.paged or "\f" in raw.text else []
    ocr_pages = set(raw.ocr_pages)
    is_ocr = raw.ocr and (not pages or not ocr_pages or bool(ocr_pages & set(pages)))
    decisions, attachments = find_decisions(text)
    return Item(
        number=number,
        title=title,
        text=text,
        presenters=part.presenters,
        decisions=decisions,
        attachments=attachments,
        pages=pages,
        ocr=is_ocr,
        ocr_confidence=raw.ocr_confidence if is_ocr else None,
    )


def _join_texts(texts: list[str]) -> str:
    """Join body pieces; a piece cut mid-sentence by a page break runs on."""
    out: list[str] = []  # joined once: growing one string is quadratic
    for piece in filter(None, texts):
        if out:
            new_block = piece[:1] in "•–-" or piece[:1].isdigit()
            out.append("\n\n" if new_block or ends_sentence(out[-1]) else " ")
        out.append(piece)
    return "".join(out)


# --- the tab table --------------------------------------------------------


def _table_items(lines: list[str], start: int, end: int) -> list[_Part]:
    parts: list[_Part] = []
    page = 1 + sum(line.count("\f") for line in lines[:start])
    after_break = False
    for line in lines[start:end]:
        page += line.count("\f")
        line = line.replace("\f", "")
        if "\t" not in line:
            if line.strip():
                if parts:  # stray text inside the table belongs to the row above
                    parts[-1].texts.append(html_to_text(line))
            else:
                after_break = True
            continue
        cells = _cells(line)
        if cells is None:  # separator or repeated header row
            after_break = True
            continue
        heading, body, presenters = cells
        if parts and _continues(parts[-1], heading, presenters, after_break):
            _extend(parts[-1], heading, body, presenters, page)
        else:
            parts.append(_new_part(heading, body, presenters, page))
        after_break = False
    return parts


def _cells(line: str) -> tuple[str, str, str] | None:
    cells = line.split("\t")
    if all(_SEPARATOR_CELL.match(c) for c in cells) or _TABLE_HEADER.match(line):
        return None
    if len(cells) < 3:
        cells += [""] * (3 - len(cells))
    return cells[0].strip(), "\t".join(cells[1:-1]).strip(), cells[-1].strip()


def _continues(prev: _Part, heading: str, presenters: str, after_break: bool) -> bool:
    """Whether a row is the rest of the row above, cut by a page break."""
    if not heading.strip() or not html_to_text(heading):
        return True
    if not after_break or html_to_text(presenters):
        return False
    body = prev.last_raw_body
    return bool(_OPEN_TAG_AT_END.search(body)) or not ends_sentence(html_to_text(body))


def _new_part(heading: str, body: str, presenters: str, page: int) -> _Part:
    paragraphs = html_to_text(heading).split("\n\n")
    title = meta.clean_title(paragraphs[0])
    part = _Part(title=title, pages={page}, last_raw_body=body)
    part.texts = ["\n\n".join(paragraphs[1:]), html_to_text(body)]
    part.presenters = meta.split_presenters(html_to_text(presenters))
    return part


def _extend(part: _Part, heading: str, body: str, presenters: str, page: int) -> None:
    part.texts += [html_to_text(heading), html_to_text(body)]
    part.pages.add(page)
    part.last_raw_body = body
    for name in meta.split_presenters(html_to_text(presenters)):
        if name not in part.presenters:
            part.presenters.append(name)


# --- the flattened table -----------------------------------------------------

_HEADING_WIDTH = 32  # the Ärende column wraps well before this many characters


def _blocks(lines: list[str]) -> list[tuple[list[str], int]]:
    """Runs of non-blank lines with the page each starts on."""
    blocks: list[tuple[list[str], int]] = []
    current: list[str] = []
    page = start_page = 1
    for line in lines:
        page += line.count("\f")
        line = line.replace("\f", "").rstrip()
        if line.strip():
            if not current:
                start_page = page
            current.append(line.strip())
        elif current:
            blocks.append((current, start_page))
            current = []
    if current:
        blocks.append((current, start_page))
    return blocks


def _flat_items(lines: list[str], start: int, end: int) -> list[_Part]:
    blocks = [b for b in _blocks(lines[start:end]) if not _is_url_block(b[0])]
    first_page = 1 + sum(line.count("\f") for line in lines[:start])
    parts: list[_Part] = []
    expect_heading = True
    for i, (block, page) in enumerate(blocks):
        page += first_page - 1
        nxt = blocks[i + 1][0] if i + 1 < len(blocks) else None
        if expect_heading:
            parts.append(_flat_heading(block, page))
            expect_heading = False
        elif _is_presenter_block(block, nxt):
            parts[-1].presenters += meta.split_presenters(" ".join(block))
            expect_heading = True
        else:
            parts[-1].texts.append(join_lines(block))
            parts[-1].pages.add(page)
    return parts


def _flat_heading(block: list[str], page: int) -> _Part:
    """A heading block; a heading line may carry the body's first words."""
    heading_lines, rest = [], []
    for n, line in enumerate(block):
        head, tail = _split_heading_line(line)
        heading_lines.append(head)
        if tail or len(line) > _HEADING_WIDTH:
            rest = ([tail] if tail else []) + block[n + 1 :]
            break
    title = meta.clean_title(" ".join(heading_lines))
    body = "\n\n".join(filter(None, [rest[0] if rest else "", join_lines(rest[1:])]))
    return _Part(title=title, texts=[body], pages={page})


def _split_heading_line(line: str) -> tuple[str, str]:
    """Split "Aktuellt Umebrå  VÅLD" or "Övriga frågor Inga övriga frågor ...".

    Two or more spaces separate table columns. Without them, a line longer
    than the heading column is cut where a capitalised word follows a
    lowercase one: where a sentence of the body starts.
    """
    columns = re.split(r"\s{2,}", line.strip(), maxsplit=1)
    if len(columns) == 2:
        return columns[0], columns[1]
    if len(line) <= _HEADING_WIDTH:
        return line, ""
    words = line.split()
    for n in range(1, len(words)):
        if words[n][:1].isupper() and words[n - 1][-1:].islower():
            head = " ".join(words[:n])
            if len(head) <= _HEADING_WIDTH:
                return head, " ".join(words[n:])
    return line, ""


def _is_url_block(block: list[str]) -> bool:
    return all(_URL_LINE.match(line) for line in block)


def _is_presenter_block(block: list[str], nxt: list[str] | None) -> bool:
    """Short name lines after a body end an item (the Föredragande column).

    Lines that are clearly person names settle it. Short capitalised lines
    that might be a heading ("Umebrå kansli", "Rapport från") count as
    presenters only when a heading-like block or the end follows; otherwise
    they start a new item, since one item too many beats a heading glued to
    the wrong body.
    """
    if len(block) > 3 or any(len(line) > _HEADING_WIDTH for line in block):
        return False
    names = [line.rstrip(", ") for line in block]
    if not all(meta.looks_like_label(name) for name in names):
        return False
    if all(meta.looks_like_person(name) for name in names):
        return True
    if nxt is None or all(len(line) <= _HEADING_WIDTH for line in nxt):
        return True
    return meta.is_standard_heading(_split_heading_line(nxt[0])[0])


# --- prose sections ----------------------------------------------------------


def _prose_items(lines: list[str]) -> list[_Part]:
    parts = [_Part(title="")]  # the preamble, titled with the document title
    page = 1
    buffer: list[str] = []
    previous = ""  # the line just above: blank, or text that may end a sentence
    for n, line in enumerate(lines):
        page += line.count("\f")
        text = line.replace("\f", "").strip()
        if _is_section_heading(text, previous, _next_text(lines, n)):
            parts[-1].texts.append(join_lines(buffer))
            parts.append(_Part(title=meta.clean_title(text), pages={page}))
            buffer = []
        elif parts[-1].title and not buffer and text[:2] in ("— ", "– "):
            # "Umeå brotts- och drogförebyggande råd / — organisation för samverkan"
            parts[-1].title = meta.clean_title(f"{parts[-1].title} {text}")
        else:
            buffer.append(text)
            if text:
                parts[-1].pages.add(page)
        previous = text
    parts[-1].texts.append(join_lines(buffer))
    if not "".join(parts[0].texts).strip():
        parts.pop(0)
    return parts


def _next_text(lines: list[str], n: int) -> str:
    for line in lines[n + 1 : n + 4]:
        if line.strip():
            return line.strip()
    return ""


def _is_section_heading(text: str, previous: str, nxt: str) -> bool:
    """A short capitalised line, standing after a finished sentence.

    OCR damages letters but rarely the shape of a heading: its length, its
    capital, the missing final punctuation and the blank or finished line
    before it.
    """
    if not text or len(text) > 60 or len(text.split()) > 6:
        return False
    if not text[0].isupper() or text.endswith((".", ",", ";", ":", "-")):
        return False
    if re.match(r"^(?:[•▪◦●–-]|[a-zé]\s|\d)", text) or "@" in text:
        return False
    if sum(ch.isalpha() for ch in text) < 0.6 * len(text.replace(" ", "")):
        return False
    if ":" in text or (previous and not ends_sentence(previous)):
        return False
    # What follows starts a sentence or a list; OCR reads bullets as "e", "o", "¢".
    nxt = _OCR_BULLET.sub("", nxt)
    return bool(nxt) and not nxt[0].islower()
