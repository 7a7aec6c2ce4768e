"""The search service on the seed corpus: matching, ranking, filters, highlights."""

from __future__ import annotations

import copy
import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search_app import highlight
from search_app.search import SearchService
from search_app.vocabulary import QueryRefused, SearchParams


@pytest.fixture(scope="module")
def service(index_dir):
    return SearchService(index_dir)


def found(service, q, **kw) -> list[tuple[str, int]]:
    result = service.search(SearchParams(q=q, per_page=100, **kw))
    return [(h["source"][:3], h["item_number"]) for h in result["hits"]]


def test_motorburen_ungdom_across_years(service):
    hits = found(service, "motorburen ungdom")
    assert set(hits) == {("000", 6), ("004", 2), ("004", 5)}


def test_phrase_needs_the_words_together(service):
    assert set(found(service, '"motorburen ungdom"')) == {
        ("000", 6),
        ("004", 2),
        ("004", 5),
    }
    assert found(service, '"ungdom motorburen"') == []


@pytest.mark.parametrize(
    ("q", "item"),
    [
        ("långsiktigt hållbart", ("003", 1)),
        ("lägesbild", ("003", 8)),
        ("medborgarlöften", ("003", 4)),
        ("uppföljning", ("003", 9)),
        ("Umeå kommun", ("003", 5)),
    ],
)
def test_clean_queries_find_ocr_damaged_text(service, q, item):
    assert item in found(service, q)


@pytest.mark.parametrize(
    ("q", "item"),
    [
        ("langsiktigt hallbart", ("000", 4)),
        ("lagesbild", ("000", 4)),
        ("umea", ("001", 2)),
    ],
)
def test_queries_without_diacritics(service, q, item):
    assert item in found(service, q)


def test_exact_form_ranks_above_folded_look_alike(service):
    hits = found(service, "långsiktigt hållbart")
    assert hits.index(("000", 4)) < hits.index(("003", 1))


def test_heading_match_ranks_above_body_mention(service):
    assert found(service, "lägesbild")[0] == ("002", 2)  # "Lägesbild från polisen."


def test_inflections_meet_through_the_stemmer(service):
    assert ("001", 3) in found(service, "hedersrelaterade")  # "Hedersrelaterat våld"
    assert ("000", 3) in found(service, "ungdom")  # "Ungdomar med samsjuklighet"


def test_presenter_names_find_their_items(service):
    assert ("004", 4) in found(service, "Cecilia Ravry")
    assert ("002", 3) in found(service, "Ravry")


@pytest.mark.parametrize(
    "q", ["kärnkraft", "fotbollsstadion", "vindkraftverk", '"narkotika motorburen"']
)
def test_queries_that_must_find_nothing(service, q):
    assert found(service, q) == []


def test_operators(service):
    both = set(found(service, "narkotika"))
    without = set(found(service, "narkotika INTE polisen"))
    assert without and without < both
    either = set(found(service, "knark ELLER sugardejting"))
    # knark ~ narkotika through the synonym list
    assert either == {("001", 4), ("001", 6)} | set(found(service, "narkotika"))
    # "krogmiljöer" meets "krogmiljö" (000) and "krogmiljöer" (002) through the stem.
    assert set(found(service, "narkotika OCH krogmiljöer")) == {("000", 3), ("002", 2)}


def test_filters_and_facets_agree(service):
    result = service.search(SearchParams(q="narkotika"))
    for year, count in result["facets"]["year"].items():
        assert service.search(SearchParams(q="narkotika", year=year))["total"] == count
    for doc_type, count in result["facets"]["doc_type"].items():
        assert (
            service.search(SearchParams(q="narkotika", doc_type=doc_type))["total"]
            == count
        )


