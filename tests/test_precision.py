"""Matching finds every form of a word and never a different word.

On generated minutes: a scan whose å, ä and ö mostly survived (so folding its
words would merge "läget" with "lag"), and clean minutes with lexicalised
compounds (*skottlossningar*, *lagstiftningen*), verb particles
(*samordningen*) and Latin *-ens* nouns (*svarsfrekvensen*).
"""

from __future__ import annotations

import pytest

from indexer import build_index
from indexer.ingest.ocrdetect import looks_like_ocr
from search_app.search import SearchService
from search_app.vocabulary import SearchParams

HEADER = "Ärende:\tOmfattning/notering:\tFöredragande:\n"


def minutes(date: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(f"{title}\t{text}\tAnna Svensson\n" for title, text in rows)
    return (
        f"{date}\n\nKlockan 15.00\n\nKallade:\n\nAnna Svensson, Per Olsson\n\n"
        f"{HEADER}{body}\nNoterat av:\n\nAnna Svensson\n"
    )


# A good scan: diacritics kept, a few words misread ("Uppfdljning", "Idngsiktigt").
SCAN = minutes(
    "2023-05-09",
    [
        (
            "Foraldrastod i Holmsund",
            "Polisen beskrev läget i centrum och den lokala lägesbilden för "
            "våren. En uppfdljning av det Idngsiktigt hdllbara arbetet sker i "
            "Umed under hösten. Gruppen konstaterar att läget är lugnt och att "
            "arbetet med föräldrar går vidare enligt plan. Rnötet tackade "
            "för redovisningen och ser fram emot nästa rapport om arbetet i "
            "kornmunen.",
        ),
        (
            "Ny lag för ett hdllbart Idngsiktigt arbete",
            "Den nya lagen ställer krav på kommunerna. En uppfdljning sker "
            "ldngsiktigt och hdllbart, och kornmunen ska ta fram en plan för "
            "arbetet. Gruppen diskuterade hur arbetet ska organiseras och vem "
            "som ansvarar för att planen följs upp under året som kommer.",
        ),
    ],
)
CLEAN = minutes(
    "2024-02-13",
    [
        (
            "Skottlossningar i centrum",
            "Polisen redogjorde för två skottlossningar under vintern. "
            "Utredningen sköttes av regionen. Den nya lagstiftningen ger "
            "kommunen ett större ansvar.",
        ),
        (
            "Trygghetsmätningen",
            "Svarsfrekvensen var lägre än förra året. Samordningen av "
            "enkäten sköttes av kommunen. Våld i offentlig miljö har minskat. "
            "Lokalerna städas varje vecka.",
        ),
    ],
)


# A compound and, elsewhere, its parts written apart.
WALKS = minutes(
    "2024-04-16",
    [
        (
            "Trygghetsarbete i centrum",
            "Effektiv styrning för trygghet (EST), orsaksanalyser och "
            "trygghetsvandringar planeras under våren.",
        ),
        ("Nattvandrare", "Trygghet ökar när vuxna vandringar görs varje helg."),
    ],
)


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "scan.txt").write_text(SCAN, encoding="utf-8")
    (corpus / "clean.txt").write_text(CLEAN, encoding="utf-8")
    (corpus / "walks.txt").write_text(WALKS, encoding="utf-8")
    index = tmp_path_factory.mktemp("index")
    summary = build_index(corpus, index, rebuild=True)
    assert not summary.rejected, summary.rejected
    return SearchService(index)


def hits(service, q: str) -> dict[tuple[str, int], list[str]]:
    """(source, item number) -> the words the document page marks in that item,
    heading first."""
    out = {}
    for hit in service.search(SearchParams(q=q, per_page=100))["hits"]:
        item = service.document(hit["doc_id"], q)["items"][hit["item_number"] - 1]
        marked = [item["item_title"][s:e] for s, e in item["title_spans"]]
        marked += [item["text"][s:e] for s, e in item["spans"]]
        out[(hit["source"], hit["item_number"])] = marked
    return out


def test_the_generated_scan_reads_as_ocr():
    assert looks_like_ocr(SCAN) and not looks_like_ocr(CLEAN)


def test_in_a_scan_a_word_with_its_diacritics_is_not_folded_into_another(service):
    # "läget" and "lägesbilden" kept their ä in the scan: they are not "lag".
    found = hits(service, "lag")
    assert ("scan.txt", 1) not in found, found
    assert found[("scan.txt", 2)] == ["lag", "lagen"]
    assert not any("ä" in w for words in found.values() for w in words)


def test_a_thing_and_the_action_on_it_split_even_when_well_known(service):
    found = hits(service, "skott")
    assert found == {("clean.txt", 1): ["Skottlossningar", "skottlossningar"]}
    assert ("clean.txt", 1) in hits(service, "lag")  # lagstiftningen


def test_a_verb_particle_is_no_compound_part(service):
    # "samordningen" is no compound of "same" and "ordning".
    assert hits(service, "ordning") == {}


def test_a_compounds_parts_are_marked_only_where_they_stand_apart(service):
    """The compound query also finds its parts written near each other; a lone
    part beside the compound itself is not that, and is not marked."""
    found = hits(service, "trygghetsvandring")
    assert found[("walks.txt", 1)] == ["trygghetsvandringar"]
    assert found[("walks.txt", 2)] == ["Trygghet", "vandringar"]


def test_latin_ens_nouns_meet_their_definite_forms(service):
    assert ("clean.txt", 2) in hits(service, "svarsfrekvens")
    assert ("clean.txt", 2) in hits(service, "frekvens")


def test_a_scanned_heading_is_searched_as_corrected_and_shown_as_printed(service):
    result = service.search(SearchParams(q="föräldrastöd"))
    assert [(h["source"], h["item_number"]) for h in result["hits"]] == [
        ("scan.txt", 1)
    ]
    assert result["hits"][0]["item_title"] == "Foraldrastod i Holmsund"


def test_a_retry_folds_only_words_that_more_likely_lost_their_marks(service):
    # Nothing says "vald"; "våld" is the commoner word: the retry finds it.
    assert ("clean.txt", 2) in hits(service, "vald")
    # "stad" is commoner than "städ": no retry turns it into "städas".
    assert hits(service, "stad") == {}


def test_a_scanned_heading_reads_corrected_in_result_lists(service, tmp_path):
    from search_app import create_app

    hit = service.search(SearchParams(q="hållbart"))["hits"][0]
    printed, read = (
        "Ny lag för ett hdllbart Idngsiktigt arbete",
        ("Ny lag för ett hållbart långsiktigt arbete"),
    )
    assert hit["item_title"] == printed  # as on the document page
    assert hit["item_title_read"] == read
    clean = service.search(SearchParams(q="skottlossningar"))["hits"][0]
    assert clean["item_title_read"] == clean["item_title"]

    app = create_app({"TESTING": True, "INDEX_DIR": str(service.index_dir)})
    page = app.test_client().get("/?q=hållbart").get_data(as_text=True)
    assert f"2. {read}</a>" in page
    assert f'title="I skanningen: {printed}"' in page
    api = app.test_client().get("/api/search?q=hållbart").get_json()
    assert api["hits"][0]["item_title_read"] == read
