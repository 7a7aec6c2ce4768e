"""Document metadata: dates, attendees, presenters, secretary, titles.

Also the staff-edited metadata file (``corpus/metadata.toml``) that sets or
overrides what a file's text does not say well::

    [defaults]
    minutes_title = "UmeBrå styrgrupp – minnesanteckningar {date}"

    ["004_0c2c73417de47a69.txt"]          # path relative to the corpus dir
    title = "..."
    date = "2022-06-14"                    # ISO date
    source_url = "https://..."
    type = "minutes"                       # or "agreement"
    ocr = true                             # the text is OCR output
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from pathlib import Path

from . import people
from .markup import join_lines
from .model import Document, RawDocument

METADATA_FILE = "metadata.toml"
OVERRIDE_KEYS = {"title", "date", "source_url", "type", "ocr", "time", "place"}

_ISO_DATE = re.compile(r"\b(20\d\d|19\d\d)-(0[1-9]|1[0-2])-([0-2]\d|3[01])\b")
_MONTHS = (
    "januari februari mars april maj juni "
    "juli augusti september oktober november december"
)
_MONTH_NUMBER = {name: n for n, name in enumerate(_MONTHS.split(), 1)}
_SWEDISH_DATE = re.compile(
    rf"\b(\d{{1,2}}) ({'|'.join(_MONTH_NUMBER)}) (\d{{4}})\b", re.I
)
_YEAR_RANGE = re.compile(r"\b(20\d\d)\s*[-–]\s*(20\d\d)\b")
_BOUND = re.compile(r"\b(?:fr[åa]n|till|t\.?o\.?m\.?)(?: och med)?(?: den)?\s*$", re.I)
_TIME = re.compile(
    r"\b(?:klockan|kl\.?)\s*(\d{1,2}[.:]\d{2})(?:\s*[-–]\s*(\d{1,2}[.:]\d{2}))?", re.I
)
_ATTENDEE_LABEL = re.compile(
    r"^\s*(Kallade|Närvarande|Deltagare|Frånvarande)\s*:\s*", re.I
)
_FOOTER_LABEL = re.compile(
    r"^\s*(Noterat av|Antecknat av|Kallat av|Vid protokollet)\s*:", re.I
)
_FLAT_HEADER = re.compile(
    r"^\s*(?:Ärende|Omfattning/notering|Föredragande)\s*:?\s*$", re.I
)
_PERSON = re.compile(
    r"^[A-ZÅÄÖÉ][\w'’.-]*(?: (?:af |von |de )?[A-ZÅÄÖÉ][\w'’-]*){1,3}$"
)
_LABEL = re.compile(r"^[A-ZÅÄÖÉ][\w'’.-]*(?: [\w'’.-]+){0,3}$")
_ROLE_WORDS = {"ordförande", "sekreterare", "sekr", "samordnare", "vice ordförande"}


# --- the metadata file -------------------------------------------------------


def load_overrides(corpus_dir: Path) -> tuple[dict, dict[str, dict]]:
    """The defaults and per-file entries of corpus/metadata.toml, if it exists.

    A malformed file is an error staff must see, so it raises ValueError with
    the reason rather than being ignored.
    """
    path = corpus_dir / METADATA_FILE
    if not path.is_file():
        return {}, {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{METADATA_FILE}: {exc}") from None
    defaults = data.pop("defaults", {})
    files = {}
    for source, entry in data.items():
        if not isinstance(entry, dict):
            raise ValueError(f"{METADATA_FILE}: [{source}] must be a table")
        unknown = set(entry) - OVERRIDE_KEYS
        if unknown:
            raise ValueError(
                f"{METADATA_FILE}: [{source}] unknown keys {sorted(unknown)}"
            )
        if "date" in entry and not _ISO_DATE.fullmatch(str(entry["date"])):
            raise ValueError(f"{METADATA_FILE}: [{source}] date must be YYYY-MM-DD")
        url = str(entry.get("source_url", "https://umea.se"))
        if not re.match(r"https?://[^\s]+$", url, re.I):
            # It becomes a link on the document page: no javascript: or data: URLs.
            raise ValueError(
                f"{METADATA_FILE}: [{source}] source_url must be http(s)://…"
            )
        files[source] = entry
    return defaults, files


# --- ids --------------------------------------------------------------------


def make_doc_id(source: str) -> str:
    """A readable id derived from the file's path, so it survives rebuilds."""
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9_]+", "-", ascii_stem).strip("-").lower()[:48] or "doc"
    return f"{slug}-{hashlib.sha1(source.encode()).hexdigest()[:8]}"


