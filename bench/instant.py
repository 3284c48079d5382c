"""What a user feels in the browser: hovering, changing the filter, and the steppers playing.

Measured in Debian's Chromium with the app started as the README says. The times
run from the browser's own input event (its time stamp) to the frame after the
page changed, so they include everything the user waits for.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bench.photos import encoded
from bench.timing import table, verdict
from filters.presets import PRESETS
from tests.e2e.helpers import wait_for_app
from tests.e2e.server import CHROMIUM, CHROMIUM_FLAGS, AppServer

VIEWPORT = {"width": 1600, "height": 1600}
HOVER_BUDGET_MS, CHANGE_BUDGET_MS, NEXT_BUDGET_MS = 50, 300, 50

EVENT_TO_PAINT_JS = """([target, type]) => {
    // From the browser's input event to just after the next paint (a frame, then a task).
    window.latencies = [];
    target.addEventListener(type, (event) => {
        const start = event.timeStamp;
        requestAnimationFrame(() => setTimeout(() => window.latencies.push(performance.now() - start)));
    }, { capture: true });
}"""

POOLED_PICTURE_JS = """() => [...document.querySelectorAll('[data-testid="stImage"]')]
    .find(element => /pooled 2 x 2/.test(element.innerText))?.querySelector("img")"""


def _hover_ms(page: Page) -> float:
    """Median time from a pointer move onto a new cell of the explorer to its walkthrough painted."""
    grid = page.locator(".ex-grid").nth(1)
    grid.scroll_into_view_if_needed()
    page.evaluate(EVENT_TO_PAINT_JS, [grid.element_handle(), "pointermove"])
    cells = grid.locator(".ex-cell")
    heading = page.locator(".ex-heading")
    latencies = []
    for index in range(0, cells.count(), max(1, cells.count() // 25)):
        before = heading.inner_text()
        page.evaluate("window.latencies = []")
        cells.nth(index).hover()
        page.wait_for_function("() => window.latencies.length > 0")
        if heading.inner_text() == before and index:
            raise AssertionError("the explorer did not change its walkthrough")
        latencies.append(page.evaluate("window.latencies[0]"))
    return statistics.median(latencies)


def _until_pictures_change(page: Page, act) -> float:
    """Seconds from the browser's click event in ``act()`` to the new pooled picture loaded (the
    last picture of the results row), both timed by the browser itself."""
    before = page.evaluate(
        f"""() => {{
            window.clickedAt = null;
            document.addEventListener("click", (event) => {{ window.clickedAt ??= event.timeStamp; }},
                                      {{ capture: true, once: true }});
            return ({POOLED_PICTURE_JS})().src;
        }}"""
    )
    act()
    elapsed_ms = page.wait_for_function(
        f"""(before) => {{
            const image = ({POOLED_PICTURE_JS})();
            const done = image && image.src !== before && image.complete && image.naturalWidth > 0;
            return done && window.clickedAt !== null ? performance.now() - window.clickedAt : false;
        }}""",
        arg=before,
        timeout=30_000,
    ).json_value()
    wait_for_app(page)
    return elapsed_ms / 1000


def _preset_ms(page: Page) -> float:
    """Median time from choosing a preset in the open list to all pictures updated."""
    times = []
    box = page.get_by_role("combobox", name="Preset", exact=True)
    for key in ("horizontal_edges", "sharpen", "vertical_edges", "outline", "emboss", "vertical_edges"):
        box.scroll_into_view_if_needed()  # a list opened while the page scrolls closes at once
        page.wait_for_timeout(200)
        box.click()
        option = page.get_by_role("option", name=PRESETS[key].name, exact=True)
        times.append(_until_pictures_change(page, option.click))
    return statistics.median(times[1:]) * 1000


def _pad_edit_ms(page: Page) -> float:
    """Median time from a click on the filter pad (one committed edit) to all pictures updated."""
    times = []
    for index in (0, 2, 6, 8, 0, 2):
        cell = page.locator(".fp-cell").nth(index)
        cell.scroll_into_view_if_needed()  # a step-by-step view may have scrolled the page away from it
        box = cell.bounding_box()
        times.append(
            _until_pictures_change(
                page,
                lambda box=box: page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.2),
            )
        )
    return statistics.median(times[1:]) * 1000


def _step_number(page: Page) -> int:
    return int(page.locator(".ex-position").inner_text().split()[1])


def _play_rate(page: Page, speed: int, seconds: float) -> float:
    """Steps per second achieved while playing at ``speed``, counted over ``seconds``."""
    page.locator(".ex-position").wait_for()
    page.get_by_role("button", name="Start", exact=True).click()
    page.get_by_label("Speed").select_option(str(speed))
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_timeout(300)
    position = page.locator(".ex-position")  # inside the component's shadow root
    read = "(node) => [parseInt(node.textContent.split(' ')[1]), performance.now()]"
    first, start = position.evaluate(read)  # the step shown and the browser's clock, read together
    page.wait_for_timeout(seconds * 1000)
    last, end = position.evaluate(read)
    page.get_by_role("button", name="Pause", exact=True).click()
    return (last - first) / (end - start) * 1000


def _next_ms(page: Page) -> tuple[float, float]:
    """Median time from a click on Next, and from the → key, to the next step painted."""
    page.get_by_role("button", name="Start", exact=True).click()
    button = page.get_by_role("button", name="Next", exact=False)
    page.evaluate(EVENT_TO_PAINT_JS, [button.element_handle(), "click"])
    for _ in range(15):
        button.click()
    clicks = statistics.median(page.evaluate("window.latencies"))
    grid = page.locator(".ex-grid").first
    page.evaluate(EVENT_TO_PAINT_JS, [grid.element_handle(), "keydown"])
    grid.focus()
    for _ in range(15):
        grid.press("ArrowRight")
    keys = statistics.median(page.evaluate("window.latencies"))
    if _step_number(page) != 31:
        raise AssertionError(f"30 presses of Next reached step {_step_number(page)}, not 31")
    return clicks, keys


def _upload_full_size(page: Page, data: bytes) -> None:
    """Upload a 12 MP photo and work it at full size (4000 x 3000)."""
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "phone.jpg", "mimeType": "image/jpeg", "buffer": data}
    )
    page.get_by_text("Showing phone.jpg").wait_for(timeout=60_000)
    wait_for_app(page)
    slider = page.get_by_role("slider", name="Working size (longest side)")
    slider.focus()
    slider.press("End")
    page.get_by_text("Original · 4000 x 3000").wait_for(timeout=120_000)
    wait_for_app(page)


def run() -> str:
    """Measure and return the Markdown table."""
    if not Path(CHROMIUM).exists():
        return f"(skipped: {CHROMIUM} not found; apt-get install chromium)"
    server = AppServer()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.goto(server.url)
            wait_for_app(page)
            hover_small = _hover_ms(page)
            preset_small, pad_small = _preset_ms(page), _pad_edit_ms(page)
            page.get_by_role("radio", name="Slide the filter").click(force=True)
            wait_for_app(page)
            rates = {speed: _play_rate(page, speed, 4.0 if speed < 4 else 2.0) for speed in (2, 8, 20)}
            next_click, next_key = _next_ms(page)
            page.get_by_role("radio", name="Inspect a pixel").click(force=True)
            wait_for_app(page)
            page.get_by_role("radio", name="Photos").click(force=True)
            wait_for_app(page)
            hover_photo = _hover_ms(page)
            preset_photo, pad_photo = _preset_ms(page), _pad_edit_ms(page)
            _upload_full_size(page, encoded("JPEG", seed=3))
            hover_12mp = _hover_ms(page)
            browser.close()
    finally:
        server.stop()
    rows = [
        ["hover -> window, products and sum painted, 28x28 (26x26 output)", hover_small, HOVER_BUDGET_MS],
        ["hover -> the same, 512x512 photo (its 16x16 zoom region)", hover_photo, HOVER_BUDGET_MS],
        ["hover -> the same, 12 MP photo at full size (its zoom region)", hover_12mp, HOVER_BUDGET_MS],
        ["preset chosen -> all pictures updated, 28x28", preset_small, CHANGE_BUDGET_MS],
        ["preset chosen -> all pictures updated, 512x512", preset_photo, CHANGE_BUDGET_MS],
        ["filter pad click (one committed edit) -> all pictures updated, 28x28", pad_small, CHANGE_BUDGET_MS],
        [
            "filter pad click (one committed edit) -> all pictures updated, 512x512",
            pad_photo,
            CHANGE_BUDGET_MS,
        ],
        ["stepper Next button -> next step painted", next_click, NEXT_BUDGET_MS],
        ["stepper → key -> next step painted", next_key, NEXT_BUDGET_MS],
    ]
    timing = table(
        ["in the browser (median)", "ms", "budget (ms)", "within"],
        [[label, f"{ms:.1f}", budget, verdict(ms, budget)] for label, ms, budget in rows],
    )
    playing = table(
        ["stepper playing", "steps/s achieved", "label", "within 10%"],
        [
            [f"{speed} steps/s", f"{rate:.2f}", speed, "yes" if abs(rate - speed) <= 0.1 * speed else "NO"]
            for speed, rate in rates.items()
        ],
    )
    return timing + "\n\n" + playing
