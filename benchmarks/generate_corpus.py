"""Deterministic synthetic corpus for the search benchmark, grown from the seeds.

``python benchmarks/generate_corpus.py --meetings N --out DIR [--seed 1]`` writes
N minutes (plus one agreement per 40 meetings) into ``DIR/<year>/`` in the
layouts of the seed files, a ``DIR.manifest.json`` describing what was written
and a ``DIR.queries.json`` query mix drawn from the generated vocabulary. The
two JSON files sit beside the corpus, not in it, so the indexer never sees
them. Same seed, same bytes: every document has its own random stream, so
corpus-100 is a prefix of corpus-1000.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import hashlib
import json
import random
import re
import shutil
import sys
import textwrap
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import vocabulary as V

GENERATOR_VERSION = 1
SEED_DIR = Path(__file__).resolve().parent.parent / "corpus"
FIRST_YEAR, LAST_YEAR = 2010, 2025
OCR_SHARE = 0.05
AGREEMENT_EVERY = 40
MARKER_WORD = "benchmarkinkrement"
TAG_RE = re.compile(r"<[^>]+>")
SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ])")
WORD_RE = re.compile(r"[a-zåäöé]+(?:-[a-zåäöé]+)*", re.IGNORECASE)
ROW_END_RE = re.compile(r"^(Noterat|Kallat|Antecknat) av:")
SEPARATOR_RE = re.compile(r"^-+$")
LIST_DEBRIS_RE = re.compile(r"http|\b\d\. |^\d|\s[-–•] |:$")
SKIPPED_TITLES = ("Föregående", "Övriga frågor", "Möten ")
AGREEMENT_FURNITURE = ("Besok", "Postadress", "www.", "Overenskommelse om samverkan")


# --------------------------------------------------------------------------
# Seed material
# --------------------------------------------------------------------------


@dataclass
class Seeds:
    """What the generator recombines; taken from the seed files, not invented."""

    titles: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    agreement: list[tuple[str, str]] = field(default_factory=list)


def clean_cell(cell: str) -> str:
    """Strip the HTML fragments of a table cell so sentences can be recombined."""
    text = TAG_RE.sub(" ", cell).replace("~~", "")
    return re.sub(r"\s+", " ", text).strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of a plain paragraph, minus fragments too short or odd to reuse."""
    out = []
    for sentence in SENTENCE_SPLIT_RE.split(text):
        sentence = sentence.strip()
        if 30 <= len(sentence) <= 400 and sentence[-1] in ".!?":
            if not LIST_DEBRIS_RE.search(sentence):
                out.append(sentence)
    return out


def split_names(line: str) -> list[str]:
    """People in an attendee or presenter cell, without strike marks or notes."""
    names = []
    for part in re.split(r",| och ", clean_cell(line)):
        part = re.sub(r"\(.*?\)|\.$", "", part).strip()
        words = part.split()
        if 2 <= len(words) <= 3 and all(w[:1].isupper() for w in words):
            names.append(part)
    return names


