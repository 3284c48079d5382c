"""One pass of the lecture's pipeline: image -> filter -> output mapping -> pooling.

``apply_filter`` is the single source of every number the results show; the
app draws exactly these arrays and the tests check them.

The result is kept lean because the app caches it for every visitor: pixels
stay 8-bit, sums are stored as float32 whenever that changes no value at all
(whole numbers below 2**24, which every integer filter on 8-bit pixels gives),
and the mapped output is not stored: ``mapped()`` applies the fitted mapping to
the stored sums, element by element, whenever a grid, a label or a walkthrough
needs it, so every place reads the same numbers from the same array.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from filters.convolution import Padding, convolve_channels
from filters.mapping import FittedMapping, MappingKey, fit_mapping
from filters.pooling import PoolKind, pool
from filters.stepping import strongest_pixel

Index = tuple[slice, slice] | tuple[int, int] | tuple[()]


def lossless_float32(values: np.ndarray) -> np.ndarray:
    """``values`` as float32 when that keeps every value exactly, else unchanged (float64)."""
    narrowed = values.astype(np.float32)
    if np.array_equal(narrowed, values, equal_nan=True):
        return narrowed
    return values


def read_only(array: np.ndarray) -> np.ndarray:
    """Mark ``array`` read-only: cached results are shared by every session and must not change."""
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class FilterResult:
    """Everything computed from one image and one filter.

    Attributes
    ----------
    image : ndarray of uint8, shape (H, W) or (H, W, 3)
        The input pixels (0..255), read-only.
    kernel : ndarray of float64, shape (3, 3)
    weight : float
    padding, pool_kind : str
    raw : ndarray of float32 or float64
        Weighted sums, before mapping: (H-2, W-2) with "valid" padding, (H, W) with "same".
        float32 only where it is exact.
    mapping : FittedMapping
        The output mapping fitted to ``raw``.
    pooled : ndarray
        ``mapped()`` pooled with 2x2 windows, stride 2.
    strongest : tuple of int
        The output pixel with the largest response: where the inspector starts.
    """

    image: np.ndarray = field(repr=False)
    kernel: np.ndarray = field(repr=False)
    weight: float
    padding: Padding
    pool_kind: PoolKind
    raw: np.ndarray = field(repr=False)
    mapping: FittedMapping
    pooled: np.ndarray = field(repr=False)
    strongest: tuple[int, int]

    def mapped(self, index: Index = ()) -> np.ndarray:
        """The filtered image as shown (``mapping.apply(raw)``), whole or at ``index``.

        ``index`` is what NumPy takes: ``(slice, slice)`` for a region,
        ``(row, col)`` for one pixel (all channels). The mapping works element
        by element, so a pixel read here equals the same pixel of the whole grid.
        """
        return self.mapping.apply(self.raw[index])

    @property
    def output_shape(self) -> tuple[int, int]:
        """Rows and columns of the filtered image."""
        return self.raw.shape[0], self.raw.shape[1]

    @property
    def is_colour(self) -> bool:
        return self.image.ndim == 3

    @property
    def nbytes(self) -> int:
        """Memory the arrays hold (for byte-bounded caches)."""
        return int(self.image.nbytes + self.raw.nbytes + self.pooled.nbytes)


def apply_filter(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    weight: float = 1.0,
    padding: Padding = "valid",
    mapping: MappingKey = "clip",
    pool_kind: PoolKind = "max",
) -> FilterResult:
    """Filter ``image`` (gray or per colour channel), map the sums, and pool the result.

    Parameters
    ----------
    image : ndarray, shape (H, W) or (H, W, 3)
        Pixel values 0..255 (whole numbers; stored as uint8 in the result).

    Raises
    ------
    filters.convolution.ImageTooSmall
        When the filter leaves no output pixel.
    ValueError
        When ``image`` holds values that are not whole numbers from 0 to 255.
    """
    pixels = np.asarray(image)
    if pixels.dtype != np.uint8:
        if not np.array_equal(pixels, np.clip(np.rint(pixels), 0, 255)):
            raise ValueError("apply_filter takes pixel values that are whole numbers from 0 to 255.")
        pixels = pixels.astype(np.uint8)
    kernel = read_only(np.array(kernel, dtype=np.float64))
    raw = lossless_float32(convolve_channels(pixels, kernel, weight=weight, padding=padding))
    fitted = fit_mapping(raw, mapping)
    output = fitted.apply(raw)
    return FilterResult(
        image=read_only(pixels if not pixels.flags.writeable else pixels.copy()),
        kernel=kernel,
        weight=float(weight),
        padding=padding,
        pool_kind=pool_kind,
        raw=read_only(raw),
        mapping=fitted,
        pooled=read_only(pool(output, pool_kind)),
        strongest=strongest_pixel(output),
    )
