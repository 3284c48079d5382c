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

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from scipy.signal import convolve2d

from filters.convolution import Padding, check_fits, output_shape
from filters.mapping import FittedMapping, MappingKey, fit_mapping_to_range
from filters.pooling import PoolKind, pool, pooled_shape

Index = tuple[slice, slice] | tuple[int, int] | tuple[()]


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
    nearest_zero : float
        With the "abs" mapping, the smallest magnitude of a sum (its smallest output, which the
        fitted range alone cannot tell); 0 otherwise.
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
    nearest_zero: float = 0.0

    def mapped(self, index: Index = ()) -> np.ndarray:
        """The filtered image as shown (``mapping.apply(raw)``), whole or at ``index``.

        ``index`` is what NumPy takes: ``(slice, slice)`` for a region,
        ``(row, col)`` for one pixel (all channels). The mapping works element
        by element, so a pixel read here equals the same pixel of the whole grid.
        """
        return self.mapping.apply(self.raw[index])

    def mapped_channels(self) -> list[Callable[[], np.ndarray]]:
        """One function per channel returning that channel's mapped values (for drawing big results
        one channel at a time, never the whole mapped image at once)."""
        if not self.is_colour:
            return [self.mapped]
        return [
            partial(self.mapped, (slice(None), slice(None), channel)) for channel in range(self.raw.shape[2])
        ]

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


BAND_ROWS = 256
"""Output rows computed at a time. A band's buffers (a few MB) are reused by the memory
allocator, where whole-image temporaries would each be fresh pages from the system: on the
2-core VM this was developed on, touching fresh memory costs about 2.7 ms per MB, more than
the arithmetic. Even, so that 2x2 pooling blocks never straddle two bands."""


def sums_fit_float32(kernel: np.ndarray, weight: float) -> bool:
    """Whether every weighted sum of 8-bit pixels is a whole number that float32 holds exactly.

    True for whole-number filters and weights whose largest possible sum, 255 x sum(|k|) x |w|,
    is at most 2**24 (every edge, outline and sharpen filter); fractions (1/9, 0.5) stay float64.
    """
    values = np.append(np.ravel(kernel), weight)
    whole = bool(np.all(values == np.round(values)))
    return whole and 255 * float(np.abs(kernel).sum()) * abs(weight) <= 2**24


def _band_sums(channel: np.ndarray, flipped: np.ndarray, weight: float, padding: Padding, rows: slice):
    """The weighted sums of output ``rows`` of one channel, as ``convolve`` computes them (float64)."""
    if padding == "valid":
        inputs = channel[rows.start : rows.stop + 2].astype(np.float64)
    else:  # "same": the zero border around the image, cut to the band
        inputs = np.zeros((rows.stop - rows.start + 2, channel.shape[1] + 2))
        top, bottom = max(rows.start - 1, 0), min(rows.stop + 1, channel.shape[0])
        inputs[top - rows.start + 1 : bottom - rows.start + 1, 1:-1] = channel[top:bottom]
    sums = convolve2d(inputs, flipped, mode="valid")
    if weight != 1:
        sums *= weight
    return sums


def _pooled_dtype(raw_dtype: np.dtype, fitted: FittedMapping, pool_kind: PoolKind) -> type:
    """float32 when it holds every pooled value exactly: whole-number outputs (whole sums, or the
    stretch's 0..255), kept as they are by max pooling, or averaged in quarters below 2**22."""
    whole = raw_dtype == np.float32 or fitted.key == "stretch"
    largest = 255.0 if fitted.key in ("clip", "stretch") else max(abs(fitted.raw_low), abs(fitted.raw_high))
    exact = whole and (pool_kind == "max" or largest <= 2**22)
    return np.float32 if exact else np.float64


def apply_filter(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    weight: float = 1.0,
    padding: Padding = "valid",
    mapping: MappingKey = "clip",
    pool_kind: PoolKind = "max",
    band_rows: int = BAND_ROWS,
) -> FilterResult:
    """Filter ``image`` (gray or per colour channel), map the sums, and pool the result.

    The image is worked in bands of ``band_rows`` output rows, so that no whole-image
    temporary is made: the result's own arrays are the only big allocations. Every sum
    equals ``convolve(...)`` exactly (each is the same nine products, added in the same order).

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
    elif pixels.flags.writeable:
        pixels = pixels.copy()  # the result must not change when the caller's array does
    if band_rows < 2 or band_rows % 2:
        raise ValueError(f"band_rows must be even and at least 2; got {band_rows}.")
    kernel = read_only(np.array(kernel, dtype=np.float64))
    if kernel.shape != (3, 3):
        raise ValueError(f"The filter must be 3 x 3; got shape {kernel.shape}.")
    check_fits(pixels.shape, padding)
    channels = [pixels] if pixels.ndim == 2 else [pixels[..., c] for c in range(pixels.shape[2])]
    out_rows, out_cols = output_shape(pixels.shape, padding)
    bands = [slice(start, min(start + band_rows, out_rows)) for start in range(0, out_rows, band_rows)]

    dtype = np.float32 if sums_fit_float32(kernel, weight) else np.float64
    raw = np.empty((len(channels), out_rows, out_cols), dtype=dtype)  # stored channel by channel
    flipped = kernel[::-1, ::-1]  # convolve2d flips the kernel; CNNs do not (see filters.convolution)
    low, high, nearest_zero = np.inf, -np.inf, np.inf
    for stored, channel in zip(raw, channels, strict=True):
        for rows in bands:
            sums = _band_sums(channel, flipped, weight, padding, rows)
            stored[rows] = sums
            low, high = min(low, float(sums.min())), max(high, float(sums.max()))
            if mapping == "abs":
                nearest_zero = min(nearest_zero, float(np.abs(sums).min()))
    fitted = fit_mapping_to_range(low, high, mapping)

    pooled_rows, pooled_cols = pooled_shape((out_rows, out_cols))
    pooled = np.empty(
        (len(channels), pooled_rows, pooled_cols), dtype=_pooled_dtype(raw.dtype, fitted, pool_kind)
    )
    strongest, best = (0, 0), -1.0
    for rows in bands:
        magnitude = np.zeros((rows.stop - rows.start, out_cols))
        for stored, pooled_channel in zip(raw, pooled, strict=True):
            output = fitted.apply(stored[rows])
            magnitude += np.abs(output)
            block = pool(output, pool_kind)
            pooled_channel[rows.start // 2 : rows.start // 2 + block.shape[0]] = block
        at = int(np.argmax(magnitude))  # the first in reading order, as bands are visited in order
        if magnitude.flat[at] > best:
            best, strongest = float(magnitude.flat[at]), (rows.start + at // out_cols, at % out_cols)

    def stored(array: np.ndarray) -> np.ndarray:
        return read_only(array[0] if pixels.ndim == 2 else np.moveaxis(array, 0, -1))

    return FilterResult(
        image=read_only(pixels),
        kernel=kernel,
        weight=float(weight),
        padding=padding,
        pool_kind=pool_kind,
        raw=stored(raw),
        mapping=fitted,
        pooled=stored(pooled),
        strongest=strongest,
        nearest_zero=float(nearest_zero) if mapping == "abs" else 0.0,
    )
