"""The explorer and the filter pad in a real browser: every number they show is the core's.

Hovering, the keyboard and pinning ("Inspect a pixel"), the steppers playing in the browser
("Slide the filter", "Pool step by step"), and drawing the filter. Every text the explorer
writes is checked against ``walk_pixel`` / ``pool_text`` at many pixels of several images and
filters (negatives, fractions, a weight), and its formatter against ``format_value`` on
thousands of values.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from filters.numbers import format_value, format_values
from filters.pooling import pool_steps
from filters.presets import LECTURE_POOLING_GRID
from filters.stepping import pool_text
from filters.walkthrough import walk_pixel
from tests.e2e.helpers import (
    choose_option,
    choose_preset,
    click_radio,
    core_result,
    inspect_pixel,
    inspector_heading,
    sample_pixels,
    wait_for_app,
)

pytestmark = pytest.mark.e2e
FORMAT_JS = Path(__file__).resolve().parents[2] / "views" / "components" / "format.js"


def grid(page: Page, index: int):
    """The explorer's grids: 0 the input (or the values pooled), 1 the output (or the pooled grid)."""
    return page.locator(".ex-grid").nth(index)


def output_cell(page: Page, row: int, col: int, cols: int):
    return grid(page, 1).locator(".ex-cell").nth(row * cols + col)


def expect_walkthrough(
    page: Page, result, row: int, col: int, pinned: bool = False, note: str = "", view: str = "inspect"
) -> None:
    """The explorer's heading, three small grids and four lines are the core's, for (row, col); in the
    inspector the heading says whether the pixel is the pinned one or the one under the pointer."""
    walk = walk_pixel(result, row, col)
    label = " (pinned)" if pinned else " (hovered)" if view == "inspect" else ""
    heading = f"Output pixel (row {row}, column {col}){note} = {walk.final_text}{label}"
    expect(page.locator(".ex-heading")).to_have_text(heading)
    expect(page.locator(".ex-sum")).to_have_text(f"Sum of the nine products: {walk.sum_line}")
    expect(page.locator(".ex-weight")).to_have_text(f"× weight: {walk.weight_line}")
    expect(page.locator(".ex-mapping")).to_have_text(f"Output mapping: {walk.mapping_line}")
    small = page.locator(".ex-small-grid")
    explanation = walk.explanation
    for index, values in enumerate((explanation.window, explanation.kernel, explanation.products)):
        assert (
            small.nth(index).locator(".ex-small-cell").all_inner_texts()
            == format_values(values).ravel().tolist()
        )
    pooled = result.pooled
    if row // 2 < pooled.shape[0] and col // 2 < pooled.shape[1]:
        expect(page.locator(".ex-pooled")).to_contain_text(f"= {format_value(pooled[row // 2, col // 2])}.")
    spoken = page.locator(".ex-spoken")
    expect(spoken).to_have_attribute("aria-live", "polite")
    expect(spoken).to_contain_text(walk.sum_line)


def test_the_browsers_formatter_writes_thousands_of_values_as_the_core_does(page):
    rng = np.random.default_rng(11)
    values = [
        *rng.uniform(-2000, 2000, 3000),
        *(k / 1000 for k in range(-2000, 2001)),  # every third decimal: ties at .xx5 included
        *(k + 0.005 for k in range(-60, 60)),
        *(k + 0.5 for k in range(-30, 30)),
        *(rng.integers(-1020, 1021, 500) * rng.choice([0.5, 0.25, 1 / 9, 1 / 16, 0.1, 0.3, 1 / 7], 500)),
        *(10.0 ** rng.uniform(-9, -2, 1000) * rng.choice([-1, 1], 1000)),  # below 0.005: never "0"
        *(k / 100000 for k in range(-600, 601)),
        *(
            1e9 + 0.5,
            2e9 + 0.5,
            1e-7,
            -1e-7,
            0.0,
            -0.0,
            1e20,
            -3.3e15,
            0.125,
            2.675,
            1.005,
            -1.005,
            1 / 3,
            -2 / 3,
        ),
    ]
    values = [float(value) for value in values]
    written = page.evaluate(
        f"(values) => {{ {FORMAT_JS.read_text()}; return values.map(formatValue); }}", values
    )
    wrong = [
        (value, format_value(value), text)
        for value, text in zip(values, written, strict=True)
        if text != format_value(value)
    ]
    assert len(values) > 7500 and wrong == []


