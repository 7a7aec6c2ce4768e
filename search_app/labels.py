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


def hits_label(count: int) -> str:
    """ "1 träff", "12 träffar"."""
    return f"{count} {'träff' if count == 1 else 'träffar'}"


def items_label(count: int) -> str:
    """ "1 punkt", "3 punkter"."""
    return f"{count} {'punkt' if count == 1 else 'punkter'}"
