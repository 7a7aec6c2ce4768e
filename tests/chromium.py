"""Headless Chromium for the browser tests: Debian's build driven by Playwright.

Never `playwright install`: the tests launch /usr/bin/chromium (`./run test`
installs it where it may). Locally a missing Chromium, Playwright or axe-core
skips the browser tests; in CI (``CI`` set) it fails them instead, so they
cannot silently stop running. Screenshots go to tests/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = HERE / "artifacts"
# axe-core, at the version tests/browser/package-lock.json pins (`npm ci`).
AXE = HERE / "browser" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def missing(what: str, install: str) -> None:
    """Skip (locally) or fail (in CI), saying what is missing and how to get it."""
    message = f"{what} is missing ({install})"
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {message}", pytrace=False)
    pytest.skip(message)


def _playwright():
    """The sync API, when Playwright and Chromium are both there."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright", "pip install -e '.[test]'")
    if not CHROMIUM.exists():
        missing(str(CHROMIUM), "apt-get install chromium")
    return sync_playwright


@pytest.fixture(scope="module")
def browser():
    with _playwright()() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
        )
        yield chromium
        chromium.close()


@pytest.fixture
def console_errors() -> list[str]:
    """The page's console errors; a test expecting one (a 404) clears the list."""
    return []


def open_page(browser, server: str, errors: list[str], **options):
    """A page on the real server in a new context that records console errors."""
    settings = {"viewport": DESKTOP, "locale": "sv-SE", "device_scale_factor": 1}
    context = browser.new_context(base_url=server, **{**settings, **options})
    pg = context.new_page()
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    return pg


@pytest.fixture
def page(browser, server, console_errors):
    """A desktop page on the real server that fails the test on any console error."""
    pg = open_page(browser, server, console_errors)
    pg.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server)
    yield pg
    pg.context.close()
    assert console_errors == [], console_errors  # CSP violations land here


def shot(pg, name: str, full_page: bool = True) -> None:
    """Save a screenshot as a test artefact (the whole page, or the first screen)."""
    ARTIFACTS.mkdir(exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)


def axe_source() -> str:
    """axe-core's script, or a skip/failure naming the command that installs it."""
    if not AXE.is_file():
        missing("axe-core", "npm ci --prefix tests/browser, which ./run test does")
    return AXE.read_text(encoding="utf-8")


def with_axe(context) -> None:
    """Load axe-core into every page the context opens, before the page's scripts.

    An init script goes in through the browser's debugging protocol, so the
    site's Content-Security-Policy (no inline script) stays in force.
    """
    context.add_init_script(axe_source())


def axe_violations(pg) -> list[dict]:
    """Run axe-core (all its rules but the experimental) on the page as it is now."""
    if not pg.evaluate("typeof window.axe !== 'undefined'"):
        pg.evaluate(f"() => {{ {axe_source()}\n}}")
    return pg.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ['violations']});
          return result.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary),
          }));
        }"""
    )