@pytest.mark.parametrize("preset", ["vertical_edges", "lecture_example", "box_blur", "sharpen"])
def test_hovering_shows_the_cores_walkthrough_of_every_pixel_visited(page, preset):
    if preset != "vertical_edges":
        choose_preset(page, preset)
    result = core_result(sample_pixels(), preset)
    rows, cols = result.output_shape
    assert (
        grid(page, 1).locator(".ex-cell").all_inner_texts() == format_values(result.mapped()).ravel().tolist()
    )
    inputs = grid(page, 0).locator(".ex-cell").all_inner_texts()
    assert inputs == format_values(result.image).ravel().tolist()
    rng = np.random.default_rng(len(preset))
    for row, col in rng.integers(0, [rows, cols], size=(12, 2)).tolist():
        output_cell(page, row, col, cols).hover()
        expect_walkthrough(page, result, row, col, pinned=(row, col) == result.strongest)
    # An input pixel stands for the output pixel whose window it centres.
    grid(page, 0).locator(".ex-cell").nth(6 * (cols + 2) + 9).hover()
    expect_walkthrough(page, result, 5, 8)


def test_a_photos_zoom_region_with_signed_sums_and_a_weight(page):
    """Ascent at 512 x 512: the explorer holds the 16 x 16 region around the pixel; negatives, fractions."""
    page.get_by_role("radio", name="Photos").click()
    wait_for_app(page)
    choose_option(page, "Output mapping", "Raw signed sums")
    choose_preset(page, "emboss")
    page.get_by_label("Weight", exact=True).fill("0.3")
    page.get_by_label("Weight", exact=True).press("Enter")
    wait_for_app(page)
    inspect_pixel(page, 200, 300)
    result = core_result(sample_pixels("photos/ascent.png"), "emboss", weight=0.3, mapping="signed")
    assert grid(page, 1).locator(".ex-cell").count() == 16 * 16
    rng = np.random.default_rng(3)
    for local_row, local_col in rng.integers(0, 16, size=(10, 2)).tolist():
        output_cell(page, local_row, local_col, 16).hover()
        expect_walkthrough(page, result, 192 + local_row, 292 + local_col)
    assert any(walk_pixel(result, 192 + r, 292 + c).raw_value < 0 for r in range(16) for c in range(16))


def test_the_keyboard_moves_and_enter_pins_for_the_server_inspector(page):
    result = core_result(sample_pixels())
    rows, cols = result.output_shape
    output = grid(page, 1)
    output.focus()
    row, col = result.strongest
    expect_walkthrough(page, result, row, col, pinned=True)
    for key, (d_row, d_col) in (("ArrowDown", (1, 0)), ("ArrowRight", (0, 1)), ("ArrowRight", (0, 1))):
        output.press(key)
        row, col = min(rows - 1, row + d_row), min(cols - 1, col + d_col)
        expect_walkthrough(page, result, row, col)
    output.press("Enter")
    wait_for_app(page)
    expect(inspector_heading(page)).to_contain_text(f"(row {row}, column {col})")
    expect_walkthrough(page, result, row, col, pinned=True)


def test_leaving_the_grid_goes_back_to_the_pinned_pixel_and_a_click_pins(page):
    result = core_result(sample_pixels())
    cols = result.output_shape[1]
    output_cell(page, 3, 4, cols).hover()
    expect_walkthrough(page, result, 3, 4)
    page.mouse.move(5, 5)
    expect_walkthrough(page, result, *result.strongest, pinned=True)
    output_cell(page, 10, 11, cols).click()
    wait_for_app(page)
    expect(inspector_heading(page)).to_contain_text("(row 10, column 11)")
    expect_walkthrough(page, result, 10, 11, pinned=True)


# ---- The steppers, played in the browser --------------------------------------------------------------


def step_line(page: Page):
    return page.locator(".ex-position")


def slide_line(result, step: int) -> str:
    rows, cols = result.output_shape
    row, col = divmod(step - 1, cols)
    walk = walk_pixel(result, row, col)
    (top, bottom), (left, right) = walk.window_rows, walk.window_cols
    return (
        f"Step {step} of {rows * cols}: the window on input rows {top} to {bottom}, "
        f"columns {left} to {right} gives output pixel (row {row}, column {col}) = {walk.final_text}"
    )


