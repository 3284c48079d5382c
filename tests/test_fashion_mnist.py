"""The 900 Fashion-MNIST items: the sprite as its README describes it, the labels, the fixed split."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from filters.fashion_mnist import (
    CLASS_NAMES,
    SPRITE_PATH,
    find_item,
    fit_to_item,
    fixed_split,
    items_from_sprite,
    load_items,
    stratified_split,
)

SPRITE_SHA256 = "a7de0a151f8c68e6e96f157a018ac290d1f6b0e7845892c3d7d85cb64961c3cb"
"""As ``shared/data/fashion-mnist/README.md`` gives it (Fashion-MNIST's doc/img/fashion-mnist-sprite.png)."""
HELD_OUT_SHA256 = "77f1921019f10e13dc7c4199f3dcc62e9908f1a3d9b0b1f4c686ad686a74cb5c"
"""The held-out indices of the fixed split (int64 bytes): a change of NumPy's streams would show here."""
SAMPLES = Path(__file__).resolve().parent.parent / "sample_images" / "fashion"
SAMPLE_CLASSES = ("tshirt_top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                  "ankle_boot")  # fmt: skip


def test_the_shipped_sprite_is_fashion_mnists_own():
    assert hashlib.sha256(SPRITE_PATH.read_bytes()).hexdigest() == SPRITE_SHA256


def test_the_sprite_is_gray_and_opaque_so_its_luminance_is_its_value():
    with Image.open(SPRITE_PATH) as picture:
        rgba = np.asarray(picture.convert("RGBA"))
    assert rgba.shape == (840, 840, 4)
    assert np.array_equal(rgba[..., 0], rgba[..., 1]) and np.array_equal(rgba[..., 1], rgba[..., 2])
    assert (rgba[..., 3] == 255).all()
    assert np.array_equal(load_items().images[0], rgba[:28, :28, 0])


def test_the_sprite_decodes_to_900_items_of_28_by_28_with_90_per_class():
    items = load_items()
    assert len(items) == 900
    assert items.images.shape == (900, 28, 28) and items.images.dtype == np.uint8
    assert np.array_equal(np.bincount(items.labels), [90] * 10)
    assert not items.images.flags.writeable and not items.labels.flags.writeable


def test_item_r_c_is_the_tile_at_grid_row_r_column_c_and_class_k_fills_rows_3k_to_3k_plus_2():
    with Image.open(SPRITE_PATH) as picture:
        sprite = np.asarray(picture.convert("L"))
    items = load_items()
    for row, col in [(0, 0), (0, 29), (4, 17), (16, 3), (29, 0), (29, 29)]:
        index = row * 30 + col
        assert np.array_equal(items.images[index], sprite[28 * row : 28 * row + 28, 28 * col : 28 * col + 28])
        assert items.labels[index] == row // 3
    assert items.title(813) == "Ankle boot, item 813"
    assert CLASS_NAMES[5] == "Sandal" and CLASS_NAMES[8] == "Bag"


def test_the_bundled_samples_are_items_of_their_class_in_the_first_two_columns():
    """An independent check of the labels: the 20 samples were cut and named by hand."""
    items = load_items()
    for label, name in enumerate(SAMPLE_CLASSES):
        for number in (1, 2):
            with Image.open(SAMPLES / f"{name}_{number}.png") as picture:
                pixels = np.asarray(picture.convert("L"))
            index = find_item(pixels)
            assert index is not None, f"{name}_{number}.png is not in the sprite"
            assert items.labels[index] == label and index % 30 in (0, 1)


def test_a_picture_not_in_the_sprite_is_no_item():
    assert find_item(np.full((28, 28), 7, dtype=np.uint8)) is None
    assert find_item(np.zeros((27, 28))) is None
    assert find_item(load_items().images[5] + 0.5) is None


def test_items_from_sprite_refuses_another_size():
    with pytest.raises(ValueError, match="840 x 840"):
        items_from_sprite(np.zeros((812, 840), dtype=np.uint8))


def test_the_split_holds_out_18_of_every_class_and_trains_on_the_other_72():
    split = fixed_split()
    labels = load_items().labels
    assert len(split.train) == 720 and len(split.held_out) == 180
    assert np.array_equal(np.bincount(labels[split.held_out]), [18] * 10)
    assert np.array_equal(np.bincount(labels[split.train]), [72] * 10)
    assert np.array_equal(np.union1d(split.train, split.held_out), np.arange(900))
    assert np.intersect1d(split.train, split.held_out).size == 0
    assert np.all(np.diff(split.held_out) > 0) and np.all(np.diff(split.train) > 0)


def test_the_split_is_fixed():
    split = fixed_split()
    again = stratified_split(load_items().labels, 18, seed=0)
    assert np.array_equal(split.held_out, again.held_out) and np.array_equal(split.train, again.train)
    held = np.asarray(split.held_out, dtype=np.int64).tobytes()
    assert hashlib.sha256(held).hexdigest() == HELD_OUT_SHA256
    other = stratified_split(load_items().labels, 18, seed=1)
    assert not np.array_equal(other.held_out, split.held_out)


def test_a_class_too_small_to_hold_out_is_refused():
    with pytest.raises(ValueError, match="too few"):
        stratified_split(np.repeat(np.arange(10), 5), 5, seed=0)


def test_an_item_of_28_by_28_is_used_as_it_is_and_a_photo_on_white_is_inverted_trimmed_and_centred():
    item = load_items().images[813]
    assert np.array_equal(fit_to_item(item).pixels, item)
    photo = np.full((100, 60), 255.0)
    photo[20:80, 10:40] = 0.0  # a dark 30 x 60 box on white
    fitted = fit_to_item(photo)
    assert fitted.inverted and fitted.crop == (20, 10, 60, 30)
    assert fitted.scaled_shape == (28, 14) and fitted.offset == (0, 7)
    assert (fitted.pixels[:, 7:21] == 255).all() and (fitted.pixels[:, :7] == 0).all()
