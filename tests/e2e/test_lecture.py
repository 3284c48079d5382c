"""The lecture told as a teacher tells it, from a fresh load, in at most 10 clicks or keys.

Beat 1: the pixel of 192, its neighbours times the filter, summed to 1009. Beat 2: one filter
makes vertical lines pop out, the other horizontal ones. Beat 3: 2 x 2 max pooling keeps the
biggest of four, 16 pixels become 4. For each beat the key numbers must be inside the viewport
without the teacher scrolling, and (on a projector and a laptop) drawn at least 24 px tall, the
sum at least 28 px: sizes measured on the rendered text (its line boxes, ``Range.getClientRects``),
not read from the CSS. Run at 1920 x 1080 (projector), 1366 x 768 (laptop) and 390 x 844 (phone);
the screenshots of every beat are saved in ``tests/e2e/screenshots/``.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from filters import PRESETS
from filters.drawing import output_shading, render_channels
from filters.numbers import format_value, format_values
from filters.pooling import pool_steps
from filters.presets import LECTURE_POOLING_GRID
from filters.stepping import pool_text
from filters.walkthrough import walk_pixel
from tests.e2e.helpers import SCREENSHOTS, core_result, sample_pixels, wait_for_app

pytestmark = pytest.mark.e2e

SIZES = {"projector": (1920, 1080), "laptop": (1366, 768), "phone": (390, 844)}
NUMBER_PX = {"projector": 24, "laptop": 24, "phone": 20}
SUM_PX = {"projector": 28, "laptop": 28, "phone": 24}
MAX_ACTIONS = 10

TEXT_HEIGHTS = """element => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return Array.from(range.getClientRects(), (rect) => rect.height).filter((h) => h > 0);
}"""
INSIDE = """element => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.top >= 0 && box.left >= 0
        && box.bottom <= window.innerHeight + 0.5 && box.right <= window.innerWidth + 0.5;
}"""


class Teacher:
    """Clicks and keys on one page, counted: a teacher's actions in front of the class."""

    def __init__(self, page: Page, size: str) -> None:
        self.page, self.size, self.actions = page, size, 0

    def click(self, locator: Locator) -> None:
        self.actions += 1
        locator.click()
        wait_for_app(self.page)

    def press(self, key: str) -> None:
        self.actions += 1
        self.page.keyboard.press(key)

    def shows(self, locator: Locator, px: int) -> None:
        """Every number in ``locator`` is in the viewport, unscrolled by the test, and ``px`` tall or more."""
        for index in range(locator.count()):
            element = locator.nth(index)
            assert element.evaluate(INSIDE), f"{element.inner_text()!r} is outside the viewport"
            heights = element.evaluate(TEXT_HEIGHTS)
            assert heights and min(heights) >= px, f"{element.inner_text()!r} is {heights} px tall"

    def screenshot(self, beat: str) -> None:
        self.page.mouse.move(2, self.page.viewport_size["height"] - 2)  # no tooltip over the class's view
        self.page.screenshot(path=str(SCREENSHOTS / f"lecture_{self.size}_{beat}.png"))


@pytest.fixture(params=list(SIZES))
def teacher(browser, app_server, request):
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(app_server.url)
    wait_for_app(page)
    yield Teacher(page, request.param)
    assert page.locator('[data-testid="stException"]').count() == 0, "the page shows a traceback"
    context.close()


def grid(page: Page, index: int) -> Locator:
    return page.locator(".ex-grid").nth(index)


