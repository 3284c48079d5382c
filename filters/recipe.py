"""Recipes: small, hashable descriptions of everything a computed picture depends on.

A cache keyed by a recipe serves a value only to someone who asked for exactly
the same thing: the same bytes (by their SHA-256 digest) or the same bundled
sample, at the same working size, with the same filter and options. No key is
made by hashing a big array, so two different pictures can never share an entry.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

from filters.convolution import Padding
from filters.images import DecodedImage, to_grayscale
from filters.mapping import MappingKey
from filters.pipeline import FilterResult, apply_filter
from filters.pooling import PoolKind

SAMPLE_PREFIX, UPLOAD_PREFIX = "sample:", "upload:"


def upload_source(data: bytes) -> str:
    """The source of an uploaded file: its full SHA-256 digest, e.g. ``"upload:9f86d0..."``."""
    return UPLOAD_PREFIX + hashlib.sha256(data).hexdigest()


def upload_in(key: Hashable) -> str | None:
    """The upload source a cache key (a recipe, or a tuple of recipes and names) is made from, or None.

    Looks through tuples and recipe dataclasses for a string that is an upload's source.
    """
    if isinstance(key, str):
        return key if key.startswith(UPLOAD_PREFIX) else None
    if dataclasses.is_dataclass(key) and not isinstance(key, type):
        parts = (getattr(key, field.name) for field in dataclasses.fields(key))
    elif isinstance(key, tuple):
        parts = iter(key)
    else:
        return None
    return next((found for part in parts if (found := upload_in(part)) is not None), None)


def sample_source(key: str) -> str:
    """The source of a bundled sample, by its catalogue key (``"fashion/ankle_boot_1.png"``)."""
    return SAMPLE_PREFIX + key


@dataclass(frozen=True)
class ImageRecipe:
    """Which pixels the filter runs on: the source, the working size and gray or colour.

    ``max_side`` None means "Full size" (still capped at ``MAX_WORKING_PIXELS``).
    """

    source: str
    max_side: int | None
    colour: bool


@dataclass(frozen=True)
class FilterRecipe:
    """Everything a `FilterResult` depends on; small enough to be a cache key."""

    image: ImageRecipe
    kernel: tuple[float, ...]
    weight: float
    padding: Padding
    mapping: MappingKey
    pool_kind: PoolKind

    @staticmethod
    def kernel_key(kernel: np.ndarray) -> tuple[float, ...]:
        """The nine filter values in reading order, as plain floats."""
        return tuple(float(value) for value in np.asarray(kernel, dtype=np.float64).ravel())


def working_pixels(decoded: DecodedImage, colour: bool) -> np.ndarray:
    """The uint8 pixels the filter runs on: gray (H, W) by ITU-R 601 luma, or the (H, W, 3) colours."""
    if colour:
        return decoded.rgb
    return to_grayscale(decoded.rgb).astype(np.uint8)


def compute_result(recipe: FilterRecipe, decoded: DecodedImage) -> FilterResult:
    """Run the pipeline the recipe describes on ``decoded`` (decoded for ``recipe.image``)."""
    return apply_filter(
        working_pixels(decoded, recipe.image.colour),
        np.array(recipe.kernel).reshape(3, 3),
        weight=recipe.weight,
        padding=recipe.padding,
        mapping=recipe.mapping,
        pool_kind=recipe.pool_kind,
    )
