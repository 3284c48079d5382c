"""The third page's arithmetic: a feature-map pixel term by term, colour scales, the compared items."""

import gc
import time

import numpy as np
import pytest

from filters.fashion_mnist import CLASS_NAMES, fixed_split, load_items
from filters.feature_maps import (
    explain_map_pixel,
    learning_curves,
    map_scales,
    probability_chart,
    same_class_items,
)
from filters.network import TrainingSettings, forward
from filters.numbers import format_value
from filters.trained_network import load_shipped
from filters.training_job import QueueFull, TrainingJob


@pytest.fixture(scope="module")
def shown():
    network = load_shipped().final
    return network, forward(network, load_items().images[810])


def test_a_map_pixel_is_the_window_times_the_filter_over_255_plus_the_bias_then_relu(shown):
    network, item = shown
    for index, row, col in [(0, 0, 0), (3, 12, 7), (7, 25, 25), (5, 10, 20)]:
        explained = explain_map_pixel(network, item, index, row, col)
        window = item.pixels[row : row + 3, col : col + 3].astype(np.float64)
        kernel = network.kernels[index].astype(np.float64)
        by_hand = max(0.0, float((window * kernel).sum()) / 255 + float(network.biases[index]))
        assert explained.value == pytest.approx(by_hand, abs=1e-12)
        assert explained.value == item.maps[index, row, col]
        np.testing.assert_array_equal(explained.window, window)
        np.testing.assert_array_equal(explained.products, window * kernel)
        assert explained.relu_line.endswith(f"= {format_value(item.maps[index, row, col])}")
        assert explained.bias_line.endswith(f"= {format_value(item.sums[index, row, col])}")
        terms = explained.sum_line.split(" = ")[0].split(" + ")
        assert len(terms) == 9
        assert terms[4] == f"{format_value(window[1, 1])} × {format_value(kernel[1, 1])}"
        assert "× 1/255 = " in explained.weight_line


def test_a_negative_bias_is_written_as_a_subtraction(shown):
    network, item = shown
    negative = [index for index in range(8) if network.biases[index] < 0]
    for index in negative:
        line = explain_map_pixel(network, item, index, 4, 4).bias_line
        assert f" − {format_value(abs(network.biases[index]))} (the bias)" in line


def test_pixels_outside_the_map_are_refused(shown):
    network, item = shown
    for index, row, col in [(8, 0, 0), (-1, 0, 0), (0, 26, 0), (0, 0, -1)]:
        with pytest.raises(IndexError):
            explain_map_pixel(network, item, index, row, col)


def test_the_colour_scale_is_each_maps_own_or_the_layers():
    maps = np.zeros((3, 4, 4))
    maps[0, 0, 0], maps[1, 2, 2] = 2.0, 5.0
    assert map_scales(maps, "per map") == [2.0, 5.0, 1.0]
    assert map_scales(maps, "per layer") == [5.0, 5.0, 5.0]


def test_same_class_items_are_held_out_items_of_that_class():
    items, split = load_items(), fixed_split()
    for label in range(len(CLASS_NAMES)):
        chosen = same_class_items(items, split, label)
        assert len(chosen) == 4
        assert all(items.labels[index] == label and index in split.held_out for index in chosen)


def test_the_figures_are_pngs():
    assert probability_chart(np.full(10, 0.1), 3).startswith(b"\x89PNG")
    curve = np.linspace(1, 0, 5)
    curves = learning_curves(curve, curve, 1 - curve, 1 - curve)
    assert curves.png.startswith(b"\x89PNG")
    assert curves.points.shape == (5, 2)  # where each epoch's held-out accuracy is drawn
    assert np.all(np.diff(curves.points[:, 0]) > 0)  # epochs left to right
    assert np.all(np.diff(curves.points[:, 1]) < 0)  # a rising accuracy drawn higher


def test_training_again_gives_the_shipped_run_for_the_shipped_settings():
    shipped = load_shipped()
    job = TrainingJob.start(TrainingSettings(epochs=2))
    assert job.wait(120)
    assert job.finished and job.problem is None
    assert [epoch.number for epoch in job.epochs] == [0, 1, 2]
    for mine, theirs in zip(job.epochs, shipped.epochs[:3], strict=True):
        np.testing.assert_array_equal(mine.network.kernels, theirs.network.kernels)  # same seed, same bits


def test_runs_train_one_at_a_time_first_come_first_served():
    first = TrainingJob.start(TrainingSettings(epochs=3, seed=5))
    second = TrainingJob.start(TrainingSettings(epochs=1, seed=6))
    third = TrainingJob.start(TrainingSettings(epochs=1, seed=7))
    assert (second.ahead, third.ahead) == (1, 2)  # the first trains, the second waits before the third
    assert third.waiting
    assert third.wait(120) and first.done and second.done
    assert first.finished and second.finished and third.finished


def test_a_cancelled_or_dropped_job_gives_its_turn_up():
    first = TrainingJob.start(TrainingSettings(epochs=5, seed=3))
    dropped = TrainingJob.start(TrainingSettings(epochs=5, seed=8))
    run = dropped._run  # what the worker holds
    del dropped  # its session ended
    gc.collect()
    assert run.cancelled.is_set()
    first.cancel()
    last = TrainingJob.start(TrainingSettings(epochs=1, seed=4))
    assert last.wait(60)
    assert last.finished and not first.finished and run.epochs == []


def test_a_full_queue_says_to_try_again_later(monkeypatch):
    monkeypatch.setattr("filters.training_job.MAX_WAITING", 1)
    training = TrainingJob.start(TrainingSettings(epochs=5, seed=9))
    while training.waiting:
        time.sleep(0.01)
    waiting = TrainingJob.start(TrainingSettings(epochs=3, seed=10))  # the one place in line
    with pytest.raises(QueueFull, match="please try again in a minute"):
        TrainingJob.start(TrainingSettings(epochs=3, seed=11))
    training.cancel()
    waiting.cancel()
