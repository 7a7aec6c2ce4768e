"""Synonyms: groups of equivalent words, written into the query as OR groups.

The groups come from a plain-text file published next to the index; the
service re-reads it when it changes (``SynonymFile``), so editing synonyms
needs no rebuild.
"""

from __future__ import annotations

import re
from pathlib import Path

SYNONYM_BOOST = 0.6  # the word the user typed ranks above its synonyms
# Bounds, so that no synonym file makes queries slow or long: groups read from
# the file, members per group, characters per member, words rewritten per query.
MAX_GROUPS = 2000
MAX_MEMBERS = 10
MAX_MEMBER_CHARS = 60
MAX_EXPANSIONS = 10


NO_GROUPS: list[list[str]] = []  # the groups of a missing file; never changed


class SynonymFile:
    """The synonym groups of one file, re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # (what the file looked like, its groups), replaced whole, so that a
        # thread never pairs one version's look with another's groups.
        self._read: tuple[tuple, list[list[str]]] = ((), NO_GROUPS)

    def groups(self) -> list[list[str]]:
        """The current groups; none when the file is missing.

        The same list object while the file is unchanged (or missing), so
        that what was made with it can be told by identity (``answercache``).
        A change is told by the file's time in nanoseconds, size and inode:
        a rewrite within one tick of a coarse clock changes the size, a file
        restored with its old time (``cp -p``) is another inode.
        """
        try:
            info = self.path.stat()
        except OSError:
            return NO_GROUPS
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        seen, groups = self._read
        if seen != stamp:
            text = self.path.read_text(encoding="utf-8", errors="replace")
            groups = load_synonyms(text)
            self._read = (stamp, groups)
        return groups


def load_synonyms(text: str) -> list[list[str]]:
    """Groups of equivalent terms: one group a line, comma-separated; # comments.

    At most MAX_GROUPS groups of MAX_MEMBERS members; longer members are left out.
    """
    groups = []
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        members = [m.strip().lower() for m in line.split(",") if m.strip()]
        members = [m for m in members if len(m) <= MAX_MEMBER_CHARS][:MAX_MEMBERS]
        if len(members) > 1:
            groups.append(members)
            if len(groups) == MAX_GROUPS:
                break
    return groups


def expand_synonyms(text: str, groups: list[list[str]]) -> str:
    """Rewrite each synonym outside quotes as a group of all its equivalents.

    "knark i skolan" becomes '(knark OR narkotika^0.6) i skolan': the typed
    word keeps its full weight. Quoted phrases are left as the user wrote them.
    """
    if not groups:
        return text
    pieces = re.split(r'("[^"]*")', text)
    for n in range(0, len(pieces), 2):  # even pieces are outside quotes
        pieces[n] = _expand_piece(pieces[n], groups)
    return "".join(pieces)


def _expand_piece(piece: str, groups: list[list[str]]) -> str:
    spans = []
    words = set(re.findall(r"\w+", piece.lower()))
    for group in groups:
        for member in group:
            first = re.match(r"\w+", member)
            if first is not None and first.group(0) not in words:
                continue  # cheap: most groups share no word with the query
            pattern = r"(?<!\w)" + re.escape(member) + r"(?!\w)"
            for m in re.finditer(pattern, piece, re.IGNORECASE):
                spans.append((m.start(), m.end(), group))
    out: list[str] = []
    last = 0
    for start, end, group in sorted(spans)[: MAX_EXPANSIONS * 4]:
        if start < last or len(out) >= 2 * MAX_EXPANSIONS:
            continue
        typed = piece[start:end].lower()
        others = [_term(m) + f"^{SYNONYM_BOOST}" for m in group if m != typed]
        out += [piece[last:start], f"({' OR '.join([_term(typed), *others])})"]
        last = end
    return "".join(out) + piece[last:]


def _term(member: str) -> str:
    return f'"{member}"' if " " in member else member


def synonyms_used(text: str, groups: list[list[str]]) -> list[tuple[str, str]]:
    """(typed word, equivalent also searched) for each synonym outside quotes."""
    used = []
    for n, piece in enumerate(re.split(r'("[^"]*")', text)):
        if n % 2:
            continue
        for group in groups:
            for member in group:
                pattern = r"(?<!\w)" + re.escape(member) + r"(?!\w)"
                if re.search(pattern, piece, re.IGNORECASE):
                    used += [(member, other) for other in group if other != member]
    return list(dict.fromkeys(used))
