"""The convolution core against hand-computed values, the lecture, and the course lab's loop."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filters import PRESETS, convolve, explain_pixel, output_shape
from filters.convolution import ImageTooSmall, convolve_channels
from filters.pipeline import apply_filter
from filters.reference import lab_convolution, lab_pooling

ASCENT = Path(__file__).resolve().parent.parent / "sample_images" / "photos" / "ascent.png"

# The lecture's worked pixel: centre 192 and its neighbours, and the lecture's filter.
LECTURE_PIXELS = np.array([[0, 64, 128], [48, 192, 144], [142, 226, 168]], dtype=float)
LECTURE_FILTER = np.array([[-1, 0, -2], [0.5, 4.5, 1.5], [1.5, 2, -3]])

# An asymmetric filter: flipping it would change every result below.
ASYMMETRIC = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=float)


def test_lecture_pixel_192_becomes_1009():
    # (-1 x 0) + (0 x 64) + (-2 x 128) + (0.5 x 48) + (4.5 x 192) + (1.5 x 144)
    # + (1.5 x 142) + (2 x 226) + (-3 x 168) = 1009
    result = convolve(LECTURE_PIXELS, LECTURE_FILTER)
    assert result.shape == (1, 1)
    assert result[0, 0] == 1009.0


def test_lecture_pixel_terms_are_the_lectures_products():
    explanation = explain_pixel(LECTURE_PIXELS, LECTURE_FILTER, 0, 0)
    assert explanation.centre == (1, 1)
    assert explanation.window[1, 1] == 192  # the centre
    assert explanation.window[0, 0] == 0 and explanation.kernel[0, 0] == -1  # upper-left 0 x -1
    assert explanation.window[0, 1] == 64 and explanation.kernel[0, 1] == 0  # upper 64 x 0
    expected_terms = [0, 0, -256, 24, 864, 216, 213, 452, -504]
    assert explanation.products.ravel().tolist() == expected_terms
    assert explanation.total == 1009.0


def test_filter_is_not_flipped_hand_computed():
    image = np.arange(16, dtype=float).reshape(4, 4)
    # Output (0, 0): window rows [0 1 2], [4 5 6], [8 9 10] times ASYMMETRIC, summed.
    expected_00 = 0 * 1 + 1 * 2 + 2 * 3 + 4 * 4 + 5 * 5 + 6 * 6 + 8 * 7 + 9 * 8 + 10 * 9
    # Output (1, 1): window rows [5 6 7], [9 10 11], [13 14 15].
    expected_11 = 5 * 1 + 6 * 2 + 7 * 3 + 9 * 4 + 10 * 5 + 11 * 6 + 13 * 7 + 14 * 8 + 15 * 9
    result = convolve(image, ASYMMETRIC)
    assert result[0, 0] == expected_00 == 303
    assert result[1, 1] == expected_11 == 528
    assert result.tolist() == [[303, 348], [483, 528]]


def test_same_padding_uses_zeros_around_the_border():
    image = np.arange(1, 10, dtype=float).reshape(3, 3)
    result = convolve(image, ASYMMETRIC, padding="same")
    assert result.shape == (3, 3)
    # Top-left output: only the lower-right 2x2 of the filter lies on the image (1, 2 / 4, 5).
    assert result[0, 0] == 1 * 5 + 2 * 6 + 4 * 8 + 5 * 9
    # The centre equals the "valid" result.
    assert result[1, 1] == convolve(image, ASYMMETRIC)[0, 0]


def test_weight_multiplies_the_sum():
    image = np.full((3, 3), 9.0)
    box = PRESETS["box_blur"]
    assert convolve(image, box.values, weight=box.weight)[0, 0] == pytest.approx(9.0)
    assert convolve(image, ASYMMETRIC, weight=0.1)[0, 0] == pytest.approx(0.1 * 9 * 45)
    assert convolve(image, ASYMMETRIC, weight=0)[0, 0] == 0


def test_sizes_28_to_26_valid_and_28_same():
    image = np.zeros((28, 28))
    assert convolve(image, ASYMMETRIC).shape == (26, 26)
    assert convolve(image, ASYMMETRIC, padding="same").shape == (28, 28)
    assert output_shape((28, 27), "valid") == (26, 25)
    assert output_shape((512, 512, 3), "same") == (512, 512)


def test_negative_sums_never_wrap_around():
    image = np.array([[0, 0, 0], [0, 0, 0], [110, 110, 110]], dtype=np.uint8)
    result = convolve(image, -PRESETS["horizontal_edges"].values)
    # In uint8 arithmetic -440 would wrap around to 72; here it stays negative.
    assert result.dtype == np.float64
    assert result[0, 0] == -(110 + 220 + 110) == -440


def test_uint8_input_gives_float_sums_beyond_255():
    image = np.array([[0, 0, 255], [0, 0, 255], [0, 0, 255]], dtype=np.uint8)
    assert convolve(image, PRESETS["vertical_edges"].values)[0, 0] == 1020


@pytest.mark.parametrize("key", ["horizontal_edges", "vertical_edges", "outline"])
def test_equals_the_course_labs_loop_on_ascent(key):
    image = np.asarray(Image.open(ASCENT), dtype=np.float64)
    assert image.shape == (512, 512)
    kernel = PRESETS[key].values
    expected = lab_convolution(image, kernel.tolist())
    ours = np.clip(convolve(image, kernel), 0, 255)
    assert np.array_equal(ours, expected[1:-1, 1:-1])


def test_the_labs_loop_takes_the_uint8_array_image_open_gives():
    # In NumPy 2 a uint8 pixel times -1 overflows; the lab's misc.ascent() is int64, and so is its copy.
    image = np.asarray(Image.open(ASCENT))
    assert image.dtype == np.uint8
    transformed = lab_convolution(image, PRESETS["vertical_edges"].values.tolist())
    assert transformed.dtype == np.int64
    assert np.array_equal(
        transformed[1:-1, 1:-1], np.clip(convolve(image, PRESETS["vertical_edges"].values), 0, 255)
    )


def test_the_lab_truncates_fractions_where_the_app_keeps_them():
    image = np.array([[0, 0, 0], [0, 0, 0], [0, 0, 1]])  # a box blur's sum: 1, times 1/9
    kernel = PRESETS["box_blur"].values.tolist()
    lab = lab_convolution(image * 200, kernel, weight=1 / 9)
    ours = convolve(image * 200, PRESETS["box_blur"].values, weight=1 / 9)
    assert ours[0, 0] == pytest.approx(22.22, abs=0.01)
    assert lab[1, 1] == 22  # stored into the lab's integer image: truncated
    blurred = np.asarray(Image.open(ASCENT))
    ours = np.clip(convolve(blurred, PRESETS["box_blur"].values, weight=1 / 9), 0, 255)
    lab = lab_convolution(blurred, kernel, weight=1 / 9)
    assert np.array_equal(np.floor(ours + 1e-9), lab[1:-1, 1:-1])


@pytest.mark.parametrize("key", ["horizontal_edges", "vertical_edges", "outline"])
def test_pooling_equals_the_labs_loop_where_their_blocks_align(key):
    # The lab pools its whole 512 x 512 result (border kept) from (0, 0). The app's "same"
    # padding keeps the size, so its blocks are the lab's; they differ only on the border.
    image = np.asarray(Image.open(ASCENT))
    kernel = PRESETS[key].values
    lab = lab_pooling(lab_convolution(image, kernel.tolist()))
    ours = apply_filter(image, kernel, padding="same", mapping="clip").pooled
    assert lab.shape == ours.shape == (256, 256)
    assert np.array_equal(ours[1:-1, 1:-1], lab[1:-1, 1:-1])
    assert not np.array_equal(ours[0], lab[0])  # the border: zero padding here, original pixels in the lab


def test_lab_filters_are_the_presets():
    assert PRESETS["horizontal_edges"].values.tolist() == [[-1, -2, -1], [0, 0, 0], [1, 2, 1]]
    assert PRESETS["vertical_edges"].values.tolist() == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    assert PRESETS["outline"].values.tolist() == [[0, 1, 0], [1, -4, 1], [0, 1, 0]]


def test_vertical_filter_finds_vertical_line_and_horizontal_filter_does_not():
    image = np.zeros((8, 8))
    image[:, 4:] = 255  # a vertical edge between columns 3 and 4
    vertical = np.clip(convolve(image, PRESETS["vertical_edges"].values), 0, 255)
    horizontal = np.clip(convolve(image, PRESETS["horizontal_edges"].values), 0, 255)
    assert vertical.max() == 255 and horizontal.max() == 0
    assert np.all(vertical[:, 2:4] == 255)  # output columns 2 and 3 straddle the edge


def test_too_small_image_raises_a_clear_error():
    with pytest.raises(ImageTooSmall, match=r"1 x 1 pixels.*'same' padding"):
        convolve(np.zeros((1, 1)), ASYMMETRIC)
    with pytest.raises(ImageTooSmall):
        convolve(np.zeros((2, 40)), ASYMMETRIC)
    assert convolve(np.full((1, 1), 2.0), ASYMMETRIC, padding="same")[0, 0] == 10


def test_convolve_channels_filters_each_colour_alone():
    rng = np.random.default_rng(1)
    rgb = rng.integers(0, 256, size=(6, 5, 3)).astype(float)
    result = convolve_channels(rgb, ASYMMETRIC, weight=0.5, padding="same")
    assert result.shape == (6, 5, 3)
    for channel in range(3):
        assert np.array_equal(
            result[..., channel], convolve(rgb[..., channel], ASYMMETRIC, weight=0.5, padding="same")
        )


def test_rejects_non_2d_input_and_wrong_kernels():
    with pytest.raises(ValueError, match="2-D"):
        convolve(np.zeros((4, 4, 3)), ASYMMETRIC)
    with pytest.raises(ValueError, match="3 x 3"):
        convolve(np.zeros((4, 4)), np.ones((5, 5)))
    with pytest.raises(ValueError, match="padding"):
        convolve(np.zeros((4, 4)), ASYMMETRIC, padding="full")
