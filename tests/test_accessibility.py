"""axe-core, the accessibility checker, over every page: phone and desktop, light
and dark colour schemes, zero violations.

axe-core comes from npm (tests/browser/package.json, installed by `./run test`)
and runs inside Debian's Chromium (tests/chromium.py). Pages that are planned but
not built yet are listed too and skip while the server answers 404 for them.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.chromium import DESKTOP, PHONE, axe_violations, open_page, shot, with_axe
from tests.conftest import http_json

DOCUMENT = "/doc/003_9269a0f94d92dece-eac42b3d?q=narkotika"
PAGES = {
    "start": "/",
    "results": "/?q=narkotika",
    "filtered": "/?q=umeå&year=2021&has_decision=1",
    "no-results": "/?q=qwxzy",
    "document": DOCUMENT,
    "document-plain": "/doc/000_fc1aedb1226712d1-24af0d2a",
    "embed": "/embed?q=narkotika",
    "not-found": "/nope",
}
PLANNED = {"decisions": "/beslut", "meetings": "/moten", "person": None}
SCREENS = {"phone": PHONE, "desktop": DESKTOP}
SCHEMES = ["light", "dark"]


def person_path(pg, server: str) -> str:
    """A person's page: the first link to one on a document page, or by name."""
    pg.goto(DOCUMENT)
    link = pg.locator('a[href^="/person/"]').first
    if link.count():
        return link.get_attribute("href")
    _, body = http_json(f"{server}/api/search?q=ume%C3%A5")
    names = list(body["facets"].get("presenter") or [])
    return f"/person/{quote(names[0])}" if names else "/person/"


def report(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n  " + "\n  ".join(v["nodes"])
        for v in violations
    )


@pytest.fixture(scope="module")
def axe_page(browser, server):
    """One page for all the checks, with axe-core loaded into every document."""
    errors: list[str] = []
    pg = open_page(browser, server, errors)
    with_axe(pg.context)
    yield pg
    pg.context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("name", [*PAGES, *PLANNED])
def test_axe_finds_no_violations(axe_page, server, name, screen, scheme):
    pg = axe_page
    pg.set_viewport_size(SCREENS[screen])
    pg.emulate_media(color_scheme=scheme)
    path = PAGES.get(name) or PLANNED[name] or person_path(pg, server)
    response = pg.goto(path)
    if name in PLANNED and response.status == 404:
        pytest.skip(f"{path} is not built yet")
    assert response.status == (404 if name == "not-found" else 200)
    violations = axe_violations(pg)
    if screen == "phone" or name in ("results", "document"):
        shot(pg, f"axe-{name}-{screen}-{scheme}", full_page=False)
    assert violations == [], report(violations)


def test_axe_reports_what_it_claims(browser):
    """The checker is really loaded and really finds faults (so zero means zero)."""
    pg = browser.new_page()
    pg.set_content(
        """<html><body><main><h1>A</h1><h3>C</h3>
        <input id="x"><a href="/"></a><button></button><p id="x">same id</p>
        <p style="color:#aaa">grey</p><img src="data:,"></main>
        <p>outside every landmark</p></body></html>"""
    )
    found = {v["id"] for v in axe_violations(pg)}
    pg.close()
    assert found >= {
        "html-has-lang", "heading-order", "label", "link-name", "button-name",
        "duplicate-id-active", "color-contrast", "image-alt", "region",
    } - {"duplicate-id-active"}, found  # fmt: skip
