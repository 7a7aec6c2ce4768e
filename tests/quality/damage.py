"""Make OCR-damaged copies of the seed minutes, to measure search over scanned text.

Real scanned minutes come out of Tesseract with systematic confusions (``ö`` read
as ``6``, ``å`` as ``d``, ``rn`` as ``m``, lost diacritics, words hyphenated at
line ends). The seed corpus has one such document (the agreement, 003); this
module makes more, deterministically, from the clean minutes so that the quality
evaluation can tell whether the search still finds what a user types in clean
Swedish.

Only the words change: in a tab-table line no TAB or newline is ever added or
removed, the table header row, ``~~Name~~`` markers, HTML tags, URLs, e-mail
addresses, numbers and the structural labels (``Kallade:``, ``Noterat av:``...)
are left alone, so the segmenter finds the same agenda items, numbered the same,
as in the original. Hyphenated line breaks are only added in documents laid out
as running lines (no tab table), where the layout has line breaks anyway.

Usage: ``python tests/quality/damage.py [OUT_DIR]`` (default ``tests/artifacts/
ocr_corpus``).
"""

from __future__ import annotations

import random
import re
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = REPO_ROOT / "corpus"
DEFAULT_OUT_DIR = REPO_ROOT / "tests" / "artifacts" / "ocr_corpus"

# The seed minutes that get damaged copies (003 is already an OCR'd agreement).
MINUTES_PREFIXES = ("000", "001", "002", "004")
DAMAGED_PREFIX = "ocr_"
# Minutes and prose written for the evaluation (not part of the seed corpus).
TEXTS_DIR = Path(__file__).resolve().parent / "texts"

# Chance that a word of three letters or more is misread. Words that no confusion
# applies to ("och", "till") come through intact, so about 20% of words change.
WORD_DAMAGE_RATE = 0.3
# Damage levels: file-name prefix -> chance that a word is misread. "light" is
# a good scan (about 7% of words changed), "heavy" a poor one (about 30%).
LEVELS = {"light": 0.1, "medium": WORD_DAMAGE_RATE, "heavy": 0.45}
LEVEL_PREFIX = {"light": "ocr_light_", "medium": DAMAGED_PREFIX, "heavy": "ocr_heavy_"}
# Copies beyond the medium ones of the seed minutes (write_damaged_corpus): the
# written texts at one or two levels each, so that every level is measured.
COPIES = {
    "000": ("light",),
    "002": ("light",),
    "q01": ("light", "medium"),
    "q02": ("medium",),
    "q03": ("heavy",),
    "q04": ("light",),
    "q05": ("medium",),
    "q06": ("light",),
    "q07": ("heavy",),
}
# Chance that a damaged word also gets a second confusion.
SECOND_DAMAGE_RATE = 0.15
# Chance that a long word ending a line of running text is hyphenated across it.
HYPHEN_RATE = 0.5
MIN_HYPHEN_WORD = 9  # only long words get hyphenated
MIN_HYPHEN_LINE = 30  # ... and only in lines of running text, not in titles

HEADER_ROW = re.compile(r"^\s*Ärende:?\t")
# Metadata labels the segmenter keys on; their lines stay as they are.
LABEL_LINE = re.compile(
    r"^\s*(Kallade|Närvarande|Noterat av|Antecknat av|Kallat av|Tid|Klockan|"
    r"Anteckningar)\b",
)
# Spans that are markup or identifiers, not words a scanner would misread.
PROTECTED = re.compile(
    r"<[^>]*>"  # HTML tags
    r"|~~[^~]*~~"  # struck-through names
    r"|https?://\S+|www\.\S+|\S+@\S+"  # URLs and e-mail addresses
    r"|\S*\d\S*",  # numbers, dates, "covid-19", "Unga-24"
)
WORD = re.compile(r"[^\W\d_]+")
LIST_MARKER = re.compile(r"^\s*(\d+[.)]|[-–•*])\s")
LAST_WORD = re.compile(r"(?:^|\s)([^\W\d_]+)\s*$")
MIN_WORD = 3  # shorter words are left alone (and not counted)

