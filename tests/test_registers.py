"""The registers over real HTTP: decisions, people, meetings, names in search, CSV.

Expectations come from the seed files' own text and from /api/documents,
which the registers must agree with; a second index built from new minutes
in the seed layouts checks that nothing is keyed to the seed files.
"""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pytest

from indexer import build_index
from search_app import create_app
from search_app.csvexport import to_csv
from tests.conftest import http_get, http_json, serve_app
from tests.dom import parse_page
from tests.test_openapi import declared, schema_errors


def iri(path: str) -> str:
    """A path written with å, ä, ö, as a browser would send it."""
    return quote(path, safe="/?&=%#+:")


def api(base: str, path: str) -> dict:
    status, body = http_json(base + iri(path))
    assert status == 200, (path, body)
    return body


def page(base: str, path: str, status: int = 200):
    got, headers, body = http_get(base + iri(path))
    assert got == status, (path, got)
    assert headers["content-type"].startswith("text/html")
    return parse_page(body)


def csv_rows(base: str, path: str) -> list[dict]:
    status, headers, body = http_get(base + iri(path))
    assert status == 200
    assert headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in headers["content-disposition"]
    assert body.startswith("\ufeff".encode())  # Excel reads UTF-8 only with a BOM
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def documents(base: str) -> list[dict]:
    docs = api(base, "/api/documents")["documents"]
    return [api(base, f"/api/documents/{quote(d['doc_id'])}") for d in docs]


# --- names are searchable and a filter ------------------------------------------


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("Hanberger", "present"),
        ("Falck", "absent"),
        ("Lindqvist", "secretary"),
        ("Kjellson", "substitute"),
        ("Puntonet", "secretary"),
    ],
)
def test_attendance_names_are_found(server, name, role):
    body = api(server, f"/api/search?q={quote(name)}")
    assert body["total"] >= 1
    named = [a for hit in body["hits"] for a in hit["attendance"]]
    assert any(name in a["name"] and a["role"] == role for a in named), named


def test_a_name_finds_each_meeting_once(server):
    body = api(server, "/api/search?q=Hildingsson&per_page=100")
    docs = [hit["doc_id"] for hit in body["hits"]]
    attended = [d for d in documents(server) if "Stefan Hildingsson" in d["present"]]
    assert sorted(docs) == sorted(d["doc_id"] for d in attended) and len(docs) == 3


def test_the_substitute_says_whom_they_stood_in_for(server):
    hit = api(server, "/api/search?q=Kjellson")["hits"][0]
    assert hit["attendance"] == [
        {
            "name": "Annika Kjellson Lind",
            "role": "substitute",
            "stands_in_for": "Karin Isaksson",
        }
    ]


def test_person_filter_keeps_the_meetings_they_attended(server):
    everything = api(server, "/api/search?q=umebrå&per_page=100")
    body = api(server, "/api/search?q=umebrå&per_page=100&person=maria+falck")
    by_id = {d["doc_id"]: d for d in documents(server)}
    attended = {i for i, d in by_id.items() if "Maria Falck" in d["present"]}
    assert body["total"] >= 1 and body["total"] < everything["total"]
    assert {hit["doc_id"] for hit in body["hits"]} <= attended
    missed = {i for i, d in by_id.items() if "Maria Falck" in d["absent"]}
    assert any(hit["doc_id"] in missed for hit in everything["hits"])


def test_person_filter_takes_any_spelling_with_the_same_key(server):
    one = api(server, "/api/search?q=umebrå&person=Anna-Karin+Sjölander")
    two = api(server, "/api/search?q=umebrå&person=ANNA+KARIN+SJÖLANDER")
    assert one["total"] == two["total"] >= 1


# --- the decisions register -------------------------------------------------------


def test_every_decision_is_in_the_register_once_newest_first(server):
    register = api(server, "/api/decisions?per_page=100")
    expected = [
        (doc["doc_id"], item["item_number"], decision)
        for doc in documents(server)
        for item in doc["items"]
        for decision in item["decisions"]
    ]
    rows = register["decisions"]
    assert sorted((r["doc_id"], r["item_number"], r["decision"]) for r in rows) == (
        sorted(expected)
    )
    assert register["total"] == len(expected) >= 8
    dates = [r["date"] for r in rows if r["date"]]
    assert dates == sorted(dates, reverse=True)
    assert rows[-1]["date"] is None  # the undated minutes come last


