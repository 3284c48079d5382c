"""In a real browser: click a pixel of the filtered image and the inspector explains that pixel."""

import re

from playwright.sync_api import expect

from filters import PRESETS, apply_filter, format_value
from filters.images import decode_image, to_grayscale
from filters.samples import DEFAULT_SAMPLE, SAMPLE_DIR
from tests.e2e.helpers import click_cell, wait_for_app


def default_output():
    path = SAMPLE_DIR / DEFAULT_SAMPLE
    pixels = to_grayscale(decode_image(path.read_bytes(), path.name).rgb)
    return apply_filter(pixels, PRESETS["vertical_edges"].values).mapped()


def test_first_load_shows_the_three_grids_and_their_sizes(page):
    expect(page.get_by_text("28 x 28 → 26 x 26 → 13 x 13")).to_be_visible()
    expect(page.get_by_text("Original · 28 x 28")).to_be_visible()
    expect(page.get_by_text("Filtered (clip to 0..255) · 26 x 26")).to_be_visible()
    expect(page.get_by_text("Max pooled 2 x 2 · 13 x 13")).to_be_visible()
    assert page.foreign_requests == []


def test_clicking_a_pixel_shows_it_in_the_inspector(page):
    output = default_output()
    for row, col in [(3, 9), (12, 20), (25, 0)]:
        click_cell(page, row, col, 26, 26)
        heading = page.get_by_role("heading", name=re.compile(r"Output pixel \(row \d+, column \d+\)"))
        expect(heading).to_have_text(
            f"Output pixel (row {row}, column {col}) = {format_value(output[row, col])} (pinned)"
        )
        expect(page.get_by_label("Row (0 = top)")).to_have_value(str(row))
        expect(page.get_by_label("Column (0 = left)")).to_have_value(str(col))


def test_arrow_buttons_move_the_inspected_pixel(page):
    output = default_output()
    click_cell(page, 10, 10, 26, 26)
    page.get_by_role("button", name="→").click()
    wait_for_app(page)
    page.get_by_role("button", name="↓").click()
    wait_for_app(page)
    heading = page.get_by_role("heading", name=re.compile(r"Output pixel"))
    expect(heading).to_have_text(
        f"Output pixel (row 11, column 11) = {format_value(output[11, 11])} (pinned)"
    )