FOLD = str.maketrans("åäöéÅÄÖÉ", "aaoeAAOE")


def _replace_one(word: str, old: str, new: str, rng: random.Random) -> str:
    """Replace one randomly chosen occurrence: scanners misread glyphs, not words."""
    starts = [m.start() for m in re.finditer(re.escape(old), word)]
    at = rng.choice(starts)
    return word[:at] + new + word[at + len(old) :]


def _confusions(word: str) -> list[Callable[[random.Random], str]]:
    """The Tesseract-style misreadings that apply to this word."""
    ops: list[Callable[[random.Random], str]] = []

    def sub(old: str, choices: tuple[str, ...]) -> None:
        if old in word:
            ops.append(lambda r: _replace_one(word, old, r.choice(choices), r))

    sub("ö", ("6", "é", "o"))
    sub("Ö", ("0", "O"))
    sub("å", ("a", "d"))
    sub("ä", ("a", "d"))
    sub("Å", ("A",))
    sub("Ä", ("A",))
    sub("rn", ("m",))
    sub("m", ("rn",))
    sub("e", ("c",))
    if word.startswith("l"):
        ops.append(lambda r: "I" + word[1:])
    if word.translate(FOLD) != word:
        ops.append(lambda r: word.translate(FOLD))
    return ops


def _damage_word(word: str, rng: random.Random) -> str:
    """One (sometimes two) confusions applied to the word."""
    ops = _confusions(word)
    if not ops:
        return word
    damaged = rng.choice(ops)(rng)
    if rng.random() < SECOND_DAMAGE_RATE:
        more = _confusions(damaged)
        if more:
            damaged = rng.choice(more)(rng)
    return damaged


def _damage_segment(
    segment: str, rng: random.Random, stats: dict[str, int], rate: float
) -> str:
    """Damage the words of a stretch of plain text (no markup, no identifiers)."""

    def one(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) < MIN_WORD:
            return word
        stats["words"] += 1
        if rng.random() >= rate:
            return word
        new = _damage_word(word, rng)
        if new != word:
            stats["damaged"] += 1
        return new

    return WORD.sub(one, segment)


def _damage_line(
    line: str, rng: random.Random, stats: dict[str, int], rate: float
) -> str:
    """Damage one line, leaving protected spans and all TABs where they are."""
    if HEADER_ROW.match(line) or LABEL_LINE.match(line):
        return line
    out: list[str] = []
    pos = 0
    for match in PROTECTED.finditer(line):
        out.append(_damage_cells(line[pos : match.start()], rng, stats, rate))
        out.append(match.group(0))
        pos = match.end()
    out.append(_damage_cells(line[pos:], rng, stats, rate))
    return "".join(out)


def _is_running_text(line: str) -> bool:
    """A line of a paragraph (long, plain), as opposed to a title, name or label."""
    return (
        "\t" not in line
        and len(line.strip()) >= MIN_HYPHEN_LINE
        and not LABEL_LINE.match(line)
        and not PROTECTED.fullmatch(line.strip())
    )


def _hyphenate_lines(
    lines: list[str], rng: random.Random, stats: dict[str, int]
) -> list[str]:
    """Break some line-final long words with a hyphen, the rest going to the next line.

    The break uses the line break that is already there (``trygg-`` / ``het och``),
    so no line is added or removed and titles and names stay on lines of their own.
    """
    out = list(lines)
    for i in range(len(out) - 1):
        line, nxt = out[i], out[i + 1]
        if not (_is_running_text(line) and nxt.strip() and "\t" not in nxt):
            continue
        if LIST_MARKER.match(nxt):  # a new list entry is not the same paragraph
            continue
        match = LAST_WORD.search(line)
        if not match or len(match.group(1)) < MIN_HYPHEN_WORD:
            continue
        if rng.random() >= HYPHEN_RATE:
            continue
        word = match.group(1)
        at = rng.randint(4, len(word) - 4)
        out[i] = line[: match.start(1)] + word[:at] + "-"
        out[i + 1] = word[at:] + " " + nxt.lstrip()
        stats["hyphenated"] += 1
    return out


