"""The OpenAPI description matches the real API; CORS opens only /api/, to its origins.

Every response below is validated against the schema the description gives
for its path and status (JSON Schema 2020-12, which OpenAPI 3.1 uses); the
schemas are closed, so an undocumented field fails here too.
"""

from __future__ import annotations

import re

import pytest
from jsonschema import Draft202012Validator

from search_app import create_app
from search_app.openapi import spec
from tests.conftest import http_get, http_json

SPEC = spec()
FORMATS = Draft202012Validator.FORMAT_CHECKER


def schema_errors(instance, schema: dict) -> list[str]:
    """Where ``instance`` breaks ``schema`` (which may $ref the components)."""
    root = {**schema, "components": SPEC["components"]}
    validator = Draft202012Validator(root, format_checker=FORMATS)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(instance)
    ]


def declared(path: str, status: int) -> dict:
    """The JSON schema the description promises for ``path`` answering ``status``."""
    response = SPEC["paths"][path]["get"]["responses"][str(status)]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response["content"]["application/json"]["schema"]


def check(client, url: str, path: str, status: int = 200) -> dict:
    """GET ``url`` and hold its answer to what ``path`` declares."""
    response = client.get(url)
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    body = response.json
    assert schema_errors(body, declared(path, status)) == []
    return body


# --- the description itself ----------------------------------------------------------


def test_the_description_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.json == SPEC
    assert SPEC["openapi"].startswith("3.1")


def test_every_schema_is_valid_json_schema():
    for schema in SPEC["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    for details in SPEC["paths"].values():
        for parameter in details["get"].get("parameters", []):
            Draft202012Validator.check_schema(parameter["schema"])


def test_the_schemas_are_closed(client):
    """An undocumented field, or a missing one, is caught."""
    body = client.get("/api/search?q=narkotika").json
    schema = declared("/api/search", 200)
    assert schema_errors({**body, "extra": 1}, schema) != []
    body["hits"][0].pop("item_id")
    assert schema_errors(body, schema) != []


def test_every_reference_resolves():
    refs = re.findall(r"'\$ref': '#/([^']+)'", repr(SPEC))
    assert refs
    for ref in refs:
        node = SPEC
        for part in ref.split("/"):
            node = node[part]


def test_every_api_route_is_described(app):
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
    }
    assert routes == set(SPEC["paths"])


# --- responses against the description ----------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        "q=narkotika",
        "q=motorburen+ungdom&per_page=2&page=2",
        'q="motorburen ungdom"',
        "q=narkotika+OCH+krogmiljöer",
        "q=narkotika+INTE+polisen",
        "q=trygg*&sort=date",
        "q=umeå&year=2021&type=minutes",
        "q=umeå&presenter=Michael+Rystedt",
        "q=umeå&has_decision=1&per_page=100",
        "q=umeå&page=999",
        "q=polsen",
        "q=qwxzy",
        "q=",
        "",
        "q=%C2%A7+5%3A+budget",
    ],
)
def test_search_responses_match(client, args):
    body = check(client, f"/api/search?{args}", "/api/search")
    assert body["total"] >= len(body["hits"])


def test_facet_counts_match_the_filters(client):
    """The new facets (presenter, has_decision) count what their filters find."""
    body = check(client, "/api/search?q=umeå", "/api/search")
    for name, count in list(body["facets"]["presenter"].items())[:4]:
        args = {"q": "umeå", "presenter": name}
        filtered = client.get("/api/search", query_string=args)
        assert filtered.json["total"] == count
        assert all(name in h["presenters"] for h in filtered.json["hits"])
    decided = client.get("/api/search?q=umeå&has_decision=1&per_page=100").json
    assert decided["total"] == body["facets"]["has_decision"]["true"]
    assert all(h["decisions"] for h in decided["hits"])
    facets = body["facets"]["has_decision"]
    assert facets["true"] + facets["false"] == body["total"]


@pytest.mark.parametrize(
    "args, parameter",
    [
        ("q=x&year=20x1", "year"),
        ("q=x&type=protocol", "type"),
        ("q=x&sort=oldest", "sort"),
        ("q=x&page=0", "page"),
        ("q=x&per_page=101", "per_page"),
        ("q=x&per_page=ten", "per_page"),
        ("q=x&has_decision=maybe", "has_decision"),
        ("q=" + "a" * 1001, "q"),
        ("q=x&presenter=" + "a" * 201, "presenter"),
    ],
)
def test_bad_parameters_are_400_as_described(client, args, parameter):
    body = check(client, f"/api/search?{args}", "/api/search", 400)
    assert parameter in body["error"]
    described = {p["name"]: p["schema"] for p in _search_parameters()}
    raw = dict(a.split("=", 1) for a in args.split("&"))[parameter]
    numeric = described[parameter]["type"] == "integer" and raw.isdigit()
    value = int(raw) if numeric else raw
    assert schema_errors(value, described[parameter]) != []  # the spec says so too


