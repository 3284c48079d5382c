"""Colour images, one channel at a time.

A colour image is filtered, mapped and pooled channel by channel. Results are
stored channel after channel in memory (C, H, W) and handed out as (H, W, C)
views, so each channel stays one contiguous block: on a 12-megapixel photo,
working on whole contiguous channels is several times faster than striding
through interleaved RGB values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def per_channel(array: np.ndarray, function: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``function`` applied to a 2-D array, or to each channel of an (H, W, C) array.

    Returns ``function(array)`` for 2-D input; for (H, W, C) input an
    (H', W', C) view over channel-first storage of the per-channel results.
    """
    if array.ndim == 2:
        return function(array)
    first = function(array[..., 0])
    stacked = np.empty((array.shape[2], *first.shape), dtype=first.dtype)
    stacked[0] = first
    for channel in range(1, array.shape[2]):
        stacked[channel] = function(array[..., channel])
    return np.moveaxis(stacked, 0, -1)


def channels_first_copy(array: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """A copy of an (H, W, C) array stored channel by channel, as (H, W, C) view; 2-D arrays just copied."""
    if array.ndim == 2:
        return array.astype(dtype)
    return np.moveaxis(np.moveaxis(array, -1, 0).astype(dtype), 0, -1)
