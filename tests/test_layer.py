"""A convolution layer: padding, stride, dilation, true convolution, several filters, channels, pooling.

The expected arrays are written out: the image is 1..25 in reading order (pixel (r, c) is
5r + c + 1), the filter the asymmetric Sobel [[1, 0, -1], [2, 0, -2], [1, 0, -1]], and each
output follows PyTorch's ``conv2d`` (``padding=d`` for 'same', ``2d`` for 'full'):
out[r, c] = sum_ij k[i, j] * padded[r*s + i*d, c*s + j*d], size floor((n + 2p - d*(3 - 1) - 1) / s) + 1.
Keras' 'same' is tested against TensorFlow's documented rule and the issue's 8 x 8 example
(tests/test_keras_reference.py runs real Keras). Worked by hand for a few of them:

- valid, stride 1: every window is (1 + 2 + 1) x (left - right) = 4 x (-2) = -8;
- same, (0, 0): the top row is padding; -2 x 2 (pixel (0, 1)) - 1 x 7 (pixel (1, 1)) = -11;
- valid, dilation 2: the corners and edge middles, 1 + 2 x 11 + 21 - (5 + 2 x 15 + 25) = -16;
- full, (0, 0): only pixel (0, 0) = 1 lies under the filter, at its -1: -1.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import convolve2d

from filters.layer import (
    ConvSettings,
    LayerFilter,
    Pads,
    PoolSettings,
    apply_layer,
    conv_output_size,
    correlate,
    keras_refusal,
    keras_same_pads,
    padded_input,
    relu,
    same_padding_rule,
    settings_in_words,
    size_formula,
    two_layer_pipeline,
    window_offsets,
    window_step,
)
from filters.pooling import pool
from filters.presets import PRESETS

IMAGE = np.arange(1, 26, dtype=np.float64).reshape(5, 5)
SOBEL = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]], dtype=np.float64)
RIGHT_NEIGHBOUR = np.array([[0, 0, 0], [0, 0, 1], [0, 0, 0]], dtype=np.float64)

EXPECTED = {
    ("valid", 1, 1): [[-8, -8, -8], [-8, -8, -8], [-8, -8, -8]],
    ("same", 1, 1): [
        [-11, -6, -6, -6, 17],
        [-28, -8, -8, -8, 36],
        [-48, -8, -8, -8, 56],
        [-68, -8, -8, -8, 76],
        [-61, -6, -6, -6, 67],
    ],
    ("full", 1, 1): [
        [-1, -2, -2, -2, -2, 4, 5],
        [-8, -11, -6, -6, -6, 17, 20],
        [-24, -28, -8, -8, -8, 36, 40],
        [-44, -48, -8, -8, -8, 56, 60],
        [-64, -68, -8, -8, -8, 76, 80],
        [-58, -61, -6, -6, -6, 67, 70],
        [-21, -22, -2, -2, -2, 24, 25],
    ],
    ("valid", 2, 1): [[-8, -8], [-8, -8]],
    ("same", 2, 1): [[-11, -6, 17], [-48, -8, 56], [-61, -6, 67]],
    ("same", 3, 1): [[-11, -6], [-68, -8]],
    ("valid", 1, 2): [[-16]],
    ("same", 1, 2): [
        [-19, -22, -12, 16, 19],
        [-34, -37, -12, 31, 34],
        [-52, -56, -16, 48, 52],
        [-44, -47, -12, 41, 44],
        [-59, -62, -12, 56, 59],
    ],
    ("full", 2, 2): [
        [-1, -3, -4, 3, 5],
        [-13, -19, -12, 19, 25],
        [-44, -52, -16, 52, 60],
        [-53, -59, -12, 59, 65],
        [-21, -23, -4, 23, 25],
    ],
}


@pytest.mark.parametrize(("padding", "stride", "dilation"), list(EXPECTED))
def test_correlate_gives_pytorchs_conv2d_written_out(padding, stride, dilation):
    settings = ConvSettings(padding, stride, dilation, convention="pytorch")
    expected = np.array(EXPECTED[(padding, stride, dilation)], dtype=np.float64)
    np.testing.assert_array_equal(correlate(IMAGE, SOBEL, settings), expected)
    assert conv_output_size(5, settings) == expected.shape[0]


def _conv2d_by_its_definition(image, kernel, pads, stride, dilation):
    """A CNN's conv2d (one channel, one filter), loop by loop from its documented formula, with
    ``pads`` ((top, bottom), (left, right)) zeros around the image."""
    padded = np.pad(image, pads)
    rows = (padded.shape[0] - dilation * 2 - 1) // stride + 1
    cols = (padded.shape[1] - dilation * 2 - 1) // stride + 1
    out = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            for i in range(3):
                for j in range(3):
                    out[r, c] += kernel[i, j] * padded[r * stride + i * dilation, c * stride + j * dilation]
    return out


@pytest.mark.parametrize("padding", ["valid", "same", "full"])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_every_setting_equals_the_definition_on_a_random_image(padding, stride, dilation):
    rng = np.random.default_rng(stride * 10 + dilation)
    image = rng.integers(0, 256, size=(11, 13)).astype(np.float64)
    kernel = rng.integers(-3, 4, size=(3, 3)).astype(np.float64)
    settings = ConvSettings(padding, stride, dilation, convention="pytorch")
    pad = {"valid": 0, "same": dilation, "full": 2 * dilation}[padding]
    expected = _conv2d_by_its_definition(image, kernel, ((pad, pad), (pad, pad)), stride, dilation)
    np.testing.assert_array_equal(correlate(image, kernel, settings), expected)


# ---- Keras / TensorFlow 'same' ---------------------------------------------------------------------

EIGHT = np.arange(64.0).reshape(8, 8)
VERTICAL_SOBEL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
KERAS_EIGHT_STRIDE_2 = [[8, 8, 8, -56], [8, 8, 8, -120], [8, 8, 8, -184], [6, 6, 6, -178]]
"""Keras 3.15's ``Conv2D(1, 3, strides=2, padding='same')`` on the issue's example, as it printed it."""


def tensorflows_documented_same(n: int, stride: int, dilation: int) -> tuple[int, int, int]:
    """TensorFlow's "SAME" (its convolution guide), written from the documentation, not from the app:
    out = ceil(in / stride); pad_along = max((out - 1) * stride + filter - in, 0) with the filter's
    dilated size (3 - 1) * d + 1; pad_top = pad_along // 2, pad_bottom = pad_along - pad_top."""
    out = int(np.ceil(n / stride))
    pad_along = max((out - 1) * stride + (3 - 1) * dilation + 1 - n, 0)
    return out, pad_along // 2, pad_along - pad_along // 2