def read_table_seed(text: str, seeds: Seeds) -> None:
    """Collect titles, sentences and names from a tab-separated minutes seed."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith(("Kallade:", "Närvarande:")) and i + 2 < len(lines):
            seeds.names.extend(split_names(lines[i + 2]))
    in_table = False
    for line in lines:
        if line.startswith("Ärende:\t"):
            in_table = True
            continue
        if not in_table or ROW_END_RE.match(line):
            in_table = in_table and not ROW_END_RE.match(line)
            continue
        cells = (line.split("\t") + ["", "", ""])[:3]
        if SEPARATOR_RE.match(cells[0].strip() or "-") and not cells[1].strip("-"):
            continue
        title = clean_cell(cells[0])
        if title and len(title) < 80 and not title.startswith(SKIPPED_TITLES):
            seeds.titles.append(title.rstrip(":."))
        seeds.sentences.extend(split_sentences(clean_cell(cells[1])))
        seeds.names.extend(split_names(cells[2]))


def read_flat_seed(text: str, seeds: Seeds) -> None:
    """Collect sentences from the flattened layout (paragraphs wrapped in lines)."""
    for block in re.split(r"\n\s*\n", text):
        joined = " ".join(line.strip() for line in block.splitlines())
        seeds.sentences.extend(split_sentences(joined))


def read_agreement_seed(text: str, seeds: Seeds) -> None:
    """Keep the OCR'd agreement's sections (heading + paragraph) as they are."""
    heading = ""
    for block in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if len(lines) == 1 and len(lines[0]) < 45 and not lines[0].endswith("."):
            heading = lines[0]
            continue
        paragraph = re.sub(r"-\n(?=[a-zåäö])", "", "\n".join(lines))
        if any(part in paragraph for part in AGREEMENT_FURNITURE):
            continue
        seeds.agreement.append((heading, paragraph.replace("\n", " ")))
        heading = ""


def load_seeds(seed_dir: Path) -> Seeds:
    """Read every seed file once; the layout decides what is taken from it."""
    seeds = Seeds()
    files = sorted(seed_dir.glob("*.txt"))
    if not files:
        raise SystemExit(f"no seed .txt files in {seed_dir}")
    for path in files:
        text = path.read_text(encoding="utf-8")
        if "Ärende:\t" in text:
            read_table_seed(text, seeds)
        elif "verenskommelse" in text[:200]:
            read_agreement_seed(text, seeds)
        else:
            read_flat_seed(text, seeds)
    seeds.names = sorted(dict.fromkeys(seeds.names))
    seeds.titles = list(dict.fromkeys(seeds.titles))
    seeds.sentences = list(dict.fromkeys(seeds.sentences))
    return seeds


# --------------------------------------------------------------------------
# Vocabulary and committees
# --------------------------------------------------------------------------


@dataclass
class Noun:
    """A generated compound (or head) with its inflected forms and gender."""

    forms: tuple[str, str, str, str]  # indef sg, def sg, indef pl, def pl
    gender: str
    prefix: str = ""  # the free-standing word of the first part, if compound
    head: str = ""


@dataclass
class Committee:
    """A committee, its vocabulary and the people who sit on it per term."""

    name: str
    heading: str
    weight: float
    prefixes: list[tuple[str, str]]
    words: list[str]
    rosters: list[list[str]] = field(default_factory=list)
    officials: list[str] = field(default_factory=list)


def make_committees(rng: random.Random, seeds: Seeds) -> list[Committee]:
    """Committees with rosters per four-year term (2007-2026: five terms)."""
    people = seeds.names + [
        f"{first} {last}" for first in V.FIRST_NAMES for last in V.LAST_NAMES
    ]
    committees = []
    for name, heading, weight, prefixes, words in V.COMMITTEES:
        pairs = [tuple((p + ":" + p).split(":")[:2]) for p in prefixes.split()]
        c = Committee(name, heading, weight, pairs, words.split())  # type: ignore[arg-type]
        base = rng.sample(people, 30)
        for _term in range(5):
            keep = base[: rng.randint(8, 16)]
            base = keep + rng.sample(people, 30 - len(keep))
            c.rosters.append(list(base[: rng.randint(12, 28)]))
        roles = rng.sample(V.ROLES, 6)
        c.officials = [
            f"{p}, {r}" for p, r in zip(rng.sample(people, 6), roles, strict=True)
        ]
        committees.append(c)
    if seeds.names:
        committees[0].rosters[-2] = list(seeds.names[:28])
    return committees


def zipf_pick(rng: random.Random, items: list, exponent: float = 1.0):
    """Pick with weight 1/rank**exponent, so a few words dominate as in real text."""
    weights = [1.0 / (rank + 1) ** exponent for rank in range(len(items))]
    return rng.choices(items, weights=weights, k=1)[0]


def make_noun(rng: random.Random, committee: Committee) -> Noun:
    """A compound of a committee prefix and a common head, e.g. trygghetsvandring."""
    head = zipf_pick(rng, V.HEADS, 0.8)
    if rng.random() < 0.15:
        return Noun(head[:4], head[4], head=head[0])
    word, combining = zipf_pick(rng, committee.prefixes)
    if word == head[0]:
        return Noun(head[:4], head[4], head=head[0])
    forms = tuple(combining + form for form in head[:4])
    return Noun(forms, head[4], prefix=word, head=head[0])  # type: ignore[arg-type]


def term_of(year: int) -> int:
    """Index of the four-year term (elections 2010, 2014, 2018, 2022)."""
    return max(0, min(4, (year - 2007) // 4))


# --------------------------------------------------------------------------
# Sentences and items
# --------------------------------------------------------------------------


@dataclass
class Context:
    """What one document's text is generated from."""

    rng: random.Random
    committee: Committee
    year: int
    seeds: Seeds
    nouns: Counter = field(default_factory=Counter)

    def noun(self) -> Noun:
        """A compound for this committee, counted for the query mix."""
        noun = make_noun(self.rng, self.committee)
        self.nouns[(noun.prefix, noun.head, *noun.forms)] += 1
        return noun

    def person(self) -> str:
        """A member of this term's roster or one of the committee's officials."""
        roster = self.committee.rosters[term_of(self.year)]
        return self.rng.choice(roster + self.committee.officials[:2])


def indefinite(ctx: Context, noun: Noun) -> str:
    """'en ny plan' / 'ett utökat arbete': article and adjective agree in gender."""
    adjective = ctx.rng.choice(V.ADJECTIVES)
    if noun.gender == "ett":
        return f"ett {adjective[1]} {noun.forms[0]}"
    return f"en {adjective[0]} {noun.forms[0]}"


