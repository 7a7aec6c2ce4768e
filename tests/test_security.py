"""Hostile corpus text, hostile queries and hostile paths, over real HTTP.

A corpus of its own (written here) carries script, image, SVG and
javascript: payloads in item text, titles and header fields; the pages and the
API must show them as inert, escaped text. The seed server takes the awkward
queries and the path traversal attempts: never a 500, never a file's content.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from indexer import build_index
from search_app import create_app
from tests.conftest import http_get, http_json, serve_app

# Elements that could run or load something. The templates may use a
# same-origin <script src> and an inline SVG chart of their own; nothing of
# this kind may come from the corpus or the query.
FORBIDDEN_TAGS = {
    "img",
    "iframe",
    "object",
    "embed",
    "frame",
    "frameset",
    "base",
    "audio",
    "video",
    "math",
    "applet",
    "portal",
}
URL_ATTRS = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "srcset",
    "poster",
    "background",
}

# Table rows: Ärende <TAB> Omfattning/notering <TAB> Föredragande. The cells are
# HTML fragments, so the payloads are written as entities (they reach the text
# as "<script>..."), and one row also carries raw tags, which segmentation drops.
XSS_ROWS = [
    (
        "Klotter &lt;script&gt;alert(1)&lt;/script&gt;",
        "<p>Klottersanering &lt;script&gt;alert(1)&lt;/script&gt; vid skolan"
        " prioriteras.</p>",
        "Anna Svensson",
    ),
    (
        "Kameror",
        "<p>Kameraövervakning &lt;img src=x onerror=alert(1)&gt; diskuterades.</p>",
        "Eva Berg",
    ),
    (
        "Enkät",
        "<p>Trygghetsenkäten &quot;&gt;&lt;svg onload=alert(1)&gt; besvarades.</p>",
        "Eva Berg",
    ),
    (
        "Länkar",
        "<p>Webbplatsen &lt;a href=&quot;javascript:alert(1)&quot;&gt;klicka&lt;/a&gt;"
        " och javascript:alert(1) granskades.</p>",
        "Anna Svensson",
    ),
    (
        "Rått",
        "<p>Brandlarm <script>alert(2)</script><img src=x onerror=alert(3)>"
        " testades.</p>",
        "Eva Berg",
    ),
]
XSS_MINUTES = (
    "2023-03-14\n\nKlockan 15.00\n\n"
    "Stadshuset <b>rum</b> <script>alert(1)</script>\n\n"
    "Kallade:\n\n"
    "Anna Svensson, ~~Per <img src=x onerror=alert(1)> Olsson~~, Eva Berg\n\n"
    "Ärende:\tOmfattning/notering:\tFöredragande:\n"
    + "".join("\t".join(row) + "\n" for row in XSS_ROWS)
    + "\nNoterat av:\n\nEva Berg <svg onload=alert(1)>\n"
)

XSS_AGREEMENT = """\
Överenskommelse om grafittisanering <img src=x onerror=alert(1)> i Umeå.

Inledning

Grafittisanering <script>alert(1)</script> ska ske inom ett dygn.

Uppföljning

Trygghetsvandringar "><svg onload=alert(1)> genomförs varje höst.

Länkar

Se <a href="javascript:alert(1)">avtalet</a> och javascript:alert(1) för detaljer.
"""

XSS_METADATA = """["xss_minnesanteckningar.txt"]
title = "Protokoll <script>alert(1)</script> 2023-03-14"
source_url = "https://www.umea.se/protokoll?a=1&b=<svg>"
"""

# (query, the payload that stands next to the query word in the item's text)
PAYLOADS = [
    ("klottersanering", "<script>alert(1)</script>"),
    ("kameraövervakning", "<img src=x onerror=alert(1)>"),
    ("trygghetsenkäten", '"><svg onload=alert(1)>'),
    ("webbplatsen", '<a href="javascript:alert(1)">klicka</a>'),
    ("grafittisanering", "<script>alert(1)</script>"),
    ("trygghetsvandringar", '"><svg onload=alert(1)>'),
    ("avtalet", '<a href="javascript:alert(1)">avtalet</a>'),
]


# --- helpers -------------------------------------------------------------------------


class Scan(HTMLParser):
    """Every element with its attributes, the page's text, and inline script text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.script_text: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data):
        if self._open and self._open[-1] in ("script", "style"):
            self.script_text.append(data)
        else:
            self.text.append(data)


def scan(body: bytes | str) -> Scan:
    parser = Scan()
    parser.feed(body.decode("utf-8") if isinstance(body, bytes) else body)
    parser.close()
    return parser