@pytest.mark.parametrize("n", [7, 8, 27, 28])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2, 3])
def test_keras_same_pads_as_tensorflows_documented_rule(n, stride, dilation):
    out, top, bottom = tensorflows_documented_same(n, stride, dilation)
    assert keras_same_pads(n, stride, dilation) == (top, bottom)
    if stride > 1 and dilation > 1:  # Keras refuses the layer: no Keras numbers are made up
        with pytest.raises(ValueError, match="Keras refuses a stride above 1 together with a dilation"):
            ConvSettings("same", stride, dilation)
        return
    settings = ConvSettings("same", stride, dilation)
    assert conv_output_size(n, settings) == out
    assert settings.pads((n, n + 1)) == Pads(top, bottom, *keras_same_pads(n + 1, stride, dilation))
    rng = np.random.default_rng(n * 100 + stride * 10 + dilation)
    image = rng.integers(0, 256, size=(n, n)).astype(np.float64)
    kernel = rng.integers(-3, 4, size=(3, 3)).astype(np.float64)
    expected = _conv2d_by_its_definition(image, kernel, ((top, bottom), (top, bottom)), stride, dilation)
    np.testing.assert_array_equal(correlate(image, kernel, settings), expected)


def test_the_issues_8_by_8_example_gives_keras_numbers_not_pytorchs():
    keras = ConvSettings("same", 2)
    np.testing.assert_array_equal(correlate(EIGHT, VERTICAL_SOBEL, keras), KERAS_EIGHT_STRIDE_2)
    pytorch = correlate(EIGHT, VERTICAL_SOBEL, ConvSettings("same", 2, convention="pytorch"))
    np.testing.assert_array_equal(pytorch[:2], [[11, 6, 6, 6], [68, 8, 8, 8]])  # one pixel to the left
    assert keras.pads(EIGHT.shape) == Pads(0, 1, 0, 1)  # the extra zero at the bottom and the right


