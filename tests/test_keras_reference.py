"""Real Keras as an independent reference for the second page's layer, where Keras is installed.

``pip install -r requirements-reference.txt`` (Keras 3 with JAX on the CPU) runs these; without it
they are skipped, so CI needs no deep-learning framework. The README records the last result.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from filters.code_export import layer_keras_code
from filters.layer import ConvSettings, conv_output_size, correlate, keras_refusal
from tests.test_code_export import LAYER_SETTINGS

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")

VERTICAL_SOBEL = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
FILTER = np.array([[1, -2, 0], [3, 1, -1], [0, 2, -3]], dtype=np.float64)
"""Asymmetric, small integers: every sum of 0..255 pixels is exact in Keras' float32."""


def keras_conv2d(
    image: np.ndarray, kernel: np.ndarray, padding: str, stride: int, dilation: int
) -> np.ndarray:
    """Keras' own ``Conv2D`` layer, one filter, no bias, on one gray image."""
    layer = keras.layers.Conv2D(1, 3, strides=stride, dilation_rate=dilation, padding=padding, use_bias=False)
    layer.build((None, *image.shape, 1))
    layer.set_weights([kernel.reshape(3, 3, 1, 1).astype("float32")])
    return np.asarray(layer(image[None, :, :, None].astype("float32")))[0, :, :, 0].astype(np.float64)


def test_the_issues_8_by_8_example_is_keras_own():
    image = np.arange(64.0).reshape(8, 8)
    keras_sums = keras_conv2d(image, VERTICAL_SOBEL, "same", 2, 1)
    np.testing.assert_array_equal(keras_sums[:2], [[8, 8, 8, -56], [8, 8, 8, -120]])
    np.testing.assert_array_equal(correlate(image, VERTICAL_SOBEL, ConvSettings("same", 2)), keras_sums)


@pytest.mark.parametrize("n", [7, 8, 27, 28])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2, 3])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_every_setting_keras_has_gives_keras_numbers(n, stride, dilation, padding):
    image = np.random.default_rng(n * 100 + stride * 10 + dilation).integers(0, 256, size=(n, n + 1))
    image = image.astype(np.float64)
    if keras_refusal(padding, stride, dilation):
        with pytest.raises(ValueError, match="dilation"):
            keras_conv2d(image, FILTER, padding, stride, dilation)
        return
    settings = ConvSettings(padding, stride, dilation)
    if conv_output_size(n, settings) == 0:
        return
    np.testing.assert_array_equal(
        correlate(image, FILTER, settings), keras_conv2d(image, FILTER, padding, stride, dilation)
    )


@pytest.mark.parametrize("settings", LAYER_SETTINGS, ids=repr)
def test_the_exported_keras_code_gives_the_pages_sums(settings):
    """Every setting the page offers, both conventions: Keras' own 'same', PyTorch's zeros as a
    ZeroPadding2D, 'full', and a stride with a dilation as a spread filter."""
    namespace: dict = {"__name__": "exported"}
    exec(compile(layer_keras_code(FILTER, settings, "a filter"), "exported.py", "exec"), namespace)
    for shape in ((28, 27), (7, 8)):
        image = np.random.default_rng(sum(shape)).integers(0, 256, size=shape).astype(np.float64)
        if conv_output_size(min(shape), settings) == 0:
            continue
        np.testing.assert_array_equal(namespace["forward"](image), correlate(image, FILTER, settings))
