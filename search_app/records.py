"""The registers: every decision, every person and every meeting, as rows.

Pure functions over the search service's catalogue (documents with their
items' facts), so the HTML pages, the JSON API and the CSV export are fed by
the same rows and cannot disagree. Derived registers are built once per
catalogue, i.e. once per index version.
"""

from __future__ import annotations

import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass

from indexer.folding import fold
from indexer.people import (
    ABSENT,
    ATTENDED,
    SUBSTITUTE,
    is_person_name,
    look_alikes,
    name_key,
)

from .labels import ROLE_LABELS
from .links import document_url, item_permalink, person_url

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class DecisionFilter:
    """What the decisions register is narrowed to; every part optional."""

    q: str = ""
    year: str | None = None
    date_from: str | None = None  # ISO dates, inclusive
    date_to: str | None = None


# --- decisions -------------------------------------------------------------------


def decision_rows(catalogue: list[dict]) -> list[dict]:
    """Every decision with its meeting, item and links; newest meeting first."""
    return _memo(catalogue, "decisions", lambda: _decision_rows(catalogue))


def _decision_rows(catalogue: list[dict]) -> list[dict]:
    rows = []
    for doc in catalogue:  # already newest first
        for item in doc["items"]:
            for decision in item.get("decisions") or []:
                rows.append(_decision(doc, item, decision))
    return rows


def _decision(doc: dict, item: dict, decision: str) -> dict:
    return {
        "date": doc.get("date"),
        "doc_id": doc["doc_id"],
        "document": doc.get("title") or "",
        "item_number": item["item_number"],
        "item_title": item["item_title"],
        "presenters": item.get("presenters") or [],
        "decision": decision,
        "attachments": item.get("attachments") or [],
        "url": item_permalink(doc["doc_id"], item["item_number"]),
        "document_url": document_url(doc["doc_id"]),
    }


def filter_decisions(rows: list[dict], wanted: DecisionFilter) -> list[dict]:
    """The rows within the dates that hold every word of ``q`` (as a word start).

    Words are compared folded, so "overenskommelse" finds "överenskommelse"
    and "uppdragsplan" finds "uppdragsplanen".
    """
    words = folded_words(wanted.q)
    out = []
    for row in rows:
        date = row["date"] or ""
        if wanted.year and not date.startswith(wanted.year):
            continue
        if wanted.date_from and (not date or date < wanted.date_from):
            continue
        if wanted.date_to and (not date or date > wanted.date_to):
            continue
        if words and not _has_words(row, words):
            continue
        out.append(row)
    return out


def _has_words(row: dict, words: list[str]) -> bool:
    text = " ".join(
        [row["decision"], row["item_title"], row["document"], *row["presenters"]]
    )
    have = folded_words(text)
    return all(any(h.startswith(w) for h in have) for w in words)


def folded_words(text: str) -> list[str]:
    """Lowercase words without diacritics: what register searches compare."""
    return [fold(w) for w in _WORD.findall(text.casefold())]


def decision_years(rows: list[dict]) -> dict[str, int]:
    """Decisions per year, newest year first."""
    years = Counter((row["date"] or "")[:4] for row in rows if row["date"])
    return dict(sorted(years.items(), reverse=True))


# --- people ------------------------------------------------------------------------


def people(catalogue: list[dict]) -> dict[str, dict]:
    """Every person named in the archive, by name key, with what they took part in."""
    return _memo(catalogue, "people", lambda: _people(catalogue))


def _people(catalogue: list[dict]) -> dict[str, dict]:
    spellings: dict[str, Counter] = defaultdict(Counter)
    meetings: dict[str, list] = defaultdict(list)
    presented: dict[str, list] = defaultdict(list)
    for doc in catalogue:
        meeting = _meeting_ref(doc)
        for entry in doc.get("attendance") or []:
            key = name_key(entry["name"])
            spellings[key][entry["name"]] += 1
            meetings[key].append(
                {
                    **meeting,
                    "role": entry["role"],
                    "role_label": ROLE_LABELS.get(entry["role"], entry["role"]),
                    "note": entry.get("note"),
                    "stands_in_for": entry.get("stands_in_for"),
                    "replaced_by": _replaced_by(doc, entry),
                }
            )
        for item in doc["items"]:
            for name in item.get("presenters") or []:
                if is_person_name(name):
                    key = name_key(name)
                    spellings[key][name] += 1
                    presented[key].append(_presented(doc, item))
    names = {key: _shown(counter) for key, counter in spellings.items()}
    alike = look_alikes(names.values())
    return {
        key: _person(key, names, spellings[key], meetings[key], presented[key], alike)
        for key in sorted(names, key=lambda k: _sort_key(names[k]))
    }


def _meeting_ref(doc: dict) -> dict:
    return {
        "date": doc.get("date"),
        "doc_id": doc["doc_id"],
        "title": doc.get("title") or "",
        "url": document_url(doc["doc_id"]),
    }


def _replaced_by(doc: dict, entry: dict) -> str | None:
    """The substitute who stood in for an absent member, if the list says so."""
    if entry["role"] != ABSENT:
        return None
    key = name_key(entry["name"])
    for other in doc.get("attendance") or []:
        if other.get("stands_in_for") and name_key(other["stands_in_for"]) == key:
            return other["name"]
    return None


def _presented(doc: dict, item: dict) -> dict:
    return {
        "date": doc.get("date"),
        "doc_id": doc["doc_id"],
        "title": doc.get("title") or "",
        "item_number": item["item_number"],
        "item_title": item["item_title"],
        "decisions": item.get("decisions") or [],
        "url": item_permalink(doc["doc_id"], item["item_number"]),
    }


