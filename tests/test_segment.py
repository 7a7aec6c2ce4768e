"""Segmentation of every seed layout into agenda items, and the metadata read."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.ingest import read_document
from indexer.metadata import load_overrides, split_presenters
from indexer.model import RawDocument
from indexer.segment import segment

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def seed(prefix: str, with_overrides: bool = True):
    path = next(CORPUS.glob(f"{prefix}_*.txt"))
    defaults, files = load_overrides(CORPUS) if with_overrides else ({}, {})
    raw = read_document(path, CORPUS)
    return segment(raw, {"defaults": defaults, "file": files.get(raw.source, {})})


def raw(text: str, source: str = "t.txt") -> RawDocument:
    return RawDocument(source=source, text=text, sha256="x")


SEED_TITLES = {
    "000": [
        "Föregående mötesanteckningar",
        "Rapport från verksamheten, Information från Polisen",
        "Mål 2 om kommunfullmäktig euppdrag 4, 5 och 6.",
        "Samverkansöverenskommelse, reglemente",
        "Ny uppdragsplan Umebrå",
        "Aktuellt Umebrå",
        "Övriga frågor",
    ],
    "001": [
        "Föregående minnesanteckningar",
        "Rapport från verksamheterna",
        "Hedersrelaterat våld och förtryck",
        "Prostitution och Människohandel och sugardejting",
        "Föräldrastöd på nordöstra stadsdelarna",
        "Övriga frågor",
        "Möten 2020",
    ],
    "002": [
        "Föregående möte",
        "Lägesbild från polisen.",
        "Uppföljning i det brottsförebyggande arbetet",
        "Gruppdiskussioner",
        "Uppsamlande diskussion",
        "Korta informationspunkter",
    ],
    "004": [
        "Föregående mötesanteckningar",
        "Rapport från verksamheterna",
        "Medborgarlöftet: Polisen och Umeå kommun lovar att vidta åtgärder mot "
        "prostitution och människohandel",
        "Medborgardialogen om segregation.",
        "Aktuellt Umebrå",
        "Övriga frågor",
    ],
}


@pytest.mark.parametrize("prefix", sorted(SEED_TITLES))
def test_minutes_items_and_headings(prefix):
    doc = seed(prefix)
    assert doc.doc_type == "minutes"
    assert [i.title for i in doc.items] == SEED_TITLES[prefix]
    assert [i.number for i in doc.items] == list(range(1, len(doc.items) + 1))


@pytest.mark.parametrize(
    ("prefix", "date", "time", "place", "secretary"),
    [
        ("000", "2021-02-02", "15.00", "Videokonferens", "Elin Lindqvist"),
        # "Kallat av:" names who convened the meeting, not who took notes.
        ("001", "2019-12-10", "15.00", "Kommunstyrelsens sammanträdesrum", None),
        ("002", "2025-02-18", "15.00–16.30", "Fysiskt möte, KS sammanträdesrum",
         "Frida Puntonet Davidila"),
        ("004", None, None, None, "Elin Lindqvist"),
    ],
)  # fmt: skip
def test_minutes_header(prefix, date, time, place, secretary):
    doc = seed(prefix)
    assert (doc.date, doc.time, doc.place, doc.secretary) == (
        date,
        time,
        place,
        secretary,
    )


def test_struck_through_names_are_absent():
    doc = seed("000")
    assert doc.absent == ["Lennart Johansson", "Maria Falck"]
    assert "Anna-Karin Sjölander" in doc.present and len(doc.present) == 24
    doc = seed("002")
    assert "Karin Isaksson" in doc.absent
    # "~~Karin Isaksson~~ (ersättare Annika Kjellson Lind)": the substitute came.
    assert "Annika Kjellson Lind" in doc.present
    assert "Nicole Flarke" in doc.present  # the list's closing full stop is not a name


def test_notes_in_parentheses_are_not_part_of_names():
    doc = seed("001")
    assert "Ann-Christine Gradin" in doc.present
    assert doc.absent == [
        "Lena Karlsson Engman",
        "Anna Karin Sjölander",
        "Robert Axelbro",
        "Karin Isaksson",
        "Monica Wahlström",
    ]


@pytest.mark.parametrize(
    ("prefix", "number", "presenters"),
    [
        ("000", 2, ["Michael Rystedt", "Fredrik Jeppson"]),
        ("000", 3, ["Kerstin Rörsch", "Anna Cederlund", "Seth Åberg"]),
        ("000", 6, ["Kerstin Rörsch"]),
        ("000", 7, []),
        ("001", 5, ["Lena Sundh", "Leif Nilsson"]),
        ("002", 1, ["Hans Lindberg"]),
        ("002", 5, ["Samtalsledarna för respektive grupp"]),
        ("002", 6, ["Umebrå kansli"]),
        ("004", 3, ["Eva Norlin", "Maria Svanström"]),
        ("004", 5, ["Umebrå kansli"]),
    ],
)
def test_presenters(prefix, number, presenters):
    assert seed(prefix).items[number - 1].presenters == presenters


def test_rows_broken_by_page_breaks_are_joined():
    doc = seed("000")
    # The empty-first-cell continuation joins "Mål 2", mid-sentence.
    assert (
        "Beredningsprocessen går till så att nämnderna gör ansökningar"
        in doc.items[2].text
    )
    # The continuation with the rest of the heading cell joins item 4, not a new item.
    item = doc.items[3]
    assert "Aktivitetsplan UmeBrå 2019–2020" in item.text
    assert "Beslut: Umebrå ställer sig bakom revideringarna" in item.text
    doc = seed("002")
    assert "Genom ett ökat informationsutbyte har polisen" in doc.items[1].text
    assert "ungdomar vistas, både online" in doc.items[1].text


def test_no_tag_survives_and_lists_keep_their_structure():
    doc = seed("000")
    for item in doc.items:
        assert "<" not in item.text and "style=" not in item.text
    lines = doc.items[2].text.split("\n")
    assert "2. Ledningsstöd" in lines and "3. Mätning" in lines
    assert "• minska brottsligheten i Umeå kommun" in doc.items[3].text.split("\n")


@pytest.mark.parametrize(
    ("prefix", "number", "fragment"),
    [
        ("000", 1, "godkänns och läggs till handlingarna"),
        ("000", 4, "Umebrå ställer sig bakom revideringarna"),
        ("000", 5, "Umebrå godkänner uppdragsplanen"),
        ("001", 3, "UmeBrå får i uppdrag att tillsammans med socialtjänsten"),
        ("001", 7, "Styrgrupptider fastställdes för 2020"),
        ("002", 1, "Anteckningarna från föregående möte godkändes"),
    ],
)
def test_decisions(prefix, number, fragment):
    decisions = seed(prefix).items[number - 1].decisions
    assert any(fragment in d for d in decisions), decisions


def test_items_without_a_decision_have_none():
    doc = seed("002")
    assert doc.items[3].decisions == []  # group discussions decide nothing
    assert seed("000").items[1].decisions == []


def test_agreement_sections_despite_ocr_errors():
    doc = seed("003", with_overrides=False)
    assert doc.doc_type == "agreement"
    titles = [i.title for i in doc.items]
    # The preamble is an item titled with the document title.
    assert titles[0] == doc.title
    assert doc.title.startswith("Overenskommelse om samverkan och prioriteringar")
    for heading in ["Inledning", "Samverkansmodellen", "Medborgarloften", "Malbild",
                    "Konkreta arbetssatt", "Uppfdljning",
                    "Overenskommelsens giltighetstid",
                    "Bilagor"]:  # fmt: skip
        assert heading in titles
    assert doc.date == "2021-01-01"  # the agreement's period starts 1 januari 2021
    assert all(i.ocr for i in doc.items)
    # "Polismyndig-" + "heten" is one word again.
    assert "Polismyndigheten" in doc.items[titles.index(doc.items[4].title)].text


def test_metadata_file_overrides_title_date_and_url():
    doc = seed("004")
    assert doc.title == "UmeBrå styrgrupp – minnesanteckningar (odaterade)"
    assert doc.source_url.startswith("https://www.umea.se/")
    assert seed("000").title == "UmeBrå styrgrupp – minnesanteckningar 2021-02-02"
    override = {"file": {"date": "2022-06-14", "title": "Eget"}}
    doc = segment(read_document(next(CORPUS.glob("004_*.txt")), CORPUS), override)
    assert (doc.date, doc.year, doc.title) == ("2022-06-14", "2022", "Eget")


def test_metadata_file_errors_are_reported(tmp_path):
    (tmp_path / "metadata.toml").write_text('["a.txt"]\ndate = "14 juni"\n')
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        load_overrides(tmp_path)
    (tmp_path / "metadata.toml").write_text('["a.txt"]\ncolour = "red"\n')
    with pytest.raises(ValueError, match="unknown keys"):
        load_overrides(tmp_path)
    (tmp_path / "metadata.toml").write_text(
        '["a.txt"]\nsource_url = "javascript:alert(1)"\n'
    )
    with pytest.raises(ValueError, match="http"):
        load_overrides(tmp_path)


def test_flattened_layout_on_other_content():
    text = (
        "Mötets \nöppnande \n\n"
        "Ordföranden hälsade alla välkomna och öppnade mötet. \n\n"
        "Anna Berg \n\nTrygghetsvandring \ni Ersboda \n\n"
        "Kvällens trygghetsvandring samlade tjugo boende och två poliser. \n"
        "Belysningen vid skolan ska ses över. \n\nKarl Ek \n\n"
        "Noterat av: \nEva Lund \n"
    )
    doc = segment(raw(text))
    assert [i.title for i in doc.items] == [
        "Mötets öppnande",
        "Trygghetsvandring i Ersboda",
    ]
    assert [i.presenters for i in doc.items] == [["Anna Berg"], ["Karl Ek"]]
    assert doc.secretary == "Eva Lund"


def test_tab_table_with_page_markers_records_pages():
    text = (
        "2023-05-04\n\nKallade:\n\nAnna Berg, ~~Karl Ek~~\n\n"
        "Ärende:\tOmfattning/notering:\tFöredragande:\n"
        "Nattvandring\t<p>Nattvandrarna har gått varje helg och\tAnna Berg\n"
        "\f\t<p>rapporterar ett lugnare centrum.</p>\t\n"
        "Ärende:\tOmfattning/notering:\tFöredragande:\n"
        "Övriga frågor\tInga.\t\n"
    )
    doc = segment(raw(text))
    assert [i.title for i in doc.items] == ["Nattvandring", "Övriga frågor"]
    assert doc.items[0].pages == [1, 2]
    assert doc.items[1].pages == [2]
    assert "helg och rapporterar ett lugnare centrum" in doc.items[0].text
    assert (doc.present, doc.absent, doc.date) == (
        ["Anna Berg"],
        ["Karl Ek"],
        "2023-05-04",
    )


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("Michael Rystedt, Fredrik Jeppson", ["Michael Rystedt", "Fredrik Jeppson"]),
        ("Hans Lindberg Ordförande", ["Hans Lindberg"]),
        ("Elin Lindqvist, sekreterare", ["Elin Lindqvist"]),
        ("Umebrå kansli", ["Umebrå kansli"]),
        ("", []),
    ],
)
def test_split_presenters(cell, names):
    assert split_presenters(cell) == names
