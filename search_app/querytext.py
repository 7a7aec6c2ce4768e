"""What a user typed, read as a Swedish reader means it, into a canonical query.

The engine's parser is strict and silent: "narkotika OR" found nothing,
"-alkohol" was a word and lowercase "eller" a stop word. This module reads
the text first, by the grammar below, and hands the parser canonical text
it cannot misread; every liberty it takes is said in a note, so the page
and the API can show "Tolkad som …". Pure text in, text out: no engine.

GRAMMAR (what the help page documents)::

    query   := clause ( [OCH | AND] clause )*     all clauses must match
    clause  := unary ( (ELLER | OR) unary )*      any of them may match
    unary   := (INTE | NOT | -) unary | atom      must not match
    atom    := word | word* | "a phrase" | ( query )

ELLER binds tighter than the implied OCH ("narkotika alkohol ELLER droger"
is narkotika and either alkohol or droger), as on the big web search
engines. Lowercase "eller"/"or" and "inte"/"not" between words are
operators too, with a note (a Swedish reader writes "narkotika eller
alkohol" and means either); lowercase "och"/"and" is the implied OCH.
In quotes every word is a word. Leniency: an operator with nothing to join
is dropped, an unclosed quote or bracket is closed at the end, a stray
closing bracket is dropped, and a query of exclusions only lists
everything but them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

AND_WORDS = {"OCH": "OCH", "AND": "OCH"}
OR_WORDS = {"ELLER": "ELLER", "OR": "ELLER"}
NOT_WORDS = {"INTE": "INTE", "NOT": "INTE"}
# Lowercase words read as operators; the value says whether the page notes it
# ("och" means what two words side by side mean anyway).
LOWER_OPERATORS = {"och": False, "and": False, "eller": True, "or": True,
                   "inte": True, "not": True}  # fmt: skip
ENGINE = {"OCH": "AND", "ELLER": "OR", "INTE": "NOT"}

_TOKEN = re.compile(r'\s+|"[^"]*"?|[()]|[^\s()"]+')
MAX_DEPTH = 8  # brackets deeper than this are read as plain grouping of words


@dataclass
class Interpretation:
    """The canonical query for the parser, as shown to the user, and the notes."""

    engine: str  # English operators, fully bracketed: for the parser
    display: str  # Swedish operators: "Tolkad som …", interpreted_query
    notes: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)  # searched words, not excluded

    @property
    def empty(self) -> bool:
        return not self.engine


def interpret(text: str) -> Interpretation:
    """Read ``text`` by the GRAMMAR; never fails, whatever was typed."""
    notes: list[str] = []
    reader = _Reader(_tokens(text, notes), notes)
    tree = reader.query(top=True)
    tree = _simplify(tree)
    if tree is not None and _only_exclusions(tree):
        notes.append("Bara uteslutna ord: visar allt utom dem.")
        tree = ("and", [("word", "*"), *(_parts(tree))])
    notes = list(dict.fromkeys(notes))  # each liberty said once
    if tree is None:
        return Interpretation("", "", notes)
    words: list[str] = []
    _collect(tree, words, negated=False)
    return Interpretation(_render(tree, True), _render(tree, False), notes, words)


def _tokens(text: str, notes: list[str]) -> list[tuple[str, str]]:
    """(kind, text) pairs: word, phrase, op, open, close, minus."""
    out: list[tuple[str, str]] = []
    depth, deep = 0, False
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if tok.isspace():
            continue
        if tok.startswith('"'):
            if len(tok) == 1 or not tok.endswith('"'):
                if len(tok) > 1:
                    notes.append("Citattecknet stängdes i slutet av frågan.")
                else:
                    notes.append("Ett ensamt citattecken ignorerades.")
                tok = tok + '"' if len(tok) > 1 else ""
            if tok.strip('"').strip():
                out.append(("phrase", '"' + " ".join(tok[1:-1].split()) + '"'))
        elif tok in "()":
            depth += 1 if tok == "(" else -1
            if tok == "(" and depth > MAX_DEPTH or tok == ")" and depth >= MAX_DEPTH:
                deep = True
                continue
            out.append(("open" if tok == "(" else "close", tok))
        else:
            out.extend(_word_tokens(tok, text, m.end(), notes))
    if deep:
        notes.append(f"Parenteser djupare än {MAX_DEPTH} nivåer ignorerades.")
    return out


def _word_tokens(tok: str, text: str, end: int, notes: list[str]):
    """A word, an operator, or a minus that excludes what follows it."""
    if tok.startswith("-"):
        rest = tok.lstrip("-")
        if rest:
            return [("minus", "-"), *_word_tokens(rest, text, end, notes)]
        following = text[end : end + 1]
        return [("minus", "-")] if following in ('"', "(") else []
    for table in (AND_WORDS, OR_WORDS, NOT_WORDS):
        if tok in table:
            return [("op", table[tok])]
    if tok in LOWER_OPERATORS:
        op = {"och": "OCH", "and": "OCH", "eller": "ELLER", "or": "ELLER"}.get(
            tok, "INTE"
        )
        return [("op", op), ("lower", tok)]
    return [("word", tok)]


class _Reader:
    """Recursive descent over the tokens, lenient at every step."""

    def __init__(self, tokens, notes) -> None:
        self.tokens = tokens
        self.pos = 0
        self.notes = notes
        self.depth = 0
        self.lower: list[str] = []

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.pos]
        self.pos += 1
        following = self.peek()
        if following is not None and following[0] == "lower":
            self.lower.append(self.tokens[self.pos][1])
            self.pos += 1
        return tok

    def is_op(self, name: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "op" and tok[1] == name

    def query(self, top: bool = False):
        parts: list = []
        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok[0] == "close":
                if top:
                    self.take()
                    self.notes.append("En slutparentes utan början ignorerades.")
                    continue
                break
            if self.is_op("OCH") or self.is_op("ELLER"):
                name = self.take()[1]
                if not parts or not self._starts_operand():
                    self._dangling(name)
                continue
            clause = self.clause()
            if clause is not None:
                parts.append(clause)
        if top:
            self._note_lower()
        return ("and", parts) if parts else None

    def clause(self):
        first = self.unary()
        options = [first] if first is not None else []
        while self.is_op("ELLER"):
            self.take()
            while self.is_op("ELLER") or self.is_op("OCH"):
                self._dangling(self.take()[1])
            if not self._starts_operand():
                self._dangling("ELLER")
                break
            nxt = self.unary()
            if nxt is not None:
                options.append(nxt)
        if not options:
            return None
        return options[0] if len(options) == 1 else ("or", options)

    def unary(self):
        tok = self.peek()
        if tok is None:
            return None
        if tok[0] == "minus" or self.is_op("INTE"):
            self.take()
            if not self._starts_operand():
                self._dangling("INTE" if tok[0] == "op" else "-")
                return None
            inner = self.unary()
            return None if inner is None else ("not", inner)
        return self.atom()

    def atom(self):
        kind, text = self.take()
        if kind in ("word", "phrase"):
            return (kind, text)
        if kind == "open":
            self.depth += 1
            inner = self.query()
            if self.peek() is None:
                self.notes.append("Parentesen stängdes i slutet av frågan.")
            else:
                self.take()  # the closing bracket
            self.depth -= 1
            if inner is None:
                self.notes.append("En tom parentes ignorerades.")
            return inner
        return None  # an operator where a word belongs: skipped by the caller

    def _starts_operand(self) -> bool:
        tok = self.peek()
        return tok is not None and (
            tok[0] in ("word", "phrase", "open", "minus") or self.is_op("INTE")
        )

    def _dangling(self, name: str) -> None:
        self.notes.append(f"{name} utan något att förena ignorerades.")

    def _note_lower(self) -> None:
        noted = sorted({w for w in self.lower if LOWER_OPERATORS[w]})
        for word in noted:
            op = "ELLER" if word in ("eller", "or") else "INTE"
            self.notes.append(
                f"”{word}” lästes som {op}; sätt ordet inom citattecken "
                "för att söka på det."
            )


def _simplify(node):
    """Flatten nested groups of one kind, unwrap single members, drop INTE INTE."""
    if node is None or node[0] in ("word", "phrase"):
        return node
    if node[0] == "not":
        inner = _simplify(node[1])
        if inner is not None and inner[0] == "not":
            return inner[1]
        return None if inner is None else ("not", inner)
    kind, members = node
    flat: list = []
    for member in (_simplify(m) for m in members):
        if member is None:
            continue
        flat.extend(member[1] if member[0] == kind else [member])
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else (kind, flat)


def _parts(node) -> list:
    return node[1] if node[0] == "and" else [node]


def _only_exclusions(node) -> bool:
    return all(part[0] == "not" for part in _parts(node))


def _collect(node, words: list[str], negated: bool) -> None:
    if node[0] in ("word", "phrase"):
        if not negated:
            words.append(node[1])
    elif node[0] == "not":
        _collect(node[1], words, not negated)
    else:
        for member in node[1]:
            _collect(member, words, negated)


def _render(node, engine: bool, inside: str = "") -> str:
    """The tree as text: bracketed for the parser, or as a reader would write it."""
    kind = node[0]
    if kind in ("word", "phrase"):
        return node[1]
    if kind == "not":
        return ("NOT " if engine else "INTE ") + _render(node[1], engine, "not")
    joiner = " OR " if kind == "or" else (" AND " if engine else " ")
    if not engine and kind == "or":
        joiner = " ELLER "
    text = joiner.join(_render(m, engine, kind) for m in node[1])
    needs = inside == "not" or (inside and inside != kind and (engine or kind == "and"))
    return f"({text})" if needs else text