def test_presenters_are_counted_most_first_then_by_name(service):
    """Each presenter's count is what filtering on them finds; the order is
    by count, highest first, ties by name."""
    facet = service.search(SearchParams(q="umebrå"))["facets"]["presenter"]
    assert len(facet) > 3 and len(set(facet.values())) > 1
    assert list(facet.items()) == sorted(facet.items(), key=lambda kv: (-kv[1], kv[0]))
    for name, count in facet.items():
        filtered = service.search(SearchParams(q="umebrå", presenter=name))
        assert filtered["total"] == count, name


def test_sort_by_date_is_newest_first(service):
    hits = service.search(SearchParams(q="polisen", sort="date", per_page=100))["hits"]
    dates = [h["date"] or "" for h in hits]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) > 2


def test_pages_partition_the_results(service):
    everything = found(service, "umeå")
    pages = [found_page(service, "umeå", p) for p in (1, 2, 3, 4)]
    assert sum(pages, []) == everything and all(len(p) <= 5 for p in pages)


def found_page(service, q, page):
    result = service.search(SearchParams(q=q, page=page, per_page=5))
    return [(h["source"][:3], h["item_number"]) for h in result["hits"]]


def matched_words(hit) -> list[str]:
    """The words a hit's spans cover in its text."""
    text = hit["match"]["text"]
    return [text[start:end] for start, end in hit["match"]["spans"]]


def test_spans_cover_original_characters_of_ocr_text(service):
    hit = next(
        h
        for h in service.search(SearchParams(q="långsiktigt hållbart"))["hits"]
        if h["source"].startswith("003")
    )
    words = matched_words(hit)
    assert "Idngsiktigt" in words and "hdllbart" in words
    fragments = highlight.fragments(hit["match"]["text"], hit["match"]["spans"])
    marked = re.findall(r"<mark>(.*?)</mark>", " ".join(fragments))
    assert "Idngsiktigt" in marked and "hdllbart" in marked


def test_highlights_come_from_the_item_itself(service):
    response = service.search(SearchParams(q="narkotika", per_page=100))
    assert response["hits"]
    for hit in highlight.marked(response)["hits"]:
        doc = service.document(hit["doc_id"])
        text = " ".join(doc["items"][hit["item_number"] - 1]["text"].split())
        for fragment in hit["highlights"]:
            plain = re.sub(r"</?mark>", "", fragment).strip("… ")
            assert plain.replace("&amp;", "&").replace("&quot;", '"') in text


def test_negated_words_are_not_highlighted(service):
    hits = service.search(SearchParams(q="narkotika INTE polisen"))["hits"]
    assert hits
    for hit in hits:
        assert "polisen" not in [w.lower() for w in matched_words(hit)]


def test_document_view_marks_query_words_in_every_item(service):
    hit = service.search(SearchParams(q="sugardejting"))["hits"][0]
    doc = service.document(hit["doc_id"], "sugardejting")
    matched = [i["item_number"] for i in doc["items"] if i["matched"]]
    assert matched == [4]
    item = doc["items"][3]
    assert {item["text"][s:e].lower() for s, e in item["spans"]} == {"sugardejting"}
    paragraphs = highlight.marked_item(item)["paragraphs_html"]
    assert "<mark>sugardejting</mark>" in " ".join(paragraphs)


def test_synonyms_from_the_corpus_file(service):
    knark = set(found(service, "knark"))
    assert ("001", 6) in knark  # the word itself
    assert set(found(service, "narkotika")) <= knark  # and every narkotika item


def test_synonym_phrase_expands_an_abbreviation(service):
    # 003 item 9 says "Umea brotts- och drogférebyggande rad", never "UmeBrå".
    assert ("003", 9) in found(service, "UmeBrå")


def test_synonyms_are_not_applied_inside_quotes(service):
    assert found(service, '"knark"') == [("001", 6)]