def test_decisions_are_clean(server):
    rows = api(server, "/api/decisions?per_page=100")["decisions"]
    for row in rows:
        assert not row["decision"].lower().startswith("beslut")
        assert ".pdf" not in row["decision"]
    first = next(r for r in rows if r["date"] == "2025-02-18")
    assert first["decision"] == "Anteckningarna från föregående möte godkändes."
    assert first["attachments"] == ["Umebrå 2024-12-10 mötesanteckningar.pdf"]
    assert first["presenters"] == ["Hans Lindberg"]
    assert first["item_title"] == "Föregående möte"


def test_each_decision_links_to_its_item(server):
    for row in api(server, "/api/decisions?per_page=100")["decisions"][:4]:
        path, anchor = row["url"].split("#")
        item = page(server, path).by_id(anchor)
        assert item is not None and row["decision"] in item.words()


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("year=2019", lambda r: r["date"].startswith("2019")),
        (
            "from=2020-01-01&to=2021-12-31",
            lambda r: "2020" <= r["date"] <= "2021-12-31",
        ),
        ("q=uppdragsplan", lambda r: "uppdragsplanen" in r["decision"]),
        ("q=uppdrag+socialtjansten", lambda r: "socialtjänsten" in r["decision"]),
    ],
)
def test_decisions_filter(server, query, check):
    body = api(server, f"/api/decisions?{query}")
    assert body["total"] >= 1
    assert all(check(r) for r in body["decisions"]), body["decisions"]


def test_decision_csv_has_every_filtered_row(server):
    body = api(server, "/api/decisions?year=2019")
    rows = csv_rows(server, "/api/decisions?year=2019&format=csv&per_page=1")
    assert [r["decision"] for r in rows] == [d["decision"] for d in body["decisions"]]
    assert rows[0]["url"].startswith("http://127.0.0.1:")  # works from a spreadsheet
    assert "å" in "".join(r["decision"] for r in rows)


def test_search_csv_exports_the_whole_result_in_order(server):
    body = api(server, "/api/search?q=umebrå&per_page=100&sort=date")
    rows = csv_rows(server, "/api/search?q=umebrå&sort=date&format=csv&per_page=2")
    assert [r["item_id"] for r in rows] == [h["item_id"] for h in body["hits"]]
    assert len(rows) == body["total"] > 2
    assert all("?" not in r["url"] for r in rows)  # permanent links


@pytest.mark.parametrize(
    "path",
    [
        "/api/decisions?from=2021-02-30",
        "/api/decisions?year=21",
        "/api/decisions?format=xlsx",
        "/api/search?q=x&format=pdf",
        "/api/decisions?per_page=1000",
        # Over the described maxLength as sent, though the control characters
        # would collapse into one space.
        "/api/people?q=heten" + "%15" * 1000,
        "/api/decisions?q=" + "%20" * 1001,
    ],
)
def test_bad_register_parameters_are_400(server, path):
    status, body = http_json(server + path)
    assert status == 400 and body["error"]


def test_csv_cells_that_look_like_formulas_stay_text():
    text = to_csv([{"a": "=HYPERLINK(1)", "b": ["x", "y"], "url": "/doc/1"}],
                  ["a", "b", "url"], "http://h")  # fmt: skip
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row == {"a": "'=HYPERLINK(1)", "b": "x; y", "url": "http://h/doc/1"}


# --- people ------------------------------------------------------------------------


def test_people_register_normalises_and_never_merges_look_alikes(server):
    people = api(server, "/api/people")["people"]
    by_name = {p["name"]: p for p in people}
    sjolander = by_name["Anna-Karin Sjölander"]  # "Anna Karin" in 2019: one key
    assert sjolander["spellings"] == ["Anna Karin Sjölander", "Anna-Karin Sjölander"]
    assert (sjolander["meetings_attended"], sjolander["meetings_missed"]) == (1, 1)
    assert "Anna Karin Sjölander" not in by_name
    # One letter apart: both kept, each pointing at the other.
    assert [m["name"] for m in by_name["Robert Axebro"]["maybe_same"]] == [
        "Robert Axelbro"
    ]
    assert [m["name"] for m in by_name["Robert Axelbro"]["maybe_same"]] == [
        "Robert Axebro"
    ]
    assert "Kerstin Rörsch" in by_name  # a presenter only
    assert "Umebrå kansli" not in by_name


def test_every_attendee_and_presenter_has_a_page(server):
    people = {p["name"] for p in api(server, "/api/people")["people"]}
    keys = {" ".join(n.casefold().replace("-", " ").split()) for n in people}
    for doc in documents(server):
        for entry in doc["attendance"]:
            key = " ".join(entry["name"].casefold().replace("-", " ").split())
            assert key in keys, entry


