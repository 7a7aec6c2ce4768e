"""Hostile queries and requests: a fast, clear answer to anything, never a 500.

A table of known-awkward queries and parameters, then Hypothesis generating
arbitrary ones (operators, wildcards, quotes, control characters, unicode,
huge numbers) against the Flask app over the seed index, then Schemathesis
over the app's own OpenAPI description. Last: security headers, debug mode and
path traversal on the routes that read files. Every fuzz test is bounded
(max_examples) so the module runs in well under a minute.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_from_bytes, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from indexer import build_index
from search_app import create_app
from tests.conftest import http_get, serve_app

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus"
MAX_SECONDS = 2.0  # per request, on the seed index
SEARCH_KEYS = {"query", "total", "page", "per_page", "hits", "facets"}
HIT_KEYS = {"doc_id", "source", "doc_type", "title", "date", "item_id", "item_number",
            "item_title", "presenters", "score", "highlights", "url"}  # fmt: skip
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")

FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- fixtures and checks --------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_app(index_dir):
    """The production app (not TESTING) over the session's seed index."""
    return create_app({"INDEX_DIR": str(index_dir)})


@pytest.fixture(scope="module")
def fuzz_client(fuzz_app):
    return fuzz_app.test_client()


@pytest.fixture(scope="module")
def doc_ids(fuzz_client) -> list[str]:
    docs = fuzz_client.get("/api/documents").get_json()["documents"]
    return [d["doc_id"] for d in docs]


def timed_get(client, url: str, **kwargs):
    started = time.monotonic()
    response = client.get(url, **kwargs)
    elapsed = time.monotonic() - started
    assert elapsed < MAX_SECONDS, (url, f"{elapsed:.2f} s")
    return response