def template_sentence(ctx: Context) -> str:
    """One sentence in the style of minutes, with the committee's own vocabulary."""
    r, n1, n2 = ctx.rng, ctx.noun(), ctx.noun()
    y = ctx.year
    place, partner = r.choice(V.PLACES), r.choice(V.PARTNERS)
    org = r.choice(V.ORGS)
    word = r.choice(ctx.committee.words)
    options = [
        f"{org} {r.choice(V.VERBS)} {n1.forms[r.choice((1, 3))]}.",
        f"{org} {r.choice(V.VERBS)} {n1.forms[3]} i {place}.",
        f"Under {r.choice(('våren', 'hösten'))} {y} har {n1.forms[3]} genomförts "
        f"tillsammans med {partner}.",
        f"{ctx.person().split(',')[0]} redogör för {n1.forms[1]} och {n2.forms[3]}.",
        f"Kostnaden för {n1.forms[1]} beräknas till {r.randint(2, 90) * 25} 000 kr.",
        f"Frågan om {n1.forms[2]} bereds vidare av {org.lower()}.",
        f"{partner} har bjudits in för att presentera {n1.forms[1]}.",
        f"Det finns behov av {n1.forms[2]} i {place}.",
        f"Statistiken visar att {n1.forms[3]} har {r.choice(('ökat', 'minskat'))} "
        f"med {r.randint(2, 40)} procent jämfört med {y - 1}.",
        f"Ärendet återremitteras för komplettering av {n1.forms[1]}.",
        f"{org} får i uppdrag att ta fram {indefinite(ctx, n1)} om {word}.",
        f"Diskussion om hur {n1.forms[1]} kan förbättras för {r.choice(V.TARGETS)}.",
        f"{ctx.person().split(',')[0]} informerar om läget kring {word} i {place}.",
        f"Nämnden noterar informationen och lägger {n1.forms[1]} till handlingarna.",
    ]
    text = r.choice(options)
    return text[0].upper() + text[1:]


def sentence(ctx: Context) -> str:
    """A seed sentence (UmeBrå's own wording) or a template one, by committee."""
    seed_share = 0.55 if "brottsförebyggande" in ctx.committee.name else 0.25
    if ctx.committee.name == "UmeBrå":
        seed_share = 0.6
    if ctx.seeds.sentences and ctx.rng.random() < seed_share:
        text = ctx.rng.choice(ctx.seeds.sentences)
        return re.sub(r"\b20[12]\d\b", lambda _m: str(ctx.year), text)
    return template_sentence(ctx)


def paragraphs(ctx: Context) -> list[str]:
    """The body of one agenda item: 1-4 paragraphs of 1-3 sentences."""
    count = ctx.rng.choices((1, 2, 3, 4), weights=(4, 3, 2, 1))[0]
    out = [
        " ".join(sentence(ctx) for _ in range(ctx.rng.randint(1, 3)))
        for _ in range(count)
    ]
    if ctx.rng.random() < 0.2:
        verb = ctx.rng.choice(V.DECISION_VERBS)
        out.append(f"Beslut: Nämnden beslutar att {verb} {ctx.noun().forms[1]}.")
    return out


def item_title(ctx: Context) -> str:
    """An agenda heading: a seed heading or one built from the committee's nouns."""
    r = ctx.rng
    if ctx.seeds.titles and r.random() < 0.25:
        return r.choice(ctx.seeds.titles)
    noun = ctx.noun()
    place = r.choice(V.PLACES)
    options = [
        noun.forms[0].capitalize(),
        f"{noun.forms[1].capitalize()} {ctx.year}",
        f"Information om {noun.forms[1]}",
        f"Uppföljning av {noun.forms[3]}",
        f"Remiss: {noun.forms[0]} för {place}",
        f"Yttrande över {noun.forms[0]}",
        f"Beslut om {noun.forms[2]} i {place}",
        f"{r.choice(ctx.committee.words).capitalize()} – {noun.forms[1]}",
    ]
    return r.choice(options)


OPENING_TITLES = ("Föregående mötesanteckningar", "Föregående möte", "Val av justerare")


@dataclass
class Row:
    """One agenda item as written in the minutes table."""

    title: str
    body: list[str]
    presenters: list[str]


def make_rows(ctx: Context) -> list[Row]:
    """5-12 agenda items (8.5 on average), opening and closing like the seeds."""
    r = ctx.rng
    count = r.choices(range(5, 13), weights=(1, 2, 3, 3, 3, 2, 2, 1))[0]
    rows = [
        Row(
            r.choice(OPENING_TITLES),
            ["Föregående minnesanteckningar godkänns och läggs till handlingarna."],
            [ctx.person()],
        )
    ]
    for _ in range(count - 2):
        presenters = [ctx.person() for _ in range(r.choice((0, 1, 1, 1, 2)))]
        rows.append(Row(item_title(ctx), paragraphs(ctx), presenters))
    rows.append(Row("Övriga frågor", [sentence(ctx)], []))
    return rows


# --------------------------------------------------------------------------
# OCR damage
# --------------------------------------------------------------------------

OCR_CONFUSIONS = {
    "å": ("a", "a", "a", "d"),
    "ä": ("a", "a", "d", "é"),
    "ö": ("o", "o", "6", "é"),
    "Å": ("A",),
    "Ä": ("A",),
    "Ö": ("O", "0"),
    "rn": ("m",),
    "l": ("I",),
}
OCR_RE = re.compile(r"rn|[åäöÅÄÖl]")