def test_both_conventions_agree_at_stride_1_and_differ_at_27_with_stride_3():
    image = np.random.default_rng(3).integers(0, 256, size=(27, 28)).astype(np.float64)
    for dilation in (1, 2, 3):
        keras, pytorch = (
            ConvSettings("same", 1, dilation),
            ConvSettings("same", 1, dilation, convention="pytorch"),
        )
        np.testing.assert_array_equal(correlate(image, SOBEL, keras), correlate(image, SOBEL, pytorch))
    keras, pytorch = ConvSettings("same", 3), ConvSettings("same", 3, convention="pytorch")
    assert keras.pads(image.shape) == Pads(0, 0, 1, 1)  # 27 rows: no zero at all; 28 columns: one each side
    assert correlate(image, SOBEL, keras).shape == correlate(image, SOBEL, pytorch).shape == (9, 10)
    assert not np.array_equal(correlate(image, SOBEL, keras), correlate(image, SOBEL, pytorch))


def test_keras_refuses_full_and_a_stride_with_a_dilation():
    assert keras_refusal("full", 1, 1).startswith("Keras has no 'full' padding")
    assert "Keras refuses" in keras_refusal("valid", 2, 2)
    assert keras_refusal("same", 2, 1) is None and keras_refusal("valid", 1, 3) is None
    with pytest.raises(ValueError, match="convention='pytorch'"):
        ConvSettings("full")
    assert ConvSettings("full", 2, 2, convention="pytorch").pads((5, 5)) == Pads(4, 4, 4, 4)


def test_the_size_formula_is_written_with_the_padding_of_each_side():
    assert size_formula(28, ConvSettings()) == "⌊(28 + 0 + 0 − 1·2 − 1) / 1⌋ + 1 = 26"
    assert size_formula(28, ConvSettings("same", 2, 1)) == "⌊(28 + 0 + 1 − 1·2 − 1) / 2⌋ + 1 = 14"
    pytorch = ConvSettings("same", 2, 1, convention="pytorch")
    assert size_formula(28, pytorch) == "⌊(28 + 1 + 1 − 1·2 − 1) / 2⌋ + 1 = 14"
    assert size_formula(28, ConvSettings("full", 3, 2, convention="pytorch")) == (
        "⌊(28 + 4 + 4 − 2·2 − 1) / 3⌋ + 1 = 11"
    )
    assert same_padding_rule(8, ConvSettings("same", 2)) == (
        "⌈8 / 2⌉ = 4 outputs, so max((4 − 1)·2 + 1·2 + 1 − 8, 0) = 1 zero: 0 before, 1 after"
    )
    assert same_padding_rule(28, pytorch) == "1 zero before, 1 after"


def test_a_dilated_window_lies_with_gaps():
    assert window_offsets(ConvSettings(dilation=2)).tolist() == [
        [0, 0], [0, 2], [0, 4], [2, 0], [2, 2], [2, 4], [4, 0], [4, 2], [4, 4]
    ]  # fmt: skip


def test_an_image_smaller_than_the_dilated_window_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="window spans 7 x 7"):
        correlate(IMAGE, SOBEL, ConvSettings(dilation=3))


def test_true_convolution_is_scipys_own_and_differs_on_an_asymmetric_filter():
    flipped = correlate(IMAGE, RIGHT_NEIGHBOUR, ConvSettings(flip=True))
    np.testing.assert_array_equal(flipped, convolve2d(IMAGE, RIGHT_NEIGHBOUR, mode="valid"))
    # The CNN's cross-correlation takes the right neighbour, the flipped filter the left one.
    np.testing.assert_array_equal(correlate(IMAGE, RIGHT_NEIGHBOUR), [[8, 9, 10], [13, 14, 15], [18, 19, 20]])
    np.testing.assert_array_equal(flipped, [[6, 7, 8], [11, 12, 13], [16, 17, 18]])
    # A symmetric filter (the box blur) does not care.
    box = np.ones((3, 3))
    np.testing.assert_array_equal(correlate(IMAGE, box, ConvSettings(flip=True)), correlate(IMAGE, box))