def test_the_lecture_in_three_beats(teacher):
    page, size = teacher.page, teacher.size
    number_px, sum_px = NUMBER_PX[size], SUM_PX[size]

    # Beat 1: the lecture's pixel of 192 and its sum, term by term.
    teacher.click(page.get_by_text("Projector mode", exact=True))
    teacher.click(page.get_by_role("button", name="The lecture's example"))
    result = core_result(
        sample_pixels("lecture/lecture.png"), "lecture_example", padding="same", mapping="signed"
    )
    walk = walk_pixel(result, 1, 1)
    assert walk.final_text == "1009" and walk.sum_line.startswith("0 × -1 + 64 × 0 + 128 × -2")
    expect(page.locator(".ex-sum")).to_have_text(f"Sum of the nine products: {walk.sum_line}")
    expect(page.locator(".ex-heading")).to_have_text("Output pixel (row 1, column 1) = 1009 (pinned)")
    page.wait_for_timeout(400)  # the reveal scroll, if the screen is short
    teacher.shows(page.locator(".ex-sum"), sum_px)
    teacher.shows(page.locator(".ex-heading"), number_px)
    small = page.locator(".ex-small-grid")
    explanation = walk.explanation
    for index, values in enumerate((explanation.window, explanation.kernel, explanation.products)):
        cells = small.nth(index).locator(".ex-small-cell")
        assert cells.all_inner_texts() == format_values(values).ravel().tolist()
        teacher.shows(cells, number_px)
    output = grid(page, 1).locator(".ex-cell")
    assert output.all_inner_texts() == format_values(result.mapped()).ravel().tolist()
    if size != "phone":  # beside its explanation; on a phone the grid sits above it
        teacher.shows(output.nth(1 * 4 + 1), number_px)
    teacher.screenshot("1_sum")

    # Beat 2: vertical lines pop out under one filter, horizontal ones under the other.
    teacher.click(page.get_by_role("radio", name="Photos"))
    teacher.click(page.get_by_role("radio", name="Vertical vs horizontal edges"))
    ascent = sample_pixels("photos/ascent.png")
    pictures = page.locator(".st-key-edges_view [data-testid='stImage'] img")
    expect(pictures).to_have_count(3)
    page.wait_for_function(
        "() => [...document.querySelectorAll('.st-key-edges_view img')]"
        ".every((image) => image.complete && image.naturalWidth)"
    )
    page.wait_for_timeout(300)
    tops = []
    for index, preset in ((1, "vertical_edges"), (2, "horizontal_edges")):
        picture = pictures.nth(index)
        assert picture.evaluate(INSIDE), f"the {preset} picture is outside the viewport"
        tops.append(picture.bounding_box()["y"])
        core = core_result(ascent, preset, padding="same", mapping="signed")
        drawn = render_channels([core.mapped], core.output_shape, output_shading(core.mapping)).image
        shown = page.request.get(picture.get_attribute("src")).body()
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(shown)).convert("RGB")), drawn)
    assert abs(tops[0] - tops[1]) < 1, "the two results are side by side"
    expect(page.get_by_text(f"{PRESETS['vertical_edges'].name} · 512 x 512")).to_be_visible()
    teacher.screenshot("2_edges")

    # Beat 3: 2 x 2 max pooling, the lecture's 16 pixels into 4, one clicker key at a time.
    teacher.click(page.get_by_role("radio", name="Pool step by step"))
    values = grid(page, 0).locator(".ex-cell")
    assert values.all_inner_texts() == format_values(LECTURE_POOLING_GRID).ravel().tolist()
    steps = list(pool_steps(LECTURE_POOLING_GRID))
    for _ in range(2):
        teacher.press("PageDown")
    third = steps[2]
    expect(page.locator(".ex-position")).to_contain_text(
        "Step 3 of 4: the 2 x 2 window at rows 2–3, columns 0–1"
    )
    expect(page.locator(".ex-sum")).to_have_text(pool_text(third, "max"))  # max(142, 226, 255, 0) = 255
    page.wait_for_timeout(300)
    teacher.shows(page.locator(".ex-sum"), sum_px)
    window = [values.nth(index) for index in (8, 9, 12, 13)]  # rows 2-3, columns 0-1
    for cell in window:
        teacher.shows(cell, number_px)
    assert [cell.inner_text() for cell in window] == ["142", "226", "255", "0"]
    for outline in (".ex-window", ".ex-chosen"):
        assert grid(page, 0).locator(outline).evaluate(INSIDE), f"{outline} is outside the viewport"
    pooled = grid(page, 1).locator(".ex-cell")
    expect(pooled.nth(2)).to_have_text(format_value(third.value))
    teacher.shows(pooled.nth(2), number_px)
    assert grid(page, 1).locator(".ex-current").evaluate(INSIDE)
    teacher.screenshot("3_pooling")

    assert teacher.actions <= MAX_ACTIONS
