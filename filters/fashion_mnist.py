"""The 900 Fashion-MNIST items the network learns from, their labels, and the fixed split.

The items come from the Fashion-MNIST sprite (``sample_images/fashion_mnist/``, MIT licence, see
``sample_images/ATTRIBUTION.md``): a 30 x 30 grid of 28 x 28 tiles, white items on black. Class k
(Fashion-MNIST's label order) fills grid rows 3k, 3k + 1 and 3k + 2, so item ``i`` is the tile at
grid row ``i // 30``, column ``i % 30`` and its label is ``i // 90``: 90 items per class.

The split is fixed and stratified: for each class, a permutation drawn from ``SPLIT_SEED`` puts 18
of its 90 items in the held-out set and the other 72 in the training set (720 / 180 in all).

``fit_to_item`` turns any gray picture (a photo, a drawing) into a 28 x 28 item the way
Fashion-MNIST made its items from product photos: light-on-dark, trimmed to the item, the
longest side scaled to 28, centred on black.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image

from filters.numbers import format_value

SPRITE_PATH = (
    Path(__file__).resolve().parent.parent / "sample_images" / "fashion_mnist" / "fashion-mnist-sprite.png"
)
CLASS_NAMES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
"""Fashion-MNIST's labels 0..9, in its order."""
ITEM_SIDE = 28
GRID_SIDE = 30
"""The sprite holds 30 x 30 tiles."""
ITEM_COUNT = GRID_SIDE * GRID_SIDE
ITEMS_PER_CLASS = ITEM_COUNT // len(CLASS_NAMES)
HELD_OUT_PER_CLASS = 18
"""18 of each class's 90 items are held out: 180 held out, 720 to train on."""
SPLIT_SEED = 0


@dataclass(frozen=True, eq=False)
class FashionItems:
    """The 900 items and their labels.

    Attributes
    ----------
    images : ndarray of uint8, shape (900, 28, 28)
        Gray values 0..255, white items on black (read-only).
    labels : ndarray of int64, shape (900,)
        Class numbers 0..9 (indices into ``CLASS_NAMES``), read-only.
    """

    images: np.ndarray = field(repr=False)
    labels: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return len(self.labels)

    def class_name(self, index: int) -> str:
        """The class of item ``index``, e.g. "Ankle boot"."""
        return CLASS_NAMES[int(self.labels[index])]

    def title(self, index: int) -> str:
        """How a list names item ``index``: "Ankle boot, item 813"."""
        return f"{self.class_name(index)}, item {index}"

    def of_class(self, label: int) -> np.ndarray:
        """The indices of the items of class ``label``, in sprite order."""
        return np.flatnonzero(self.labels == label)


def items_from_sprite(sprite: np.ndarray) -> FashionItems:
    """Cut the 840 x 840 gray sprite into its 900 items (label ``i // 90``)."""
    side = GRID_SIDE * ITEM_SIDE
    if sprite.shape != (side, side):
        raise ValueError(
            f"The Fashion-MNIST sprite is {side} x {side} gray pixels; got shape {sprite.shape}."
        )
    tiles = sprite.reshape(GRID_SIDE, ITEM_SIDE, GRID_SIDE, ITEM_SIDE).swapaxes(1, 2)
    images = np.ascontiguousarray(tiles.reshape(ITEM_COUNT, ITEM_SIDE, ITEM_SIDE), dtype=np.uint8)
    labels = np.arange(ITEM_COUNT, dtype=np.int64) // ITEMS_PER_CLASS
    images.flags.writeable = labels.flags.writeable = False
    return FashionItems(images, labels)


@cache
def load_items(path: Path = SPRITE_PATH) -> FashionItems:
    """The shipped items (read once: the sprite ships with the app). Its RGBA pixels are gray (R = G = B)."""
    with Image.open(path) as picture:
        return items_from_sprite(np.asarray(picture.convert("L")))


@dataclass(frozen=True, eq=False)
class Split:
    """Which items are trained on and which are held out (item indices, each sorted)."""

    train: np.ndarray = field(repr=False)
    held_out: np.ndarray = field(repr=False)
    seed: int


def stratified_split(labels: np.ndarray, held_out_per_class: int, seed: int) -> Split:
    """Hold out ``held_out_per_class`` items of every class, drawn by a permutation from ``seed``."""
    rng = np.random.default_rng(seed)
    held_out = []
    for label in range(int(labels.max()) + 1):
        members = np.flatnonzero(labels == label)
        if len(members) <= held_out_per_class:
            raise ValueError(
                f"Class {label} has {len(members)} items: too few to hold out {held_out_per_class}."
            )
        held_out.append(rng.permutation(members)[:held_out_per_class])
    held = np.sort(np.concatenate(held_out))
    train = np.setdiff1d(np.arange(len(labels)), held)
    held.flags.writeable = train.flags.writeable = False
    return Split(train=train, held_out=held, seed=seed)