def _shown(counter: Counter) -> str:
    """The spelling to show: the most used; on a tie, the one with a hyphen."""
    return max(counter, key=lambda name: (counter[name], "-" in name, name))


def _sort_key(name: str) -> tuple[str, str]:
    """By surname, then first name, as registers of people are read."""
    words = folded_words(name)
    return (words[-1] if words else "", " ".join(words))


def _person(key, names, spelling, meetings, presented, alike) -> dict:
    name = names[key]
    attended = [m for m in meetings if m["role"] in ATTENDED]
    missed = [m for m in meetings if m["role"] == ABSENT]
    return {
        "name": name,
        "url": person_url(name),
        "spellings": sorted(spelling),
        "meetings_attended": len({m["doc_id"] for m in attended}),
        "meetings_missed": len({m["doc_id"] for m in missed}),
        "items_presented": len(presented),
        "decisions": sum(len(p["decisions"]) for p in presented),
        "first_date": _edge(meetings + presented, min),
        "last_date": _edge(meetings + presented, max),
        "maybe_same": [
            {"name": names[other], "reason": reason, "url": person_url(names[other])}
            for other, reason in alike.get(key, [])
        ],
        "_meetings": meetings,
        "_presented": presented,
    }


def _edge(rows: list[dict], pick) -> str | None:
    dates = [r["date"] for r in rows if r["date"]]
    return pick(dates) if dates else None


def person_summary(person: dict) -> dict:
    """A person as the list of people shows them (no per-meeting detail)."""
    return {k: v for k, v in person.items() if not k.startswith("_")}


def person_detail(person: dict) -> dict:
    """A person's page: meetings per year, items presented, their decisions."""
    meetings = newest_first(person["_meetings"])
    presented = newest_first(person["_presented"])
    per_year: dict[str, dict[str, int]] = {}
    for m in meetings:
        year = (m["date"] or "")[:4] or "okänt år"
        counts = per_year.setdefault(year, {"attended": 0, "missed": 0})
        if m["role"] in ATTENDED:
            counts["attended"] += 1
        elif m["role"] == ABSENT:
            counts["missed"] += 1
    decisions = [
        {**{k: p[k] for k in ("date", "doc_id", "item_number", "item_title", "url")},
         "decision": d}
        for p in presented
        for d in p["decisions"]
    ]  # fmt: skip
    return {
        **person_summary(person),
        "per_year": dict(sorted(per_year.items(), reverse=True)),
        "meetings": meetings,
        "presented": presented,
        "decisions_in_presented_items": decisions,
    }


def newest_first(rows: list[dict]) -> list[dict]:
    """Newest date first, undated last; within a date in item order."""
    rows = sorted(rows, key=lambda r: r.get("item_number", 0))
    dated = sorted(
        (r for r in rows if r["date"]), key=lambda r: r["date"], reverse=True
    )
    return dated + [r for r in rows if not r["date"]]


def find_person(catalogue: list[dict], name: str) -> dict | None:
    """The person whose name has the same key as ``name``, or None."""
    return people(catalogue).get(name_key(name))


def search_people(catalogue: list[dict], q: str = "") -> list[dict]:
    """People whose name holds every word of ``q`` (as a word start), by surname."""
    words = folded_words(q)
    found = []
    for person in people(catalogue).values():
        have = folded_words(" ".join(person["spellings"]))
        if all(any(h.startswith(w) for h in have) for w in words):
            found.append(person_summary(person))
    return found


# --- meetings ---------------------------------------------------------------------


def meetings(catalogue: list[dict]) -> list[dict]:
    """Every meeting (a minutes document), newest first, with its counts."""
    rows = []
    for doc in catalogue:
        if doc.get("doc_type") != "minutes":
            continue
        roles = Counter(a["role"] for a in doc.get("attendance") or [])
        rows.append(
            {
                **_meeting_ref(doc),
                "time": doc.get("time"),
                "place": doc.get("place"),
                "present": roles["present"] + roles[SUBSTITUTE],
                "absent": roles[ABSENT],
                "substitutes": roles[SUBSTITUTE],
                "secretary": doc.get("secretary"),
                "items": len(doc["items"]),
                "decisions": sum(len(i.get("decisions") or []) for i in doc["items"]),
            }
        )
    return rows


# --- one build per catalogue ------------------------------------------------------

_memo_lock = threading.Lock()
_memo_store: dict[tuple[int, str], tuple[list, object]] = {}
MEMO_SIZE = 8  # two or three index versions' registers


def _memo(catalogue: list[dict], name: str, build):
    """``build()`` once per catalogue object (the service gives one per version)."""
    key = (id(catalogue), name)
    with _memo_lock:
        held = _memo_store.get(key)
        if held is not None and held[0] is catalogue:
            return held[1]
    value = build()
    with _memo_lock:
        if len(_memo_store) >= MEMO_SIZE:
            _memo_store.pop(next(iter(_memo_store)))
        _memo_store[key] = (catalogue, value)
    return value


def decisions_page(
    catalogue: list[dict], wanted: DecisionFilter, page: int, per_page: int
) -> dict:
    """One page of the filtered decisions register, with counts per year."""
    rows = filter_decisions(decision_rows(catalogue), wanted)
    start = (page - 1) * per_page
    return {
        "q": wanted.q,
        "year": wanted.year,
        "from": wanted.date_from,
        "to": wanted.date_to,
        "total": len(rows),
        "page": page,
        "per_page": per_page,
        "years": decision_years(filter_decisions(
            decision_rows(catalogue),
            DecisionFilter(wanted.q, None, wanted.date_from, wanted.date_to),
        )),
        "decisions": rows[start : start + per_page],
    }  # fmt: skip