def test_slide_the_filter_steps_scrubs_plays_and_pauses_without_the_server(page):
    result = core_result(sample_pixels())
    click_radio(page, "Slide the filter")
    expect(step_line(page)).to_have_text(slide_line(result, 1))
    sent = []  # messages to the server from here on (a fresh session, watched from its start)
    url = page.url
    page = page.context.new_page()
    page.on("websocket", lambda socket: socket.on("framesent", lambda payload: sent.append(payload)))
    page.goto(url)
    wait_for_app(page)
    click_radio(page, "Slide the filter")
    expect(step_line(page)).to_have_text(slide_line(result, 1))
    page.wait_for_timeout(500)
    before = len(sent)
    assert before > 0, "the websocket watcher saw nothing"
    for _ in range(3):
        page.get_by_role("button", name="Next", exact=False).click()
    expect(step_line(page)).to_have_text(slide_line(result, 4))
    assert len(sent) == before, "a step made a round trip to the server"
    expect_walkthrough(page, result, 0, 3, view="slide")
    # Once the stepper rests, it tells the server its step (one message), for the page's link.
    expect(page).to_have_url(re.compile(r"[?&]step=3(&|$)"))
    wait_for_app(page)
    assert len(sent) == before + 1
    before = len(sent)
    page.get_by_role("button", name="End", exact=True).click()
    expect(step_line(page)).to_have_text(slide_line(result, 676))
    assert (
        grid(page, 1).locator(".ex-cell").all_inner_texts() == format_values(result.mapped()).ravel().tolist()
    )
    page.get_by_role("button", name="Start", exact=True).click()
    filled = grid(page, 1).locator(".ex-cell").all_inner_texts()
    assert filled[0] == format_value(result.mapped()[0, 0]) and set(filled[1:]) == {""}  # not reached yet

    scrub = page.get_by_role("slider", name="Step")
    scrub.fill("300")
    expect(step_line(page)).to_have_text(slide_line(result, 300))
    grid(page, 0).focus()
    for key in ("ArrowRight", "PageDown", "ArrowLeft"):
        grid(page, 0).press(key)
    expect(step_line(page)).to_have_text(slide_line(result, 301))
    grid(page, 0).press("Home")
    expect(step_line(page)).to_have_text(slide_line(result, 1))

    page.get_by_label("Speed").select_option("20")
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Pause", exact=True).click()
    paused_at = int(step_line(page).inner_text().split()[1])
    assert 15 <= paused_at <= 27, f"20 steps/s for 1 s reached step {paused_at}"
    time.sleep(0.5)
    expect(step_line(page)).to_have_text(slide_line(result, paused_at))
    # Stepping, scrubbing and playing sent the server only the steps it rested on (at most one a second).
    expect(page).to_have_url(re.compile(rf"[?&]step={paused_at - 1}(&|$)"))
    assert len(sent) - before <= 6


def test_pool_step_by_step_on_the_image_and_the_lecture_example(page):
    result = core_result(sample_pixels())
    steps = list(pool_steps(result.mapped()))
    click_radio(page, "Pool step by step")
    page.get_by_role("button", name="Next", exact=False).click()
    second = steps[1]
    expect(step_line(page)).to_have_text(
        f"Step 2 of {len(steps)}: the 2 x 2 window at rows 0–1, columns 2–3 → pooled cell "
        f"(row {second.out_row}, column {second.out_col}): {pool_text(second, 'max')}"
    )
    page.get_by_role("button", name="Lecture example: 16 pixels into 4").click()
    wait_for_app(page)
    lecture_steps = list(pool_steps(LECTURE_POOLING_GRID))
    values = grid(page, 0).locator(".ex-cell").all_inner_texts()
    assert values == format_values(LECTURE_POOLING_GRID).ravel().tolist()
    for number, step in enumerate(lecture_steps, start=1):
        if number > 1:
            grid(page, 0).press("PageDown")  # a presentation clicker's key
        expect(step_line(page)).to_contain_text(f"Step {number} of 4:")
        expect(step_line(page)).to_contain_text(pool_text(step, "max"))
        expect(page.locator(".ex-heading")).to_have_text(
            f"Pooled cell (row {step.out_row}, column {step.out_col}) = {format_value(step.value)}"
        )
    assert grid(page, 1).locator(".ex-cell").all_inner_texts() == ["192", "144", "255", "168"]


# ---- Drawing the filter ----------------------------------------------------------------------------------


def pad_cell(page: Page, index: int):
    return page.locator(".fp-cell").nth(index)


def test_the_filter_pad_changes_the_filter_one_rerun_per_edit(page):
    expect(pad_cell(page, 0)).to_have_attribute("aria-valuenow", "-1")
    box = pad_cell(page, 0).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.2)  # upper half: +1
    wait_for_app(page)
    expect(pad_cell(page, 0)).to_have_attribute("aria-valuenow", "0")
    kernel = np.array([[0, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
    result = core_result(sample_pixels(), kernel=kernel)
    row, col = result.strongest
    output_cell(page, row, col, 26).hover()
    expect_walkthrough(page, result, row, col, pinned=True)

    # A drag of 5 steps down is one edit: the cell shows it pending, then the picture follows once.
    box = pad_cell(page, 4).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for dy in range(1, 61, 6):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2 + dy)
    expect(pad_cell(page, 4)).to_have_class("fp-cell fp-pending")
    page.mouse.up()
    wait_for_app(page)
    expect(pad_cell(page, 4)).to_have_attribute("aria-valuenow", "-5")

    # Typing: Enter opens a box in the focused cell.
    pad_cell(page, 8).focus()
    pad_cell(page, 8).press("Enter")
    page.locator(".fp-input").fill("0.25")
    page.locator(".fp-input").press("Enter")
    wait_for_app(page)
    expect(pad_cell(page, 8)).to_have_attribute("aria-valuenow", "0.25")
    kernel = np.array([[0, 0, 1], [-2, -5, 2], [-1, 0, 0.25]])
    result = core_result(sample_pixels(), kernel=kernel)
    output_cell(page, 7, 9, 26).hover()
    expect_walkthrough(page, result, 7, 9)
