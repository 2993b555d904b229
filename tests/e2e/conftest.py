"""Browser journeys: Playwright drives Debian's Chromium against pytest-django's live server."""

import json
import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make there are ordinary blocking calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from playwright.sync_api import sync_playwright  # noqa: E402

from inspections.demo import load_demo  # noqa: E402
from tests.conftest import require_tool  # noqa: E402
from units.services import load_divisions  # noqa: E402

BASE_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE_SOURCE = (BASE_DIR / "node_modules/axe-core/axe.min.js").read_text()
ARTIFACTS = BASE_DIR / "test-artifacts"
# This machine has no internet: keep Chromium from trying to reach Google's services.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():
    require_tool(CHROMIUM, "chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db, live_server):
    """The demo data, as `make run` loads it, served by the live server."""
    load_divisions()
    load_demo()
    return live_server


@pytest.fixture
def page(browser, request):
    """A fresh browser tab; fails the test on a console error (a CSP violation is one)."""
    # An English-speaking browser: the app must still open in Vietnamese.
    context = browser.new_context(locale="en-US", viewport=getattr(request, "param", None) or
                                  {"width": 1280, "height": 800})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors  # a test that provokes an error on purpose (a 404) clears it
    yield page
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()
    assert errors == []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def assert_accessible(page):
    """axe-core's WCAG 2.1 A and AA rules find nothing on the page as it is now.

    The script goes in through the DevTools protocol (page.evaluate), which the
    page's Content-Security-Policy does not govern, so the policy stays strict.
    """
    page.evaluate(AXE_SOURCE)
    violations = page.evaluate(
        """async () => (await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
             .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))"""
    )
    assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)


def log_in(page, base_url, username, password="demo12345"):
    page.goto(f"{base_url}/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/")

