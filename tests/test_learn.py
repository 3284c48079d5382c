"""Learning a filter: the gradient is the loss's true slope, and descent finds the filter behind a target."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from filters.layer import correlate
from filters.learn import (
    DEFAULT_STEPS,
    learn_filter,
    least_squares_filter,
    loss_and_gradient,
    loss_curve,
    paint_grid_shape,
    painted_target,
    scaled,
    starting_filter,
    target_background_png,
)
from filters.numbers import format_value
from filters.presets import PRESETS
from tests.pixels import sample_pixels

VERTICAL = np.array(PRESETS["vertical_edges"].values, dtype=np.float64)


def test_the_gradient_is_the_slope_of_the_loss_by_finite_differences():
    rng = np.random.default_rng(3)
    image = rng.uniform(0, 1, size=(12, 15))
    target = correlate(image, VERTICAL) + rng.normal(0, 0.1, size=(10, 13))
    kernel = rng.uniform(-1, 1, size=(3, 3))
    _, gradient = loss_and_gradient(image, target, kernel)
    step = 1e-6
    for i in range(3):
        for j in range(3):
            nudge = np.zeros((3, 3))
            nudge[i, j] = step
            up, _ = loss_and_gradient(image, target, kernel + nudge)
            down, _ = loss_and_gradient(image, target, kernel - nudge)
            assert gradient[i, j] == pytest.approx((up - down) / (2 * step), rel=1e-6, abs=1e-9)


def test_the_loss_is_the_mean_squared_difference_written_out():
    image = np.arange(16, dtype=np.float64).reshape(4, 4)
    target = np.array([[1.0, 2.0], [3.0, 4.0]])
    identity = np.zeros((3, 3))
    identity[1, 1] = 1  # picks pixels (1, 1), (1, 2), (2, 1), (2, 2): 5, 6, 9, 10
    loss, _ = loss_and_gradient(image, target, identity)
    assert loss == ((5 - 1) ** 2 + (6 - 2) ** 2 + (9 - 3) ** 2 + (10 - 4) ** 2) / 4


def test_least_squares_finds_the_exact_filter_behind_a_target():
    image = np.random.default_rng(4).uniform(0, 1, size=(20, 20))
    kernel, loss, _, rank = least_squares_filter(image, correlate(image, VERTICAL))
    assert rank == 9
    np.testing.assert_allclose(kernel, VERTICAL, atol=1e-9)
    assert loss < 1e-20


def test_descent_on_the_vertical_edge_target_of_a_photo_recovers_the_vertical_edge_filter():
    image = scaled(sample_pixels("photos/camera.png"))  # 512 x 512, the app's working size
    learning = learn_filter(image, correlate(image, VERTICAL), steps=DEFAULT_STEPS)
    assert not learning.diverged and learning.steps == DEFAULT_STEPS
    assert learning.excess(DEFAULT_STEPS) < 0.01  # within 1% of the way from the start to the exact loss
    assert np.all(np.diff(learning.losses[:20]) < 0)  # going down from the first steps
    learned = learning.kernels[-1]
    assert np.all(learned[:, 0] < -0.5) and np.all(learned[:, 2] > 0.5)  # dark left, bright right
    assert np.all(np.abs(learned[:, 1]) < 0.1)
    assert learned[1, 2] > learned[0, 2] and learned[1, 2] > learned[2, 2]  # the middle row weighs most
    np.testing.assert_allclose(learning.exact, VERTICAL, atol=1e-6)


def test_descent_on_a_small_image_converges_to_the_filter_itself():
    image = scaled(sample_pixels("fashion/ankle_boot_1.png"))
    target_kernel = np.array(PRESETS["horizontal_edges"].values, dtype=np.float64)
    learning = learn_filter(image, correlate(image, target_kernel), steps=400)
    np.testing.assert_allclose(learning.kernels[-1], target_kernel, atol=0.02)


def test_too_large_a_learning_rate_diverges_and_says_so():
    image = scaled(sample_pixels("photos/camera.png", max_side=64))
    learning = learn_filter(image, correlate(image, VERTICAL), learning_rate=30.0)
    assert learning.diverged
    assert len(learning.kernels) == len(learning.losses) < DEFAULT_STEPS + 1
    assert np.all(np.isfinite(learning.losses))


def test_a_random_start_is_reproducible_and_small():
    first, again = starting_filter("random", seed=7), starting_filter("random", seed=7)
    np.testing.assert_array_equal(first, again)
    assert np.all(np.abs(first) <= 1) and not np.array_equal(first, starting_filter("random", seed=8))
    np.testing.assert_array_equal(starting_filter("zeros"), np.zeros((3, 3)))


def test_steps_and_learning_rate_are_checked():
    image = np.ones((5, 5))
    with pytest.raises(ValueError, match="steps must be 1 to 1000"):
        learn_filter(image, np.ones((3, 3)), steps=0)
    with pytest.raises(ValueError, match="learning rate must be positive"):
        learn_filter(image, np.ones((3, 3)), learning_rate=0)


def test_a_painting_grid_has_at_most_64_cells_a_side():
    assert paint_grid_shape((26, 26)) == (26, 26)
    assert paint_grid_shape((510, 510)) == (64, 64)
    assert paint_grid_shape((382, 510)) == (48, 64)


def test_a_painting_becomes_a_zero_one_target_stretched_to_the_map():
    painted = np.zeros((2, 3), dtype=bool)
    painted[0, 1] = True
    np.testing.assert_array_equal(painted_target(painted, (2, 3)), [[0, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(
        painted_target(painted, (4, 6)),
        [[0, 0, 1, 1, 0, 0], [0, 0, 1, 1, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]],
    )


def test_the_painting_background_is_the_image_under_the_output_pixels():
    pixels = np.arange(25, dtype=np.float64).reshape(5, 5) * 10  # "valid": the 3 x 3 middle
    background = np.asarray(Image.open(io.BytesIO(target_background_png(pixels, (3, 3)))))
    np.testing.assert_array_equal(background, pixels[1:-1, 1:-1])


def test_learning_a_painted_vertical_line_gives_a_filter_that_finds_it():
    image = scaled(sample_pixels("fashion/ankle_boot_1.png"))
    painted = np.zeros((26, 26), dtype=bool)
    painted[:, 15] = True
    learning = learn_filter(image, painted_target(painted, (26, 26)), steps=200)
    assert not learning.diverged
    assert learning.losses[-1] < learning.losses[0]
    assert learning.excess(200) < 0.05


def test_a_small_loss_with_wrong_weights_is_shown_and_explained_on_a_photo():
    """The issue's case: ascent, sharpen, 200 steps: the loss is near the exact answer's, the centre
    weight is not (about 1.78 against 5)."""
    inputs = scaled(sample_pixels("photos/ascent.png"))
    sharpen = np.array(PRESETS["sharpen"].values, dtype=np.float64).reshape(3, 3)
    learning = learn_filter(inputs, correlate(inputs, sharpen), steps=200)
    np.testing.assert_allclose(learning.exact, sharpen, atol=1e-6)  # the exact answer is the filter itself
    gap = float(np.max(np.abs(learning.kernels[200] - sharpen)))
    assert learning.weight_gap(200) == pytest.approx(gap) and gap > 3
    assert learning.excess(200) < 0.05
    windows = np.lib.stride_tricks.sliding_window_view(inputs, (3, 3)).reshape(-1, 9)
    singular = np.linalg.svd(windows, compute_uv=False)
    assert learning.condition == pytest.approx(singular[0] / singular[-1], rel=1e-6)
    words = learning.why_weights_differ(200)
    assert words.startswith(f"At step 200 the loss has {100 * learning.excess(200):.2f}% of its way to go, ")
    assert f"a weight is still {format_value(gap)} away from the exact answer's" in words
    assert f"change the output {learning.condition:,.0f} times less than others" in words
    noise = np.random.default_rng(0).uniform(0, 1, (40, 40))  # no two neighbours alike: well conditioned
    learnt = learn_filter(noise, correlate(noise, VERTICAL), steps=200)
    assert learnt.condition < 10 and learnt.weight_gap(200) < 1e-3
    assert learnt.why_weights_differ(200) == (
        f"At step 200 the loss has 0.00% of its way to go, and every weight is within "
        f"{format_value(learnt.weight_gap(200))} of the exact answer's."
    )


def test_the_loss_curves_points_lie_on_its_line():
    """The page marks the step shown at ``points[step]`` over the picture drawn once: each point must
    be on the drawn line (its blue, #1f5fa8)."""
    inputs = scaled(sample_pixels())
    learning = learn_filter(inputs, correlate(inputs, VERTICAL), steps=200)
    curve = loss_curve(learning)
    picture = np.asarray(Image.open(io.BytesIO(curve.png)).convert("RGB")).astype(int)
    assert picture.shape[:2] == (curve.height, curve.width) == (280, 600)
    blue = np.array([0x1F, 0x5F, 0xA8])
    for step in (0, 1, 5, 20, 50, 100, 150, 200):
        x, y = (round(float(value)) for value in curve.points[step])
        near = picture[y - 2 : y + 3, x - 2 : x + 3].reshape(-1, 3)
        assert np.min(np.abs(near - blue).sum(axis=1)) < 60, f"step {step} at ({x}, {y}) is off the line"
    assert curve.points[0][0] < curve.points[100][0] < curve.points[200][0]  # left to right


def test_an_image_too_plain_to_tell_filters_apart_says_so_without_a_condition_number():
    """A 4 x 4 black-and-white edge has 4 windows and 2 kinds of them: many filters fit exactly."""
    edge = np.zeros((4, 4))
    edge[:, 2:] = 1
    learning = learn_filter(edge, correlate(edge, VERTICAL), steps=50, start="random")
    assert learning.rank == 2 and learning.condition == float("inf")
    assert learning.why_weights_differ(50) == (
        f"At step 50 the loss has {100 * learning.excess(50):.2f}% of its way to go. On this image only 2 of "
        "the nine ways of changing the weights change the output: many filters give exactly the same "
        "result, so the exact answer shown is one of them (the one with the smallest weights), and weights "
        "far from it can be just as right."
    )