def assert_api_answer(response, allowed=(200, 400)) -> dict:
    """200 with the contract's fields, or an allowed error status with {"error"}."""
    assert response.status_code in allowed, (response.status_code, response.data[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    if response.status_code == 200:
        return body
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]
    return body


def assert_search_answer(response) -> None:
    body = assert_api_answer(response)
    if response.status_code == 200:
        assert SEARCH_KEYS <= set(body), set(body)
        assert isinstance(body["total"], int) and body["total"] >= 0
        assert 1 <= body["per_page"] <= 100 and body["page"] >= 1
        assert len(body["hits"]) <= body["per_page"]
        for hit in body["hits"]:
            assert HIT_KEYS <= set(hit)


def assert_page_answer(response, allowed=(200, 400)) -> None:
    assert response.status_code in allowed, (response.status_code, response.data[:300])
    assert response.mimetype == "text/html"


# --- the table of awkward queries -----------------------------------------------------

AWKWARD = {
    "long-999": "narkotika " * 99 + "x" * 9,
    "long-1001": "x" * 1001,
    "long-100k": "trygghet " * 12_000,
    "long-words": " ".join(f"ungdomsverksamhet{n}" for n in range(40)),
    "many-words": " ".join(["narkotika"] * 200)[:999],
    "lone-OCH": "OCH",
    "lone-AND": "AND",
    "lone-ELLER": "ELLER",
    "lone-OR": "OR",
    "lone-INTE": "INTE",
    "lone-NOT": "NOT",
    "trailing-operator": "narkotika OCH",
    "leading-operator": "ELLER narkotika",
    "operators-only": "OCH ELLER AND OR NOT",
    "open-quote": '"motorburen ungdom',
    "close-quote": 'motorburen ungdom"',
    "quotes-only": '"""""',
    "open-parens": "((((narkotika",
    "close-parens": "narkotika))))",
    "parens-inside-out": ")narkotika(",
    "deep-parens": "(" * 200 + "narkotika" + ")" * 200,
    "star": "*",
    "stars": "* * * *",
    "question": "?",
    "leading-wildcard": "*ning",
    "infix-wildcards": "*a*",
    "one-letter-prefix": "a*",
    "all-letter-prefixes": " ".join(f"{c}*" for c in "abcdefghijklmnoprstuvyåäö"),
    "prefixes-or": " ELLER ".join(f"{c}{v}*" for c in "bdfgkst" for v in "aeiou"),
    "question-marks": "??????????*",
    "range": "[a TO ö]",
    "open-range": "{a TO}",
    "fuzzy": "narkotika~9",
    "boost": "narkotika^99999999999",
    "field-syntax": "body:narkotika item_title:*",
    "nul": "narko\x00tika",
    "escape-sequence": "\x1b[31mnarkotika\x1b[0m",
    "all-controls": "".join(chr(c) for c in range(32)),
    "del": "\x7f" * 50,
    "bidi-override": "\u202enarkotika\u202c",
    "bom": "\ufeffnarkotika",
    "zero-width": "nar\u200bkotika",
    "combining": "narkotika\u0301\u0301\u0301",
    "emoji": "🚓🚓 narkotika 👮",
    "cjk": "毒品 犯罪",
    "full-width-digits": "２０２１",
    "backslashes": "\\\\\\",
    "html": "<script>alert(1)</script>",
    "sql": "' OR 1=1 --",
    "percent": "100% %s %n %x",
}


@pytest.mark.parametrize("q", list(AWKWARD.values()), ids=list(AWKWARD))
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_awkward_query_gets_a_fast_clear_answer(fuzz_client, q, sort):
    response = timed_get(
        fuzz_client, "/api/search?" + urlencode({"q": q, "sort": sort})
    )
    assert_search_answer(response)


@pytest.mark.parametrize("q", list(AWKWARD.values()), ids=list(AWKWARD))
def test_awkward_query_on_the_search_page_gets_a_fast_clear_answer(fuzz_client, q):
    response = timed_get(fuzz_client, "/?" + urlencode({"q": q}))
    assert_page_answer(response)


def test_too_long_query_is_a_400_that_says_so(fuzz_client):
    body = assert_api_answer(
        timed_get(fuzz_client, "/api/search?" + urlencode({"q": "x" * 1001})), (400,)
    )
    assert "q" in body["error"] and "1000" in body["error"]


NOT_THEN_OPERATOR = ["INTE INTE narkotika", "NOT AND narkotika", "INTE OCH narkotika",
                     "narkotika OCH INTE ELLER ungdom", "(NOT OR ungdom)", "INTE OCH ",
                     "OCH ELLER INTE AND OR NOT"]  # fmt: skip


@pytest.mark.parametrize("q", NOT_THEN_OPERATOR)
@pytest.mark.parametrize("page", ["/api/search", "/", "/doc/<first document>"])
def test_not_followed_by_an_operator_is_answered(fuzz_client, doc_ids, q, page):
    path = page.replace("<first document>", doc_ids[0])
    response = timed_get(fuzz_client, path + "?" + urlencode({"q": q}))
    assert response.status_code in (200, 400), response.status_code


PARAMS = {
    "page-huge": {"page": str(10**30)},
    "page-zero": {"page": "0"},
    "page-negative": {"page": "-1"},
    "page-float": {"page": "1.5"},
    "page-exponent": {"page": "1e3"},
    "page-hex": {"page": "0x10"},
    "page-max": {"page": "1000", "per_page": "100"},
    "page-max+1": {"page": "1001"},
    "page-arabic-digits": {"page": "٣"},
    "page-fullwidth": {"page": "１２"},
    "page-spaces": {"page": " 2 "},
    "page-empty": {"page": ""},
    "page-text": {"page": "två"},
    "per_page-huge": {"per_page": "1000000000000"},
    "per_page-zero": {"per_page": "0"},
    "per_page-101": {"per_page": "101"},
    "per_page-padded": {"per_page": "00000000100"},
    "year-short": {"year": "21"},
    "year-text": {"year": "tjugo"},
    "year-far": {"year": "9999"},
    "type-unknown": {"type": "protocol"},
    "sort-unknown": {"sort": "random"},
    "presenter-long": {"presenter": "A" * 10_000},
    "presenter-controls": {"presenter": "Anna\x00Berg\x1b"},
    "has_decision-odd": {"has_decision": "kanske"},
}


@pytest.mark.parametrize("params", list(PARAMS.values()), ids=list(PARAMS))
def test_awkward_parameters_get_a_fast_clear_answer(fuzz_client, params):
    url = "/api/search?" + urlencode({"q": "narkotika", **params})
    assert_search_answer(timed_get(fuzz_client, url))
    assert_page_answer(timed_get(fuzz_client, "/?" + urlencode({"q": "x", **params})))


def test_repeated_parameters_are_answered(fuzz_client):
    url = "/api/search?q=narkotika&q=ungdom&page=1&page=2&per_page=5&per_page=500"
    assert_search_answer(timed_get(fuzz_client, url))


# --- Hypothesis -----------------------------------------------------------------------

# Any character UTF-8 can carry (lone surrogates cannot be sent in a URL at all).
CHARS = st.characters(codec="utf-8")
OPERATORS = ["OCH", "AND", "ELLER", "OR", "INTE", "NOT", "TO"]
SYNTAX = ['"', "(", ")", "*", "?", "~", "^", ":", "[", "]", "{", "}", "-", "+", "\\",
          "/", "'", "§", "&", "%", "#", "<", ">", "="]  # fmt: skip
WORDS = ["narkotika", "trygghet", "motorburen", "ungdom", "trygg*", "kl*", "sam*",
         "ungdomar", "umebrå", "Åsa", "polisen", "ö", "a", "x", "2021"]  # fmt: skip

tokens = st.one_of(
    st.sampled_from(OPERATORS + SYNTAX + WORDS),
    st.text(CHARS, max_size=12),
    CHARS,
)
queries = st.one_of(
    st.builds(
        lambda parts, sep: sep.join(parts),
        st.lists(tokens, max_size=30),
        st.sampled_from([" ", "", "\t", "  ", "\n", "\x00"]),
    ),
    st.text(CHARS, max_size=1100),
    st.builds(
        lambda unit, n: unit * n,
        st.sampled_from(["*", "(", ")", '"', "a* ", "INTE ", "x", "å", "\x01"]),
        st.integers(1, 1100),
    ),
)
numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.integers(0, 1200).map(str),
    st.sampled_from(
        [
            "",
            "0",
            "1e3",
            "0x10",
            " 5",
            "+5",
            "-0",
            "١٢",
            "１２",
            "9" * 40,
            "NaN",
            "inf",
            "1.5",
            "1_000",
        ]
    ),  # fmt: skip
    st.text(CHARS, max_size=8),
)