def ocr_damage(text: str, rng: random.Random, rate: float) -> str:
    """Deterministic Tesseract-like confusions: å/ä→a|d, ö→6|é, l→I, rn→m."""

    def swap(match: re.Match[str]) -> str:
        """Replace one confusable character (or 'rn') with the rate's chance."""
        found = match.group(0)
        chance = rate * (0.15 if found in ("l", "rn") else 1.0)
        if rng.random() >= chance:
            return found
        return rng.choice(OCR_CONFUSIONS[found])

    return OCR_RE.sub(swap, text)


# --------------------------------------------------------------------------
# Meetings and their layouts
# --------------------------------------------------------------------------


@dataclass
class Meeting:
    """A meeting before rendering: the same data feeds every layout."""

    committee: Committee
    date: str
    start: str
    end: str
    place: str
    attendees: list[str]
    rows: list[Row]
    secretary: str
    layout: str  # "A" (like 000), "B" (001), "C" (002), "D" (flattened, 004)
    ocr: bool


def meeting_date(rng: random.Random) -> tuple[int, str]:
    """A weekday date in 2010-2025, never in July (no meetings in the holidays)."""
    year = rng.randint(FIRST_YEAR, LAST_YEAR)
    month = rng.choice((1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12))
    day = rng.randint(1, 28)
    weekday = (day + _month_offset(year, month)) % 7  # 0 = Monday
    if weekday > 3:
        day = day - weekday + 3 if day > 7 else day + 7 - weekday
    return year, f"{year:04d}-{month:02d}-{day:02d}"


def _month_offset(year: int, month: int) -> int:
    """Weekday (0 = Monday) of the 0th of the month, for meeting_date."""
    return (datetime.date(year, month, 1).weekday() - 1) % 7


def attendee_list(ctx: Context) -> list[str]:
    """The roster as the seeds write it: absent members struck, notes in brackets."""
    out = []
    for name in ctx.committee.rosters[term_of(ctx.year)]:
        roll = ctx.rng.random()
        if roll < 0.15:
            out.append(f"~~{name}~~")
        elif roll < 0.18:
            out.append(f"{name} (del av tid)")
        else:
            out.append(name)
    return out


def make_meeting(number: int, seed: int, seeds: Seeds, committees: list[Committee]):
    """Meeting ``number``, from its own random stream (independent of the others)."""
    rng = random.Random(f"{seed}:meeting:{number}")
    committee = rng.choices(committees, weights=[c.weight for c in committees])[0]
    year, date = meeting_date(rng)
    ctx = Context(rng, committee, year, seeds)
    hour = rng.choice((8, 9, 10, 13, 14, 15))
    rooms = V.ROOMS + (V.REMOTE_ROOMS if year >= 2020 else [])
    meeting = Meeting(
        committee=committee,
        date=date,
        start=f"{hour:02d}.{rng.choice(('00', '15', '30'))}",
        end=f"{hour + rng.randint(1, 3):02d}.{rng.choice(('00', '30'))}",
        place=rng.choice(rooms),
        attendees=attendee_list(ctx),
        rows=make_rows(ctx),
        secretary=ctx.person().split(",")[0],
        layout=rng.choices("ABCD", weights=(35, 25, 25, 15))[0],
        ocr=rng.random() < OCR_SHARE,
    )
    if meeting.ocr:
        damage_meeting(meeting, rng)
    return meeting, ctx


def damage_meeting(meeting: Meeting, rng: random.Random) -> None:
    """OCR-damage the free text of a meeting; headers keep their key words."""
    rate = rng.uniform(0.3, 0.7)
    for row in meeting.rows:
        row.title = ocr_damage(row.title, rng, rate)
        row.body = [ocr_damage(p, rng, rate) for p in row.body]
        row.presenters = [ocr_damage(p, rng, rate) for p in row.presenters]
    meeting.attendees = [ocr_damage(a, rng, rate) for a in meeting.attendees]


def html_cell(rng: random.Random, paras: list[str], force: bool = False) -> str:
    """A body cell: plain text, or <p>/<ul>/<i> fragments like the seed tables."""
    if len(paras) == 1 and not force and rng.random() < 0.6:
        return paras[0]
    parts = []
    for para in paras:
        sentences = split_sentences(para)
        if len(sentences) >= 2 and rng.random() < 0.1:
            bullets = " ".join(f"– {s}" for s in sentences)
            parts.append(f'<ul style="list-style-type: none"> {bullets}')
        elif rng.random() < 0.05 and para.count(" ") > 4:
            first, rest = para.split(" ", 3)[:3], para.split(" ", 3)[3]
            parts.append(f"<p><i>{' '.join(first)}</i> {rest}</p>")
        else:
            parts.append(f"<p>{para}</p>")
    return " ".join(parts)