def assert_inert(page: Scan, context: str) -> None:
    """No element, handler or URL scheme on the page can run injected code."""
    for tag, attrs in page.elements:
        assert tag not in FORBIDDEN_TAGS, (context, tag, attrs)
        if tag == "script":
            # Only the site's own file: same origin, no inline code.
            src = attrs.get("src") or ""
            assert src.startswith("/static/"), (context, attrs)
        if tag == "svg":
            assert "alert" not in " ".join(f"{k}={v}" for k, v in attrs.items()), (
                context,
                attrs,
            )
        for name, value in attrs.items():
            assert not name.startswith("on"), (context, tag, name, value)
            if name in URL_ATTRS and value:
                scheme = value.strip().split(":", 1)[0].lower()
                assert scheme not in ("javascript", "vbscript", "data"), (
                    context,
                    tag,
                    value,
                )
    assert not "".join(page.script_text).strip(), (context, page.script_text)
    assert all(
        (a.get("action") or "/").startswith("/")
        for t, a in page.elements
        if t == "form"
    )


def write_xss_corpus(folder: Path, metadata: str = XSS_METADATA) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "xss_minnesanteckningar.txt").write_text(XSS_MINUTES, encoding="utf-8")
    (folder / "xss_overenskommelse.txt").write_text(XSS_AGREEMENT, encoding="utf-8")
    (folder / "metadata.toml").write_text(metadata, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory):
    """Base URL of the app over the hostile corpus."""
    root = tmp_path_factory.mktemp("xss")
    summary = build_index(
        write_xss_corpus(root / "corpus"), root / "index", rebuild=True
    )
    assert not summary.rejected, summary.rejected
    port, stop = serve_app(create_app({"INDEX_DIR": str(root / "index")}))
    base = f"http://127.0.0.1:{port}"
    yield base
    stop()


def xss_documents(base: str) -> list[dict]:
    status, body = http_json(f"{base}/api/documents")
    assert status == 200
    return body["documents"]


# --- hostile corpus text -------------------------------------------------------------


def test_hostile_corpus_is_indexed_with_payloads_as_text(xss_server):
    docs = {d["source"]: d for d in xss_documents(xss_server)}
    assert set(docs) == {"xss_minnesanteckningar.txt", "xss_overenskommelse.txt"}
    status, doc = http_json(
        f"{xss_server}/api/documents/{docs['xss_overenskommelse.txt']['doc_id']}"
    )
    texts = " ".join(i["text"] for i in doc["items"])
    assert "<script>alert(1)</script>" in texts  # kept as text, to be escaped on output


@pytest.mark.parametrize("q, payload", PAYLOADS)
def test_api_highlights_show_payloads_as_escaped_text(xss_server, q, payload):
    status, body = http_json(f"{xss_server}/api/search?{urlencode({'q': q})}")
    assert status == 200 and body["hits"], body
    fragments = [f for hit in body["hits"] for f in hit["highlights"]]
    assert any(
        payload in unescape(f.replace("<mark>", "").replace("</mark>", ""))
        for f in fragments
    ), fragments
    for fragment in fragments:
        parsed = scan(fragment)
        assert {tag for tag, _ in parsed.elements} <= {"mark"}, fragment
        assert all(not attrs for _, attrs in parsed.elements), fragment
        lowered = fragment.lower()
        assert (
            "<script" not in lowered and "<img" not in lowered and "<svg" not in lowered
        )
        assert "<a " not in lowered


@pytest.mark.parametrize("q, payload", PAYLOADS)
def test_search_page_shows_payloads_as_inert_text(xss_server, q, payload):
    status, headers, body = http_get(f"{xss_server}/?{urlencode({'q': q})}")
    assert status == 200
    page = scan(body)
    assert_inert(page, q)
    assert payload in " ".join("".join(page.text).split())


@pytest.mark.parametrize("with_query", [False, True])
def test_document_pages_show_payloads_as_inert_text(xss_server, with_query):
    for doc in xss_documents(xss_server):
        path = f"/doc/{quote(doc['doc_id'])}"
        if with_query:
            path += "?" + urlencode({"q": "alert script svg img javascript"})
        status, _, body = http_get(xss_server + path)
        assert status == 200
        page = scan(body)
        assert_inert(page, path)
        text = " ".join("".join(page.text).split())
        assert "alert(1)" in text
        if with_query:
            assert any(tag == "mark" for tag, _ in page.elements)


