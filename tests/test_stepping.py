"""Explaining pixels and walking regions: the numbers the inspector and steppers show."""

import numpy as np
import pytest

from filters import convolve, explain_pixel, pool_steps
from filters.drawing import cell_at, render_grid
from filters.stepping import (
    Region,
    input_region,
    padded_crop,
    pool_text,
    stepping_region,
    strongest_pixel,
    whole,
    zoom_region,
)

LECTURE_PIXELS = np.array([[0, 64, 128], [48, 192, 144], [142, 226, 168]], dtype=float)
LECTURE_FILTER = np.array([[-1, 0, -2], [0.5, 4.5, 1.5], [1.5, 2, -3]])
ASYMMETRIC = np.array([[1, -2, 3], [-4, 5, -6], [7, -8, 9]], dtype=float)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("weight", [1.0, 0.1, -2.5, 1 / 9])
def test_explain_pixel_total_equals_convolve_at_every_pixel(padding, weight):
    image = np.random.default_rng(4).integers(0, 256, size=(9, 11)).astype(float)
    expected = convolve(image, ASYMMETRIC, weight=weight, padding=padding)
    for (row, col), value in np.ndenumerate(expected):
        explanation = explain_pixel(image, ASYMMETRIC, row, col, weight=weight, padding=padding)
        assert explanation.total == value  # exact: integer pixels and filter, same weight product
        assert np.array_equal(explanation.products, explanation.window * ASYMMETRIC)


@pytest.mark.parametrize("padding", ["valid", "same"])
def test_explain_pixel_with_a_fractional_filter_matches_to_rounding(padding):
    image = np.random.default_rng(5).integers(0, 256, size=(6, 7)).astype(float)
    expected = convolve(image, LECTURE_FILTER / 3, weight=0.7, padding=padding)
    for (row, col), value in np.ndenumerate(expected):
        total = explain_pixel(image, LECTURE_FILTER / 3, row, col, weight=0.7, padding=padding).total
        assert total == pytest.approx(value, rel=1e-12, abs=1e-9)


def test_same_padding_shows_the_zeros_around_the_border():
    image = np.arange(1, 10, dtype=float).reshape(3, 3)
    explanation = explain_pixel(image, ASYMMETRIC, 0, 0, padding="same")
    assert explanation.centre == (0, 0)
    assert explanation.padded.tolist() == [[True, True, True], [True, False, False], [True, False, False]]
    assert explanation.window.tolist() == [[0, 0, 0], [0, 1, 2], [0, 4, 5]]


def test_explain_pixel_refuses_pixels_outside_the_output():
    with pytest.raises(IndexError):
        explain_pixel(np.zeros((5, 5)), ASYMMETRIC, 3, 0)  # valid output is 3 x 3


def test_pool_text_for_max_and_average():
    steps = list(pool_steps(np.array([[0, 64], [48, 192.0]])))
    assert pool_text(steps[0], "max") == "max(0, 64, 48, 192) = 192"
    average = next(pool_steps(np.array([[0, 64], [48, 192.0]]), kind="average"))
    assert pool_text(average, "average") == "(0 + 64 + 48 + 192) / 4 = 76"


def test_region_walks_in_reading_order():
    region = Region(2, 5, 2, 3)
    cells = [region.cell(step) for step in range(region.count)]
    assert cells == [(2, 5), (2, 6), (2, 7), (3, 5), (3, 6), (3, 7)]
    with pytest.raises(IndexError):
        region.cell(6)


def test_small_grids_are_walked_whole_big_ones_in_a_zoom_region():
    assert stepping_region((26, 26), (3, 3), 32) == whole((26, 26))
    region = stepping_region((510, 382), (100, 200), 32)
    assert region == Region(92, 192, 16, 16)


def test_zoom_region_stays_inside_the_grid():
    assert zoom_region((100, 100), (0, 0)) == Region(0, 0, 16, 16)
    assert zoom_region((100, 100), (99, 99)) == Region(84, 84, 16, 16)
    assert zoom_region((10, 100), (5, 50)) == Region(0, 42, 10, 16)


def test_pooling_zoom_regions_are_aligned_to_whole_blocks():
    region = zoom_region((511, 383), (101, 57), align=2)
    assert region.top % 2 == 0
    assert region.left % 2 == 0
    assert region.rows % 2 == 0
    assert region.cols % 2 == 0
    assert zoom_region((511, 383), (510, 382), align=2) == Region(494, 366, 16, 16)


def test_input_region_and_padded_crop():
    image = np.arange(25, dtype=float).reshape(5, 5)
    valid = input_region(Region(0, 0, 3, 3), "valid")
    assert valid == Region(0, 0, 5, 5)
    same = input_region(Region(0, 0, 2, 2), "same")
    assert same == Region(-1, -1, 4, 4)
    values, padded = padded_crop(image, same)
    assert padded[0].all()
    assert padded[:, 0].all()
    assert not padded[1:, 1:].any()
    assert values[1:, 1:].tolist() == image[:3, :3].tolist()
    assert values[0].tolist() == [0, 0, 0, 0]


def test_strongest_pixel():
    output = np.zeros((4, 5))
    output[2, 3] = -900
    output[1, 1] = 500
    assert strongest_pixel(output) == (2, 3)
    assert strongest_pixel(np.stack([output, output, output], axis=-1)) == (2, 3)


def test_clicks_map_to_cells_through_display_scaling():
    picture = render_grid(np.zeros((26, 26)), cell_px=48)  # 1248 px drawn
    geometry = picture.geometry
    # Shown at 416 px (a third): the cell under (x, y) is (y * 3 // 48, x * 3 // 48).
    assert cell_at(geometry, 0, 0, 416, 416) == (0, 0)
    assert cell_at(geometry, 415.9, 415.9, 416, 416) == (25, 25)
    assert cell_at(geometry, 16 * 5 + 1, 16 * 2 + 1, 416, 416) == (2, 5)
    assert cell_at(geometry, 500, 10, 416, 416) is None
    assert cell_at(geometry, 10, 10, 0, 0) is None
    # A forged click far off the picture (its scaling would overflow to infinity) is no cell either.
    assert cell_at(geometry, 1e308, 1, 1, 1) is None
    assert cell_at(geometry, -1e-9, 5, 416, 416) is None


def test_clicks_on_a_reduced_big_image_map_to_its_pixels():
    picture = render_grid(np.zeros((3024, 4032)))
    geometry = picture.geometry
    assert geometry.cell_px < 1
    row, col = cell_at(geometry, geometry.width / 2, geometry.height / 2, geometry.width, geometry.height)
    assert abs(row - 1512) <= 1
    assert abs(col - 2016) <= 1
