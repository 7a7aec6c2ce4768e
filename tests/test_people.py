"""Attendance roles, name normalisation and look-alike names."""

from __future__ import annotations

import pytest

from indexer.people import (
    ABSENT,
    CONVENER,
    PRESENT,
    SECRETARY,
    SUBSTITUTE,
    clean_name,
    edit_distance,
    is_person_name,
    look_alikes,
    maybe_same,
    name_key,
    parse_attendance,
    parse_footer,
)
from indexer.segment import segment

from .test_segment import raw, seed


def roles(people):
    return {(p.name, p.role, p.note, p.stands_in_for) for p in people}


def test_seed_attendance_roles():
    doc = seed("002")
    by_name = {a.name: a for a in doc.attendance}
    assert by_name["Karin Isaksson"].role == ABSENT
    sub = by_name["Annika Kjellson Lind"]
    assert (sub.role, sub.stands_in_for) == (SUBSTITUTE, "Karin Isaksson")
    assert by_name["Nicole Flarke"].role == PRESENT
    assert by_name["Frida Puntonet Davidila"].role == SECRETARY
    old = {a.name: a for a in seed("001").attendance if a.role != CONVENER}
    assert old["Ann-Christine Gradin"].note == "del av tid"
    assert old["Hans Lindberg"].role == PRESENT
    assert any(a.role == CONVENER and a.name == "Hans Lindberg" for a in
               seed("001").attendance)  # fmt: skip


def test_attendance_lists_in_several_forms():
    head = [
        "Närvarande: Eva Berg, ordförande, OLOF STRAND,",
        "~~Karl Ek~~ (ersättare Per Holm)",
        "Lisa Nord (ersättare för Anna-Karin Sjölander), Ola Svensson (via Teams).",
        "Frånvarande: Maria Falck",
    ]
    assert roles(parse_attendance(head)) == {
        ("Eva Berg", PRESENT, "ordförande", None),
        ("Olof Strand", PRESENT, None, None),
        ("Karl Ek", ABSENT, None, None),
        ("Per Holm", SUBSTITUTE, None, "Karl Ek"),
        ("Lisa Nord", SUBSTITUTE, None, "Anna-Karin Sjölander"),
        ("Ola Svensson", PRESENT, "via Teams", None),
        ("Maria Falck", ABSENT, None, None),
    }


def test_lines_before_a_list_are_not_people():
    head = ["UmeBrå", "Anteckningar", "Tid: 2025-02-18", "Kallade:", "", "Eva Berg"]
    assert [p.name for p in parse_attendance(head)] == ["Eva Berg"]


def test_footer_roles():
    assert roles(parse_footer(["Noterat av:", "", "Elin Lindqvist, sekreterare"])) == {
        ("Elin Lindqvist", SECRETARY, None, None)
    }
    assert roles(parse_footer(["Kallat av: Hans Lindberg"])) == {
        ("Hans Lindberg", CONVENER, None, None)
    }
    assert parse_footer(["Noterat av:", "", "sekreterare"]) == []


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("ANNA - KARIN  SJÖLANDER", "Anna-Karin Sjölander"),
        ("elin lindqvist", "Elin Lindqvist"),
        ("CARL VON ESSEN", "Carl von Essen"),
        ("Ronald McDonald", "Ronald McDonald"),
        ("~~Maria Falck~~.", "Maria Falck"),
    ],
)
def test_clean_name(written, shown):
    assert clean_name(written) == shown


def test_name_key_ignores_case_hyphens_and_spacing_only():
    assert (
        name_key("Anna-Karin Sjölander")
        == name_key("Anna Karin Sjölander")
        == name_key("ANNA-KARIN  SJÖLANDER.")
    )
    assert name_key("Anna-Karin Sjolander") != name_key("Anna-Karin Sjölander")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anna-Karin Sjölander", True),
        ("Carl von Essen", True),
        ("anna berg", True),
        ("Umebrå kansli", False),
        ("Polisen", False),
        ("Samtalsledarna för respektive grupp", False),
        ("Hans Lindberg Ordförande", False),
        ("Möten 2020", False),
        ("Vid mötet deltog alla ledamöter i rådet idag", False),
    ],
)
def test_is_person_name(text, expected):
    assert is_person_name(text) is expected


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Robert Axebro", "Robert Axelbro", True),  # one letter (seed spellings)
        ("Anders Agren", "Anders Ågren", True),  # å lost to OCR
        ("Michacl Rystcdt", "Michael Rystedt", True),  # OCR damage in both words
        ("Lena Karlsson Engman", "Lena Engman", True),  # a name more
        ("Karin Nilsson", "Carin Nilsson", True),
        ("Anders Ågren", "Janet Ågren", False),  # same surname only
        ("Lena Riedl", "Izabel Riedl", False),
        ("Anna-Karin Nilsson", "Carin Nilsson", False),
        ("Anna Karin Sjölander", "Anna-Karin Sjölander", False),  # one key: same
        ("Eva Berg", "Eva Borg", False),  # short names: a letter is a new name
    ],
)
def test_maybe_same(a, b, same):
    assert bool(maybe_same(a, b)) is same
    assert maybe_same(a, b) == maybe_same(b, a)


def test_look_alikes_are_reported_both_ways_and_never_merged():
    found = look_alikes(["Robert Axebro", "Robert Axelbro", "Hans Lindberg"])
    assert [k for k, _ in found[name_key("Robert Axebro")]] == ["robert axelbro"]
    assert [k for k, _ in found[name_key("Robert Axelbro")]] == ["robert axebro"]
    assert name_key("Hans Lindberg") not in found


def test_edit_distance():
    assert edit_distance("axebro", "axelbro") == 1
    assert edit_distance("rystedt", "rystedt") == 0
    assert edit_distance("ab", "ba") == 1
    assert edit_distance("abcdefgh", "a") == 3  # capped


def test_attendance_survives_segmentation_of_new_minutes():
    text = (
        "2024-05-14\n\nNärvarande:\n\nEva Berg, ~~Karl Ek~~ (ersättare Per Holm)\n\n"
        "Ärende:\tOmfattning/notering:\tFöredragande:\n"
        "Budget\tBudgeten antas.\tEva Berg\n\nAntecknat av:\n\nLisa Nord\n"
    )
    doc = segment(raw(text))
    assert doc.present == ["Eva Berg", "Per Holm"]
    assert doc.absent == ["Karl Ek"]
    assert doc.secretary == "Lisa Nord" and doc.convener is None


def test_the_web_layer_names_the_same_roles():
    from indexer.people import ROLES
    from search_app.vocabulary import ROLES as WEB_ROLES

    assert WEB_ROLES == ROLES
