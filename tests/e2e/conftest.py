"""Real-browser tests: the app started as the README says, driven by Playwright in Debian's Chromium.

Playwright cannot download its own browser here, so the tests launch
``/usr/bin/chromium`` (``apt-get install chromium``). Without it they are
skipped, except in CI (``CI=true``), where a missing browser is a failure.
Every test saves a screenshot to ``tests/e2e/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import SharedSessions, wait_for_app
from tests.e2e.server import CHROMIUM, CHROMIUM_FLAGS, AppServer, ServerError

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark everything under tests/e2e as ``e2e`` (deselect with ``-m "not e2e"``)."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    """The app, started once for all browser tests as the README says."""
    SCREENSHOTS.mkdir(exist_ok=True)
    try:
        server = AppServer()
    except ServerError as error:
        pytest.fail(str(error))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_server, request):
    """A fresh browser session on the app's first view; saves a screenshot and checks for tracebacks."""
    context = browser.new_context(viewport={"width": 1600, "height": 2400})
    page = context.new_page()
    page.foreign_requests = []
    page.on(
        "request",
        lambda req: (
            page.foreign_requests.append(req.url)
            if not req.url.startswith((app_server.url, "data:", "blob:"))
            else None
        ),
    )
    page.goto(app_server.url)
    wait_for_app(page)
    yield page
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
        assert page.locator('[data-testid="stException"]').count() == 0, "the page shows a traceback"
    finally:
        context.close()


@pytest.fixture(scope="module")
def sessions(browser, app_server):
    """Browser sessions shared by the tests of one module (see helpers.SharedSessions)."""
    shared = SharedSessions(browser, app_server.url)
    yield shared
    shared.close()
