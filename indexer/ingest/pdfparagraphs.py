"""Cells and prose: paragraphs, lists and line breaks from a page's lines.

A table cell keeps its paragraphs and lists as HTML fragments (<p>, <ul>,
<ol>, <br>); prose outside tables becomes one chunk per paragraph, soft line
wraps joined and list items kept on their own lines.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from .pdfwords import Chunk, Line, Word, gap_between, group_lines

PARA_GAP = 0.5  # a vertical gap of more line heights than this: a new paragraph
_BULLETS = frozenset("•●○◦▪■□➢►✓\uf0b7\uf0a7\uf0d8\uf076\uf0fc")
_OCR_BULLETS = frozenset(["e", "o", "«", "»", "°", "·", "*", "+"])  # "•" misread
_DASHES = frozenset("-–—")
_GLYPH = re.compile(r"^\(cid:\d+\)$")  # a symbol-font bullet without Unicode
_NUMBER = re.compile(r"^\(?\d{1,2}[.)]$")


def render_cell(lines: list[Line], right: float, height: float) -> str:
    """A cell as text, or as <p>/<ul>/<ol> fragments when it has more than one part."""
    entries = _entries(lines, right, height, "<br>", escape=True)
    if len(entries) == 1 and entries[0].kind == "p":
        return entries[0].text
    parts: list[str] = []
    open_list = ""
    for entry in entries:
        if open_list and entry.kind != open_list:
            parts[-1] += f"</{open_list}>"
            open_list = ""
        if entry.kind == "p":
            parts.append(f"<p>{entry.text}</p>")
        elif open_list:
            parts[-1] += f"<li>{entry.text}</li>"
        else:
            parts.append(f"<{entry.kind}><li>{entry.text}</li>")
            open_list = entry.kind
    if open_list:
        parts[-1] += f"</{open_list}>"
    return " ".join(parts)


def prose_chunks(words: list[Word], height: float) -> list[Chunk]:
    """Text outside tables: one chunk per paragraph, soft line wraps joined."""
    lines = group_lines(words)
    if not lines:
        return []
    right = max(line.x1 for line in lines)
    chunks: list[Chunk] = []
    for block in _blocks(lines, height):
        entries = _entries(block, right, height, "\n", escape=False)
        text = "\n".join(_prose_marker(e) + e.text for e in entries)
        chunks.append((block[0].top, "prose", text))
    return chunks


def _prose_marker(entry: _Entry) -> str:
    """A list item in prose keeps its number, or a plain bullet for any symbol."""
    return {"p": "", "ul": "• "}.get(entry.kind, f"{entry.marker} ")


def _blocks(lines: list[Line], height: float) -> list[list[Line]]:
    """Runs of lines without a paragraph-sized gap between them."""
    blocks: list[list[Line]] = []
    for line in lines:
        if blocks and gap_between(blocks[-1][-1], line, height) <= PARA_GAP * height:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


@dataclass
class _Entry:
    """A paragraph ("p") or a list item ("ul", "ol") of a cell or a text block."""

    kind: str
    text: str
    x0: float  # where the line starts (at the marker, for a list item)
    marker: str = ""


def _entries(
    lines: list[Line], right: float, height: float, br: str, escape: bool
) -> list[_Entry]:
    """Paragraphs and list items: gaps, markers and outdents start new ones."""
    entries: list[_Entry] = []
    prev: Line | None = None
    numbered = _numbered_items(lines)
    for n, line in enumerate(lines):
        new_block = prev is None or gap_between(prev, line, height) > PARA_GAP * height
        after = "" if new_block else entries[-1].kind
        kind, words = _list_marker(line, height, new_block or after == "ul")
        if kind == "ol" and n not in numbered:
            kind, words = "", line.words
        text = _words_text(words, escape)
        if kind:
            entries.append(_Entry(kind, text, line.x0, line.words[0].text))
        elif new_block or (after != "p" and line.x0 < entries[-1].x0 + 2):
            entries.append(_Entry("p", text, line.x0))
        else:
            assert prev is not None
            gap = br if _hard_break(prev, line, right, height) else " "
            entries[-1].text = (entries[-1].text + gap + text).replace("~~ ~~", " ")
        prev = line
    return entries


def _numbered_items(lines: list[Line]) -> set[int]:
    """Lines that open items of a numbered list, not a numbered title ("5. Övrigt").

    A number opens a list item when the next or previous number is on another
    line, or when the line's continuation is indented past the number.
    """
    numbers = {
        n: int(re.sub(r"\D", "", line.words[0].text))
        for n, line in enumerate(lines)
        if len(line.words) > 1 and _NUMBER.match(line.words[0].text)
    }
    found = set()
    for n, number in numbers.items():
        others = {m for k, m in numbers.items() if k != n}
        hanging = n + 1 < len(lines) and n + 1 not in numbers
        if hanging:
            hanging = lines[n + 1].x0 > lines[n].x0 + 2
        if number - 1 in others or number + 1 in others or hanging:
            found.add(n)
    return found


def _list_marker(line: Line, height: float, dash_ok: bool) -> tuple[str, list[Word]]:
    """("ul" | "ol" | "", words after the marker) for a line that may open an item."""
    words = line.words
    first = words[0].text
    if len(words) > 1:
        wide = words[1].x0 - words[0].x1 > 0.45 * height
        if first in _BULLETS or _GLYPH.match(first) or (first in _OCR_BULLETS and wide):
            return "ul", words[1:]
        if _NUMBER.match(first):
            return "ol", words[1:]
        if first in _DASHES and (wide or dash_ok):
            return "ul", words[1:]
    if len(first) > 1 and first[0] in _BULLETS:
        head = words[0]
        rest = Word(first[1:].lstrip(), head.x0, head.x1, head.top, head.bottom)
        return "ul", [rest, *words[1:]]
    return "", words


def _words_text(words: list[Word], escape: bool) -> str:
    """Words joined by spaces; adjacent struck words become one ``~~…~~`` run."""
    text = " ".join(w.text for w in words).replace("~~ ~~", " ")
    return html.escape(text, quote=False) if escape else text


def para_starts(prev: Line, line: Line, right: float, height: float) -> bool:
    """The line opens a paragraph: a gap above it, or the line above ended early."""
    gap = gap_between(prev, line, height)
    return gap > PARA_GAP * height or _hard_break(prev, line, right, height)


def _hard_break(prev: Line, line: Line, right: float, height: float) -> bool:
    """A line ended early: the next line's first word would have fitted on it."""
    first = line.words[0]
    room = right - prev.x1
    return room > 0.3 * height + (first.x1 - first.x0) + 0.5 * height