def either(examples: list[str], max_size: int = 10):
    """One of the examples, or any text."""
    return st.one_of(st.sampled_from(examples), st.text(CHARS, max_size=max_size))


choices = {
    "year": either(["2021", "2023", "1999", "0000", ""], 6),
    "type": either(["minutes", "agreement", "MINUTES", ""]),
    "sort": either(["relevance", "date", "DATE", ""]),
    "presenter": either(["Kerstin Rörsch", "Hans Lindberg"], 250),
    "has_decision": either(["1", "0", "true", "false", ""], 5),
}
search_params = st.fixed_dictionaries(
    {"q": queries}, optional={"page": numbers, "per_page": numbers, **choices}
)


@FUZZ
@given(params=search_params)
def test_fuzzed_search_api_never_fails(fuzz_client, params):
    assert_search_answer(timed_get(fuzz_client, "/api/search?" + urlencode(params)))


@FUZZ
@given(params=search_params)
def test_fuzzed_search_page_never_fails(fuzz_client, params):
    assert_page_answer(timed_get(fuzz_client, "/?" + urlencode(params)))


@FUZZ
@given(
    doc_id=st.one_of(
        st.text(CHARS, min_size=1, max_size=80), st.sampled_from(["..", ".", "%2e%2e"])
    )
)
def test_fuzzed_document_ids_are_200_or_404(fuzz_client, doc_id):
    path = quote(doc_id, safe="")  # "%2F" is decoded: "//" then redirects to "/"
    api = timed_get(fuzz_client, f"/api/documents/{path}", follow_redirects=True)
    assert_api_answer(api, (200, 404))
    page = timed_get(fuzz_client, f"/doc/{path}", follow_redirects=True)
    assert_page_answer(page, (200, 404))


@FUZZ
@given(data=st.data(), q=queries)
def test_fuzzed_document_page_queries_never_fail(fuzz_client, doc_ids, data, q):
    doc_id = data.draw(st.sampled_from(doc_ids))
    assert_page_answer(
        timed_get(fuzz_client, f"/doc/{doc_id}?" + urlencode({"q": q})), (200,)
    )


@FUZZ
@given(raw=st.binary(max_size=300))
def test_fuzzed_raw_query_strings_never_fail(fuzz_client, raw):
    # Keep "%", "=" and "&" raw: broken escapes and odd pairs reach the app as sent.
    query_string = quote_from_bytes(raw, safe="%=&+")
    response = timed_get(fuzz_client, "/api/search", query_string=query_string)
    assert_api_answer(response)
    assert_page_answer(timed_get(fuzz_client, "/", query_string=query_string))