def test_document_header_fields_are_escaped(xss_server):
    doc = next(d for d in xss_documents(xss_server) if d["doc_type"] == "minutes")
    status, _, body = http_get(f"{xss_server}/doc/{quote(doc['doc_id'])}")
    page = scan(body)
    text = "".join(page.text)
    assert (
        "Protokoll <script>alert(1)</script> 2023-03-14" in text
    )  # title from metadata
    assert "Stadshuset <b>rum</b> <script>alert(1)</script>" in text  # place
    assert "Per <img src=x onerror=alert" in text  # an absent attendee
    assert "Eva Berg <svg onload=alert(1)>" in text  # secretary
    links = [a for t, a in page.elements if t == "a" and "umea.se" in a.get("href", "")]
    assert [a["href"] for a in links] == ["https://www.umea.se/protokoll?a=1&b=<svg>"]


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '"><svg onload=alert(1)>',
        "<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        "'-alert(1)-'",
        "</title><script>alert(1)</script>",
    ],
)
def test_reflected_query_is_escaped_everywhere(xss_server, payload):
    doc_id = xss_documents(xss_server)[0]["doc_id"]
    for path in (
        f"/?{urlencode({'q': payload})}",
        f"/?{urlencode({'q': 'klottersanering ' + payload})}",
        f"/?{urlencode({'q': payload, 'year': '2023', 'type': 'minutes'})}",
        f"/doc/{quote(doc_id)}?{urlencode({'q': payload})}",
        f"/?{urlencode({'q': payload, 'page': 'x'})}",
    ):
        status, headers, body = http_get(xss_server + path)
        assert status in (200, 400), path
        assert headers["content-type"].startswith("text/html")
        assert_inert(scan(body), path)
    status, headers, _ = http_get(
        f"{xss_server}/api/search?{urlencode({'q': payload})}"
    )
    assert status == 200 and headers["content-type"].startswith("application/json")


def test_source_url_with_script_scheme_is_not_rendered_as_a_link(tmp_path):
    corpus = write_xss_corpus(
        tmp_path / "corpus",
        metadata='["xss_minnesanteckningar.txt"]\nsource_url = "javascript:alert(1)"\n',
    )
    build_index(corpus, tmp_path / "index", rebuild=True)
    client = create_app(
        {"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}
    ).test_client()
    doc = next(
        d
        for d in client.get("/api/documents").get_json()["documents"]
        if d["doc_type"] == "minutes"
    )
    page = scan(client.get(f"/doc/{doc['doc_id']}").get_data())
    hrefs = [a.get("href", "") for t, a in page.elements if t == "a"]
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], hrefs


# --- headers -------------------------------------------------------------------------


def _seed_doc_path(server: str) -> str:
    status, body = http_json(f"{server}/api/documents")
    return f"/doc/{body['documents'][0]['doc_id']}"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/?q=narkotika",
        "DOC",
        "DOC?q=narkotika",
        "/finns-inte",
        "/?q=x&page=0",
        "/api/search?q=narkotika",
        "/api/search?q=x&page=0",
        "/api/documents",
        "/api/documents/finns-inte",
        "/static/style.css",
    ],
)
def test_csp_forbids_inline_script_and_nosniff_is_set(server, path):
    if path.startswith("DOC"):
        path = _seed_doc_path(server) + path[3:]
    status, headers, _ = http_get(server + path)
    assert status in (200, 400, 404)
    assert headers.get("x-content-type-options") == "nosniff"
    policy = headers.get("content-security-policy")
    assert policy, path
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = [w.lower() for w in words[1:]]
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src is not None, policy
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "*" not in script_src and "data:" not in script_src
    assert directives.get("object-src", directives.get("default-src")) in (
        ["'none'"],
        ["'self'"],
    )


# --- awkward queries -----------------------------------------------------------------

AWKWARD = [
    "AND",
    "OR",
    "NOT",
    "OCH",
    "ELLER",
    "INTE",
    "AND OR NOT",
    "narkotika AND",
    "OR narkotika",
    "NOT narkotika",
    "INTE narkotika",
    "narkotika OCH",
    "ELLER ELLER",
    '"',
    '""',
    '"""',
    '"narkotika',
    'narkotika"',
    "*",
    "**",
    "?",
    "~",
    "^",
    ":",
    "::",
    "(",
    ")",
    "()",
    "((narkotika)",
    "narkotika))",
    "a:b",
    "title:narkotika",
    "§ 5: budget",
    "trygg*",
    "*a*",
    "tr?gg",
    "narkotika~2",
    "narkotika^5",
    "[a TO z]",
    "{a TO z}",
    "-",
    "+",
    "&&",
    "||",
    "!",
    "\\",
    "%",
    "%25",
    "' OR '1'='1",
    "<>",
    "\x00\x1f",
    "\x00",
    "narkotika\x00polisen",
    "\t\n\r",
    "\u200b",
    "\ufeff",
    "🙂",
    "ÅÄÖ åäö",
    "ﬁ",
    "a" * 1000,
    ("narkotika " * 100)[:1000],
    ("trygg* " * 143)[:1000],
    ("(" * 1000),
    ('"' * 999 + "a"),
]
TOO_LONG = ["x" * 1001, "narkotika " * 200, "a" * 2000]


