"""Swedish labels for values the index stores in machine form (types, dates, counts)."""

from __future__ import annotations

from datetime import date

TYPE_LABELS = {"minutes": "Minnesanteckningar", "agreement": "Överenskommelse"}
ROLE_LABELS = {
    "present": "närvarande",
    "absent": "frånvarande",
    "substitute": "ersättare",
    "secretary": "antecknade",
    "convener": "kallade till mötet",
    "presenter": "föredragande",
}
MONTHS = (
    "januari februari mars april maj juni juli augusti september oktober november "
    "december"
).split()


def type_label(doc_type: str) -> str:
    """The document type as staff call it."""
    return TYPE_LABELS.get(doc_type, doc_type)


def swedish_date(iso: str | None) -> str:
    """2021-02-02 as "2 februari 2021"; readers should not have to parse ISO dates."""
    if not iso:
        return "Datum saknas"
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return iso
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def stated_date(item: dict) -> str:
    """The date an item's document states, as a reader says it.

    A meeting or signing day as "2 februari 2021"; an agreement that states
    only its period as "giltig 2021–2024" (never as signed on its first day);
    nothing stated as "datum saknas".
    """
    first, last = item.get("valid_from"), item.get("valid_to")
    if item.get("date_kind") == "period" and first:
        return f"giltig {first}–{last}" if last and last != first else f"giltig {first}"
    if item.get("date"):
        return swedish_date(item["date"])
    return "datum saknas"


def hits_label(count: int) -> str:
    """ "1 träff", "12 träffar"."""
    return f"{count} {'träff' if count == 1 else 'träffar'}"


def items_label(count: int) -> str:
    """ "1 punkt", "3 punkter"."""
    return f"{count} {'punkt' if count == 1 else 'punkter'}"
