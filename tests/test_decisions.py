"""Decision extraction: once, without labels, attachments beside the decision."""

from __future__ import annotations

import pytest

from indexer.decisions import find_decisions, split_references
from indexer.segment import segment

from .test_segment import raw, seed


def test_a_label_is_not_part_of_the_decision_and_retold_decisions_are_not_taken():
    text = (
        "Därför fastställde rådet att tidigare beslutade löften fick kvarstå.\n\n"
        "Beslut: Rådet ställer sig bakom revideringarna. De skickas till nämnden."
    )
    decisions, attachments = find_decisions(text)
    assert decisions == [
        "Rådet ställer sig bakom revideringarna. De skickas till nämnden."
    ]
    assert attachments == []


def test_every_label_gives_its_own_decision_and_a_label_may_stand_alone():
    text = "Beslut: Planen antas.\n\nBeslutades:\n\nRapporten läggs till handlingarna."
    assert find_decisions(text)[0] == [
        "Planen antas.",
        "Rapporten läggs till handlingarna.",
    ]


def test_a_proposal_is_not_a_decision():
    text = "Förslag till beslut: planen godkänns. Frågan bordlades."
    assert find_decisions(text) == ([], [])


@pytest.mark.parametrize(
    ("sentence", "decision", "refs"),
    [
        (
            "Protokoll 2024-03-05 styrgrupp.pdf Protokollet godkändes.",
            "Protokollet godkändes.",
            ["Protokoll 2024-03-05 styrgrupp.pdf"],
        ),
        (
            "Minnesanteckningar - Umeå kommun (umea.se) Anteckningarna godkänns.",
            "Anteckningarna godkänns.",
            ["Minnesanteckningar - Umeå kommun (umea.se)"],
        ),
        (
            "Bilaga 1.docx Plan.xlsx Planen fastställdes.",
            "Planen fastställdes.",
            ["Bilaga 1.docx", "Plan.xlsx"],
        ),
        ("Planen fastställdes.", "Planen fastställdes.", []),
    ],
)
def test_attachment_references_are_taken_out_of_the_sentence(sentence, decision, refs):
    assert split_references(sentence) == (decision, refs)
    decisions, attachments = find_decisions(sentence)
    assert decisions == [decision] and attachments == refs


def test_file_names_elsewhere_in_the_item_are_its_attachments():
    text = "Se bilagan lagesbild_2023.pdf för detaljer. Lägesbilden godkändes."
    assert find_decisions(text) == (
        ["Lägesbilden godkändes."],
        ["lagesbild_2023.pdf"],
    )


def test_every_decision_stands_in_the_item_text_once():
    for prefix in ("000", "001", "002", "004"):
        for item in seed(prefix).items:
            assert len(set(item.decisions)) == len(item.decisions)
            for decision in item.decisions:
                assert decision in item.text
                assert not decision.lower().startswith("beslut")
                assert ".pdf" not in decision and "(umea.se)" not in decision


def test_seed_decisions_are_clean():
    labelled = seed("000").items[3]
    assert labelled.decisions == [
        "Umebrå ställer sig bakom revideringarna som gjorts i samtliga dokument."
    ]
    first = seed("002").items[0]
    assert first.decisions == ["Anteckningarna från föregående möte godkändes."]
    assert first.attachments == ["Umebrå 2024-12-10 mötesanteckningar.pdf"]
    flat = seed("004").items[0]
    assert flat.decisions == ["Föregående mötesanteckningar läggs till handlingarna."]
    assert flat.attachments == ["Mötesanteckningar - Umeå kommun (umea.se)"]


def test_a_new_table_minutes_gets_clean_decisions():
    text = (
        "2024-05-14\n\nNärvarande:\n\nEva Berg, Olof Strand\n\n"
        "Ärende:\tOmfattning/notering:\tFöredragande:\n"
        "Föregående möte\tProtokoll 2024-03-05.pdf Protokollet godkändes.\tEva Berg\n"
        "Budget\t<p>Budgeten presenterades.</p> <p>Beslut: Budgeten antas.</p>"
        " <p>Beslut: Kansliet får i uppdrag att följa upp.</p>\tOlof Strand\n"
    )
    doc = segment(raw(text))
    assert [i.decisions for i in doc.items] == [
        ["Protokollet godkändes."],
        ["Budgeten antas.", "Kansliet får i uppdrag att följa upp."],
    ]
    assert doc.items[0].attachments == ["Protokoll 2024-03-05.pdf"]


def test_a_file_name_later_in_a_labelled_decision_stays_in_its_sentence():
    text = "Beslut: Rådet godkänner planen. Bilaga plan.pdf visar detaljerna."
    decisions, attachments = find_decisions(text)
    assert decisions == ["Rådet godkänner planen. Bilaga plan.pdf visar detaljerna."]
    assert attachments == ["plan.pdf"]


@pytest.mark.parametrize(
    ("text", "decisions", "attachments"),
    [
        ("BESLUT: Planen antas.", ["Planen antas."], []),
        ("Mötet. Beſlut: Planen antas.", ["Planen antas."], []),  # re.I: ſ is s
        ("Se bilaga PLAN.PDF inför mötet.", [], ["PLAN.PDF"]),
        ("Anteckningarna GODKÄNDES. Inget mer.", ["Anteckningarna GODKÄNDES."], []),
        ("Inget beslut i dag, bara information.", [], []),
    ],
)
def test_labels_verbs_and_file_names_in_any_case(text, decisions, attachments):
    """The cheap checks that let most items skip the patterns match whatever
    the patterns match, in any case."""
    assert find_decisions(text) == (decisions, attachments)
