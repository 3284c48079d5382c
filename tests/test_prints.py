"""Grids for print: 300 dpi PNGs whose cells carry the screen's values, and safe file names."""

import io

import numpy as np
from PIL import Image

from filters.drawing import PADDING_FILL, PIXEL_SHADING, Fill, Outline, Shading, render_grid, value_labels
from filters.prints import (
    PRINT_CELL_PX,
    PRINT_DPI,
    PRINT_SIDE_PX,
    file_stem,
    print_channels,
    print_grid,
    print_png,
)


def _decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_a_small_grid_prints_its_values_in_big_cells_at_300_dpi():
    values = np.arange(28 * 28).reshape(28, 28) % 256
    picture = print_grid(values, PIXEL_SHADING, outlines=(Outline(3, 4, 3, 3),))
    image = _decoded(print_png(picture))
    assert image.size == (28 * PRINT_CELL_PX, 28 * PRINT_CELL_PX)
    assert round(image.info["dpi"][0]) == PRINT_DPI
    np.testing.assert_array_equal(picture.labels, value_labels(values))
    same = render_grid(values, PIXEL_SHADING, labels=value_labels(values), cell_px=PRINT_CELL_PX)
    assert np.array_equal(np.asarray(image)[: 3 * PRINT_CELL_PX, :], same.image[: 3 * PRINT_CELL_PX, :])


def test_a_photo_prints_one_block_of_pixels_per_value_within_the_side():
    photo = np.random.default_rng(1).integers(0, 256, (300, 200))
    image = _decoded(print_png(print_grid(photo, PIXEL_SHADING)))
    cell = PRINT_SIDE_PX // 300
    assert image.size == (200 * cell, 300 * cell)
    assert np.asarray(image)[cell * 7 + 1, cell * 5 + 1, 0] == photo[7, 5]
    huge = np.zeros((6000, 10))
    assert _decoded(print_png(print_grid(huge, PIXEL_SHADING))).size[1] == PRINT_SIDE_PX


def test_file_names_keep_only_letters_and_digits():
    assert (
        file_stem("Ankle boot 1 Filtered (clip to 0..255) 26 x 26")
        == "ankle-boot-1-filtered-clip-to-0-255-26-x-26"
    )
    assert file_stem("../../etc/passwd", "<b>") == "etc-passwd_b"
    assert file_stem("...") == "grid"


def test_padding_cells_print_in_their_own_colour():
    values = np.zeros((5, 5))
    padding = np.zeros((5, 5), dtype=bool)
    padding[0, :] = True
    image = print_grid(values, PIXEL_SHADING, fills=(Fill(padding, PADDING_FILL),)).image
    assert tuple(image[5, 5]) == PADDING_FILL  # a padding cell, in its corner (away from its label)
    assert tuple(image[PRINT_CELL_PX + 5, 5]) == (0, 0, 0)  # a real 0


def test_a_photo_printed_channel_by_channel_is_the_same_picture():
    photo = np.random.default_rng(2).integers(0, 256, (120, 90, 3)).astype(float)
    channels = [lambda channel=channel: photo[..., channel] for channel in range(3)]
    outline = (Outline(10, 20, 4, 4),)
    by_channel = print_channels(channels, (120, 90), PIXEL_SHADING, outlines=outline)
    whole = print_grid(photo, PIXEL_SHADING, outlines=outline)
    assert np.array_equal(by_channel.image, whole.image)
    big = [lambda: np.zeros((4000, 3000))] * 3
    assert print_channels(big, (4000, 3000), PIXEL_SHADING).image.shape == (PRINT_SIDE_PX, 2250, 3)


def test_a_reduced_colour_photo_is_shaded_as_a_whole_one_would_be():
    photo = np.random.default_rng(4).integers(0, 256, (3200, 90, 3)).astype(float)
    channels = [lambda channel=channel: photo[..., channel] for channel in range(3)]
    signed = Shading(-255.0, 255.0, diverging=True)  # colour channels are shaded each on its own
    by_channel = print_channels(channels, (3200, 90), signed)
    assert by_channel.cell_px < 1
    assert np.array_equal(by_channel.image, render_grid(photo, signed, cell_px=by_channel.cell_px).image)