def test_a_misspelt_long_word_still_finds_and_says_how(service):
    """Found by the corrected spelling, named as a correction; exact finds nothing."""
    fuzzy = service.search(SearchParams(q="trygghetsvandringr"))
    assert [(h["source"][:3], h["item_number"]) for h in fuzzy["hits"]] == [("003", 8)]
    [fix] = fuzzy["corrections"]
    assert (fix["kind"], fix["original"]) == ("spelling", "trygghetsvandringr")
    right = service.search(SearchParams(q=fix["replacement"]))
    assert [h["item_id"] for h in right["hits"]] == [
        h["item_id"] for h in fuzzy["hits"]
    ]
    typed = service.search(SearchParams(q="trygghetsvandringr", exact=True))
    assert typed["total"] == 0 and typed["suggestion"] == fix["replacement"]


def test_menade_du_suggests_a_spelling_that_finds_something(service):
    """One letter off and nothing found: searched instead; further off: offered."""
    result = service.search(SearchParams(q="sugardjeting"))  # two edits away
    assert result["total"] == 0 and result["suggestion"] == "sugardejting"
    assert result["corrections"] == []
    fixed = service.search(SearchParams(q="sugardejtng"))  # one letter missing
    assert fixed["interpreted_query"] == "sugardejting" and fixed["total"] > 0
    assert fixed["suggestion"] is None
    exact = service.search(SearchParams(q="sugardejtng", exact=True))
    assert exact["total"] == 0 and exact["suggestion"] == "sugardejting"
    assert service.search(SearchParams(q="kärnkraft"))["suggestion"] is None
    assert service.search(SearchParams(q="narkotika"))["suggestion"] is None


def _graffiti_corpus(tmp_path):
    """One meeting about "klotter" (never "graffiti"), indexed: for the
    synonym file's tests. Its corpus folder."""
    from indexer import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "2024-01-01\n\nÄrende:\tOmfattning/notering:\tFöredragande:\n"
        "Klotter\tKlottret vid skolan har sanerats.\tAnna Berg\n"
    )
    build_index(corpus, tmp_path / "index")
    return corpus


def test_synonym_file_edits_apply_without_reindexing(tmp_path):
    from indexer import build_index

    corpus = _graffiti_corpus(tmp_path)
    service = SearchService(tmp_path / "index")
    assert service.search(SearchParams(q="graffiti"))["total"] == 0
    (corpus / "synonyms.txt").write_text("graffiti, klotter\n")
    summary = build_index(corpus, tmp_path / "index")
    assert summary.indexed == []  # the synonym list is not a document
    assert service.search(SearchParams(q="graffiti"))["total"] == 1


def test_a_lone_star_lists_every_item(service, index_dir):
    assert service.search(SearchParams(q="*"))["total"] == 38


@pytest.mark.parametrize("q", ["*a*", "?a", "a*b"])
def test_truncation_needs_two_leading_letters(service, q):
    with pytest.raises(QueryRefused, match="2 letters"):
        service.search(SearchParams(q=q))


def test_truncation_expands_to_a_bounded_set_of_words(service, index_dir, monkeypatch):
    from whoosh import index

    from indexer import live_generation
    from search_app import queryparse as query

    assert {("000", 6), ("002", 6)} <= set(
        found(service, "trygg*")
    )  # tryggaste, Trygga
    ix = index.open_dir(str(live_generation(index_dir)))
    parsed = query.make_parser(ix.schema).parse("trygg*")
    with ix.reader() as reader:
        leaves = lambda q: sum(1 for _ in q.leaves())  # noqa: E731
        wide = leaves(query.bound(parsed, reader))
        monkeypatch.setattr(query, "MAX_EXPANSIONS", 2)
        narrow = leaves(query.bound(parsed, reader))
    fields = len(set(query.QUERY_FIELDS) - query.NO_TRUNCATION_FIELDS)
    assert narrow <= 2 * fields < wide


def test_too_many_words_are_refused(service):
    with pytest.raises(QueryRefused, match="too many"):
        service.search(SearchParams(q=" ".join(f"ord{n}" for n in range(80))))


