"""The small CNN: its forward pass against the layers' definitions, its gradient against finite
differences, and training that is repeatable to the byte."""

from __future__ import annotations

import math

import numpy as np
import pytest

import filters.network as network_module
from filters import convolution, pooling
from filters.fashion_mnist import load_items
from filters.network import (
    MODEL_KINDS,
    Network,
    TrainingSettings,
    batch_forward,
    confusion_cell,
    confusion_matrix,
    exp,
    forward,
    initial_weights,
    log,
    loss_and_gradients,
    predict,
    train,
)
from filters.trained_network import record, to_bytes


def random_network(seed: int) -> Network:
    """Weights on the scale training gives them, signed, none special."""
    rng = np.random.default_rng(seed)
    return Network(
        kernels=rng.normal(0, 0.5, (8, 3, 3)),
        biases=rng.normal(0, 0.2, 8),
        dense=rng.normal(0, 0.1, (1352, 10)),
        dense_bias=rng.normal(0, 0.1, 10),
    )


def reference_forward(network: Network, pixels: np.ndarray) -> tuple[list, list, list]:
    """The lab's layers written from their definitions, one number at a time, in plain Python.

    Conv2D (valid, no flip): s[r][c][f] = b[f] + sum_ij k[i][j][f] * x[r+i][c+j], x = pixels / 255;
    ReLU; MaxPooling2D 2x2 stride 2; Flatten in Keras' (row, column, filter) order; Dense; softmax.
    """
    x = [[float(value) / 255 for value in row] for row in pixels.tolist()]
    kernels, biases = network.kernels.tolist(), network.biases.tolist()
    dense, dense_bias = network.dense.tolist(), network.dense_bias.tolist()
    maps = [
        [
            [
                max(
                    0.0,
                    biases[f] + sum(kernels[f][i][j] * x[r + i][c + j] for i in range(3) for j in range(3)),
                )
                for c in range(26)
            ]
            for r in range(26)
        ]
        for f in range(8)
    ]
    pooled = [
        [
            [max(maps[f][2 * r + a][2 * c + b] for a in range(2) for b in range(2)) for c in range(13)]
            for r in range(13)
        ]
        for f in range(8)
    ]
    features = [pooled[f][r][c] for r in range(13) for c in range(13) for f in range(8)]
    logits = [dense_bias[k] + sum(features[n] * dense[n][k] for n in range(1352)) for k in range(10)]
    top = max(logits)
    exps = [math.exp(value - top) for value in logits]
    return maps, pooled, [value / sum(exps) for value in exps]


@pytest.mark.parametrize(("seed", "item"), [(1, 813), (2, 95), (3, None)])
def test_the_forward_pass_equals_the_layers_written_out_as_loops(seed, item):
    network = random_network(seed)
    if item is None:
        pixels = np.random.default_rng(seed).integers(0, 256, (28, 28), dtype=np.uint8)
    else:
        pixels = load_items().images[item]
    result = forward(network, pixels)
    maps, pooled, probabilities = reference_forward(network, pixels)
    np.testing.assert_allclose(result.maps, maps, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result.pooled, pooled, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result.probabilities, probabilities, rtol=1e-10, atol=1e-15)
    assert result.predicted == int(np.argmax(probabilities))


def test_the_forward_pass_is_the_first_pages_convolution_and_pooling():
    assert network_module.convolve is convolution.convolve and network_module.max_pool is pooling.max_pool
    network, pixels = random_network(4), load_items().images[400]
    result = forward(network, pixels)
    for index in range(8):
        sums = convolution.convolve(pixels, network.kernels[index], weight=1 / 255) + float(
            network.biases[index]
        )
        np.testing.assert_array_equal(result.sums[index], sums)
        np.testing.assert_array_equal(result.pooled[index], pooling.max_pool(np.maximum(sums, 0)))


def test_the_forward_pass_leaves_the_callers_pixels_alone():
    pixels = load_items().images[10].copy()
    forward(random_network(5), pixels)
    assert pixels.flags.writeable


def test_many_items_at_once_give_the_same_probabilities_as_one_at_a_time():
    network, items = random_network(6), load_items()
    chosen = [0, 95, 250, 451, 813, 899]
    together = batch_forward(network, items.images[chosen])
    for row, index in enumerate(chosen):
        np.testing.assert_allclose(
            together[row], forward(network, items.images[index]).probabilities, rtol=1e-12
        )
    assert list(predict(network, items.images[chosen])) == [
        forward(network, items.images[i]).predicted for i in chosen
    ]


def test_keras_weights_round_trip():
    network = random_network(7)
    back = Network.from_keras(network.keras_weights())
    for name in ("kernels", "biases", "dense", "dense_bias"):
        assert np.array_equal(getattr(back, name), getattr(network, name))
    assert network.keras_weights()[0].shape == (3, 3, 1, 8) and network.weight_count == 13_610


def test_the_written_out_exponential_and_logarithm_are_as_exact_as_numpys():
    values = np.linspace(-60, 60, 20_001)
    np.testing.assert_allclose(exp(values), np.exp(values), rtol=4e-16)
    positive = np.geomspace(1e-300, 1e300, 20_001)
    np.testing.assert_allclose(log(positive), np.log(positive), rtol=4e-16, atol=4e-16)


