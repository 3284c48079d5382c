"""In a real browser: every path a user can take through the page, checked against the core's numbers.

Each expected value is computed here by the core (``filters``) from the same
image the app shows; nothing on screen is compared with a hand-typed guess.
Tests that only change what they check share one browser session per group.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

from filters import MAPPINGS, PRESETS, format_value, format_weight
from filters.describe import mapping_in_text
from filters.images import decode_image
from filters.samples import list_samples
from filters.stepping import strongest_pixel
from tests.e2e.helpers import (
    PICKER,
    choose_option,
    choose_preset,
    click_radio,
    core_result,
    edit_kernel_cell,
    expect_inspector_shows,
    image_block,
    inspect_pixel,
    inspector_heading,
    kernel_editor,
    sample_pixels,
    sidebar,
    type_into,
    wait_for_app,
)

BOOT = sample_pixels()  # the first view's image: Ankle boot 1, 28 x 28
SAMPLES = {sample.title: sample for group in list_samples().values() for sample in group}


@pytest.fixture
def filter_page(sessions, request):
    """One session for the filter section: presets, cell edits, weight (each test picks its preset)."""
    yield from sessions.use("filter", request)


@pytest.fixture
def same_padding_page(sessions, request):
    """One session switched to "same" padding once, for the padding, mapping and layout tests."""
    yield from sessions.use("same", request, setup=lambda page: click_radio(page, re.compile(r"^Same:")))


@pytest.fixture
def samples_page(sessions, request):
    yield from sessions.use("samples", request)


def unsaturated_pixel(raw: np.ndarray, where: np.ndarray | None = None) -> tuple[int, int]:
    """An output pixel whose raw sum is an odd number strictly between 0 and 255 (and ``where`` holds).

    Clipping leaves its value alone, so changing the filter or the weight shows.
    """
    wanted = (raw > 0) & (raw < 255) & (raw % 2 == 1)
    if where is not None:
        wanted &= where
    row, col = np.argwhere(wanted)[0]
    return int(row), int(col)


def sum_caption(page):
    return page.get_by_text(re.compile(r"^Sum of values: "))


# ---- First view --------------------------------------------------------------------------------------


def test_first_view_shows_sizes_and_the_strongest_pixel_explained(page):
    result = core_result(BOOT)
    expect(page.get_by_text("28 x 28 → 26 x 26 → 13 x 13", exact=False)).to_be_visible()
    expect(image_block(page).get_by_text("Showing Ankle boot 1, 28 x 28 pixels.")).to_be_visible()
    expect(page.get_by_role("combobox", name="Preset")).to_have_value(PRESETS["vertical_edges"].name)
    assert expect_inspector_shows(page, result) == strongest_pixel(result.mapped())
    assert page.foreign_requests == []


# ---- The filter --------------------------------------------------------------------------------------


@pytest.mark.parametrize("preset", list(PRESETS))
def test_each_preset_gives_the_cores_value_and_sum(filter_page, preset):
    page = filter_page
    choose_preset(page, preset)
    chosen = PRESETS[preset]
    expect(sum_caption(page)).to_have_text(
        f"Sum of values: {format_value(chosen.values.sum())} · weight {format_weight(chosen.weight)}"
    )
    expect(page.get_by_role("textbox", name="Weight", exact=True)).to_have_value(format_weight(chosen.weight))
    expect_inspector_shows(page, core_result(BOOT, preset))


def test_editing_a_cell_filters_with_the_typed_value_until_reset(filter_page):
    page = filter_page
    choose_preset(page, "vertical_edges")
    kernel = PRESETS["vertical_edges"].values.copy()
    kernel[2, 1] = -0.5  # typed as a fraction, bottom row, middle column
    before, after = core_result(BOOT), core_result(BOOT, kernel=kernel)
    row, col = unsaturated_pixel(before.raw, where=after.mapped() != before.mapped())
    inspect_pixel(page, row, col)
    expect_inspector_shows(page, before)

    edit_kernel_cell(page, 2, 1, "-1/2")
    assert expect_inspector_shows(page, after) == (row, col)
    expect(sum_caption(page)).to_have_text(f"Sum of values: {format_value(kernel.sum())} · weight 1")

    expect(page.get_by_role("combobox", name="Preset")).to_have_attribute(
        "placeholder", "Your own filter (edited)"
    )
    page.get_by_role("button", name=f"Reset to {PRESETS['vertical_edges'].name}").click()
    wait_for_app(page)
    expect(kernel_editor(page).get_by_test_id("glide-cell-2-2")).to_have_text("0")
    expect_inspector_shows(page, before)


def test_weight_one_half_halves_the_value(filter_page):
    page = filter_page
    choose_preset(page, "vertical_edges")
    full, half = core_result(BOOT), core_result(BOOT, weight=0.5)
    row, col = unsaturated_pixel(full.raw)
    inspect_pixel(page, row, col)
    expect_inspector_shows(page, full)
    type_into(page, "Weight", "0.5")
    expect_inspector_shows(page, half)
    assert half.mapped()[row, col] == full.mapped()[row, col] / 2
    expect(sum_caption(page)).to_have_text("Sum of values: 0 · weight 0.5")


def test_normalize_sets_the_box_blur_weight_to_one_ninth(filter_page):
    page = filter_page
    choose_preset(page, "box_blur")
    type_into(page, "Weight", "1")
    expect(sum_caption(page)).to_have_text("Sum of values: 9 · weight 1")
    expect_inspector_shows(page, core_result(BOOT, "box_blur", weight=1.0))
    page.get_by_role("button", name="Normalize").click()
    wait_for_app(page)
    expect(page.get_by_role("textbox", name="Weight", exact=True)).to_have_value("1/9")
    expect(sum_caption(page)).to_have_text("Sum of values: 9 · weight 1/9")
    expect_inspector_shows(page, core_result(BOOT, "box_blur", weight=1 / 9))


# ---- Padding, output mapping, layout -------------------------------------------------------------------


def test_same_padding_keeps_the_size(same_padding_page):
    page = same_padding_page
    expect(page.get_by_text("28 x 28 → 28 x 28 → 14 x 14", exact=False)).to_be_visible()
    expect(page.get_by_text("Original · 28 x 28")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Filtered \(clip to 0\.\.255\) · 28 x 28"))).to_be_visible()
    expect(page.get_by_text("Max pooled 2 x 2 · 14 x 14")).to_be_visible()
    expect_inspector_shows(page, core_result(BOOT, padding="same"))


@pytest.mark.parametrize("mapping", list(MAPPINGS))
def test_each_output_mapping_gives_the_cores_value(same_padding_page, mapping):
    page = same_padding_page
    label = MAPPINGS[mapping].label
    choose_option(page, "Output mapping", label)
    filtered_caption = re.compile(rf"^Filtered \({re.escape(mapping_in_text(mapping))}\) · 28 x 28")
    expect(page.get_by_text(filtered_caption)).to_be_visible()
    expect(sidebar(page).get_by_text(MAPPINGS[mapping].description)).to_be_visible()
    expect_inspector_shows(page, core_result(BOOT, padding="same", mapping=mapping))
    legend = page.get_by_text("Signed sums: blue below 0, mid-grey at 0, orange above")
    if mapping == "signed":
        expect(legend).to_be_visible()
    else:
        expect(legend).to_have_count(0)


def test_layout_one_below_the_other_stacks_the_grids_at_one_scale(same_padding_page):
    page = same_padding_page
    click_radio(page, "One below the other")
    grids = [
        page.locator('[data-testid="stImage"]').filter(has_text="Original · 28 x 28").locator("img"),
        page.locator(PICKER),
        page.locator('[data-testid="stImage"]').filter(has_text="pooled 2 x 2 · 14 x 14").locator("img"),
    ]
    original, filtered, pooled = (grid.bounding_box() for grid in grids)
    assert original["y"] + original["height"] <= filtered["y"]
    assert filtered["y"] + filtered["height"] <= pooled["y"]
    assert pooled["width"] == pytest.approx(original["width"] * 14 / 28, rel=0.05)
    assert filtered["width"] == pytest.approx(original["width"], rel=0.05)


# ---- Samples, colour, working size ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "title",
    ["Ankle boot 2", "Sneaker 1", "Trouser 2", "Cameraman", "Greek coins", "Rocket launch (colour)"],
    ids=lambda title: SAMPLES[title].path.stem,
)
def test_each_sample_is_shown_at_its_size_with_the_cores_values(samples_page, title):
    page = samples_page
    sample = SAMPLES[title]
    click_radio(page, sample.group)
    choose_option(page, "Sample", title)
    width, height = decode_image(sample.path.read_bytes(), sample.path.name).size
    expect(page.get_by_text(f"Original · {width} x {height}", exact=True)).to_be_visible()
    expect(image_block(page).get_by_text(f"Showing {title}, ")).to_be_visible()
    expect_inspector_shows(page, core_result(sample_pixels(sample.key)))


def test_colour_mode_filters_each_channel_of_the_cat(page):
    chelsea = SAMPLES["Chelsea the cat (colour)"]
    click_radio(page, "Photos")
    choose_option(page, "Sample", chelsea.title)
    page.get_by_text("Colour: filter each RGB channel").click()
    wait_for_app(page)
    expect(page.get_by_text("Original · 451 x 300", exact=True)).to_be_visible()
    expect(inspector_heading(page)).to_contain_text("(red channel)")
    expect_inspector_shows(page, core_result(sample_pixels(chelsea.key, colour=True)), channel=0)
    click_radio(page, "Green")
    expect_inspector_shows(page, core_result(sample_pixels(chelsea.key, colour=True)), channel=1)


def test_working_size_256_downscales_a_photo(page):
    click_radio(page, "Photos")
    ascent = list_samples()["Photos"][0]  # a new group shows its first sample
    expect(image_block(page).get_by_text(f"Showing {ascent.title}, 512 x 512 pixels.")).to_be_visible()
    slider = page.get_by_role("slider", name="Working size (longest side)")
    slider.focus()
    slider.press("ArrowLeft")
    wait_for_app(page)
    expect(slider).to_have_attribute("aria-valuetext", "256 px")
    width, height = decode_image(ascent.path.read_bytes(), ascent.path.name, max_side=256).size
    assert max(width, height) == 256
    note = f"working at {width} x {height}, downscaled from 512 x 512"
    expect(page.get_by_text(f"{ascent.title}: {note}.", exact=True)).to_be_visible()
    expect(image_block(page).get_by_text(f"Showing {ascent.title}, {note}.")).to_be_visible()
    expect(page.get_by_text(f"Original · {width} x {height}", exact=True)).to_be_visible()
    expect_inspector_shows(page, core_result(sample_pixels(ascent.key, max_side=256)))