def marked_words(service, q) -> list[str]:
    """Every word the document pages of ``q``'s hits mark, as the reader sees it."""
    words = []
    for hit in service.search(SearchParams(q=q, per_page=100))["hits"]:
        for item in service.document(hit["doc_id"], q)["items"]:
            if item["item_number"] == hit["item_number"] and not item["ocr"]:
                words += [item["text"][s:e].lower() for s, e in item["spans"]]
    return words


@pytest.mark.parametrize(
    ("q", "never"),
    [
        ("möte", {"motorburen", "mottagits", "mot"}),
        ("lag", {"läget", "lägesbild", "lägesbilden", "lagt"}),
        ("personlig", {"personer"}),
    ],
)
def test_a_swedish_word_never_marks_a_different_word(service, q, never):
    marked = marked_words(service, q)
    assert not never & set(marked), marked


def test_a_phrase_is_marked_only_where_it_stands(service):
    for hit in service.search(SearchParams(q='"lokal lägesbild"'))["hits"]:
        item = service.document(hit["doc_id"], '"lokal lägesbild"')["items"][
            hit["item_number"] - 1
        ]
        if item["ocr"]:
            continue  # the scan's words are marked as read, "Idgesbild"
        words = [item["text"][s:e].lower() for s, e in item["spans"]]
        assert words and "lokalsamhällets" not in words
        assert words.count("lokal") == len([w for w in words if w.startswith("läges")])


def test_a_word_typed_without_diacritics_still_finds_the_word(service):
    assert found(service, "overgripande mal")
    assert set(found(service, "lagesbild")) == set(found(service, "lägesbild"))


def test_item_cache_keeps_the_most_recently_read_items_as_stored(service):
    """The cache answers as the searcher does and holds at most its limit,
    dropping the item read longest ago."""
    from search_app.itemcache import ItemCache

    searcher = service._searcher()
    cache = ItemCache(limit=3)
    got = {}
    for docnum in [0, 1, 2, 0, 3, 4]:  # 1 and 2 are dropped, 0 is kept
        got.setdefault(docnum, cache.stored_fields(searcher, docnum))
        assert got[docnum] == searcher.stored_fields(docnum)
        assert len(cache) <= 3
    assert len(cache) == 3
    assert cache.stored_fields(searcher, 0) is got[0]  # kept: not read again
    again = cache.stored_fields(searcher, 1)  # dropped: read anew
    assert again == got[1] and again is not got[1]


def test_a_search_asked_again_is_answered_as_first_computed(service, monkeypatch):
    """The service keeps whole answers per index version (``answercache``):
    the same search again gets the same answer without being run, and a
    caller changing its copy (as the API layer adds links) changes nothing kept."""
    params = SearchParams(q="narkotika polisen", per_page=20)
    first = service.search(params)
    expected = copy.deepcopy(first)
    first["total"] = -1
    first["hits"][0]["score"] = -1.0
    first["hits"].pop()

    def not_again(*args):
        raise AssertionError("asked again: should have been kept")

    monkeypatch.setattr(SearchService, "_search", not_again)
    again = service.search(params)
    assert again == expected
    again["next"] = "changed"  # as the API layer adds its links
    again["hits"][0]["permalink"] = "changed"
    again["hits"].pop()
    assert service.search(params) == expected  # each ask its own copy
    with pytest.raises(AssertionError, match="kept"):  # another search does run
        service.search(replace(params, page=2))