# --- the header and footer ---------------------------------------------------


def find_footer(lines: list[str]) -> int:
    """Index of the "Noterat av:" line that ends the items, or len(lines)."""
    for n in range(len(lines) - 1, -1, -1):
        if _FOOTER_LABEL.match(lines[n]):
            return n
    return len(lines)


def has_attendee_label(lines: list[str]) -> bool:
    """Whether the document lists who was summoned or present."""
    return any(_ATTENDEE_LABEL.match(line) for line in lines)


def flat_table_start(lines: list[str]) -> int:
    """Where the items of a flattened minutes table begin."""
    labels = [n for n, line in enumerate(lines) if _FLAT_HEADER.match(line)]
    if labels:
        return labels[-1] + 1
    for n, line in enumerate(lines):
        if _ATTENDEE_LABEL.match(line):
            m = n + 1
            while m < len(lines) and not lines[m].strip():
                m += 1
            while m < len(lines) and lines[m].strip():
                m += 1
            return m
    return 0


def document_header(
    raw: RawDocument, head: list[str], foot: list[str], doc_type: str, overrides: dict
) -> Document:
    """The document-level metadata, with the metadata file's overrides applied."""
    defaults, entry = overrides.get("defaults", {}), overrides.get("file", {})
    doc_type = entry.get("type", doc_type)
    text = "\n".join(head) if doc_type == "minutes" else raw.text
    attendance = people.parse_attendance(head) + people.parse_footer(foot)
    present, absent = attendees_by_presence(attendance)
    doc = Document(
        doc_id=make_doc_id(raw.source),
        source=raw.source,
        sha256=raw.sha256,
        doc_type=doc_type,
        title="",
        date=entry.get("date") or find_date(text, doc_type),
        **stated_dates(text, doc_type, bool(entry.get("date"))),
        time=entry.get("time") or find_time(head),
        place=entry.get("place") or find_place(head),
        present=present,
        absent=absent,
        secretary=_first(attendance, people.SECRETARY),
        convener=_first(attendance, people.CONVENER),
        attendance=attendance,
        source_url=entry.get("source_url"),
        ocr=bool(entry.get("ocr", raw.ocr)),
    )
    doc.title = entry.get("title") or default_title(doc, raw.text, defaults)
    return doc


def find_date(text: str, doc_type: str) -> str | None:
    """ISO date of the meeting, or the start of an agreement's period."""
    if doc_type == "agreement":
        found = _SWEDISH_DATE.search(text)
        if found:
            return _iso(found)
        period = _YEAR_RANGE.search(text)
        return f"{period.group(1)}-01-01" if period else None
    iso = _ISO_DATE.search(text)
    if iso:
        return iso.group(0)
    found = _SWEDISH_DATE.search(text)
    return _iso(found) if found else None


def stated_dates(text: str, doc_type: str, given: bool) -> dict:
    """What kind of date a document states, and an agreement's period.

    ``find_date`` gives an agreement without a signing day its period's
    first day, so it sorts and filters by year; ``date_kind`` "period" tells
    the reader that this is no date the document states.
    """
    period = _YEAR_RANGE.search(text) if doc_type == "agreement" else None
    valid = {"valid_from": period[1], "valid_to": period[2]} if period else {}
    # "gäller från den 1 januari 2021": a bound of the period, not a signing day.
    signed = [
        m for m in _SWEDISH_DATE.finditer(text)
        if not _BOUND.search(text[max(0, m.start() - 30) : m.start()])
    ]  # fmt: skip
    kind: str | None
    if doc_type == "minutes":
        kind = "meeting"
    elif given or signed:
        kind = "signed"
    else:
        kind = "period" if period else None
    return {"date_kind": kind, **valid}