def table_lines(rng: random.Random, rows: list[Row]) -> list[str]:
    """Table rows; long items continue after a page break with an empty title."""
    lines: list[str] = []
    for i, row in enumerate(rows):
        title = f"<p>{row.title}</p>" if rng.random() < 0.1 else row.title
        presenters = ", ".join(row.presenters)
        if len(row.body) >= 3 and rng.random() < 0.3:
            cut = rng.randint(1, len(row.body) - 1)
            first = html_cell(rng, row.body[:cut], force=True)
            lines += [f"{title}\t{first}\t{presenters}", ""]
            lines.append(f"\t{html_cell(rng, row.body[cut:], force=True)}\t")
            if rng.random() < 0.5:
                lines.append("--\t---\t--")
            continue
        if i and rng.random() < 0.15:
            lines.append("")
        lines.append(f"{title}\t{html_cell(rng, row.body)}\t{presenters}")
    return lines


def render_table(m: Meeting, rng: random.Random) -> str:
    """Layouts A/B/C: header block, tab table, signature (seeds 000, 001, 002)."""
    people = ", ".join(m.attendees)
    header = "Ärende:\tOmfattning/notering:\tFöredragande:"
    if m.layout == "C":
        head = ["", "", m.committee.name, "", m.committee.heading, ""]
        head += [f"Tid: {m.date}, kl. {m.start} – {m.end}", "", m.place, ""]
        head += ["Närvarande:", "", people + ".", ""]
        foot = ["", "Antecknat av:", "", m.secretary]
    else:
        title = [] if m.committee.name == "UmeBrå" else [m.committee.name, ""]
        head = ["", ""] + title + [m.date, "", f"Klockan {m.start}", "", m.place]
        head += ["", "Kallade:", "", people, ""]
        foot = ["", "Noterat av:", "", f"{m.secretary}, sekreterare"]
        if m.layout == "B":
            header = header.rstrip(":")
            foot = ["", "Kallat av:", "", m.rows[0].presenters[0].split(",")[0]]
    return "\n".join(head + [header] + table_lines(rng, m.rows) + foot) + "\n"


def wrapped(text: str, width: int, last_end: str = "  ") -> list[str]:
    """Lines as a PDF-to-text export leaves them: wrapped, with trailing spaces."""
    lines = textwrap.wrap(text, width) or [""]
    return [line + " " for line in lines[:-1]] + [lines[-1] + last_end]


def page_starts(lines: list[str], rng: random.Random) -> list[str]:
    """Mark page starts with a leading space, as the seed exports do."""
    out, since = [], 10_000
    for line in lines:
        if line.strip() and since > rng.randint(2500, 3500):
            line, since = " " + line, 0
        since += len(line) + 1
        out.append(line)
    return out


def render_flat(m: Meeting, rng: random.Random) -> str:
    """Layout D: the flattened table of seed 004 (cells one after the other)."""
    width = rng.randint(48, 64)
    out: list[str] = []
    if rng.random() < 0.5:
        out += [f"Minnesanteckningar {m.committee.name} {m.date} ", ""]
    for row in m.rows:
        if row.title == "Övriga frågor":
            out += [f"Övriga frågor {row.body[0]}  ", ""]
            continue
        out += wrapped(row.title, rng.randint(14, 30), " ") + [""]
        for j, para in enumerate(row.body):
            out += wrapped(para, width) + ([" "] if j < len(row.body) - 1 else [])
        out.append("")
        if row.presenters:
            names = [p + ", " for p in row.presenters[:-1]] + [row.presenters[-1]]
            out += [n.rstrip(",") + " " for n in names] + [""]
    out += ["Noterat av:  ", f"{m.secretary}, Sekreterare  ", "", "", "", ""]
    return "\n".join(page_starts(out, rng))


def render_meeting(m: Meeting, rng: random.Random) -> str:
    """The meeting in its layout."""
    return render_flat(m, rng) if m.layout == "D" else render_table(m, rng)


# --------------------------------------------------------------------------
# Agreements (OCR'd, like seed 003)
# --------------------------------------------------------------------------


def agreement_sections(ctx: Context, p1: int, p2: int, partner: str) -> list:
    """Sections of an agreement: the seed's own (re-dated) and generated ones."""
    years = {"2021": str(p1), "2022": str(p1 + 1), "2024": str(p2)}
    sections = []
    for _ in range(ctx.rng.randint(6, 12)):
        if ctx.seeds.agreement and ctx.rng.random() < 0.5:
            heading, text = ctx.rng.choice(ctx.seeds.agreement)
            text = re.sub(r"20(21|22|24)", lambda m: years[m.group(0)], text)
            text = text.replace("Polismyndigheten", partner)
        else:
            heading = ctx.noun().forms[3].capitalize()
            body = " ".join(sentence(ctx) for _ in range(ctx.rng.randint(3, 6)))
            text = ocr_damage(body, ctx.rng, ctx.rng.uniform(0.3, 0.8))
        sections.append((heading, text))
    return sections


