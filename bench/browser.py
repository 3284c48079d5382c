"""Browser-perceived timing and server memory, with the app started as the README says.

Needs Debian's Chromium (/usr/bin/chromium) and Playwright for Python.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import psutil
from playwright.sync_api import Page, sync_playwright

from bench.photos import encoded
from bench.timing import table, verdict
from tests.e2e.helpers import wait_for_app
from tests.e2e.server import CHROMIUM, CHROMIUM_FLAGS, AppServer

POOLED_IMAGE_JS = """() => [...document.querySelectorAll('[data-testid="stImage"]')]
    .find(element => element.innerText.includes("pooled 2 x 2"))?.querySelector("img")"""
SESSIONS = 10
MB = 1024 * 1024
VIEWPORT = {"width": 1600, "height": 1600}


def _server_rss(server: AppServer) -> int:
    """Resident memory of the server and its children, in bytes."""
    process = psutil.Process(server.process.pid)
    return sum(member.memory_info().rss for member in [process, *process.children(recursive=True)])


def _edit_middle_cell(page: Page, text: str) -> float:
    """Type ``text`` into the filter's middle cell; seconds from Enter to the new pooled picture shown."""
    canvas = page.locator('[data-testid="stDataFrame"] canvas').first.bounding_box()
    # A header row over three filter rows; an index column takes about 18% of the width.
    x = canvas["x"] + canvas["width"] * (0.18 + 1.5 * 0.82 / 3)
    y = canvas["y"] + canvas["height"] * 2.5 / 4
    editor = page.locator(".gdg-input")
    while not editor.is_visible():
        page.mouse.click(x, y)  # focus the grid first; a rerun while the editor opens would close it
        wait_for_app(page)
        page.mouse.dblclick(x, y)
        page.wait_for_timeout(300)
    editor.fill(text)
    before = page.evaluate(f"({POOLED_IMAGE_JS})().src")
    start = time.perf_counter()
    editor.press("Enter")
    page.wait_for_function(
        f"""(before) => {{
            const image = ({POOLED_IMAGE_JS})();
            return image && image.src !== before && image.complete && image.naturalWidth > 0;
        }}""",
        arg=before,
        timeout=30_000,
    )
    elapsed = time.perf_counter() - start
    wait_for_app(page)
    return elapsed


def _kernel_edit_ms(page: Page) -> float:
    times = [_edit_middle_cell(page, str(value)) for value in (3, 4, 5, 6, 7, 8, 9)]
    return statistics.median(times[1:]) * 1000


def _upload(page: Page, name: str, data: bytes, mime: str = "image/jpeg") -> float:
    """Upload a photo; seconds from the browser sending it to the page showing its filtered grid.

    The clock starts when the upload request leaves the browser (the moment a user's file
    dialog closes), not when Playwright starts copying the test file into the browser.
    """
    sent = []

    def note_upload(request) -> None:
        if "upload_file" in request.url:
            sent.append(time.perf_counter())

    page.on("request", note_upload)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )
    page.get_by_text(f"Showing {name}").wait_for(timeout=60_000)
    page.get_by_text("Filtered (clip to 0..255) · 510 x 382").wait_for(timeout=60_000)
    elapsed = time.perf_counter() - sent[0]
    page.remove_listener("request", note_upload)
    wait_for_app(page)
    return elapsed


def _upload_label(kind: str, data: bytes) -> str:
    return f"12 MP {kind} ({len(data) / MB:.1f} MB) sent by the browser to its filtered grid shown"


def _new_session(browser, url: str) -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.goto(url)
    wait_for_app(page)
    return page


def run() -> str:
    """Measure and return the Markdown tables."""
    if not Path(CHROMIUM).exists():
        return f"(skipped: {CHROMIUM} not found; apt-get install chromium)"
    photos = [encoded("JPEG", seed=seed) for seed in range(SESSIONS)]
    heics = [encoded("HEIF", seed=seed) for seed in range(3)]
    server = AppServer()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = _new_session(browser, server.url)
            fashion_ms = _kernel_edit_ms(page)
            page.mouse.wheel(0, -10_000)
            page.get_by_role("radio", name="Photos").click()
            wait_for_app(page)
            photo_ms = _kernel_edit_ms(page)
            page.context.close()

            idle = _server_rss(server)
            sessions, rss_after, jpeg_seconds = [], [], []
            for index, data in enumerate(photos):
                sessions.append(_new_session(browser, server.url))
                jpeg_seconds.append(_upload(sessions[-1], f"phone{index}.jpg", data))
                rss_after.append(_server_rss(server))
            heic_seconds = [
                _upload(sessions[0], f"phone{index}.heic", data, "image/heic")
                for index, data in enumerate(heics)
            ]
            browser.close()
    finally:
        server.stop()
    jpeg_ms = statistics.median(jpeg_seconds) * 1000
    heic_ms = statistics.median(heic_seconds) * 1000
    timing = table(
        ["browser-perceived (median)", "ms", "budget (ms)", "within"],
        [
            ["kernel-cell edit (Enter) to the new pooled picture shown, 28x28", f"{fashion_ms:.0f}", "", ""],
            ["kernel-cell edit (Enter) to the new pooled picture shown, 512x512", f"{photo_ms:.0f}", "", ""],
            [_upload_label("JPEG", photos[0]), f"{jpeg_ms:.0f}", 1500, verdict(jpeg_ms, 1500)],
            [_upload_label("HEIC", heics[0]), f"{heic_ms:.0f}", 1500, verdict(heic_ms, 1500)],
        ],
    )
    one, ten = rss_after[0], rss_after[-1]
    per_session = (ten - one) / (SESSIONS - 1) / MB
    memory = table(
        ["server memory (RSS)", "MB"],
        [
            ["idle, after one visit", f"{idle / MB:.0f}"],
            ["1 session holding a 12 MP photo", f"{one / MB:.0f}"],
            [f"{SESSIONS} sessions, each holding a different 12 MP photo", f"{ten / MB:.0f}"],
            ["extra per session (budget < 100 MB)", f"{per_session:.0f} ({verdict(per_session, 100)})"],
        ],
    )
    return timing + "\n\n" + memory
