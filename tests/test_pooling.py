"""Pooling: 16 pixels become 4, odd borders dropped like Keras, steps in reading order."""

import numpy as np
import pytest

from filters import max_pool, pool, pool_steps, pooled_shape

# The lecture's 4x4 block of pixels.
LECTURE_4X4 = np.array(
    [[0, 64, 128, 128], [48, 192, 144, 144], [142, 226, 168, 0], [255, 0, 0, 64]], dtype=float
)


def test_lecture_4x4_becomes_2x2_of_maxima():
    assert max_pool(LECTURE_4X4).tolist() == [[192, 144], [255, 168]]


def test_average_pooling():
    assert pool(LECTURE_4X4, "average").tolist() == [[76, 136], [155.75, 58]]


def test_sizes_26_to_13_and_odd_sizes_drop_the_last_row_and_column():
    assert max_pool(np.zeros((26, 26))).shape == (13, 13)
    assert max_pool(np.zeros((27, 27))).shape == (13, 13)
    assert max_pool(np.zeros((27, 28))).shape == (13, 14)
    assert pooled_shape((5, 3)) == (2, 1)
    odd = np.arange(25, dtype=float).reshape(5, 5)
    # The last row and column (20..24 and 4, 9, ...) are dropped, not padded.
    assert max_pool(odd).tolist() == [[6, 8], [16, 18]]


def test_too_small_to_pool_gives_an_empty_result():
    assert max_pool(np.zeros((1, 7))).shape == (0, 3)
    assert pooled_shape((1, 1)) == (0, 0)
    assert list(pool_steps(np.zeros((1, 1)))) == []


def test_colour_channels_are_pooled_separately():
    rgb = np.stack([LECTURE_4X4, 255 - LECTURE_4X4, np.zeros((4, 4))], axis=-1)
    pooled = max_pool(rgb)
    assert pooled.shape == (2, 2, 3)
    assert pooled[..., 0].tolist() == [[192, 144], [255, 168]]
    assert pooled[..., 1].tolist() == [[255, 127], [255, 255]]  # 255 - each window's minimum


def test_negative_values_pool_to_the_largest_not_the_largest_magnitude():
    assert max_pool(np.array([[-5.0, -1.0], [-9.0, -3.0]])).tolist() == [[-1.0]]


def test_pool_steps_walk_the_lecture_example_in_reading_order():
    steps = list(pool_steps(LECTURE_4X4))
    assert [(s.out_row, s.out_col) for s in steps] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert [s.value for s in steps] == [192, 144, 255, 168]
    assert [(s.top, s.left) for s in steps] == [(0, 0), (0, 2), (2, 0), (2, 2)]
    assert steps[0].window.tolist() == [[0, 64], [48, 192]]
    assert steps[0].chosen == (1, 1)
    assert steps[2].chosen == (1, 0)  # 255 sits lower-left
    assert steps[1].chosen == (1, 0)  # 144 appears twice: the first in reading order


def test_pool_steps_match_max_pool_on_random_odd_arrays():
    rng = np.random.default_rng(7)
    for shape in [(7, 9), (13, 13), (2, 5)]:
        array = rng.normal(size=shape)
        pooled = max_pool(array)
        steps = list(pool_steps(array))
        assert len(steps) == pooled.size
        for step in steps:
            assert step.value == pooled[step.out_row, step.out_col]
            assert step.window[step.chosen] == step.value


def test_average_pool_steps_report_the_mean():
    steps = list(pool_steps(LECTURE_4X4, kind="average"))
    assert [s.value for s in steps] == [76, 136, 155.75, 58]
    assert steps[0].chosen == (-1, -1)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        pool(LECTURE_4X4, "median")
    with pytest.raises(ValueError):
        max_pool(LECTURE_4X4, size=0)
    with pytest.raises(ValueError, match="2-D"):
        list(pool_steps(np.zeros((4, 4, 3))))


@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 2), (2, 1), (3, 3)])
@pytest.mark.parametrize("kind", ["max", "average"])
def test_pool_matches_a_plain_loop_for_any_size_and_stride(size, stride, kind):
    array = np.random.default_rng(size * 10 + stride).normal(size=(9, 8, 2))
    rows, cols = pooled_shape(array.shape, size, stride)
    expected = np.empty((rows, cols, 2))
    for row in range(rows):
        for col in range(cols):
            block = array[row * stride : row * stride + size, col * stride : col * stride + size]
            expected[row, col] = block.max(axis=(0, 1)) if kind == "max" else block.mean(axis=(0, 1))
    np.testing.assert_allclose(pool(array, kind, size, stride), expected, rtol=1e-12)