def hyphenated(lines: list[str], rng: random.Random) -> list[str]:
    """Split some long words across line ends with a hyphen (narko-/tikarelaterad)."""
    out = list(lines)
    for i in range(len(out) - 1):
        words = out[i + 1].split(" ", 1)
        if len(words[0]) >= 10 and words[0].isalpha() and rng.random() < 0.3:
            cut = len(words[0]) // 2
            out[i] += f" {words[0][:cut]}-"
            out[i + 1] = words[0][cut:] + (" " + words[1] if len(words) > 1 else "")
    return out


def stray_blank(line: str, rng: random.Random) -> list[str]:
    """OCR output scatters blank lines inside paragraphs (seed 003 does)."""
    return [line, ""] if rng.random() < 0.1 else [line]


def render_agreement(number: int, seed: int, seeds: Seeds, committees: list):
    """Agreement ``number``: layout and OCR damage of seed 003, varied content."""
    rng = random.Random(f"{seed}:agreement:{number}")
    p1 = rng.randint(FIRST_YEAR, LAST_YEAR - 1)
    p2 = min(p1 + rng.randint(1, 3), LAST_YEAR + 2)
    partner = rng.choice(V.AGREEMENT_PARTNERS)
    ctx = Context(rng, committees[0], p1, seeds)
    sections = agreement_sections(ctx, p1, p2, partner)
    lines = ["Overenskommelse om samverkan och", "", "prioriteringar mellan Umea"]
    lines[-1] += " kommun"
    lines += [f"och {ocr_damage(partner, rng, 0.8)} {p1}-{p2}.", ""]
    for heading, text in sections:
        body = hyphenated(textwrap.wrap(text, rng.randint(55, 70)), rng)
        body = [x for line in body for x in stray_blank(line, rng)]
        lines += ([heading] if heading else []) + body + [""]
    lines += ["Umea kommun", "", "Besok: Stadshuset, Skolgatan 31A"]
    lines += ["Postadress: 901 80 Umea", "090-16 10 00", "www.umea.se", " "]
    return p1, "\n".join(page_starts(lines, rng)), len(sections), ctx


# --------------------------------------------------------------------------
# Writing the corpus
# --------------------------------------------------------------------------


@dataclass
class Stats:
    """What was generated: for the manifest and to derive the query mix from."""

    meetings: int = 0
    agreements: int = 0
    items: int = 0
    agreement_sections: int = 0
    ocr_documents: int = 0
    bytes: int = 0
    layouts: Counter = field(default_factory=Counter)
    years: Counter = field(default_factory=Counter)
    committees: Counter = field(default_factory=Counter)
    words: Counter = field(default_factory=Counter)
    nouns: Counter = field(default_factory=Counter)
    presenters: Counter = field(default_factory=Counter)
    phrases: list[str] = field(default_factory=list)


def file_name(seed: int, kind: str, number: int) -> str:
    """Named like the seeds: a number and 16 hex digits."""
    digest = hashlib.sha256(f"{seed}:{kind}:{number}".encode()).hexdigest()[:16]
    return f"{number:05d}_{digest}.txt"


def write_doc(out: Path, year: int, name: str, text: str, stats: Stats) -> Path:
    """Write one document into its year folder."""
    path = out / str(year) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    path.write_bytes(data)
    stats.bytes += len(data)
    stats.years[str(year)] += 1
    return path


def sample_vocabulary(meeting: Meeting, rng: random.Random, stats: Stats) -> None:
    """Count words and keep one phrase of an undamaged meeting, for the queries."""
    for row in meeting.rows:
        for word in WORD_RE.findall(TAG_RE.sub(" ", " ".join(row.body))):
            stats.words[word.lower()] += 1
    for _ in range(3):
        row = rng.choice(meeting.rows)
        one = rng.choice(SENTENCE_SPLIT_RE.split(rng.choice(row.body)))
        sample_phrase(WORD_RE.findall(one), rng, stats)


def sample_phrase(words: list[str], rng: random.Random, stats: Stats) -> None:
    """Keep a 2-3 word phrase that is worth quoting (no stopword at its ends)."""
    size = rng.choice((2, 2, 3))
    if len(words) > size:
        start = rng.randrange(len(words) - size)
        phrase = words[start : start + size]
        ends = {phrase[0].lower(), phrase[-1].lower()}
        if not ends & V.STOPWORDS and any(len(w) >= 5 for w in phrase):
            stats.phrases.append(" ".join(phrase).lower())