@cache
def fixed_split(seed: int = SPLIT_SEED) -> Split:
    """The split the shipped network was trained on: 720 items to train, 180 held out, 18 per class."""
    return stratified_split(load_items().labels, HELD_OUT_PER_CLASS, seed)


@cache
def _digests() -> dict[bytes, int]:
    return {
        hashlib.sha256(image.tobytes()).digest(): index for index, image in enumerate(load_items().images)
    }


def find_item(pixels: np.ndarray) -> int | None:
    """The index of the item whose 28 x 28 pixels these are exactly (a bundled sample, say), or None.

    Lets the page show the true label of a sample or an uploaded tile.
    """
    pixels = np.asarray(pixels)
    if pixels.shape != (ITEM_SIDE, ITEM_SIDE) or not np.array_equal(pixels, np.clip(np.rint(pixels), 0, 255)):
        return None
    return _digests().get(hashlib.sha256(pixels.astype(np.uint8).tobytes()).digest())


# ---- Any picture as a 28 x 28 item ---------------------------------------------------------------------

TRIM_TOLERANCE = 0.05 * 255
"""A border row or column is trimmed when every pixel is within 5% of the background
(Fashion-MNIST's rule)."""


@dataclass(frozen=True, eq=False)
class FittedItem:
    """A gray picture worked at 28 x 28, with every step of the way kept for the page to show.

    Attributes
    ----------
    source : ndarray of float64, shape (H, W)
        The picture as given (0..255), read-only.
    inverted : bool
        Whether dark and light were swapped (v -> 255 - v) to give a light item on dark.
    light_background : bool
        Whether the picture's border is light (median above 127): then inverting is suggested,
        as Fashion-MNIST negated its product photos on white.
    background : float
        The border's median level after any inversion: it becomes black.
    crop : tuple of int
        (top, left, rows, cols) of the part kept after trimming the background, in ``source``.
    scaled_shape : tuple of int
        (rows, cols) the crop was scaled to: the longest side 28, the aspect kept.
    offset : tuple of int
        (top, left) where the scaled crop sits in the 28 x 28 item (centred).
    pixels : ndarray of uint8, shape (28, 28)
        The network's input, white item on black (read-only).
    as_is : bool
        True when the picture was already 28 x 28: it is taken as it is (only inverted if asked).
    """

    source: np.ndarray = field(repr=False)
    inverted: bool
    light_background: bool
    background: float
    crop: tuple[int, int, int, int]
    scaled_shape: tuple[int, int]
    offset: tuple[int, int]
    pixels: np.ndarray = field(repr=False)
    as_is: bool

    @property
    def nbytes(self) -> int:
        """Memory it holds (for byte-bounded caches): mostly the picture as given."""
        return int(self.source.nbytes + self.pixels.nbytes)

    @property
    def steps(self) -> tuple[str, ...]:
        """What was done, one sentence a step, for the page to print beside the pictures."""
        rows, cols = self.source.shape
        steps = []
        if self.inverted:
            steps.append(
                "Dark and light swapped (255 − value), so the item is light on dark as in Fashion-MNIST."
            )
        if self.as_is:
            steps.append("Already 28 x 28: used as it is.")
            return tuple(steps)
        _, _, crop_rows, crop_cols = self.crop
        if (crop_rows, crop_cols) != (rows, cols):
            steps.append(
                f"Trimmed from {cols} x {rows} to the item's {crop_cols} x {crop_rows}: the border rows and "
                f"columns within 5% of the background ({format_value(self.background)}) are cut off."
            )
        if self.background > 0:
            steps.append(
                f"The background ({format_value(self.background)}) becomes black, "
                "the rest is stretched to 0..255."
            )
        scaled_rows, scaled_cols = self.scaled_shape
        steps.append(
            f"Scaled to {scaled_cols} x {scaled_rows} (longest side 28, shape kept): each new pixel is the "
            "average of the pixels it covers."
        )
        steps.append(f"Centred on a black 28 x 28 square, at row {self.offset[0]}, column {self.offset[1]}.")
        return tuple(steps)