def test_kept_answers_stay_within_their_budget(service):
    """Answers are kept by an estimate of their size (their JSON's, times
    what Python's objects take more): what is kept stays under the budget,
    the least recently asked dropped first."""
    import json

    from search_app.answercache import MEMORY_PER_JSON_BYTE, AnswerCache, _cost

    groups = service._synonyms.groups()
    answers = [
        service.search(SearchParams(q=q, per_page=n))
        for q in ("narkotika", "polisen", "trygghet", "skola", "brott")
        for n in (10, 100)
    ]
    keys = [SearchParams(q=str(n)) for n in range(len(answers))]
    costs = [_cost(k, a) for k, a in zip(keys, answers, strict=True)]
    for answer, cost in zip(answers, costs, strict=True):
        compact = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
        assert cost >= MEMORY_PER_JSON_BYTE * len(compact.encode())
    assert max(costs) > 2 * min(costs)
    budget = sum(sorted(costs)[:4])
    cache = AnswerCache(budget=budget, limit=100)
    for key, answer in zip(keys, answers, strict=True):
        cache.put(key, groups, answer)
        assert cache.bytes <= budget or len(cache) == 1
        assert cache.get(key, groups) == answer  # the newest kept
    assert cache.get(keys[0], groups) is None  # the oldest dropped
    assert cache.get(keys[-1], [["annan", "lista"]]) is None


def test_unknown_parameters_cannot_be_kept_for_less_than_they_hold(service):
    """Every unknown parameter's name is in the key and comes back as a
    warning; a request with many long ones is kept at what it holds."""
    from search_app.answercache import _cost

    names = tuple(f"{n:03d}" + "x" * 997 for n in range(250))
    params = SearchParams(q="", ignored=names)
    answer = service.search(params)
    assert len(answer["warnings"]) == 250
    assert _cost(params, answer) > 2 * 250 * 1000


@given(
    words=st.lists(
        st.text(alphabet="abcåäö<&>", min_size=1, max_size=6), min_size=1, max_size=12
    ),
    gaps=st.lists(st.sampled_from([" ", "  ", "\n", " \n\n ", "\t"]), max_size=13),
    data=st.data(),
)
def test_a_passage_marks_the_same_words_whatever_its_spaces(words, gaps, data):
    """Passages are shown with whitespace collapsed; each span still marks its
    word, whether or not the passage had whitespace to collapse."""
    text, spans, at = "", [], 0
    for n, word in enumerate(words):
        gap = gaps[n] if n < len(gaps) else " "
        text += gap + word
        spans.append((at + len(gap), at + len(gap) + len(word)))
        at = len(text)
    chosen = sorted(data.draw(st.sets(st.sampled_from(spans), max_size=len(spans))))
    rendered = highlight._render(text, 0, len(text), chosen)
    collapsed = " ".join(text.split())
    assert rendered == highlight.mark(collapsed, highlight._respace(text, chosen))
    marked = re.findall(r"<mark>(.*?)</mark>", rendered)
    assert marked == [highlight.mark(text[s:e], []) for s, e in chosen]


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_kept_tokens_are_the_texts_tokens(text):
    """Highlighting keeps each text's tokens compactly (``_tokenized``):
    the same offsets and words as tokenizing it anew, whatever the script."""
    from indexer.analysis import token_spans
    from search_app.matching import _tokenized

    starts, ends, words = _tokenized(text)
    assert list(zip(starts, ends, words, strict=True)) == token_spans(text)
    assert _tokenized(text)[2] is words  # kept: not tokenized again


def test_scans_rank_below_their_clean_twins_by_the_ocr_weights(service):
    """The OCR factor as weights per item: the factor where OCR read the
    item, 1.0 elsewhere, made once; a scan's score is the clean score scaled."""
    import numpy as np

    from search_app.search import OCR_RANK_FACTOR

    columns, _ = service._view(service._searcher())
    weights = columns.ocr_scaled(OCR_RANK_FACTOR)
    assert columns.ocr.any() and not columns.ocr.all()
    assert np.array_equal(weights[columns.ocr], np.full(columns.ocr.sum(), 0.8))
    assert (weights[~columns.ocr] == 1.0).all()
    assert columns.ocr_scaled(OCR_RANK_FACTOR) is weights
    searcher = service._searcher()
    q = service._parse("narkotika", searcher)
    raw = service._view(searcher)[1].evaluate(q, searcher).scores
    scaled = service.search(SearchParams(q="narkotika", per_page=100))
    shown = {round(h["score"], 4) for h in scaled["hits"] if h["ocr"]}
    expected = {
        round(float(raw[d]) * 0.8, 4) for d in np.flatnonzero(columns.ocr & (raw > 0))
    }
    assert shown and shown <= expected


