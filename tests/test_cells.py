"""Painted grids as text: what the browser's painter sends is read back exactly, or refused."""

import numpy as np

from filters.cells import levels_from_text, levels_to_text
from filters.images import decode_image, drawing_png


def test_levels_round_trip_through_their_text():
    levels = np.array([[0, 15, 7], [10, 1, 0]], dtype=np.uint8)
    assert levels_to_text(levels) == "0f7a10"
    np.testing.assert_array_equal(levels_from_text("0f7a10", 2, 3, 16), levels)


def test_anything_but_one_digit_per_cell_is_refused():
    for sent in (None, 12, "0f7a1", "0f7a100", "0F7a10", "0g7a10", "0 7a10"):
        assert levels_from_text(sent, 2, 3, 16) is None, sent
    assert levels_from_text("010201", 2, 3, 2) is None  # a target cell is 0 or 1


def test_a_drawing_decodes_like_an_upload_to_its_ink():
    ink = np.array([[0, 15, 8], [3, 0, 1], [15, 15, 15]])
    decoded = decode_image(drawing_png(ink, 16), "your drawing")
    assert not decoded.is_colour and decoded.size == (3, 3)
    np.testing.assert_array_equal(decoded.rgb[..., 0], [[0, 255, 136], [51, 0, 17], [255, 255, 255]])