def generate_meetings(out: Path, meetings: int, seed: int, material) -> Stats:
    """Write the minutes; every meeting is counted, a sample feeds the queries."""
    seeds, committees = material
    stats, step = Stats(), max(1, meetings // 600)
    for number in range(meetings):
        meeting, ctx = make_meeting(number, seed, seeds, committees)
        text = render_meeting(meeting, ctx.rng)
        write_doc(out, ctx.year, file_name(seed, "meeting", number), text, stats)
        stats.meetings += 1
        stats.items += len(meeting.rows)
        stats.ocr_documents += meeting.ocr
        stats.layouts[meeting.layout] += 1
        stats.committees[meeting.committee.name] += 1
        stats.nouns.update(ctx.nouns)
        if not meeting.ocr:
            for row in meeting.rows:
                stats.presenters.update(p.split(",")[0] for p in row.presenters)
            if number % step == 0:
                sample_vocabulary(meeting, ctx.rng, stats)
    return stats


def generate_agreements(out: Path, count: int, seed: int, material, stats: Stats):
    """Write the OCR'd agreements (numbered from 90000, after the meetings)."""
    seeds, committees = material
    for number in range(count):
        year, text, sections, _ctx = render_agreement(number, seed, seeds, committees)
        name = file_name(seed, "agreement", 90000 + number)
        write_doc(out, year, name, text, stats)
        stats.agreements += 1
        stats.agreement_sections += sections
        stats.ocr_documents += 1
        stats.layouts["agreement"] += 1


def load_material(seed: int, seed_dir: Path = SEED_DIR) -> tuple:
    """Seeds and committees: shared by every document of one corpus."""
    seeds = load_seeds(seed_dir)
    return seeds, make_committees(random.Random(f"{seed}:committees"), seeds)


def write_extra_meeting(out: Path, seed: int, number: int) -> Path:
    """One more meeting (with a marker word) for the incremental-update run."""
    material = load_material(seed)
    meeting, ctx = make_meeting(number, seed, *material)
    meeting.layout, meeting.ocr = "A", False
    meeting.rows[1].body.append(f"Kontrollord för mätningen: {MARKER_WORD}.")
    text = render_meeting(meeting, ctx.rng)
    return write_doc(out, ctx.year, file_name(seed, "meeting", number), text, Stats())


# --------------------------------------------------------------------------
# Query mix
# --------------------------------------------------------------------------


@dataclass
class Pools:
    """Candidate query material, drawn from what was actually generated."""

    frequent: list[str]
    mid: list[str]
    rare: list[str]
    common: list[str]  # frequent + mid
    nouns: list[tuple[str, ...]]  # (prefix, head, indef sg, def sg, indef pl, def pl)
    inflected: list[str]
    phrases: list[str]
    names: list[str]
    years: list[str]


def make_pools(stats: Stats) -> Pools:
    """Frequency bands of the sampled vocabulary and the other query sources."""
    ranked = [
        w
        for w, _ in sorted(stats.words.items(), key=lambda kv: (-kv[1], kv[0]))
        if len(w) >= 4 and w not in V.STOPWORDS
    ]
    rare = [w for w in ranked[1200:] if stats.words[w] >= 2] or ranked[-300:]
    nouns = sorted(stats.nouns, key=lambda key: (-stats.nouns[key], key))
    compounds = [key for key in nouns if key[0]][:600]
    names = sorted(stats.presenters, key=lambda n: (-stats.presenters[n], n))
    suffixes = ("arna", "erna", "orna", "heten", "ningen", "andet", "ena")
    inflected = [f for key in compounds for f in key[3:]] + [
        w for w in ranked[150:] if w.endswith(suffixes)
    ]
    return Pools(
        frequent=ranked[:150],
        mid=ranked[150:1200] or ranked,
        rare=rare,
        common=ranked[:1200],
        nouns=compounds,
        inflected=list(dict.fromkeys(inflected)),
        phrases=sorted(set(stats.phrases)),
        names=names[:400],
        years=sorted(stats.years),
    )


def candidate(category: str, rng: random.Random, pools: Pools) -> dict[str, str]:
    """One query of a category, as the URL parameters of /api/search."""
    word = rng.choice(pools.common)
    if category == "word":
        band = rng.choices((pools.frequent, pools.mid, pools.rare), (4, 4, 2))[0]
        return {"q": rng.choice(band)}
    if category == "inflected":
        return {"q": rng.choice(pools.inflected)}
    if category == "compound":
        prefix, head, indef = rng.choice(pools.nouns)[:3]
        return {"q": indef if rng.random() < 0.5 else rng.choice((prefix, head))}
    if category == "phrase":
        return {"q": f'"{rng.choice(pools.phrases)}"'}
    if category == "name":
        name = rng.choice(pools.names)
        return {"q": rng.choice((name, f'"{name}"', name.split()[-1]))}
    if category == "multi":
        return {"q": f"{word} {rng.choice(pools.mid)}"}
    if category == "filter_year":
        return {"q": word, "year": rng.choice(pools.years)}
    if category == "filter_type":
        return {"q": word, "type": rng.choice(("agreement", "minutes", "minutes"))}
    if category == "sort_date":
        extra = {"year": rng.choice(pools.years)} if rng.random() < 0.3 else {}
        return {"q": rng.choice(pools.frequent), "sort": "date", **extra}
    page = str(rng.randint(2, 5))
    return {"q": word, "page": page, "per_page": rng.choice(("10", "20", "50"))}


LATENCY_MIX = {
    "word": 40,
    "inflected": 30,
    "compound": 30,
    "phrase": 30,
    "name": 25,
    "multi": 20,
    "filter_year": 25,
    "filter_type": 20,
    "sort_date": 20,
    "paged": 10,
}


def draw(category: str, rng: random.Random, pools: Pools, seen: set[str]) -> dict:
    """A query whose text was not used before, so no result cache can answer it."""
    for _ in range(20):
        params = candidate(category, rng, pools)
        if params["q"] not in seen:
            break
    else:  # this category's pool is used up: widen the query with a second word
        params["q"] = f"{params['q']} {rng.choice(pools.mid + pools.rare)}"
    seen.add(params["q"])
    return {"category": category, "params": params}


def build_queries(stats: Stats, seed: int, throughput: int = 5000) -> dict:
    """Warm-up, latency and throughput lists; every query text is distinct."""
    rng, pools, seen = random.Random(f"{seed}:queries"), make_pools(stats), set()
    seen.add(MARKER_WORD)
    categories = list(LATENCY_MIX)
    warmup = [draw(rng.choice(categories), rng, pools, seen) for _ in range(20)]
    latency = [
        draw(category, rng, pools, seen)
        for category, count in LATENCY_MIX.items()
        for _ in range(count)
    ]
    rng.shuffle(latency)
    weights = list(LATENCY_MIX.values())
    pool = [
        draw(rng.choices(categories, weights)[0], rng, pools, seen)
        for _ in range(throughput)
    ]
    return {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "marker": {"category": "marker", "params": {"q": MARKER_WORD}},
        "warmup": warmup,
        "latency": latency,
        "throughput": pool,
    }


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------


def sidecar(out: Path, kind: str) -> Path:
    """``corpus-N.manifest.json`` / ``corpus-N.queries.json`` beside the corpus."""
    return out.with_name(f"{out.name}.{kind}.json")


def code_fingerprint(source: str) -> str:
    """The code without comments, formatting and docstrings, which change no output."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
    return ast.dump(tree)


def source_hash(seed_dir: Path = SEED_DIR) -> str:
    """Fingerprint of generator, word lists and seeds: if it changes, regenerate."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in [here / "generate_corpus.py", here / "vocabulary.py"]:
        digest.update(code_fingerprint(path.read_text(encoding="utf-8")).encode())
    for path in sorted(seed_dir.glob("*.txt")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def manifest(stats: Stats, meetings: int, seed: int, seconds: float) -> dict:
    """A summary of the corpus; run.py also uses it to decide on reuse."""
    return {
        "generator_version": GENERATOR_VERSION,
        "source_hash": source_hash(),
        "seed": seed,
        "meetings": meetings,
        "agreements": stats.agreements,
        "documents": stats.meetings + stats.agreements,
        "minutes_items": stats.items,
        "agreement_sections": stats.agreement_sections,
        "ocr_documents": stats.ocr_documents,
        "bytes": stats.bytes,
        "layouts": dict(sorted(stats.layouts.items())),
        "years": dict(sorted(stats.years.items())),
        "committees": dict(stats.committees.most_common()),
        "marker_word": MARKER_WORD,
        "generation_seconds": round(seconds, 2),
    }


def generate(out: Path, meetings: int, seed: int = 1) -> dict:
    """Write corpus, manifest and queries; returns the manifest."""
    started = time.perf_counter()
    material = load_material(seed)
    stats = generate_meetings(out, meetings, seed, material)
    count = max(1, meetings // AGREEMENT_EVERY)
    generate_agreements(out, count, seed, material, stats)
    queries = build_queries(stats, seed)
    info = manifest(stats, meetings, seed, time.perf_counter() - started)
    queries["meetings"] = meetings
    dump = {"ensure_ascii": False, "indent": 1}
    sidecar(out, "queries").write_text(json.dumps(queries, **dump), encoding="utf-8")
    sidecar(out, "manifest").write_text(json.dumps(info, **dump), encoding="utf-8")
    return info


def prepare_out(out: Path, force: bool) -> None:
    """Refuse to mix corpora; with --force only ever clear a corpus we made."""
    if out.exists() and any(out.iterdir()):
        if not force:
            raise SystemExit(f"{out} is not empty (use --force to regenerate)")
        if not sidecar(out, "manifest").exists():
            raise SystemExit(f"{out} has no {sidecar(out, 'manifest').name}; not ours")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="regenerate into DIR")
    args = parser.parse_args(argv)
    if not 1 <= args.meetings < 90000:
        parser.error("--meetings must be between 1 and 89999")
    prepare_out(args.out, args.force)
    info = generate(args.out, args.meetings, args.seed)
    print(
        f"{info['documents']} documents ({info['meetings']} meetings, "
        f"{info['agreements']} agreements), {info['minutes_items']} agenda items, "
        f"{info['ocr_documents']} OCR-damaged, {info['bytes'] / 1e6:.1f} MB "
        f"in {info['generation_seconds']} s -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