def test_person_detail(server):
    karin = api(server, "/api/people/" + quote("karin isaksson"))
    assert karin["name"] == "Karin Isaksson"
    assert karin["per_year"] == {
        "2025": {"attended": 0, "missed": 1},
        "2021": {"attended": 1, "missed": 0},
        "2019": {"attended": 0, "missed": 1},
    }
    replaced = [m for m in karin["meetings"] if m["replaced_by"]]
    assert [m["replaced_by"] for m in replaced] == ["Annika Kjellson Lind"]
    annika = api(server, "/api/people/" + quote("Annika Kjellson Lind"))
    assert [m["stands_in_for"] for m in annika["meetings"]] == ["Karin Isaksson"]
    hans = api(server, "/api/people/" + quote("Hans Lindberg"))
    assert hans["items_presented"] >= 3
    assert "Föregående minnesanteckningar godkänns och läggs till handlingarna." in [
        d["decision"] for d in hans["decisions_in_presented_items"]
    ]
    assert {m["role"] for m in hans["meetings"]} >= {"present", "convener"}


def test_unknown_person_is_404(server):
    status, body = http_json(server + "/api/people/" + quote("Ingen Alls"))
    assert status == 404 and body["error"]
    page(server, "/person/" + quote("Ingen Alls"), 404)


# --- meetings ------------------------------------------------------------------


def test_meetings_agree_with_the_documents(server):
    meetings = api(server, "/api/meetings")["meetings"]
    minutes = [d for d in documents(server) if d["doc_type"] == "minutes"]
    assert len(meetings) == len(minutes) == 4
    for meeting in meetings:
        doc = next(d for d in minutes if d["doc_id"] == meeting["doc_id"])
        assert meeting["present"] == len(doc["present"])
        assert meeting["absent"] == len(doc["absent"])
        assert meeting["items"] == len(doc["items"])
        assert meeting["decisions"] == sum(len(i["decisions"]) for i in doc["items"])
    assert csv_rows(server, "/api/meetings?format=csv")[0]["date"] == "2025-02-18"


# --- the description covers it all ---------------------------------------------------


@pytest.mark.parametrize(
    ("url", "path", "status"),
    [
        ("/api/decisions?q=umebrå&year=2021", "/api/decisions", 200),
        ("/api/decisions?from=x", "/api/decisions", 400),
        ("/api/people?q=karin", "/api/people", 200),
        ("/api/people/Robert%20Axebro", "/api/people/{name}", 200),
        ("/api/people/Hans%20Lindberg", "/api/people/{name}", 200),
        ("/api/people/Ingen", "/api/people/{name}", 404),
        ("/api/meetings", "/api/meetings", 200),
        ("/api/search?q=Kjellson", "/api/search", 200),
    ],
)
def test_responses_match_the_description(server, url, path, status):
    got, body = http_json(server + iri(url))
    assert got == status
    assert schema_errors(body, declared(path, status)) == []


# --- the pages -----------------------------------------------------------------------


def test_decisions_page(server):
    doc = page(server, "/beslut?year=2019")
    rows = doc.find_all("li", class_="decision-row")
    assert len(rows) == api(server, "/api/decisions?year=2019")["total"]
    links = {a.attrs.get("href", "") for a in doc.find_all("a")}
    assert any(h.startswith("/api/decisions?") and "format=csv" in h for h in links)
    assert "Beslut: Beslut" not in doc.words()


def test_document_page_shows_each_decision_once(server):
    for meta in documents(server):
        words = page(server, f"/doc/{quote(meta['doc_id'])}").words()
        for item in meta["items"]:
            for decision in item["decisions"]:
                assert words.count(" ".join(decision.split())) == 1, decision


def test_an_opening_attachment_stands_apart_from_the_decision(server):
    doc_id = next(
        r["doc_id"]
        for r in api(server, "/api/decisions")["decisions"]
        if r["attachments"]
    )
    item = page(server, f"/doc/{quote(doc_id)}").by_id("item-1")
    para = item.find("p", class_="decision-para")
    ref = para.find("span", class_="attachment-ref").words()
    assert ref == "Bilaga: Umebrå 2024-12-10 mötesanteckningar.pdf"
    assert para.words() == (
        f"{ref} Beslut: Anteckningarna från föregående möte godkändes."
    )