def test_kept_tokens_and_items_stay_within_their_budgets(service):
    """Both caches are bounded by size, not only by count: an item may hold
    200,000 characters, and many of those must not pile up."""
    from indexer.analysis import token_spans
    from search_app.itemcache import RECORD_BYTES, ItemCache
    from search_app.matching import _KeptTokens

    kept = _KeptTokens(budget=200)
    texts = [f"ord{n} " * 40 for n in range(10)] + ["kort", "x " * 500]
    for text in texts:
        starts, ends, words = kept(text)
        assert list(zip(starts, ends, words, strict=True)) == token_spans(text)
        assert kept._kept.used <= 200 or len(kept._kept) == 1
    assert list(kept._kept) == [texts[-1]]  # alone over budget: the last kept

    searcher = service._searcher()
    sizes = [
        RECORD_BYTES + 2 * len(searcher.stored_fields(d)["text"]) for d in range(6)
    ]
    cache = ItemCache(limit=100, budget=sum(sizes[:3]))
    for docnum in range(6):
        cache.stored_fields(searcher, docnum)
        assert cache.bytes <= sum(sizes[:3]) or len(cache) == 1
    assert 1 <= len(cache) <= 3


_QUERY_PIECES = [
    "narkotika", "trygghetsvandringar", "kulturpolicyerna", "Umea", "lagesbild",
    "polisen", "och", "av", "AND", "OR", "NOT", "OCH", "ELLER", "INTE", "(", ")",
    '"', "trygg*", "ungdom?", "-", "mopedbränder", "polisen^2", "(narkotika",
    "polisen)^3", '"narkotika polisen"~3', '"och av"', '"trygghetsvandringar"^0.5',
    "bob-råden", "(av OR och)", "(narkotika OR narkotika)",
]  # fmt: skip


@given(st.lists(st.sampled_from(_QUERY_PIECES), min_size=1, max_size=10))
def test_queries_are_normalized_as_whoosh_normalizes_them(service, pieces):
    """``normalized`` merges nested groups with shallow copies where Whoosh's
    normalize copies deeply: every parser gives the very same query either way
    (Whoosh's equality and the printed form), whatever the operators."""
    from search_app.queryparse import expand_compounds, normalized

    text = expand_compounds(" ".join(pieces).replace("( ", "(").replace(" )", ")"))
    service._searcher()  # the parsers belong to the index version
    for parser in (service._parser, service._lenient_parser, service._retry_parser):
        try:
            whoosh = parser.parse(text)
        except Exception as exc:  # noqa: BLE001 - the same failure either way
            with pytest.raises(type(exc)):
                normalized(parser.parse(text, normalize=False))
            continue
        ours = normalized(parser.parse(text, normalize=False))
        assert ours == whoosh and repr(ours) == repr(whoosh), text


def _t(word: str, boost: float = 1.0):
    from whoosh import query as Q

    return Q.Term("body", word, boost=boost)


def _nests():
    """Nests normalize treats by rules of their own: groups of one that
    collapse, a NOT, AND NOT and a required part inside groups, duplicates,
    nothing-queries, boosts on both levels, a one-word phrase."""
    from whoosh import query as Q

    return [
        Q.And([Q.And([Q.AndNot(_t("a", 2.0), _t("b"))]), _t("c")]),
        Q.Or([Q.Or([Q.And([Q.AndNot(_t("a", 2.0), _t("b"))]), _t("w")]), _t("v")]),
        Q.Or([Q.Or([Q.Require(_t("a", 3.0), _t("b"))]), _t("c")]),
        Q.And([Q.And([_t("a"), Q.Not(_t("b", 1.6))], boost=2.0), _t("c")]),
        Q.Or([Q.Or([_t("a"), _t("a")], boost=0.5), _t("b")]),
        Q.Or([Q.Or([_t("a", 3.0), Q.NullQuery, _t("b")], boost=0.5), Q.NullQuery]),
        Q.Or([Q.Or([Q.Phrase("body", ["a"], boost=2.0), _t("b")], boost=0.5)]),
        Q.Or([Q.Or([_t("a"), Q.Every("body")]), _t("c")]),
        Q.Sequence([_t("a"), Q.Sequence([_t("b"), _t("c")], slop=5)]),
    ]


