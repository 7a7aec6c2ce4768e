"""Check the corpus' configuration files; a bad entry is skipped and reported.

Staff edit ``metadata.toml`` and ``synonyms.txt`` by hand. A slip in one entry
(an unquoted date, a title format naming an unknown field, a line in another
encoding) must cost that entry only: it is left out, and the run names the
file, the line and the reason. Nothing here can make a run fail.
"""

from __future__ import annotations

import datetime
import re
import string
import tomllib
from pathlib import Path

from .metadata import METADATA_FILE, OVERRIDE_KEYS
from .store import SYNONYMS_FILE

MAX_TITLE_CHARS = 300  # a title and a title format; longer is a slip, not a title
MAX_SYNONYM_CHARS = 60  # one synonym
TITLE_FIELDS = {"date"}  # what a title format may name: {date}
TYPES = {"minutes", "agreement"}
_ISO = re.compile(r"(19|20)\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_URL = re.compile(r"https?://\S+", re.I)

Problems = list[tuple[str, str]]  # (file and line, reason)


def load_metadata(corpus_dir: Path) -> tuple[tuple[dict, dict[str, dict]], Problems]:
    """The valid defaults and per-file entries of metadata.toml, and the problems."""
    path = corpus_dir / METADATA_FILE
    if not path.is_file():
        return ({}, {}), []
    try:
        text = path.read_bytes().decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        return ({}, {}), [(METADATA_FILE, f"not UTF-8 text (byte {exc.start})")]
    except tomllib.TOMLDecodeError as exc:  # its message names line and column
        return ({}, {}), [(METADATA_FILE, f"not read, nothing applied: {exc}")]
    problems: Problems = []
    defaults = {}
    table = data.pop("defaults", {})
    for key, value in table.items() if isinstance(table, dict) else ():
        reason = _title_format_problem(value) if key == "minutes_title" else "unknown"
        if reason:
            problems.append((_where(text, "defaults"), f"{key}: {reason}; ignored"))
        else:
            defaults[key] = value
    files = {}
    for source, entry in data.items():
        reason, clean = _check_entry(entry)
        if reason:
            problems.append((_where(text, source), f"[{source}] {reason}; ignored"))
        else:
            files[source] = clean
    return (defaults, files), problems


def _check_entry(entry) -> tuple[str | None, dict]:
    if not isinstance(entry, dict):
        return "must be a table", {}
    unknown = set(entry) - OVERRIDE_KEYS
    if unknown:
        return f"unknown keys {sorted(unknown)}", {}
    clean = dict(entry)
    if isinstance(clean.get("date"), datetime.date):  # written unquoted: fine
        clean["date"] = clean["date"].isoformat()[:10]
    for key, value in clean.items():
        kind = bool if key == "ocr" else str
        if not isinstance(value, kind):
            return f"{key} must be {'true or false' if kind is bool else 'text'}", {}
        if isinstance(value, str) and len(value) > MAX_TITLE_CHARS:
            return f"{key} is longer than {MAX_TITLE_CHARS} characters", {}
    if "date" in clean and not _ISO.fullmatch(clean["date"]):
        return "date must be YYYY-MM-DD", {}
    if "type" in clean and clean["type"] not in TYPES:
        return f"type must be one of {sorted(TYPES)}", {}
    if "source_url" in clean and not _URL.fullmatch(clean["source_url"]):
        # It becomes a link on the document page: no javascript: or data: URLs.
        return "source_url must be http(s)://…", {}
    return None, clean


def _title_format_problem(value) -> str | None:
    """Why a title format cannot be used, or None: only {date}, as is, short."""
    if not isinstance(value, str):
        return "must be text"
    if len(value) > MAX_TITLE_CHARS:
        return f"longer than {MAX_TITLE_CHARS} characters"
    try:
        fields = list(string.Formatter().parse(value))
    except ValueError as exc:
        return f"not a title format ({exc})"
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in TITLE_FIELDS or spec or conversion:
            return "may only name {date}, without conversions or widths"
    return None


def _where(text: str, table: str) -> str:
    """'metadata.toml line N' for the table's header, or just the file's name."""
    headers = (f"[{table}]", f'["{table}"]', f"['{table}']")
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(headers):
            return f"{METADATA_FILE} line {number}"
    return METADATA_FILE


def check_synonyms(data: bytes) -> tuple[str, Problems]:
    """The usable lines of synonyms.txt, and a problem for each line left out."""
    lines, problems = [], []
    for number, raw in enumerate(data.splitlines(), 1):
        where = f"{SYNONYMS_FILE} line {number}"
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            problems.append((where, "not UTF-8 text; ignored"))
            continue
        members = [m.strip() for m in line.split("#", 1)[0].split(",")]
        if any(len(m) > MAX_SYNONYM_CHARS for m in members):
            problems.append((where, f"a synonym over {MAX_SYNONYM_CHARS} characters"))
            continue
        lines.append(line)
    return "\n".join(lines) + ("\n" if lines else ""), problems