def test_person_page(server):
    doc = page(server, "/person/" + quote("Robert Axelbro"))
    assert doc.find("h1").words() == "Robert Axelbro"
    maybe = doc.find("aside", class_="maybe-same")
    assert maybe is not None and "Robert Axebro" in maybe.words()
    assert "Kanske samma person" in maybe.words()


def test_meetings_page(server):
    doc = page(server, "/moten")
    rows = doc.find_all("tr")
    assert sum(1 for r in rows if r.find("a")) == 4
    assert "varav 1 ersättare" in doc.words()


def test_search_hit_names_the_attendee(server):
    doc = page(server, "/?q=Hanberger")
    note = doc.find("p", class_="attendance")
    assert note is not None and "Anders Hanberger (närvarande)" in note.words()


# --- new minutes in the seed layouts -------------------------------------------

NEW_TABLE = (
    "\n\n2023-03-14\n\nKlockan 15.00\n\nStadshuset\n\nKallade:\n\n"
    "Sara Öberg, Jonas Ek-Lund, ~~Per Nyström~~ (ersättare Lisa Strand), "
    "~~Olle Berg~~\n\n"
    "Ärende:\tOmfattning/notering:\tFöredragande:\n"
    "Föregående möte\tProtokoll 2023-01-10.pdf Protokollet godkändes.\tSara Öberg\n"
    "Trygghetsvandring\t<p>Rapport från vandringen.</p> <p>Beslut: Rådet ger "
    "kansliet i uppdrag att ordna en ny vandring.</p> <p>Beslut: Rapporten läggs "
    "till handlingarna.</p>\tJonas Ek Lund\n\nNoterat av:\n\nEva Sjögren, sekreterare"
)
NEW_FLAT = (
    "Föregående \nmötesanteckningar  \n\nAnteckningar - Umeå kommun (umea.se) \n"
    "Föregående mötesanteckningar läggs till handlingarna. \n\nSara Oberg \n\n"
    "Aktuellt  \n\nInga frågor togs upp. \n\nPer Nyström \n\n"
    "Noterat av:  \nEva Sjögren, Sekreterare  \n"
)


@pytest.fixture(scope="module")
def new_server(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("newcorpus")
    (corpus / "a.txt").write_text(NEW_TABLE, encoding="utf-8")
    (corpus / "b.txt").write_text(NEW_FLAT, encoding="utf-8")
    index = tmp_path_factory.mktemp("newindex")
    assert not build_index(corpus, index, rebuild=True).rejected
    port, stop = serve_app(create_app({"INDEX_DIR": str(index)}))
    yield f"http://127.0.0.1:{port}"
    stop()


def test_new_minutes_decisions(new_server):
    rows = api(new_server, "/api/decisions")["decisions"]
    assert [(r["decision"], r["attachments"]) for r in rows] == [
        ("Protokollet godkändes.", ["Protokoll 2023-01-10.pdf"]),
        ("Rådet ger kansliet i uppdrag att ordna en ny vandring.", []),
        ("Rapporten läggs till handlingarna.", []),
        ("Föregående mötesanteckningar läggs till handlingarna.",
         ["Anteckningar - Umeå kommun (umea.se)"]),
    ]  # fmt: skip


def test_new_minutes_people(new_server):
    people = {p["name"]: p for p in api(new_server, "/api/people")["people"]}
    assert people["Jonas Ek-Lund"]["spellings"] == ["Jonas Ek Lund", "Jonas Ek-Lund"]
    assert people["Jonas Ek-Lund"]["items_presented"] == 1
    assert [m["name"] for m in people["Sara Öberg"]["maybe_same"]] == ["Sara Oberg"]
    assert people["Sara Oberg"]["items_presented"] == 1  # not merged
    lisa = api(new_server, "/api/people/Lisa%20Strand")
    assert [(m["role"], m["stands_in_for"]) for m in lisa["meetings"]] == [
        ("substitute", "Per Nyström")
    ]
    eva = api(new_server, "/api/people/Eva%20Sj%C3%B6gren")
    assert [m["role"] for m in eva["meetings"]] == ["secretary", "secretary"]
    assert (
        api(new_server, "/api/search?q=Strand")["hits"][0]["attendance"][0]["role"]
        == "substitute"
    )
    assert api(new_server, "/api/search?q=Nyström")["total"] >= 1
    meeting = api(new_server, "/api/meetings")["meetings"][0]
    assert (meeting["present"], meeting["absent"], meeting["substitutes"]) == (3, 2, 1)
    assert json.dumps(meeting, ensure_ascii=False).count("Stadshuset") == 1
