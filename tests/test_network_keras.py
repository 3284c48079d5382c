"""Keras' own layers as an independent reference for the trained network's forward pass, where Keras
is installed (``pip install -r requirements-reference.txt``); skipped elsewhere, so CI needs no
deep-learning framework."""

from __future__ import annotations

import os

import numpy as np
import pytest

from filters.fashion_mnist import load_items
from filters.network import forward
from filters.trained_network import load_shipped
from tests.test_network import random_network

os.environ.setdefault("KERAS_BACKEND", "jax")
keras = pytest.importorskip("keras")


def lab_model():
    """The course lab's model: Conv2D(8, 3x3, ReLU), MaxPooling2D(2x2), Flatten, Dense(10, softmax)."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


@pytest.mark.parametrize("which", ["random", "shipped"])
def test_the_forward_pass_equals_keras_layers_given_the_same_weights(which):
    network = random_network(8) if which == "random" else load_shipped().final
    model = lab_model()
    model.set_weights(network.keras_weights())
    images = load_items().images[::45]  # 20 items, two of each class
    keras_probabilities = np.asarray(model(images[..., None].astype("float32") / 255))
    ours = np.stack([forward(network, image).probabilities for image in images])
    np.testing.assert_allclose(ours, keras_probabilities, rtol=1e-4, atol=1e-6)
    assert np.array_equal(ours.argmax(axis=1), keras_probabilities.argmax(axis=1))
