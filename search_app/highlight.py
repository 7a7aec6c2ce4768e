"""Highlighting: escaped text with matched words wrapped in a bare <mark>.

The one place that turns the service's text and match spans into HTML: the
passages of a hit, and the title and paragraphs of a document's items.
Works on character spans of the original text, so whatever the analysis did
to a word (stemming, folding, OCR correction), the mark sits on the
characters the reader sees. Knows nothing of the search engine (the spans
are found by ``matching``, on the service side).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from html import escape

from .vocabulary import Item, SearchResponse, Span

SURROUND = 90  # characters of context on each side of a match
MAX_FRAGMENTS = 3
_SPACE = re.compile(r"\s+")


def mark(text: str, spans: Iterable[Span]) -> str:
    """All of ``text``, HTML-escaped, with every span in <mark>…</mark>."""
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue
        out.append(escape(text[last:start], quote=True))
        out.append(f"<mark>{escape(text[start:end], quote=True)}</mark>")
        last = end
    out.append(escape(text[last:], quote=True))
    return "".join(out)


def _fragments_of(match) -> list[str]:
    """A hit's ``match`` (text and spans) as marked passages."""
    return fragments(match["text"], match["spans"])


def marked(response: SearchResponse) -> dict:
    """The search response as the API and the pages show it: passages marked.

    Each hit's ``match`` becomes its ``highlights``, in the same place, so
    the keys keep the contract's order.
    """
    hits = [
        {
            ("highlights" if key == "match" else key): (
                _fragments_of(value) if key == "match" else value
            )
            for key, value in hit.items()
        }
        for hit in response["hits"]
    ]
    return {**response, "hits": hits}


def marked_item(item: Item) -> dict:
    """A document's item with its title and paragraphs escaped and marked."""
    return {
        **item,
        "item_title_html": mark(item["item_title"], item["title_spans"]),
        "paragraphs_html": [
            mark(para, _shift(item["spans"], para, offset))
            for para, offset in _paragraphs(item["text"])
        ],
    }


def fragments(
    text: str,
    spans: list[Span],
    max_fragments: int = MAX_FRAGMENTS,
    surround: int = SURROUND,
) -> list[str]:
    """The best short passages around the matches, each escaped and marked.

    Passages with more matches come first; a text without matches gives its
    opening, unmarked, so a hit never shows an empty snippet.
    """
    spans = sorted(spans)
    if not spans:
        return [_render(text, 0, _cut_after(text, 2 * surround), [])] if text else []
    windows: list[tuple[int, int, list[Span]]] = []
    for span in spans:
        if windows and span[0] - windows[-1][1] < surround:
            start, _, members = windows[-1]
            windows[-1] = (start, span[1], members + [span])
        else:
            windows.append((span[0], span[1], [span]))
    best = sorted(windows, key=lambda w: (-len(w[2]), w[0]))[:max_fragments]
    out = []
    for start, end, members in sorted(best):
        lo = _cut_before(text, start - surround)
        hi = _cut_after(text, end + surround)
        out.append(_render(text, lo, hi, members))
    return out


def _render(text: str, lo: int, hi: int, spans: list[Span]) -> str:
    chunk = text[lo:hi]
    shifted = [(s - lo, e - lo) for s, e in spans]
    collapsed = " ".join(chunk.split())
    if collapsed != chunk:  # most passages have no space to collapse
        shifted = _respace(chunk, shifted)
    body = mark(collapsed, shifted)
    return ("… " if lo > 0 else "") + body + (" …" if hi < len(text) else "")


def _respace(chunk: str, spans: list[Span]) -> list[Span]:
    """Map spans onto the chunk with its runs of whitespace collapsed.

    A run before a span shortens it by all but one character (by all of it
    at the very start); tokens hold no whitespace, so a span keeps its length.
    """
    ends, removed, total = [], [], 0
    for run in _SPACE.finditer(chunk):
        total += run.end() - run.start() - (1 if run.start() > 0 else 0)
        ends.append(run.end())
        removed.append(total)

    def moved(pos: int) -> int:
        before = bisect_right(ends, pos)
        return pos - (removed[before - 1] if before else 0)

    return [(moved(s), moved(s) + (e - s)) for s, e in spans]


def _cut_before(text: str, pos: int) -> int:
    if pos <= 0:
        return 0
    space = text.rfind(" ", 0, pos)
    newline = text.rfind("\n", 0, pos)
    return max(space, newline) + 1


def _cut_after(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = text.find(" ", pos)
    return len(text) if space == -1 else space


def _paragraphs(text: str):
    """Each paragraph (blank-line separated) with its offset in ``text``."""
    offset = 0
    for para in text.split("\n\n"):
        yield para, offset
        offset += len(para) + 2


def _shift(spans: Iterable[Span], para: str, offset: int) -> list[Span]:
    """The spans inside the paragraph at ``offset``, counted from its start."""
    end = offset + len(para)
    return [(s - offset, e - offset) for s, e in spans if s >= offset and e <= end]
