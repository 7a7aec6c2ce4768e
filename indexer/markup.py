"""Turn the HTML fragments found in table cells, and raw text lines, into clean text.

The output keeps structure as plain text: paragraphs are separated by a blank
line and list items stand on lines of their own, starting with "• " or their
number. No tag survives: everything else in the markup is dropped, and
entities are decoded, so the index and the UI only ever see text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "div", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6"}
_LIST_TAGS = {"ul", "ol"}
# Inline list markers as the seeds write them inside <ul>/<ol>: "• a • b", "– a – b".
# Starts only where a run of spaces starts: linear on long runs of whitespace.
_BULLET_SPLIT = re.compile(r"(?<!\s)\s+(?=[•–\-▪◦●]\s)")
_NUMBER_MARK = re.compile(r"(?:(?<=\s)|^)(\d{1,2})\.\s")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANKS = re.compile(r"\n{3,}")
# A "<" that opens no complete tag (nor a comment) is text: "<![" trips the
# stdlib parser and "<p <p <p ..." makes it quadratic.
_STRAY_LT = re.compile(r"<(?!/?[A-Za-z][^<>]{0,500}>|!--)")
_TAG = re.compile(r"<[^<>]{0,500}>")
_SENTENCE_END = re.compile(r"[.!?:;)\"”]$")
# Tags that only break lines: paragraphs, line breaks, inline tags without
# attributes. Most cells with markup hold no other, nor an entity, and are
# converted by substitution to what the parser (a Python loop over the
# fragment) makes of them.
_LINE_TAG = re.compile(r"</?(p|b|i|em|strong|u|span)>|<(br) ?/?>")


class _TextExtractor(HTMLParser):
    """Collects text, turning block and list tags into line structure."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.in_list = False
        self.numbers: list[int | None] = []  # per open list: next number, or None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK_TAGS:
            self.in_list = False
            self.parts.append("\n\n")
        elif tag in _LIST_TAGS:
            self.in_list = True
            self.numbers.append(1 if tag == "ol" else None)
            self.parts.append("\n\n")
        elif tag == "li":
            self.parts.append(self._marker())
        elif tag == "br":
            self.parts.append("\n")

    def _marker(self) -> str:
        number = self.numbers[-1] if self.numbers else None
        if number is None:
            return "\n• "
        self.numbers[-1] = number + 1
        return f"\n{number}. "

    def handle_endtag(self, tag: str) -> None:
        if tag in _LIST_TAGS and self.numbers:
            self.numbers.pop()
        if tag in _BLOCK_TAGS or tag in _LIST_TAGS:
            self.in_list = self.in_list and tag not in _LIST_TAGS
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(_split_inline_list(data) if self.in_list else data)


def _split_inline_list(data: str) -> str:
    """Put each item of an inline list ("1. a 2. b", "• a • b") on its own line."""
    data = _BULLET_SPLIT.sub("\n", data)
    expected = 1
    out, last = [], 0
    for match in _NUMBER_MARK.finditer(data):
        # Only a run 1, 2, 3 ... is a list; "kl. 15.00" or "18 mars." is not.
        if int(match.group(1)) != expected:
            continue
        out.append(data[last : match.start()])
        out.append("\n")
        last = match.start()
        expected += 1
    out.append(data[last:])
    return "".join(out) if expected > 2 else data


def html_to_text(fragment: str) -> str:
    """Clean text of a cell that may hold <p>, <ul>, <ol>, <li>, <i>, <br> ..."""
    if "<" not in fragment and "&" not in fragment:
        return tidy(fragment)
    lines = _LINE_TAG.sub(_line_break, fragment)
    if "<" not in lines and "&" not in lines:  # only tags that break lines
        return tidy(lines)
    return _parsed(fragment)


def _line_break(tag: re.Match) -> str:
    """What the parser makes of a tag of ``_LINE_TAG``."""
    name = tag.group(1) or tag.group(2)
    return "\n\n" if name == "p" else "\n" if name == "br" else ""


def _parsed(fragment: str) -> str:
    """``html_to_text`` by the HTML parser: any markup."""
    parser = _TextExtractor()
    try:
        parser.feed(_STRAY_LT.sub("&lt;", fragment))
        parser.close()
    except (AssertionError, ValueError):  # markup the parser cannot take
        return tidy(_TAG.sub(" ", fragment))
    return tidy("".join(parser.parts))


def tidy(text: str) -> str:
    """Collapse spaces, trim lines, keep at most one blank line between blocks."""
    # One pass over the text, not one per line: spaces never span a line.
    lines = [line.strip() for line in _SPACES.sub(" ", text).split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def join_lines(lines: list[str]) -> str:
    """Join wrapped text lines into paragraphs, repairing hyphenated line breaks.

    Blank lines separate paragraphs. A line ending in "word-" followed by a
    lowercase continuation is one word broken by the layout ("Polismyndig-" +
    "heten"), unless the next word is a conjunction, which marks a shared
    compound part ("brotts- och drogförebyggande").
    """
    paragraphs: list[str] = []
    current = ""
    for raw in lines:
        line = _SPACES.sub(" ", raw).strip()
        if not line:
            if current:
                paragraphs.append(current)
            current = ""
        elif _is_list_line(line) or not current:
            if current and _is_list_line(line):
                paragraphs.append(current)
            current = line
        elif _broken_word(current, line):
            current = current[:-1] + line
        else:
            current = f"{current} {line}"
    if current:
        paragraphs.append(current)
    return "\n\n".join(paragraphs)


_CONJUNCTIONS = {"och", "eller", "samt", "som", "resp", "respektive"}


def _broken_word(current: str, nxt: str) -> bool:
    if not (current.endswith("-") and len(current) > 1 and current[-2].isalpha()):
        return False
    first = nxt.split(" ", 1)[0].rstrip(".,;:")
    return first[:1].islower() and first.lower() not in _CONJUNCTIONS


def _is_list_line(line: str) -> bool:
    return bool(re.match(r"^(?:[•▪◦●–-]|\d{1,2}[.)])\s", line))


def ends_sentence(text: str) -> bool:
    """Whether text ends where a sentence or a list item could end."""
    # Only the end matters: searching all of a long text is quadratic in a loop.
    return bool(_SENTENCE_END.search(text[-200:].rstrip()))
