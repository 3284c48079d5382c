"""Helpers for the browser tests: waiting for Streamlit, finding widgets, clicking grid cells."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from filters import PRESETS, FilterResult, apply_filter, format_value
from filters.walkthrough import walk_pixel
from tests.pixels import sample_pixels, upload_pixels  # noqa: F401  (the browser tests import them from here)

PICKER = "img.pick-image"
"""The clickable filtered image (views/pick_image.py)."""


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the script has finished running and the page shows its results."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_selector('[data-testid="stImage"]', timeout=timeout)
    page.wait_for_timeout(300)
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout)


def click_cell(page: Page, row: int, col: int, grid_rows: int, grid_cols: int) -> None:
    """Click the middle of cell (row, col) of the clickable filtered grid, wherever the page put it."""
    image = page.locator(PICKER)
    expect(image).to_be_visible()
    box = image.bounding_box()
    cell_width, cell_height = box["width"] / grid_cols, box["height"] / grid_rows
    image.click(position={"x": (col + 0.5) * cell_width, "y": (row + 0.5) * cell_height})
    wait_for_app(page)


# ---- Shared sessions, widgets and the core's expectations (user paths, uploads, hostile input) ----

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
VIEWPORT = {"width": 1600, "height": 2400}
HEADING = re.compile(r"Output pixel \(row (\d+), column (\d+)\)")
CHANNELS = ("red", "green", "blue")


def watch_foreign_requests(page: Page, base_url: str) -> None:
    """Collect in ``page.foreign_requests`` every request that leaves the app (as the page fixture does)."""
    page.foreign_requests = []
    page.on(
        "request",
        lambda request: (
            page.foreign_requests.append(request.url)
            if not request.url.startswith((base_url, "data:", "blob:"))
            else None
        ),
    )


@contextmanager
def app_session(browser, base_url: str, path: str = "", **context_options) -> Iterator[Page]:
    """A fresh browser session on the app's first view (``base_url + path``), closed afterwards;
    ``context_options`` go to Playwright's ``new_context`` (``color_scheme="dark"``, ...)."""
    context = browser.new_context(**{"viewport": VIEWPORT, **context_options})
    try:
        page = context.new_page()
        watch_foreign_requests(page, base_url)
        page.goto(base_url + path)
        wait_for_app(page)
        yield page
    finally:
        context.close()


def screenshot_and_check(page: Page, name: str) -> None:
    """Save ``screenshots/<name>.png`` and fail if the page shows a traceback (as the page fixture does)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0, "the page shows a traceback"


class SharedSessions:
    """Browser sessions shared by the tests of one module, one per name, opened on first use.

    For tests that do not need a fresh session: each test still gets its own
    screenshot and traceback check through ``use``.
    """

    def __init__(self, browser, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self._pages: dict[str, Page] = {}
        self._closing = ExitStack()

    def get(self, name: str, setup: Callable[[Page], None] | None = None) -> Page:
        """The session ``name``; ``setup(page)`` runs once, when it is opened."""
        if name not in self._pages:
            page = self._closing.enter_context(app_session(self.browser, self.base_url))
            if setup is not None:
                setup(page)
            self._pages[name] = page
        return self._pages[name]

    def use(self, name: str, request, setup: Callable[[Page], None] | None = None) -> Iterator[Page]:
        """Fixture body: yield the session ``name``, then screenshot it under the test's name."""
        page = self.get(name, setup)
        yield page
        screenshot_and_check(page, request.node.name)

    def close(self) -> None:
        self._closing.close()
        self._pages.clear()


def sidebar(page: Page):
    return page.locator('[data-testid="stSidebar"]')


def image_block(page: Page):
    """The image pickers at the top of the page: samples, uploader, "Showing ..." and its messages."""
    return page.locator(".st-key-image_source")