def _iso(match: re.Match) -> str:
    day, month, year = (
        match.group(1),
        _MONTH_NUMBER[match.group(2).lower()],
        match.group(3),
    )
    return f"{year}-{month:02d}-{int(day):02d}"


def find_time(head: list[str]) -> str | None:
    """Meeting time, "15.00" or "15.00–16.30"."""
    found = _TIME.search("\n".join(head))
    if not found:
        return None
    start, end = (t.replace(":", ".") if t else t for t in found.groups())
    return f"{start}–{end}" if end else start


def find_place(head: list[str]) -> str | None:
    """The line after the time: where the meeting was held."""
    lines = [line.strip() for line in head if line.strip()]
    for n, line in enumerate(lines[:-1]):
        if _TIME.search(line):
            place = lines[n + 1]
            if not _ATTENDEE_LABEL.match(place) and not _ISO_DATE.search(place):
                return place.rstrip(".")
    return None


def attendees_by_presence(attendance: list) -> tuple[list[str], list[str]]:
    """Names of those present (substitutes included) and of those absent.

    The secretary and convener count only through the lists: the footer
    does not say whether they sat in the meeting.
    """
    here = (people.PRESENT, people.SUBSTITUTE)
    present = [a.name for a in attendance if a.role in here]
    absent = [a.name for a in attendance if a.role == people.ABSENT]
    return present, absent


def _first(attendance: list, role: str) -> str | None:
    return next((a.name for a in attendance if a.role == role), None)


def default_title(doc: Document, text: str, defaults: dict) -> str:
    """A readable title: a template for minutes, the opening sentence for prose."""
    if doc.doc_type == "minutes":
        template = defaults.get("minutes_title", "Minnesanteckningar {date}")
        return template.format(date=doc.date or "(datum saknas)").strip()
    opening: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            opening.append(line.strip())
        if opening and (opening[-1].endswith(".") or len(" ".join(opening)) > 160):
            break
    title = join_lines(opening).rstrip(".")
    return title[:200] or "Överenskommelse"


# --- items ---------------------------------------------------------------------


_STANDARD_HEADING = re.compile(
    r"^(?:övriga frågor"
    r"|föregående (?:möte|mötesanteckningar|minnesanteckningar|protokoll)"
    r"|mötets? (?:öppnande|avslutande)|nästa möte|aktuellt\b|information\b"
    r"|rapport(?:er)? från|dagordning|val av|avslutning)",
    re.I,
)


def is_standard_heading(text: str) -> bool:
    """Whether text opens with an agenda point that most minutes have."""
    return bool(_STANDARD_HEADING.match(text.strip()))


def clean_title(text: str) -> str:
    """A heading as one line, without a trailing colon."""
    return re.sub(r"\s+", " ", text).strip().rstrip(":").strip()


def looks_like_person(text: str) -> bool:
    """ "Anna-Karin Sjölander", not "Umebrå kansli" nor "Rapport från"."""
    words = text.split()
    return bool(_PERSON.match(text)) and words[-1].lower() not in _ROLE_WORDS


def looks_like_label(text: str) -> bool:
    """A short capitalised phrase without sentence punctuation."""
    return bool(_LABEL.match(text)) and not text.endswith(".")


def split_presenters(cell: str) -> list[str]:
    """Names in a Föredragande cell, without roles and affiliations.

    "Lena Sundh, bitr. skoldirektör och Leif Nilsson, Rädda barnen" gives the
    two names; a cell with no person name ("Umebrå kansli") is kept as written.
    """
    cell = re.sub(r"\s+", " ", cell).strip().rstrip(".")
    if not cell:
        return []
    parts = [p.strip() for p in re.split(r",|\boch\b|\n", cell) if p.strip()]
    names = [_strip_role(p) for p in parts]
    people = [n for n in names if looks_like_person(n)]
    return people or [n for n in names if n and n.lower() not in _ROLE_WORDS]


def _strip_role(part: str) -> str:
    words = part.split()
    while len(words) > 1 and words[-1].lower().rstrip(".") in _ROLE_WORDS:
        words.pop()
    return " ".join(words)