# --- Schemathesis over the OpenAPI description ----------------------------------------


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_api_conforms_to_its_openapi_description(fuzz_app, search_parameters, mode):
    """Every operation, with valid (positive) and invalid (negative) parameters.

    Schemathesis' default checks: no 5xx, documented status codes and content
    types, responses valid against their schemas, invalid input rejected.
    """
    schemathesis = pytest.importorskip("schemathesis")
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} >= {"GET /api/search"}
    for operation in operations:
        if mode == "negative" and not list(operation.iter_parameters()):
            continue  # nothing to make invalid
        strategy = operation.as_strategy(
            generation_mode=schemathesis.GenerationMode(mode)
        )

        @given(case=strategy)
        @settings(max_examples=30, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case):
            started = time.monotonic()
            response = case.call()
            assert time.monotonic() - started < MAX_SECONDS, case.query
            sent = {
                k: v[0]
                for k, v in parse_qs(
                    urlsplit(response.request.url).query, keep_blank_values=True
                ).items()
            }
            assume(not drifted(search_parameters, sent))  # see the xfail below
            # A schema-valid q may still be refused with a clear 400 when it is
            # too broad ("*x", 60+ words), which the description cannot express.
            q = sent.get("q", "")
            broad = "*" in q or "?" in q or len(q.split()) >= 60
            excluded = [positive_data_acceptance] if broad else []
            case.validate_response(response, excluded_checks=excluded)

        try:
            check()
        except Unsatisfiable:
            # e.g. a string path parameter: no invalid value can be sent
            assert mode == "negative" and operation.label != "GET /api/search"


# What params.py accepts beyond the canonical forms: surrounding whitespace and
# any Unicode digit in numbers, any case in has_decision, and "" as "not given".
VALIDATOR_ACCEPTS = {
    "has_decision": lambda v: v.strip().lower() in ("", "0", "1", "true", "false"),
    "page": lambda v: v == "" or re.fullmatch(r"\s*\d{1,9}\s*", v) is not None,
    "per_page": lambda v: v == "" or re.fullmatch(r"\s*\d{1,9}\s*", v) is not None,
    "year": lambda v: v == "" or re.fullmatch(r"\d{4}", v) is not None,
    "sort": lambda v: v in ("", "relevance", "date", "date_asc"),
    "exact": lambda v: v.strip().lower() in ("", "0", "1", "true", "false"),
    "from": lambda v: v == "" or re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", v) is not None,
    "to": lambda v: v == "" or re.fullmatch(r"\d{4}(-\d\d(-\d\d)?)?", v) is not None,
    "type": lambda v: v in ("", "minutes", "agreement"),
}


@pytest.fixture(scope="module")
def search_parameters(fuzz_client) -> dict[str, dict]:
    response = fuzz_client.get("/api/openapi.json")
    if response.status_code != 200:
        pytest.skip("/api/openapi.json is not served (yet)")
    operation = response.get_json()["paths"]["/api/search"]["get"]
    return {p["name"]: p["schema"] for p in operation["parameters"]}


def described(schema: dict, value: str) -> bool:
    """Whether a query-string value is allowed by its parameter's JSON schema."""
    jsonschema = pytest.importorskip("jsonschema")  # comes with schemathesis

    if schema.get("type") == "integer":
        if not re.fullmatch(r"-?[0-9]+", value):
            return False
        return jsonschema.Draft202012Validator(schema).is_valid(int(value))
    return jsonschema.Draft202012Validator(schema).is_valid(value)


def drifted(parameters: dict[str, dict], query: dict) -> bool:
    """A value the validator takes although the description forbids it."""
    return any(
        isinstance(v, str) and k in VALIDATOR_ACCEPTS and k in parameters
        and VALIDATOR_ACCEPTS[k](v) and not described(parameters[k], v)
        for k, v in query.items()
    )  # fmt: skip


LENIENT = pytest.mark.xfail(
    strict=True,
    reason="still lenient on purpose for the HTML form ('' means 'not given', "
    "has_decision is case-folded); the OpenAPI description does not say so yet",
)


@pytest.mark.parametrize(
    ("name", "value"),
    [pytest.param("has_decision", "\x0c", marks=LENIENT),
     pytest.param("has_decision", "TRUE", marks=LENIENT),
     pytest.param("has_decision", " 1", marks=LENIENT),
     ("page", "١٢"), ("page", " 2"), ("per_page", "５"), ("year", "٢٠٢١"),
     pytest.param("year", "", marks=LENIENT), pytest.param("sort", "", marks=LENIENT),
     pytest.param("type", "", marks=LENIENT)],
)  # fmt: skip
def test_validator_and_openapi_description_agree(
    fuzz_client, search_parameters, name, value
):
    allowed = described(search_parameters[name], value)
    response = fuzz_client.get(
        "/api/search?" + urlencode({"q": "narkotika", name: value})
    )
    assert response.status_code == (200 if allowed else 400), (allowed, response.data)


