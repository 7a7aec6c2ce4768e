"""People in minutes: attendance roles, name normalisation and look-alike names.

Pure: no I/O, no index. Minutes name people in three places: the attendance
list in the header (``Kallade:`` or ``Närvarande:``, absent members struck
through as ``~~Name~~``, a substitute written after the member they replace
as ``(ersättare Name)``), the footer (``Noterat av:`` for the secretary,
``Kallat av:`` for whoever convened), and the presenter column of each item.

Two spellings are the same person only when they differ in nothing a reader
would call a different name: letter case, hyphens against spaces
("Anna-Karin" / "Anna Karin"), spacing and stray punctuation. Everything
else that merely looks alike (a letter off, å/ä/ö lost to OCR, a middle name
more) is reported as a possible match with its reason, never merged: two
people can share a name, and a register that merges them silently misleads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from .folding import fold
from .model import Attendee

PRESENT, ABSENT, SUBSTITUTE = "present", "absent", "substitute"
SECRETARY, CONVENER, PRESENTER = "secretary", "convener", "presenter"
ROLES = (PRESENT, ABSENT, SUBSTITUTE, SECRETARY, CONVENER)
# Roles of people who were at the meeting (a convener may not have been).
ATTENDED = (PRESENT, SUBSTITUTE, SECRETARY)

_LIST_LABEL = re.compile(
    r"^\s*(?P<label>Kallade|Närvarande|Deltagare|Frånvarande|Ersättare"
    r"|Övriga närvarande|Adjungerade|Sekreterare|Ordförande)\s*:\s*",
    re.I,
)
_LABEL_ROLE = {"frånvarande": ABSENT, "ersättare": SUBSTITUTE, "sekreterare": SECRETARY}
_FOOTER_LABEL = re.compile(
    r"^\s*(?P<label>Noterat av|Antecknat av|Antecknare|Vid protokollet|Kallat av"
    r"|Sekreterare)\s*:\s*",
    re.I,
)
_SUBSTITUTE_NOTE = re.compile(r"^\s*(?:ersättare|ers\.?|ersätts av)\s+(?!för\b)", re.I)
_STANDS_IN_NOTE = re.compile(r"^\s*(?:ersättare|ers\.?)?\s*för\s+", re.I)
_ROLE_WORDS = {
    "ordförande", "vice ordförande", "sekreterare", "sekr", "samordnare",
    "ordf", "ledamot", "ersättare", "adjungerad", "gäst",
}  # fmt: skip
MAX_NAME_CHARS = 120
_PARTICLES = {"af", "av", "von", "van", "de", "der", "la", "du", "di", "da"}
_NAME_WORD = re.compile(r"^[^\W\d_](?:[\w'’-]*[^\W\d_])?\.?$")
_DASHES = re.compile(r"\s*[-‐‑–—]\s*")
_SEPARATORS = re.compile(r"[,;]")  # between entries of a list
_NOTE = re.compile(r"\(([^)]*)\)")  # "(ersättare Lena Ek)" after a name


# --- names -------------------------------------------------------------------


@lru_cache(maxsize=50_000)  # a council's people come back meeting after meeting
def clean_name(text: str) -> str:
    """A name as it should be shown: one space, tight hyphens, sensible case.

    "ANNA - KARIN  SJÖLANDER" gives "Anna-Karin Sjölander"; a name written
    in mixed case is kept as written ("McDonald", "af Klint").
    """
    text = unicodedata.normalize("NFC", text).replace("~~", "")
    text = _DASHES.sub("-", " ".join(text.split())).strip(" ,.;:-")
    letters = [ch for ch in text if ch.isalpha()]
    if letters and (text.isupper() or text.islower()):
        text = " ".join(_title_word(w) for w in text.split())
    return text


def _title_word(word: str) -> str:
    if word.lower() in _PARTICLES:
        return word.lower()
    return "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-"))


@lru_cache(maxsize=50_000)  # every item of a meeting asks for its roster's keys
def name_key(name: str) -> str:
    """What identifies a person's name: no case, hyphen, spacing or dot differences.

    "Anna-Karin Sjölander", "anna karin sjölander" and "ANNA-KARIN SJÖLANDER."
    share one key; "Anna-Karin Sjolander" (no ö) does not.
    """
    text = unicodedata.normalize("NFC", name).casefold().replace("~~", "")
    text = re.sub(r"[-‐‑–—_.'’,]", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=50_000)
def is_person_name(text: str) -> bool:
    """Two to five name words: "Anna-Karin Sjölander", "Carl von Essen".

    Not "Umebrå kansli" (a lowercase common word), not "Polisen" (one word),
    not a sentence, a role or anything with digits.
    """
    words = text.split()
    if not 2 <= len(words) <= 5 or text.casefold() in _ROLE_WORDS:
        return False
    if words[-1].casefold().rstrip(".") in _ROLE_WORDS:
        return False
    named = [w for w in words if w.lower() not in _PARTICLES]
    if len(named) < 2 or not all(_NAME_WORD.match(w) for w in words):
        return False
    capitals = [w[0].isupper() for w in named]
    return all(capitals) or not any(capitals)  # "anna berg" is a name in lowercase


def _loose_name(text: str) -> bool:
    """Text where a label or a strike-through says a name stands: not a role."""
    return (
        bool(text)
        and len(text) <= MAX_NAME_CHARS
        and text.casefold() not in (_ROLE_WORDS)
    )


# --- attendance ----------------------------------------------------------------


def parse_attendance(head: Iterable[str]) -> list[Attendee]:
    """Everyone in the header's lists, with their role.

    A struck-through name was absent; "(ersättare X)" after a member means X
    attended in their place; "X (ersättare för Y)" says the same from the
    other side; other notes in parentheses ("del av tid") are kept as notes.
    Text after a list that is not a name (a role, an organisation after a
    comma) becomes the note of the name before it.
    """
    people: list[Attendee] = []
    role = None
    for line in head:
        found = _LIST_LABEL.match(line)
        if found:
            label = found.group("label").lower()
            role = _LABEL_ROLE.get(label, PRESENT)
            line = line[found.end() :]
        if role is None or not line.strip():
            continue
        for entry in split_outside_parens(line):
            people.extend(_entry(entry, role, people))
    return _unique(people)


def split_outside_parens(line: str) -> list[str]:
    """Comma-separated entries; commas inside parentheses do not split."""
    parts = _SEPARATORS.split(line) if "(" not in line else _outside_parens(line)
    return [p.strip().rstrip(".").strip() for p in parts if p.strip()]


def _outside_parens(line: str) -> list[str]:
    """The line split at each separator outside parentheses (a loop per
    character: only for a line that has one)."""
    parts, depth, current = [], 0, ""
    for ch in line:
        depth = max(0, depth + (ch == "(") - (ch == ")"))
        if ch in ",;" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return parts + [current]


def _entry(entry: str, role: str, before: list[Attendee]) -> list[Attendee]:
    # No "(" after the last ")" can open a note; scanning them is quadratic.
    close = entry.rfind(")") + 1
    notes = [n.strip() for n in _NOTE.findall(entry[:close]) if n.strip()]
    struck = "~~" in entry
    name = clean_name(_NOTE.sub(" ", entry[:close]) + entry[close:])
    # Striking through marks a person, whatever the name looks like.
    if not (is_person_name(name) or (struck and _loose_name(name))):
        text = " ".join(entry.split())
        if name and before and not struck:  # "Hans Lindberg, ordförande"
            prev = before[-1]
            note = "; ".join(filter(None, [prev.note, text]))
            before[-1] = Attendee(prev.name, prev.role, note, prev.stands_in_for)
        return []
    own_role = ABSENT if struck else role
    out: list[Attendee] = []
    kept: list[str] = []
    stands_in_for = None
    for note in notes:
        substitute = _SUBSTITUTE_NOTE.sub("", note, count=1)
        replaced = _STANDS_IN_NOTE.sub("", note, count=1)
        if substitute != note and is_person_name(clean_name(substitute)):
            # The member was replaced, so absent even if not struck through.
            own_role = ABSENT
            out.append(Attendee(clean_name(substitute), SUBSTITUTE, None, name))
        elif replaced != note and is_person_name(clean_name(replaced)):
            own_role = ABSENT if struck else SUBSTITUTE
            stands_in_for = clean_name(replaced)
        else:
            kept.append(note)
    remark = "; ".join(kept) or None
    return [Attendee(name, own_role, remark, stands_in_for), *out]


def _unique(people: list[Attendee]) -> list[Attendee]:
    """One entry per person and role, in list order."""
    seen, out = set(), []
    for person in people:
        key = (name_key(person.name), person.role)
        if key not in seen:
            seen.add(key)
            out.append(person)
    return out


def parse_footer(foot: Iterable[str]) -> list[Attendee]:
    """The secretary ("Noterat av:", "Antecknat av:") and convener ("Kallat av:")."""
    lines = list(foot)
    found_people: list[Attendee] = []
    for n, line in enumerate(lines):
        found = _FOOTER_LABEL.match(line)
        if not found:
            continue
        role = CONVENER if found.group("label").lower() == "kallat av" else SECRETARY
        rest = [line[found.end() :]] + lines[n + 1 :]
        text = next((r.strip() for r in rest if r.strip()), "")
        if _FOOTER_LABEL.match(text):
            continue
        entries = split_outside_parens(text)
        # The label says a person follows: only a role alone is not one.
        if entries and _loose_name(clean_name(entries[0])):
            rest = [e for e in entries[1:] if e.casefold() not in _ROLE_WORDS]
            note = ", ".join(rest) or None
            found_people.append(Attendee(clean_name(entries[0]), role, note))
    return found_people


# --- look-alike names -----------------------------------------------------------


def maybe_same(a: str, b: str) -> str | None:
    """Why two differently keyed names may be one person, or None.

    The reason is a Swedish phrase for the person page.
    """
    ka, kb = name_key(a), name_key(b)
    if ka == kb:
        return None
    ta, tb = ka.split(), kb.split()
    fa, fb = [fold(t) for t in ta], [fold(t) for t in tb]
    if fa == fb:
        return "samma namn om å, ä, ö och é inte skiljs åt (vanligt vid OCR)"
    if len(fa) == len(fb):
        distances = [edit_distance(x, y) for x, y in zip(fa, fb, strict=True)]
        differing = [(x, d) for x, d in zip(fa, distances, strict=True) if d]
        if all(d == 1 and len(x) >= 5 for x, d in differing) and len(differing) <= 2:
            letters = "en bokstav" if len(differing) == 1 else "en bokstav per namn"
            return f"stavningen skiljer sig på {letters}"
        return None
    short, long_ = (fa, fb) if len(fa) < len(fb) else (fb, fa)
    if short[0] == long_[0] and _in_order(short, long_):
        return "samma förnamn och efternamn, men ett namn till i den ena"
    return None


def _in_order(short: list[str], long_: list[str]) -> bool:
    it = iter(long_)
    return all(any(word == other for other in it) for word in short)


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Edits (insert, delete, replace, swap two letters) from a to b, capped."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            best = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost)
            if (
                previous2 is not None
                and i > 1
                and j > 1
                and ca == b[j - 2]
                and a[i - 2] == cb
            ):
                best = min(best, previous2[j - 2] + 1)
            row.append(best)
        previous2, previous = previous, row
    return min(previous[-1], limit)


def blocking_keys(name: str) -> set[str]:
    """Keys two look-alike names share at least one of: only those pairs are compared.

    Each folded word, and the first three letters of the last one (so that
    "Michacl Rystcdt" meets "Michael Rystedt").
    """
    words = [fold(w) for w in name_key(name).split()]
    keys = {f"w:{w}" for w in words}
    if words:
        keys.add(f"p:{words[-1][:3]}")
        keys.add(f"f:{words[0][:3]}")
    return keys


def look_alikes(names: Iterable[str]) -> dict[str, list[tuple[str, str]]]:
    """For each name key, the other names that may be the same person, with why."""
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(name_key(name), name)
    blocks: dict[str, list[str]] = {}
    for key in by_key:
        for block in blocking_keys(key):
            blocks.setdefault(block, []).append(key)
    found: dict[str, dict[str, str]] = {key: {} for key in by_key}
    for members in blocks.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if b in found[a]:
                    continue
                reason = maybe_same(by_key[a], by_key[b])
                if reason:
                    found[a][b] = reason
                    found[b][a] = reason
    return {k: sorted(v.items()) for k, v in found.items() if v}


def item_person_keys(doc, item) -> list[str]:
    """Name keys of who took part in an item: presenters and the meeting's people.

    The absent and the convener are left out: filtering by a person should
    give what they were at, not what they missed.
    """
    names = [p for p in item.presenters if is_person_name(p)]
    names += [a.name for a in doc.attendance if a.role in ATTENDED]
    return list(dict.fromkeys(name_key(n) for n in names))
