"""What the step-by-step views print: the lecture's arithmetic, read from the arrays the grids show."""

from __future__ import annotations

import numpy as np
import pytest

from filters.drawing import CHOSEN, Outline
from filters.mapping import MAPPINGS
from filters.numbers import format_values
from filters.pipeline import apply_filter
from filters.presets import LECTURE_POOLING_GRID, PRESETS
from filters.walkthrough import (
    VIEW_INSPECT,
    VIEW_POOL,
    VIEW_SLIDE,
    Marks,
    marks_for,
    size_story,
    walk_pixel,
)

LECTURE_FILTER = np.array([[-1, 0, -2], [0.5, 4.5, 1.5], [1.5, 2, -3]])


def test_the_lectures_pixel_192_written_out():
    result = apply_filter(LECTURE_POOLING_GRID[:3, :3], LECTURE_FILTER, mapping="signed")
    walk = walk_pixel(result, 0, 0)
    assert walk.sum_line == (
        "0 × -1 + 64 × 0 + 128 × -2 + 48 × 0.5 + 192 × 4.5 + 144 × 1.5 + 142 × 1.5 + 226 × 2"
        " + 168 × -3 = 1009"
    )
    assert walk.weight_line == "1009 × 1 = 1009"
    assert walk.mapping_line == "kept as it is: 1009"
    assert walk.final_text == "1009"
    clipped = walk_pixel(apply_filter(LECTURE_POOLING_GRID[:3, :3], LECTURE_FILTER), 0, 0)
    assert clipped.mapping_line == "clip 1009 to 0..255 = 255" and clipped.final_text == "255"


@pytest.mark.parametrize("mapping", list(MAPPINGS))
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_every_value_printed_is_the_value_in_the_grid(mapping, padding):
    # Two-decimal filters with a weight: the sums have fractions, ties and last-digit noise.
    rng = np.random.default_rng(8)
    image = rng.integers(0, 256, size=(18, 17))
    kernel = np.round(rng.uniform(-2, 2, size=(3, 3)), 2)
    result = apply_filter(image, kernel, weight=0.37, padding=padding, mapping=mapping)
    grid = format_values(result.mapped())
    for (row, col), text in np.ndenumerate(grid):
        walk = walk_pixel(result, row, col)
        assert walk.final_text == text
        assert walk.raw_value == result.raw[row, col]
        assert walk.weight_line.endswith(f"= {format_values(result.raw)[row, col]}")


def test_the_inspector_reads_the_grids_sum_not_its_own():
    # explain_pixel adds the nine products in its own order; convolve2d in another. They can differ
    # in the last binary digit, and a two-decimal tie then rounds differently. Find such a pixel.
    rng = np.random.default_rng(0)
    for _ in range(200):
        image = rng.integers(0, 256, size=(12, 12))
        kernel = np.round(rng.uniform(-1, 1, size=(3, 3)), 2)
        result = apply_filter(image, kernel, mapping="signed")
        for row, col in np.ndindex(result.output_shape):
            walk = walk_pixel(result, row, col)
            if walk.explanation.total != result.raw[row, col]:
                assert walk.raw_value == result.raw[row, col]
                assert walk.final_text == format_values(result.mapped())[row, col]
                return
    pytest.fail("no pixel where the two sums differ: the test no longer shows the risk it guards against")


def test_colour_mode_explains_the_chosen_channel():
    rgb = np.random.default_rng(2).integers(0, 256, size=(6, 7, 3)).astype(np.uint8)
    result = apply_filter(rgb, PRESETS["sharpen"].values, mapping="relu")
    for channel in range(3):
        walk = walk_pixel(result, 2, 3, channel)
        assert walk.final_text == format_values(result.mapped()[..., channel])[2, 3]
        assert walk.explanation.window[1, 1] == rgb[3, 4, channel]


def test_sums_are_float32_only_where_that_changes_no_number_on_screen():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, size=(64, 64))
    whole_sums = apply_filter(image, PRESETS["vertical_edges"].values)
    assert whole_sums.raw.dtype == np.float32
    blur = apply_filter(image, PRESETS["box_blur"].values, weight=1 / 9)
    assert blur.raw.dtype == np.float64  # 1/9 has no exact float32
    for result in (whole_sums, blur):
        exact = apply_filter(image, result.kernel, weight=result.weight)
        widened = exact.raw.astype(np.float64)
        assert np.array_equal(format_values(widened), format_values(result.raw))
    huge = np.full((3, 3), 1e6)
    assert apply_filter(image, huge).raw.dtype == np.float64  # 2.3e9: beyond float32's whole numbers
    assert whole_sums.pooled.dtype == np.float32 and blur.pooled.dtype == np.float64


def test_results_are_lean_and_read_only():
    rgb = np.random.default_rng(4).integers(0, 256, size=(40, 30, 3)).astype(np.uint8)
    rgb.flags.writeable = False
    result = apply_filter(rgb, PRESETS["vertical_edges"].values)
    assert result.image.dtype == np.uint8 and np.shares_memory(result.image, rgb)  # no second copy
    for array in (result.image, result.raw, result.pooled, result.kernel):
        assert not array.flags.writeable
    assert result.nbytes == rgb.nbytes + result.raw.nbytes + result.pooled.nbytes
    with pytest.raises(ValueError, match="whole numbers"):
        apply_filter(np.full((4, 4), 0.5), PRESETS["identity"].values)


def test_stretch_rounds_half_up_as_the_numbers_are_written():
    image = np.array([[0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0]])  # sums 0 and 2 -> stretched 0 and 255
    identity = PRESETS["identity"].values
    result = apply_filter(
        np.array([[0, 0, 0, 0, 0], [0, 0, 1, 2, 0], [0, 0, 0, 0, 0]]), identity, mapping="stretch"
    )
    assert result.mapped().ravel().tolist() == [0, 128, 255]  # 127.5 -> 128, not 128's even neighbour
    assert apply_filter(image, identity, mapping="stretch").mapped().tolist() == [[0, 255]]


def test_size_story_for_tiny_and_odd_images():
    assert "too small for 2 x 2 pooling" in size_story(
        apply_filter(np.zeros((3, 3)), PRESETS["identity"].values)
    )
    story = size_story(apply_filter(np.zeros((4, 4)), PRESETS["identity"].values))
    assert "4 pixels become 1 pixel (a quarter)" in story
    story = size_story(apply_filter(np.zeros((29, 29)), PRESETS["identity"].values))
    assert "**29 x 29 → 27 x 27 → 13 x 13**" in story and "odd last row" in story


def test_marks_follow_the_view():
    result = apply_filter(np.zeros((28, 28)), PRESETS["vertical_edges"].values)
    marks = marks_for(VIEW_INSPECT, result, (5, 7))
    assert marks.original == (Outline(5, 7, 3, 3),)
    assert marks.filtered == (Outline(5, 7),)
    assert marks.pooled == (Outline(2, 3, colour=CHOSEN),)
    assert marks_for(VIEW_SLIDE, result, (5, 7)) == Marks()  # small: walked whole, nothing to outline
    big = apply_filter(np.zeros((100, 100)), PRESETS["vertical_edges"].values)
    slide = marks_for(VIEW_SLIDE, big, (50, 50))
    assert slide.filtered == (Outline(42, 42, 16, 16),) and slide.original == (Outline(42, 42, 18, 18),)
    pool = marks_for(VIEW_POOL, big, (50, 51))
    assert pool.filtered == (Outline(42, 42, 16, 16),) and pool.pooled == (Outline(21, 21, 8, 8),)