# --- headers and debug mode -----------------------------------------------------------


def header_paths(server: str) -> list[str]:
    status, _, body = http_get(f"{server}/api/documents")
    doc = json.loads(body)["documents"][0]
    return [
        "/", "/?q=narkotika", "/?q=narkotika&page=x", doc["url"], "/finns-inte",
        "/api/search?q=narkotika", "/api/search?page=x", "/api/documents",
        doc["url"].replace("/doc/", "/api/documents/"), "/api/finns-inte",
        doc["file_url"], "/files/finns-inte.txt",
    ]  # fmt: skip


def test_every_response_forbids_inline_script_and_sniffing(server):
    for path in header_paths(server):
        status, headers, _ = http_get(server + path)
        assert status < 500, path
        policy = headers.get("content-security-policy", "")
        directives = {
            d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()
        }
        script = directives.get("script-src", directives.get("default-src"))
        assert script is not None, (path, policy)
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, path
        assert "*" not in script and "data:" not in script, path
        assert directives.get("object-src") == ["'none'"], (path, policy)
        assert headers.get("x-content-type-options") == "nosniff", path


def test_debug_mode_is_off_and_errors_do_not_leak_internals(index_dir, monkeypatch):
    app = create_app({"INDEX_DIR": str(index_dir)})
    assert not app.debug and not app.testing
    assert not app.config.get("PROPAGATE_EXCEPTIONS")

    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail /etc/umebra")

    monkeypatch.setattr(app.extensions["search"], "search", broken)
    client = app.test_client()
    api = client.get("/api/search?q=narkotika")
    assert api.status_code == 500 and api.get_json() == {"error": "internal error"}
    page = client.get("/?q=narkotika")
    assert page.status_code == 500
    for body in (api.get_data(as_text=True), page.get_data(as_text=True)):
        assert "secret internal detail" not in body and "Traceback" not in body


def test_server_module_uses_waitress_not_the_development_server():
    source = (ROOT / "search_app" / "__main__.py").read_text(encoding="utf-8")
    assert "waitress" in source and ".run(" not in source and "debug=True" not in source


# --- path traversal -------------------------------------------------------------------

SECRET = "HEMLIGT-UTANFÖR-KORPUSEN-7f3a"


def raw_get(port: int, path: str) -> tuple[int, bytes]:
    """GET exactly this path (no client-side normalisation of .. or %2e).

    A redirect within the site (e.g. merging "//") is followed.
    """
    for _ in range(3):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.putrequest("GET", path, skip_accept_encoding=True)
            conn.endheaders()
            response = conn.getresponse()
            status, body = response.status, response.read()
            location = response.getheader("Location", "")
        finally:
            conn.close()
        if status not in (301, 302, 303, 307, 308):
            return status, body
        local = re.sub(rf"^http://(localhost|127\.0\.0\.1):{port}", "", location)
        assert local.startswith("/") and not local.startswith("//"), location
        path = local
    return status, body


@pytest.fixture(scope="module")
def traversal_site(tmp_path_factory):
    """A corpus with secrets beside it and in the index folder; a server over it."""
    root = tmp_path_factory.mktemp("traversal")
    corpus = root / "korpus"
    corpus.mkdir()
    shutil.copy(SEED / "000_fc1aedb1226712d1.txt", corpus / "möte.txt")
    (root / "hemlig.txt").write_text(SECRET + "\n", encoding="utf-8")
    summary = build_index(corpus, root / "index")
    assert summary.indexed == ["möte.txt"]
    (root / "index" / "hemlig.txt").write_text(SECRET + "\n", encoding="utf-8")
    port, stop = serve_app(create_app({"INDEX_DIR": str(root / "index")}))
    yield root, port
    stop()