@pytest.mark.parametrize("q", ["?a", " ".join(f"ord{i}" for i in range(100))])
def test_refused_queries_are_400_as_described(client, q):
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code == 400
    assert schema_errors(response.json, declared("/api/search", 400)) == []


def test_values_the_description_allows_are_accepted(client):
    described = {p["name"]: p["schema"] for p in _search_parameters()}
    for name, schema in described.items():
        limits = [schema.get("default"), schema.get("maximum")]
        for value in schema.get("enum", []) + limits:
            if value is None:
                continue
            url = f"/api/search?q=polisen&{name}={value}"
            if (name, value) == ("format", "csv"):  # the one non-JSON answer
                response = client.get(url)
                assert response.status_code == 200
                assert response.mimetype == "text/csv"
            else:
                check(client, url, "/api/search")


def _search_parameters() -> list[dict]:
    return SPEC["paths"]["/api/search"]["get"]["parameters"]


def test_documents_and_each_document_match(client):
    listing = check(client, "/api/documents", "/api/documents")
    assert listing["documents"]
    for doc in listing["documents"]:
        body = check(client, doc["url"].replace("/doc/", "/api/documents/"),
                     "/api/documents/{doc_id}")  # fmt: skip
        assert len(body["items"]) == body["item_count"] == doc["item_count"]
        assert [i["item_number"] for i in body["items"]] == list(
            range(1, body["item_count"] + 1)
        )
        assert client.get(body["items"][0]["url"].split("#")[0]).status_code == 200


def test_unknown_document_is_404_as_described(client):
    body = check(client, "/api/documents/nope", "/api/documents/{doc_id}", 404)
    assert "nope" in body["error"]


def test_over_real_http(server):
    status, body = http_json(f"{server}/api/openapi.json")
    assert status == 200 and body == SPEC
    status, body = http_json(f"{server}/api/search?q=narkotika&sort=date")
    assert status == 200 and schema_errors(body, declared("/api/search", 200)) == []


# --- CORS ----------------------------------------------------------------------------

INTRANET = "https://intranat.umea.se"


@pytest.fixture
def cors_client(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "CORS_ORIGINS": [INTRANET]})
    return app.test_client()


def test_an_allowed_origin_may_read_the_api(cors_client):
    response = cors_client.get("/api/search?q=narkotika", headers={"Origin": INTRANET})
    assert response.headers["Access-Control-Allow-Origin"] == INTRANET
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    error = cors_client.get("/api/search?year=x", headers={"Origin": INTRANET})
    assert error.status_code == 400  # errors are readable too
    assert error.headers["Access-Control-Allow-Origin"] == INTRANET


def test_a_preflight_is_answered(cors_client):
    response = cors_client.options(
        "/api/documents",
        headers={"Origin": INTRANET, "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == INTRANET
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


@pytest.mark.parametrize(
    "origin, path",
    [
        ("https://evil.example", "/api/search?q=narkotika"),
        (INTRANET + ".evil.example", "/api/documents"),
        (INTRANET, "/?q=narkotika"),  # the pages are not an API
        (INTRANET, "/feed?q=narkotika"),
    ],
)
def test_other_origins_and_paths_get_no_cors(cors_client, origin, path):
    response = cors_client.get(path, headers={"Origin": origin})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_no_origins_by_default(client):
    response = client.get("/api/documents", headers={"Origin": INTRANET})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_origins_from_a_comma_separated_setting(index_dir):
    index = str(index_dir)
    listed = f"{INTRANET}, http://localhost:8080"
    app = create_app({"INDEX_DIR": index, "CORS_ORIGINS": listed})
    assert app.config["CORS_ORIGINS"] == (INTRANET, "http://localhost:8080")
    with pytest.raises(ValueError, match="not an origin"):
        create_app({"INDEX_DIR": index, "CORS_ORIGINS": "intranat; script-src *"})
    with pytest.raises(ValueError, match="not an origin"):
        create_app({"INDEX_DIR": index, "EMBED_ORIGINS": "'unsafe-inline'"})


def test_embed_may_be_framed_by_the_configured_origins(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "EMBED_ORIGINS": [INTRANET]})
    response = app.test_client().get("/embed?q=narkotika")
    policy = response.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {INTRANET}" in policy
    assert "script-src 'self'" in policy and "X-Frame-Options" not in response.headers
    page = app.test_client().get("/?q=narkotika").headers["Content-Security-Policy"]
    assert page.endswith("frame-ancestors 'self'")  # only /embed is framable


def test_cors_over_real_http(server):
    status, headers, _ = http_get(f"{server}/api/documents")
    assert status == 200 and "access-control-allow-origin" not in headers