def _damage_cells(
    text: str, rng: random.Random, stats: dict[str, int], rate: float
) -> str:
    """Damage each TAB-separated piece separately so no TAB can move."""
    cells = text.split("\t")
    return "\t".join(_damage_segment(cell, rng, stats, rate) for cell in cells)


def damage_text(
    text: str,
    seed: int,
    stats: dict[str, int] | None = None,
    rate: float = WORD_DAMAGE_RATE,
) -> str:
    """Return an OCR-damaged copy of a canonical-rendering text; same seed, same copy.

    ``rate`` is the chance that a word of three letters or more is misread.

    ``stats`` (optional) receives ``words`` (words of three letters or more seen)
    ``damaged`` (words misread) and ``hyphenated`` (words broken over a line), to
    check the damage rate.
    """
    rng = random.Random(seed)
    counts = stats if stats is not None else {}
    counts.setdefault("words", 0)
    counts.setdefault("damaged", 0)
    counts.setdefault("hyphenated", 0)
    lines = [_damage_line(line, rng, counts, rate) for line in text.split("\n")]
    if not any(HEADER_ROW.match(line) for line in lines):
        # Running-text layout (no tab table): its line breaks are the page's.
        lines = _hyphenate_lines(lines, rng, counts)
    return "\n".join(lines)


def file_seed(name: str) -> int:
    """A fixed seed per source file name, stable across runs and Python versions."""
    return zlib.crc32(name.encode("utf-8"))


def damaged_name(name: str) -> str:
    """The file name of the damaged copy of a corpus file."""
    return DAMAGED_PREFIX + name


def seed_minutes(src_dir: Path) -> list[Path]:
    """The seed minutes files in ``src_dir`` that get damaged copies."""
    return sorted(
        p
        for p in Path(src_dir).glob("*.txt")
        if p.name[:3] in MINUTES_PREFIXES and not p.name.startswith(DAMAGED_PREFIX)
    )


def write_damaged_corpus(src_dir: Path, out_dir: Path) -> list[Path]:
    """Write a damaged copy of every seed minutes file; returns the written paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for src in seed_minutes(Path(src_dir)):
        text = src.read_bytes().decode("utf-8")
        target = out / damaged_name(src.name)
        target.write_bytes(damage_text(text, file_seed(src.name)).encode("utf-8"))
        written.append(target)
    return written


def level_name(name: str, level: str) -> str:
    """The file name of the copy of ``name`` damaged at ``level``."""
    return LEVEL_PREFIX[level] + name


def write_evaluation_corpus(src_dir: Path, out_dir: Path) -> list[Path]:
    """Add the written texts and every planned damaged copy to ``out_dir``.

    ``out_dir`` already holds the seed corpus; returns the files written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    texts = sorted(TEXTS_DIR.glob("*.txt"))
    for src in texts:
        written.append(out / src.name)
        written[-1].write_bytes(src.read_bytes())
    for src in seed_minutes(Path(src_dir)) + texts:
        text = src.read_bytes().decode("utf-8")
        for level in COPIES.get(src.name[:3], ()):
            target = out / level_name(src.name, level)
            damaged = damage_text(text, file_seed(src.name), rate=LEVELS[level])
            target.write_bytes(damaged.encode("utf-8"))
            written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    """Write the damaged copies and print the damage rate per file."""
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else DEFAULT_OUT_DIR
    for path in write_damaged_corpus(CORPUS_DIR, out_dir):
        stats: dict[str, int] = {}
        src = CORPUS_DIR / path.name.removeprefix(DAMAGED_PREFIX)
        damage_text(src.read_text(encoding="utf-8"), file_seed(src.name), stats)
        rate = stats["damaged"] / max(stats["words"], 1)
        print(
            f"{path.name}: {stats['damaged']}/{stats['words']} words misread "
            f"({rate:.0%}), {stats['hyphenated']} hyphenated"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