@pytest.mark.parametrize("sort", ["relevance", "date"])
@pytest.mark.parametrize("q", AWKWARD, ids=lambda q: repr(q[:20]))
def test_awkward_query_on_the_api_is_200_or_400_json(server, q, sort):
    status, headers, raw = http_get(
        f"{server}/api/search?{urlencode({'q': q, 'sort': sort})}"
    )
    assert status in (200, 400), status
    assert headers["content-type"].startswith("application/json")
    body = json.loads(raw)
    if status == 200:
        assert isinstance(body["hits"], list) and body["total"] >= len(body["hits"])
    else:
        assert isinstance(body["error"], str) and body["error"]


@pytest.mark.parametrize("q", AWKWARD, ids=lambda q: repr(q[:20]))
def test_awkward_query_on_the_search_page_is_200_or_400(server, q):
    status, headers, body = http_get(f"{server}/?{urlencode({'q': q, 'year': '2021'})}")
    assert status in (200, 400), status
    assert headers["content-type"].startswith("text/html")
    assert_inert(scan(body), q)


@pytest.mark.parametrize("q", TOO_LONG, ids=lambda q: f"{len(q)}-chars")
def test_query_over_1000_characters_is_400(server, q):
    status, body = http_json(f"{server}/api/search?{urlencode({'q': q})}")
    assert status == 400 and body["error"]
    status, _, _ = http_get(f"{server}/?{urlencode({'q': q})}")
    assert status == 400


@pytest.mark.parametrize(
    "raw",
    [
        "q=%FF",
        "q=%ED%A0%80",
        "q=%C0%AF",
        "q=%",
        "q=%zz",
        "q=a&q=b",
        "q[]=x",
        "q=x&page=%00",
        "q=x&year=%00",
        "q=x&per_page=99999999999999999999",
        "q=x&page=%EF%BC%91",
        "q=x&year=%D9%A2%D9%A0%D9%A2%D9%A1",
        "q=x&type=minutes%00",
        "q=x&sort=date%20",
    ],
)
def test_malformed_query_strings_never_crash(server, raw):
    status, body = http_json(f"{server}/api/search?{raw}")
    assert status in (200, 400), (raw, body)
    assert ("error" in body) == (status == 400)
    status, _, _ = http_get(f"{server}/?{raw}")
    assert status in (200, 400)


@pytest.mark.parametrize("path", ["/api/search?q=narkotika", "/api/documents", "/"])
def test_wrong_method_is_405_not_500(server, path):
    request = urllib.request.Request(server + path, data=b"q=x", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        exc.close()
    assert status == 405


# --- path traversal ------------------------------------------------------------------

TRAVERSALS = [
    "..%2f..%2fetc%2fpasswd",
    "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%2e%2e/%2e%2e/etc/passwd",
    "../../etc/passwd",
    "..%5c..%5cetc%5cpasswd",
    "%252e%252e%252fetc%252fpasswd",
    "..%252f..%252fetc%252fpasswd",
    "%c0%ae%c0%ae%c0%afetc%c0%afpasswd",
    "....//....//etc/passwd",
    "%2fetc%2fpasswd",
    "/etc/passwd",
    "..",
    "%2e%2e",
    "CURRENT",
    ".lock",
    "gen-000001",
    "gen-000001%2fmanifest.json",
    "..%2fCURRENT",
    "..%2f..%2fsearch_app%2f__init__.py",
    "%00",
    "x%00.txt",
]


def _leaks(body: bytes) -> bool:
    return any(
        marker in body
        for marker in (
            b"root:x:0:0",
            b"root:*:0:0",
            b"create_app",
            b'"schema"',
            b'"files"',
        )
    )


@pytest.mark.parametrize("attempt", TRAVERSALS)
def test_path_traversal_on_document_page_is_404(server, attempt):
    status, headers, body = http_get(f"{server}/doc/{attempt}")
    assert status == 404, attempt
    assert headers["content-type"].startswith("text/html")
    assert not _leaks(body)


@pytest.mark.parametrize("attempt", TRAVERSALS)
def test_path_traversal_on_document_api_is_404_json(server, attempt):
    status, headers, body = http_get(f"{server}/api/documents/{attempt}")
    assert status == 404, attempt
    assert headers["content-type"].startswith("application/json")
    assert not _leaks(body)


@pytest.mark.parametrize(
    "path",
    [
        "/static/..%2f__init__.py",
        "/static/../__init__.py",
        "/static/..%2f..%2fpyproject.toml",
        "/static/%2e%2e/api.py",
        "/static//etc/passwd",
        "/static/..%5c__init__.py",
        "/..%2f..%2fetc%2fpasswd",
        "/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_path_traversal_on_static_files_is_404(server, path):
    status, _, body = http_get(server + path)
    assert status == 404, path
    assert not _leaks(body) and b"[project]" not in body
