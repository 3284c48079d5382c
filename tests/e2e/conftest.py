"""Real-browser tests: the app started as the README says, driven by Playwright in Debian's Chromium.

Playwright cannot download its own browser here, so the tests launch
``/usr/bin/chromium`` (``apt-get install chromium``). Without it they are
skipped, except in CI (``CI=true``), where a missing browser is a failure.
Every test saves a screenshot to ``tests/e2e/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.helpers import wait_for_app

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark everything under tests/e2e as ``e2e`` (deselect with ``-m "not e2e"``)."""
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _streamlit_command() -> list[str]:
    """The README's ``streamlit run app.py``, from the Python environment running the tests."""
    beside_python = Path(sys.executable).with_name("streamlit")
    executable = str(beside_python) if beside_python.exists() else shutil.which("streamlit")
    if executable is None:
        pytest.fail("The streamlit command is not installed: pip install -r requirements.txt")
    return [executable, "run", "app.py"]


class AppServer:
    """A running ``streamlit run app.py`` on a free loopback port."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = SCREENSHOTS.parent / f"server-{self.port}.log"
        SCREENSHOTS.mkdir(exist_ok=True)
        command = [
            *_streamlit_command(),
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ]
        self._log_file = self.log.open("w")
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=self._log_file, stderr=subprocess.STDOUT)
        self._wait_until_healthy()

    def _wait_until_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"streamlit exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read().decode().strip() == "ok":
                        return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        pytest.fail(f"streamlit did not become healthy within {timeout} s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self._log_file.close()


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    server = AppServer()
    yield server
    server.stop()
    server.log.unlink(missing_ok=True)


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