@pytest.mark.parametrize("n", range(len(_nests())))
def test_hand_built_nests_are_normalized_as_whoosh_normalizes_them(n):
    from search_app.queryparse import normalized

    q = _nests()[n]
    whoosh, ours = q.normalize(), normalized(q)
    assert ours == whoosh and repr(ours) == repr(whoosh)


def test_a_request_on_the_old_generation_keeps_its_own_view(tmp_path):
    """A rebuild numbers its commits from 1 again. A request that began on
    the old generation and goes on after another request moved the service
    to the new one must not file what it read under the new version: the
    service's columns and kept answers then answer for the new index."""
    from indexer import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    meeting = (
        "2024-0{m}-01\n\nÄrende:\tOmfattning/notering:\tFöredragande:\n"
        "Polisen\tPolisen rapporterar om {word}.\tAnna Berg\n"
    )
    for m, word in enumerate(["klotter", "bränder", "stölder"], start=1):
        (corpus / f"{m}.txt").write_text(meeting.format(m=m, word=word))
    build_index(corpus, tmp_path / "index", rebuild=True)
    service = SearchService(tmp_path / "index")
    params = SearchParams(q="polisen")
    assert service.search(params)["total"] == 3
    old = service._searcher()  # a request on the old generation
    for m in (1, 2):
        (corpus / f"{m}.txt").unlink()
    build_index(corpus, tmp_path / "index", rebuild=True)
    service._index()  # another request moves the service on
    service._version_view(old)  # the first goes on with its searcher
    fresh = SearchService(tmp_path / "index")
    assert service.search(params) == fresh.search(params)
    assert service.search(params)["total"] == 1


def test_an_answer_is_kept_under_the_synonyms_it_was_made_with(tmp_path, monkeypatch):
    """The synonym file is read once per search: one published while a search
    runs is not mixed into an answer kept under the groups read before it."""
    import search_app.search as search_module

    _graffiti_corpus(tmp_path)
    synonyms = tmp_path / "index" / "synonyms.txt"
    service = SearchService(tmp_path / "index")
    params = SearchParams(q="graffiti")
    real = search_module.interpret

    def publish_meanwhile(text):
        if not synonyms.exists():
            synonyms.write_text("graffiti, klotter\n")
        return real(text)

    monkeypatch.setattr(search_module, "interpret", publish_meanwhile)
    during = service.search(params)
    monkeypatch.setattr(search_module, "interpret", real)
    assert during["total"] == 0  # made with the groups read at its start
    assert service.search(params)["total"] == 1  # the file now has them
    synonyms.unlink()
    assert service.search(params) == SearchService(tmp_path / "index").search(params)


def test_a_synonym_file_put_back_with_its_old_time_is_read_again(tmp_path):
    """A file replaced by another of the same size, given the old one's time
    (as ``cp -p`` or a restore from backup does), is still a change."""
    import os

    from search_app.synonyms import SynonymFile

    path = tmp_path / "synonyms.txt"
    path.write_text("graffiti, klotter\n")
    synonyms = SynonymFile(path)
    first = synonyms.groups()
    assert synonyms.groups() is first  # unchanged: the same list
    before = path.stat()
    restored = tmp_path / "restored.txt"
    restored.write_text("grafitti, klotter\n")  # same size, other words
    os.utime(restored, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.replace(restored, path)
    assert path.stat().st_mtime_ns == before.st_mtime_ns
    assert synonyms.groups() != first