def test_pooling_kinds_windows_and_strides():
    values = np.array([[1, 5, 2, 0], [3, 4, 8, 6], [7, 0, 1, 2], [9, 6, 3, 5]], dtype=np.float64)
    np.testing.assert_array_equal(pool(values, "max"), [[5, 8], [9, 5]])
    np.testing.assert_array_equal(pool(values, "min"), [[1, 0], [0, 1]])
    np.testing.assert_array_equal(pool(values, "average"), [[3.25, 4], [5.5, 2.75]])
    np.testing.assert_array_equal(pool(values, "max", size=3, stride=1), [[8, 8], [9, 8]])
    np.testing.assert_array_equal(pool(values, "min", size=2, stride=3), [[1]])
    np.testing.assert_array_equal(pool(values, "max", size=2, stride=1), [[5, 8, 8], [7, 8, 8], [9, 6, 5]])


def test_a_gray_layer_stacks_its_maps_and_pools_each():
    filters = [
        LayerFilter.same_on_every_channel("Sobel", SOBEL, 1),
        LayerFilter.same_on_every_channel("Right neighbour", RIGHT_NEIGHBOUR, 1, bias=-10),
    ]
    layer = apply_layer(IMAGE, filters, ConvSettings("same"), PoolSettings("max", 2, 2))
    assert layer.shape_text == "5 x 5 x 2"
    assert layer.pooled_shape_text == "2 x 2 x 2"
    np.testing.assert_array_equal(layer.maps[0].activated, relu(np.array(EXPECTED[("same", 1, 1)])))
    np.testing.assert_array_equal(layer.maps[0].pooled, [[0, 0], [0, 0]])  # Sobel's left-positive sums
    # Right neighbour minus 10 (0 past the right edge), ReLU, then 2x2 max.
    np.testing.assert_array_equal(
        layer.maps[1].activated,
        [[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [2, 3, 4, 5, 0], [7, 8, 9, 10, 0], [12, 13, 14, 15, 0]],
    )
    np.testing.assert_array_equal(layer.maps[1].pooled, [[0, 0], [8, 10]])
    assert layer.stack.shape == (5, 5, 2)


def test_a_colour_layer_sums_one_slice_per_channel_plus_the_bias_as_conv2d():
    rgb = np.stack([IMAGE, 2 * IMAGE, np.ones((5, 5))], axis=-1)
    red_only = LayerFilter("Red", (SOBEL, np.zeros((3, 3)), np.zeros((3, 3))), bias=1)
    all_three = LayerFilter("All", (SOBEL, SOBEL, np.ones((3, 3))), bias=-4)
    layer = apply_layer(rgb, [red_only, all_three])
    # Red: the red channel's -8 plus the bias 1; ReLU keeps nothing.
    np.testing.assert_array_equal(layer.maps[0].sums, np.full((3, 3), -7.0))
    np.testing.assert_array_equal(layer.maps[0].activated, np.zeros((3, 3)))
    # All: -8 (red) + -16 (green, twice the red) + 9 (nine ones) - 4 = -19 everywhere.
    assert [float(part[0, 0]) for part in layer.maps[1].channel_sums] == [-8.0, -16.0, 9.0]
    np.testing.assert_array_equal(layer.maps[1].sums, np.full((3, 3), -19.0))


def test_a_layer_refuses_no_filters_too_many_and_slices_that_do_not_match():
    one = LayerFilter.same_on_every_channel("Sobel", SOBEL, 1)
    with pytest.raises(ValueError, match="1 to 8 filters"):
        apply_layer(IMAGE, [])
    with pytest.raises(ValueError, match="1 to 8 filters"):
        apply_layer(IMAGE, [one] * 9)
    with pytest.raises(ValueError, match="1 slices for 3 channels"):
        apply_layer(np.stack([IMAGE] * 3, axis=-1), [one])


def test_the_lectures_pipeline_sizes_28_26_13_11_5():
    image = np.random.default_rng(1).integers(0, 256, size=(28, 28)).astype(np.float64)
    vertical, horizontal = PRESETS["vertical_edges"].values, PRESETS["horizontal_edges"].values
    pipeline = two_layer_pipeline(image, vertical, horizontal)
    stages = pipeline.stages
    assert pipeline.sizes_text == "28x28 -> 26x26 -> 13x13 -> 11x11 -> 5x5"
    assert [stage.name for stage in stages] == ["Input", "Conv 1 + ReLU", "Pool 1", "Conv 2 + ReLU", "Pool 2"]
    first = relu(convolve2d(image, np.array(vertical)[::-1, ::-1], mode="valid"))
    np.testing.assert_array_equal(stages[1].values, first)
    np.testing.assert_array_equal(stages[2].values, pool(first, "max"))
    second = relu(convolve2d(stages[2].values, np.array(horizontal)[::-1, ::-1], mode="valid"))
    np.testing.assert_array_equal(stages[4].values, pool(second, "max"))


def test_a_pipeline_on_an_image_too_small_for_two_stages_says_which_stage():
    with pytest.raises(ValueError, match="before conv 2 is 2 x 2: too small for a 3 x 3 filter"):
        two_layer_pipeline(np.ones((6, 6)), SOBEL, SOBEL)  # 6 -> 4 -> 2
    with pytest.raises(ValueError, match="after conv 2 is 1 x 1: too small to pool"):
        two_layer_pipeline(np.ones((8, 8)), SOBEL, SOBEL)  # 8 -> 6 -> 3 -> 1


def test_the_stepper_window_jumps_by_the_stride_and_spreads_by_the_dilation():
    settings = ConvSettings("valid", stride=2)
    sums = correlate(IMAGE, SOBEL, settings)
    second = window_step(IMAGE, SOBEL, settings, 1, sums)
    assert (second.out_row, second.out_col) == (0, 1)
    assert second.cells[:3] == ((0, 2), (0, 3), (0, 4))  # two columns on from the first window
    np.testing.assert_array_equal(second.values, [[3, 4, 5], [8, 9, 10], [13, 14, 15]])
    assert (
        second.sum_text == "3 × 1 + 4 × 0 + 5 × -1 + 8 × 2 + 9 × 0 + 10 × -2 + 13 × 1 + 14 × 0 + 15 × -1 = -8"
    )

    dilated = ConvSettings("same", dilation=2)
    first = window_step(IMAGE, SOBEL, dilated, 0, correlate(IMAGE, SOBEL, dilated))
    assert first.cells == ((0, 0), (0, 2), (0, 4), (2, 0), (2, 2), (2, 4), (4, 0), (4, 2), (4, 4))
    np.testing.assert_array_equal(first.values, [[0, 0, 0], [0, 1, 3], [0, 11, 13]])  # 2 rows of padding
    assert first.total == -19 == float(np.sum(first.values * SOBEL))


def test_the_true_convolutions_stepper_writes_the_turned_filter():
    flipped = ConvSettings(flip=True)
    step = window_step(IMAGE, RIGHT_NEIGHBOUR, flipped, 0, correlate(IMAGE, RIGHT_NEIGHBOUR, flipped))
    np.testing.assert_array_equal(step.kernel, RIGHT_NEIGHBOUR[::-1, ::-1])
    assert step.total == 6 == float(np.sum(step.values * step.kernel))


def test_the_stepper_reads_keras_extra_zero_at_the_right():
    """The issue's example, last window of the first row: the pixels 6, 7 and a zero of padding."""
    settings = ConvSettings("same", 2)
    step = window_step(EIGHT, VERTICAL_SOBEL, settings, 3, correlate(EIGHT, VERTICAL_SOBEL, settings))
    assert step.cells[0] == (0, 6) and step.cells[-1] == (2, 8)  # padded (0 on top and left, 1 after)
    np.testing.assert_array_equal(step.values, [[6, 7, 0], [14, 15, 0], [22, 23, 0]])
    assert step.total == -56 == float(np.sum(step.values * VERTICAL_SOBEL))
    assert padded_input(EIGHT, settings).shape == (9, 9)


def test_the_stride_and_the_dilation_are_said_in_plain_words():
    assert settings_in_words(ConvSettings()) == (
        "Stride 1: the window moves one pixel at a time. "
        "Dilation 1: the filter's nine values sit side by side (a 3 x 3 reach)."
    )
    assert settings_in_words(ConvSettings("valid", 2, 3, convention="pytorch")) == (
        "Stride 2: the window jumps 2 pixels at a time, so the output is about 1/2 as wide and high. "
        "Dilation 3: the filter's nine values sit 3 pixels apart, so the same nine weights reach over "
        "7 x 7 pixels."
    )