def choose_option(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the selectbox labelled ``label``: open it, click the option in the list."""
    page.get_by_role("combobox", name=label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("combobox", name=label, exact=True)).to_have_value(option)


def choose_preset(page: Page, key: str) -> None:
    choose_option(page, "Preset", PRESETS[key].name)


def click_radio(page: Page, name: str | re.Pattern) -> None:
    """Click a radio button or a segmented-control button (both have role "radio").

    A radio's input is hidden behind its label, so the label is what gets clicked.
    """
    radio = page.get_by_role("radio", name=name, exact=True)
    if radio.evaluate("element => element.tagName") == "INPUT":
        radio = radio.locator("xpath=ancestor::label[1]")
    radio.click()
    wait_for_app(page)


def type_into(page: Page, label: str, text: str) -> None:
    """Replace the text of the input labelled ``label`` and press Enter."""
    box = page.get_by_role("textbox", name=label, exact=True)
    box.fill(text)
    box.press("Enter")
    wait_for_app(page)


def kernel_editor(page: Page):
    """The filter's 3x3 editor (a glide-data-grid canvas with an accessible table behind it)."""
    return page.locator('[data-testid="stDataFrame"]').filter(has=page.locator('th:text-is("middle")'))


def edit_kernel_cell(page: Page, row: int, col: int, text: str) -> None:
    """Type ``text`` into filter cell (row, col) (0-based, without the index column) and press Enter.

    The grid is drawn on a canvas: a header row over 3 rows, and an index column
    (about 18% of the width) before the 3 value columns. A click selects the cell, a
    double-click opens its editor. The grid's accessible table must then show ``text``.
    """
    canvas = kernel_editor(page).locator("canvas").first
    box = canvas.bounding_box()
    index_share = 0.18
    x = box["x"] + box["width"] * (index_share + (col + 0.5) * (1 - index_share) / 3)
    y = box["y"] + box["height"] * (row + 1.5) / 4
    cell_input = page.locator(".gdg-input")
    cell = kernel_editor(page).get_by_test_id(f"glide-cell-{col + 1}-{row}")
    for _ in range(3):
        # The click moves the focus to the grid first: a widget losing it may rerun the page,
        # and a rerun that lands while the editor is open can close it and drop the text.
        page.mouse.click(x, y)
        wait_for_app(page)
        page.mouse.dblclick(x, y)
        try:
            cell_input.wait_for(state="visible", timeout=3000)
        except PlaywrightTimeoutError:
            continue
        cell_input.fill(text)
        cell_input.press("Enter")
        wait_for_app(page)
        if cell.inner_text() == text:
            break
    expect(cell).to_have_text(text)


def inspector_heading(page: Page):
    return page.get_by_role("heading", name=HEADING)


def inspected_pixel(page: Page) -> tuple[int, int]:
    """The (row, column) the inspector heading names."""
    heading = inspector_heading(page)
    expect(heading).to_be_visible()
    match = HEADING.search(heading.inner_text())
    return int(match[1]), int(match[2])


def inspect_pixel(page: Page, row: int, col: int) -> None:
    """Select output pixel (row, col) by typing it into the inspector's Row and Column boxes."""
    for label, value in (("Row (0 = top)", row), ("Column (0 = left)", col)):
        box = page.get_by_label(label, exact=True)
        box.fill(str(value))
        box.press("Enter")
        wait_for_app(page)
    expect(inspector_heading(page)).to_contain_text(f"(row {row}, column {col})")


def sum_of_products(page: Page):
    """The code line of the sum written out term by term (inspector and sliding stepper)."""
    return page.locator("p", has_text="Sum of the nine products").locator("code")


def noise_png(seed: int, size: tuple[int, int]) -> bytes:
    """A PNG of ``size`` (width, height) colour noise, different for every seed: a student's own photo."""
    pixels = np.random.default_rng(seed).integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def core_result(pixels: np.ndarray, preset: str = "vertical_edges", **settings) -> FilterResult:
    """``apply_filter`` with a preset's values and weight; ``settings`` override kernel, weight, padding..."""
    settings.setdefault("kernel", PRESETS[preset].values)
    settings.setdefault("weight", PRESETS[preset].weight)
    kernel = settings.pop("kernel")
    return apply_filter(pixels, kernel, **settings)


def expect_inspector_shows(page: Page, result: FilterResult, channel: int | None = None) -> tuple[int, int]:
    """Check the inspector against the core at the pixel it names: heading value and the sum written out.

    Returns the inspected (row, column).
    """
    row, col = inspected_pixel(page)
    output = result.mapped()
    note = ""
    if channel is not None:
        output, note = output[..., channel], f" ({CHANNELS[channel]} channel)"
    expected = format_value(output[row, col])
    expect(inspector_heading(page)).to_have_text(
        f"Output pixel (row {row}, column {col}){note} = {expected} (pinned)"
    )
    expect(sum_of_products(page)).to_have_text(walk_pixel(result, row, col, channel or 0).sum_line)
    return row, col