def has_light_background(gray: np.ndarray) -> bool:
    """Whether a picture's border (its outermost rows and columns) is mostly light: a photo on white."""
    return _border_median(np.asarray(gray, dtype=np.float64)) > 127.5


def _border_median(gray: np.ndarray) -> float:
    border = np.concatenate([gray[0], gray[-1], gray[1:-1, 0], gray[1:-1, -1]])
    return float(np.median(border))


def _trim(gray: np.ndarray, background: float) -> tuple[int, int, int, int]:
    """(top, left, rows, cols) of the smallest box holding every pixel farther than 5% from the background."""
    far = np.abs(gray - background) > TRIM_TOLERANCE
    rows, cols = np.flatnonzero(far.any(axis=1)), np.flatnonzero(far.any(axis=0))
    if rows.size == 0:  # nothing but background: keep the whole picture
        return 0, 0, gray.shape[0], gray.shape[1]
    return int(rows[0]), int(cols[0]), int(rows[-1] - rows[0] + 1), int(cols[-1] - cols[0] + 1)


def fit_to_item(gray: np.ndarray, invert: bool | None = None) -> FittedItem:
    """Turn a gray picture of any size into the network's 28 x 28 input, as Fashion-MNIST made its items.

    Steps: swap dark and light if ``invert`` (None: when the border is light, ``has_light_background``);
    trim the border rows and columns close to the background (the border's median); make the
    background black and stretch the rest to 0..255; scale the longest side to 28, keeping the shape,
    by area averaging (Pillow's BOX filter); centre on black. Fashion-MNIST also sharpened its items;
    that step is left out here, so the page shows nothing it cannot explain. A picture that is
    already 28 x 28 (a sample, a drawing on the 28 x 28 pad) is used as it is.

    Parameters
    ----------
    gray : ndarray, shape (H, W)
        Gray values 0..255 (uint8 or float), e.g. ``filters.images.to_grayscale(decoded.rgb)``.
    invert : bool or None

    Raises
    ------
    ValueError
        For an array that is not 2-D, is empty, or holds values outside 0..255 or not finite.
    """
    source = np.array(gray, dtype=np.float64)
    if source.ndim != 2 or source.size == 0:
        raise ValueError(f"fit_to_item takes a 2-D gray picture; got shape {source.shape}.")
    if not np.all(np.isfinite(source)) or source.min() < 0 or source.max() > 255:
        raise ValueError("fit_to_item takes gray values from 0 to 255.")
    source.flags.writeable = False
    light = has_light_background(source)
    inverted = light if invert is None else bool(invert)
    working = 255.0 - source if inverted else source
    rows, cols = source.shape
    if (rows, cols) == (ITEM_SIDE, ITEM_SIDE):
        pixels = np.clip(np.rint(working), 0, 255).astype(np.uint8)
        pixels.flags.writeable = False
        return FittedItem(source, inverted, light, _border_median(working), (0, 0, rows, cols), (rows, cols),
                          (0, 0), pixels, as_is=True)  # fmt: skip
    background = _border_median(working)
    top, left, crop_rows, crop_cols = _trim(working, background)
    crop = working[top : top + crop_rows, left : left + crop_cols]
    brightest = float(crop.max())
    if background > 0 and brightest > background:
        crop = np.clip((crop - background) * (255.0 / (brightest - background)), 0, 255)
    scale = ITEM_SIDE / max(crop_rows, crop_cols)
    scaled_rows = min(ITEM_SIDE, max(1, round(crop_rows * scale)))
    scaled_cols = min(ITEM_SIDE, max(1, round(crop_cols * scale)))
    picture = Image.fromarray(crop.astype(np.float32))  # mode "F": 32-bit float pixels
    scaled = np.asarray(picture.resize((scaled_cols, scaled_rows), Image.Resampling.BOX), dtype=np.float64)
    offset = ((ITEM_SIDE - scaled_rows) // 2, (ITEM_SIDE - scaled_cols) // 2)
    pixels = np.zeros((ITEM_SIDE, ITEM_SIDE), dtype=np.uint8)
    pixels[offset[0] : offset[0] + scaled_rows, offset[1] : offset[1] + scaled_cols] = np.clip(
        np.floor(scaled + 0.5), 0, 255
    )
    pixels.flags.writeable = False
    return FittedItem(
        source=source,
        inverted=inverted,
        light_background=light,
        background=background,
        crop=(top, left, crop_rows, crop_cols),
        scaled_shape=(scaled_rows, scaled_cols),
        offset=offset,
        pixels=pixels,
        as_is=False,
    )