def active_pattern(kind, weights, inputs) -> bytes:
    """Which sums ReLU passes and which pixel each pooling block takes: where the loss is smooth."""
    _, cache = network_module._logits(kind, weights, inputs)
    parts = [cache["sums"] > 0] if "sums" in cache else []
    return b"".join(np.packbits(part).tobytes() for part in [*parts, *cache.get("masks", ())])


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_the_gradient_matches_central_differences(kind):
    """Five random weights of each array; each derivative by (L(w + h) - L(w - h)) / 2h in float64.

    ReLU and max pooling make the loss piecewise smooth: a weight whose step of h would move a sum
    across 0 or change a block's maximum (it happens, a few weights in a hundred) is passed over
    for another, as the derivative is not defined across that kink.
    """
    rng = np.random.default_rng(11)
    weights = initial_weights(kind, seed=3)
    weights = {name: array + rng.normal(0, 0.05, array.shape) for name, array in weights.items()}
    items = load_items()
    chosen = rng.choice(900, 6, replace=False)
    inputs, labels = items.images[chosen].astype(np.float64) / 255, items.labels[chosen]
    _, gradients = loss_and_gradients(kind, weights, inputs, labels)
    step = 1e-6
    for name, array in weights.items():
        flat = array.reshape(-1)
        gradient = gradients[name].reshape(-1)
        # weights the batch does reach (a dense weight of a pixel that is black in all six has no gradient)
        candidates = rng.permutation(np.flatnonzero(np.abs(gradient) > 1e-6))
        checked = 0
        for position in candidates:
            saved = flat[position]
            flat[position] = saved + step
            above, _ = loss_and_gradients(kind, weights, inputs, labels)
            pattern_above = active_pattern(kind, weights, inputs)
            flat[position] = saved - step
            below, _ = loss_and_gradients(kind, weights, inputs, labels)
            pattern_below = active_pattern(kind, weights, inputs)
            flat[position] = saved
            if pattern_above != pattern_below:
                continue
            numeric = (above - below) / (2 * step)
            error = abs(numeric - gradient[position]) / max(abs(numeric), abs(gradient[position]))
            assert error < 1e-6, f"{kind} {name}[{position}]: {gradient[position]} vs {numeric}"
            checked += 1
            if checked == 5:
                break
        assert checked == min(5, len(candidates))


def test_training_lowers_the_loss_and_repeats_to_the_byte():
    settings = TrainingSettings(epochs=2, seed=5)
    first = record(settings, compared=())
    losses = [epoch.train_loss for epoch in first.epochs]
    assert losses[2] < losses[1] < losses[0]
    assert first.epochs[2].held_out_correct > first.epochs[0].held_out_correct
    assert to_bytes(record(settings, compared=())) == to_bytes(first)
    assert to_bytes(record(TrainingSettings(epochs=2, seed=6), compared=())) != to_bytes(first)


def test_the_reported_accuracy_is_the_snapshots_own():
    run = record(TrainingSettings(epochs=1, seed=2), compared=())
    items = load_items()
    for epoch in run.epochs:
        predicted = predict(epoch.network, items.images[run.split.held_out])
        assert np.array_equal(predicted, epoch.held_out_predictions)
        assert epoch.held_out_correct == int((predicted == items.labels[run.split.held_out]).sum())


def test_training_settings_out_of_range_are_refused():
    with pytest.raises(ValueError, match="kind"):
        TrainingSettings(kind="lstm")
    with pytest.raises(ValueError, match="epochs"):
        TrainingSettings(epochs=0)
    with pytest.raises(ValueError, match="shift"):
        TrainingSettings(shift=9)
    with pytest.raises(ValueError, match="fixed_filters"):
        next(train(TrainingSettings(kind="dense"), fixed_filters=(np.zeros((8, 3, 3)), np.zeros(8))))


def test_the_confusion_matrix_counts_each_true_class_by_what_was_predicted():
    labels = np.array([0, 0, 0, 1, 1, 9, 9, 9])
    predictions = np.array([0, 0, 1, 1, 9, 9, 9, 0])
    matrix = confusion_matrix(labels, predictions)
    expected = np.zeros((10, 10), dtype=np.int64)
    expected[0, 0], expected[0, 1] = 2, 1  # two items of class 0 right, one taken for class 1
    expected[1, 1], expected[1, 9] = 1, 1
    expected[9, 9], expected[9, 0] = 2, 1
    assert matrix.dtype == np.int64 and np.array_equal(matrix, expected)
    assert np.trace(matrix) == int((labels == predictions).sum()) == 5


def test_a_confusion_cell_lists_its_items_in_the_order_given():
    items = np.array([812, 5, 90, 41, 700, 3])
    labels = np.array([9, 0, 1, 0, 9, 0])
    predictions = np.array([0, 0, 1, 0, 0, 2])
    assert list(confusion_cell(items, labels, predictions, 9, 0)) == [812, 700]
    assert list(confusion_cell(items, labels, predictions, 0, 0)) == [5, 41]
    assert list(confusion_cell(items, labels, predictions, 0, 2)) == [3]
    assert confusion_cell(items, labels, predictions, 4, 4).size == 0


def test_confusion_takes_class_numbers_of_one_length():
    with pytest.raises(ValueError, match="one length"):
        confusion_matrix(np.array([0, 1]), np.array([0]))
    with pytest.raises(ValueError, match="predictions must be class numbers 0 to 9"):
        confusion_matrix(np.array([0, 1]), np.array([0, 10]))
    with pytest.raises(ValueError, match="labels must be class numbers"):
        confusion_matrix(np.array([0.5]), np.array([0]))
    with pytest.raises(ValueError, match="same shape"):
        confusion_cell(np.arange(3), np.array([0, 1]), np.array([0, 1]), 0, 0)