def traversal_paths(root: Path) -> list[str]:
    secret = str(root / "hemlig.txt")
    attempts = [
        "../hemlig.txt", "../../hemlig.txt", "..%2fhemlig.txt", "%2e%2e/hemlig.txt",
        "%2e%2e%2fhemlig.txt", "%252e%252e%252fhemlig.txt", "..%5chemlig.txt",
        "....//hemlig.txt", "..;/hemlig.txt", "m%C3%B6te.txt/../../hemlig.txt",
        "m%C3%B6te.txt%00../../hemlig.txt", "%c0%ae%c0%ae/hemlig.txt",
        "../index/hemlig.txt", "../index/CURRENT", "../index/gen-000001/manifest.json",
        quote(secret), "/" + quote(secret), quote(secret, safe=""), "~/../hemlig.txt",
    ]  # fmt: skip
    return [f"/files/{a}" for a in attempts] + [
        "/files/" + "/".join([".."] * 12) + quote(secret),
        "/doc/..%2f..%2fhemlig.txt", "/api/documents/..%2f..%2fhemlig.txt",
        "/static/..%2f..%2f..%2fhemlig.txt", "/static/../../hemlig.txt",
        "/%2e%2e/%2e%2e/hemlig.txt",
    ]  # fmt: skip


def test_traversal_on_routes_that_read_files_never_reads_outside(traversal_site):
    root, port = traversal_site
    for path in traversal_paths(root):
        status, body = raw_get(port, path)
        assert status in (400, 404), (path, status)
        assert SECRET.encode() not in body, path


def test_the_indexed_file_itself_is_served(traversal_site):
    _, port = traversal_site
    status, body = raw_get(port, "/files/m%C3%B6te.txt")
    assert status == 200 and body == (SEED / "000_fc1aedb1226712d1.txt").read_bytes()


@FUZZ
@given(path=st.lists(st.sampled_from(["..", ".", "%2e%2e", "%2f", "hemlig.txt", "index",
                                      "möte.txt", "", "%00", "\\", "~", "CURRENT"]),
                     max_size=8))  # fmt: skip
def test_fuzzed_file_paths_never_reach_a_secret(traversal_site, path):
    _, port = traversal_site
    status, body = raw_get(port, "/files/" + quote("/".join(path), safe="/%"))
    assert status in (200, 400, 404) and SECRET.encode() not in body


def test_symlink_out_of_the_corpus_is_neither_indexed_nor_served(tmp_path):
    corpus = tmp_path / "korpus"
    corpus.mkdir()
    shutil.copy(SEED / "000_fc1aedb1226712d1.txt", corpus / "möte.txt")
    outside = tmp_path / "utanför.txt"
    outside.write_text(SECRET + " narkotika\n", encoding="utf-8")
    os.symlink(outside, corpus / "länk.txt")
    build_index(corpus, tmp_path / "index")
    client = create_app({"INDEX_DIR": str(tmp_path / "index")}).test_client()
    with client.get("/files/" + quote("länk.txt")) as served:
        status, body = served.status_code, served.get_data()
    found = client.get("/api/search?" + urlencode({"q": SECRET.split("-")[0]}))
    assert status == 404 and SECRET.encode() not in body
    assert found.get_json()["total"] == 0


# --- bounded work on a bigger index (slow) --------------------------------------------

BIG_MEETINGS = 700
HEAVY_QUERIES = [
    "*",
    " ".join(f"{c}*" for c in "abcdefghijklmnoprstuv"),
    " ELLER ".join(f"{c}{v}*" for c in "abdefgh" for v in "aeiou"),
]


@pytest.mark.slow
def test_queries_matching_everything_are_bounded_in_time(tmp_path):
    corpus = tmp_path / "korpus"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate_corpus.py"),
         "--meetings", str(BIG_MEETINGS), "--out", str(corpus)],
        cwd=ROOT, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    build_index(corpus, tmp_path / "index")
    client = create_app({"INDEX_DIR": str(tmp_path / "index")}).test_client()
    slowest = []
    for q in HEAVY_QUERIES:
        for extra in ({}, {"sort": "date"}, {"page": "1000", "per_page": "100"}):
            started = time.monotonic()
            response = client.get("/api/search?" + urlencode({"q": q, **extra}))
            slowest.append((time.monotonic() - started, q[:20], extra))
            assert response.status_code in (200, 400)
        started = time.monotonic()
        assert client.get("/?" + urlencode({"q": q})).status_code in (200, 400)
        slowest.append((time.monotonic() - started, q[:20], "HTML"))
    slowest.sort(reverse=True)
    print("slowest heavy queries:", slowest[:3])
    assert slowest[0][0] < MAX_SECONDS, slowest[:3]
