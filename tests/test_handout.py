"""The worksheet: one A4 page, and the sums it prints are the core's own texts."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from filters.handout import A4_MM, handout, handout_figure
from filters.images import decode_image
from filters.numbers import format_value
from filters.pooling import pool_steps
from filters.recipe import FilterRecipe, ImageRecipe, compute_result
from filters.samples import find_sample
from filters.stepping import pool_text
from filters.walkthrough import channel_of, walk_pixel

ASYMMETRIC = (-1.0, 0.0, 1.0, -2.0, 0.0, 3.0, -1.0, 0.5, 0.0)


def filtered_sample(key: str, *, colour: bool = False, max_side: int = 512, **options):
    sample = find_sample(key)
    assert sample is not None, key
    settings = {
        "kernel": ASYMMETRIC,
        "weight": 1.0,
        "padding": "valid",
        "mapping": "relu",
        "pool_kind": "max",
    }
    settings |= options
    recipe = FilterRecipe(ImageRecipe("sample:" + key, max_side, colour), **settings)
    return compute_result(recipe, decode_image(sample.path.read_bytes(), sample.path.name, max_side=max_side))


@pytest.fixture(scope="module")
def boot():
    return filtered_sample("fashion/ankle_boot_1.png")


@pytest.fixture(scope="module")
def coffee():
    return filtered_sample(
        "photos/coffee.png", colour=True, max_side=256, weight=1 / 9, mapping="stretch", pool_kind="average"
    )


def figure_texts(figure) -> list[str]:
    """Every text on the page, a text broken over lines read as one line."""
    return [text.get_text().replace("\n", " ") for text in figure.texts]


def test_png_is_an_a4_page_at_its_dpi(boot):
    sheet = handout(boot, "Ankle boot", (10, 12), fmt="png")
    picture = Image.open(io.BytesIO(sheet.data))
    width_mm, height_mm = A4_MM
    assert sheet.page_size_mm == (210.0, 297.0)
    assert abs(picture.width - width_mm / 25.4 * sheet.dpi) < 1
    assert abs(picture.height - height_mm / 25.4 * sheet.dpi) < 1
    assert picture.info["dpi"] == pytest.approx((sheet.dpi, sheet.dpi), abs=0.1)  # PNG stores dots per metre
    assert sheet.mime == "image/png" and sheet.file_name.endswith(".png")


@pytest.mark.parametrize("result_name", ["boot", "coffee"])
def test_pdf_is_one_page(request, result_name):
    sheet = handout(request.getfixturevalue(result_name), "A worksheet", (5, 7), channel=1, fmt="pdf")
    assert sheet.data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", sheet.data)) == 1
    assert sheet.mime == "application/pdf" and sheet.file_name == "a-worksheet_worksheet.pdf"


@pytest.mark.parametrize(
    ("result_name", "pixel", "channel"),
    [("boot", (10, 12), 0), ("boot", (0, 25), 0), ("coffee", (40, 61), 2), ("coffee", (3, 0), 1)],
)
def test_the_worked_sum_is_the_cores_text(request, result_name, pixel, channel):
    result = request.getfixturevalue(result_name)
    texts = figure_texts(handout_figure(result, "Worked", pixel, channel))
    walk = walk_pixel(result, *pixel, channel)
    for line in (walk.sum_line, walk.weight_line, walk.mapping_line):
        assert line in texts
    row, col = pixel
    shown = channel_of(result.mapped(), channel)[row, col]
    assert f"The filtered grid shows {format_value(shown)} at row {row}, column {col}." in texts
    block = channel_of(result.mapped(), channel)[
        row // 2 * 2 : row // 2 * 2 + 2, col // 2 * 2 : col // 2 * 2 + 2
    ]
    (step,) = pool_steps(block, kind=result.pool_kind)
    assert pool_text(step, result.pool_kind) in texts
    assert np.isclose(step.value, channel_of(result.pooled, channel)[row // 2, col // 2])


def test_the_sums_of_the_coffee_photo_are_worked_in_its_blue_channel(coffee):
    texts = figure_texts(handout_figure(coffee, "Coffee", (40, 61), channel=2))
    assert "Worked example: output pixel (row 40, column 61) (blue channel)" in texts
    window = coffee.image[40:43, 61:64, 2]
    assert walk_pixel(coffee, 40, 61, 2).sum_line.startswith(f"{window[0, 0]} × -1 + {window[0, 1]} × 0 + ")


def test_the_exercise_is_the_next_pixel_with_its_answer_upside_down(boot):
    figure = handout_figure(boot, "Exercise", (10, 25))  # the last column: its neighbour is to the left
    neighbour = walk_pixel(boot, 10, 24)
    assert "Your turn: output pixel (row 10, column 24)" in figure_texts(figure)
    (answer,) = [text for text in figure.texts if text.get_text().startswith("Answer:")]
    assert answer.get_rotation() == 180
    raw, final = format_value(neighbour.raw_value), neighbour.final_text
    assert answer.get_text() == f"Answer: sum × weight = {raw}; after the mapping: {final}"


def test_a_pixel_in_the_odd_last_row_says_pooling_drops_it():
    coins = filtered_sample("photos/coins.png", max_side=128)
    rows = coins.output_shape[0]
    assert rows % 2 == 1
    texts = figure_texts(handout_figure(coins, "Coins", (rows - 1, 3)))
    assert any("pooling drops it" in text for text in texts)


def test_a_pixel_outside_the_output_is_refused(boot):
    with pytest.raises(IndexError):
        handout(boot, "Outside", (26, 0))


def test_the_file_name_comes_from_the_title(boot):
    assert (
        handout(boot, "Ankle boot 1: Sobel!", (0, 0), fmt="png").file_name
        == "ankle-boot-1-sobel_worksheet.png"
    )


def test_a_long_sum_is_broken_after_a_plus_and_reads_as_the_cores():
    blurred = filtered_sample(
        "photos/coffee.png", colour=True, max_side=128, kernel=(1 / 9,) * 9, mapping="clip"
    )
    figure = handout_figure(blurred, "Blur", (20, 30), channel=0)
    sum_line = walk_pixel(blurred, 20, 30, 0).sum_line
    (shown,) = [text.get_text() for text in figure.texts if text.get_text().replace("\n", " ") == sum_line]
    assert "\n" in shown
    assert all(line.endswith(" +") for line in shown.split("\n")[:-1])


def test_a_title_with_dollar_signs_is_written_as_typed_not_as_a_formula(boot):
    title = r"a $\frac{ b_1$.png"  # Matplotlib's mathtext would fail to parse it
    assert handout(boot, title, (4, 14), fmt="pdf").data.startswith(b"%PDF")
    assert title in figure_texts(handout_figure(boot, title, (4, 14)))
