"""The hover grid: the walkthrough of the pixel under the pointer, shown in the browser with no round trip.

Every text the component shows is checked against the core's ``walk_pixel`` for the
same pixel, on several filters (negatives, fractions, a weight), by mouse and by keyboard.
"""

from __future__ import annotations

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from filters.numbers import format_values
from filters.walkthrough import walk_pixel
from tests.e2e.helpers import choose_preset, core_result, inspector_heading, sample_pixels, wait_for_app

pytestmark = pytest.mark.e2e


def cell(page: Page, row: int, col: int, cols: int):
    return page.locator(".hg-cell").nth(row * cols + col)


def expect_walkthrough(page: Page, result, row: int, col: int, pinned: bool = False) -> None:
    """The component's heading, three grids and three lines are the core's, for (row, col)."""
    walk = walk_pixel(result, row, col)
    heading = f"Output pixel (row {row}, column {col}) = {walk.final_text}" + (" (pinned)" if pinned else "")
    expect(page.locator(".hg-heading")).to_have_text(heading)
    expect(page.locator(".hg-sum")).to_have_text(f"Sum of the nine products: {walk.sum_line}")
    expect(page.locator(".hg-weight")).to_have_text(f"× weight: {walk.weight_line}")
    expect(page.locator(".hg-mapping")).to_have_text(f"Output mapping: {walk.mapping_line}")
    small = page.locator(".hg-small-grid")
    explanation = walk.explanation
    for index, values in enumerate((explanation.window, explanation.kernel, explanation.products)):
        texts = small.nth(index).locator(".hg-small-cell").all_inner_texts()
        assert texts == format_values(values).ravel().tolist()


@pytest.mark.parametrize("preset", ["vertical_edges", "lecture_example", "box_blur", "sharpen"])
def test_hovering_shows_the_cores_walkthrough_of_every_pixel_visited(page, preset):
    if preset != "vertical_edges":
        choose_preset(page, preset)
    result = core_result(sample_pixels(), preset)
    rows, cols = result.output_shape
    grid_labels = page.locator(".hg-cell").all_inner_texts()
    assert grid_labels == format_values(result.mapped()).ravel().tolist()
    rng = np.random.default_rng(len(preset))
    for row, col in rng.integers(0, [rows, cols], size=(12, 2)).tolist():
        cell(page, row, col, cols).hover()
        expect_walkthrough(page, result, row, col, pinned=(row, col) == result.strongest)


def test_the_keyboard_moves_and_enter_pins_for_the_server_inspector(page):
    result = core_result(sample_pixels())
    rows, cols = result.output_shape
    grid = page.locator(".hg-grid")
    grid.focus()
    row, col = result.strongest
    expect_walkthrough(page, result, row, col, pinned=True)
    for key, (d_row, d_col) in (("ArrowDown", (1, 0)), ("ArrowRight", (0, 1)), ("ArrowRight", (0, 1))):
        grid.press(key)
        row, col = min(rows - 1, row + d_row), min(cols - 1, col + d_col)
        expect_walkthrough(page, result, row, col)
    grid.press("Enter")
    wait_for_app(page)
    expect(inspector_heading(page)).to_contain_text(f"(row {row}, column {col})")
    expect_walkthrough(page, result, row, col, pinned=True)


def test_leaving_the_grid_goes_back_to_the_pinned_pixel_and_a_click_pins(page):
    result = core_result(sample_pixels())
    cols = result.output_shape[1]
    cell(page, 3, 4, cols).hover()
    expect_walkthrough(page, result, 3, 4)
    page.mouse.move(5, 5)
    expect_walkthrough(page, result, *result.strongest, pinned=True)
    cell(page, 10, 11, cols).click()
    wait_for_app(page)
    expect(inspector_heading(page)).to_contain_text("(row 10, column 11)")
    expect_walkthrough(page, result, 10, 11, pinned=True)


def test_big_images_have_no_hover_grid_and_keep_their_clickable_picture(page):
    page.get_by_role("radio", name="Photos").click()
    wait_for_app(page)
    expect(page.locator(".hg-grid")).to_have_count(0)
    expect(page.get_by_text("click a pixel to see its sum", exact=False)).to_be_visible()
