"""Walking through an image step by step: regions, reading order, and the arithmetic as text.

The steppers show the filter sliding over a region of the filtered image, one
output pixel per step, and the 2x2 pooling windows one by one. Small images are
walked whole; on a big photo the user places a zoom region around a point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from filters.numbers import format_value
from filters.pooling import PoolStep

ZOOM_SIZE = 16
"""Side of the zoom region placed on big images, in output pixels."""


@dataclass(frozen=True)
class Region:
    """A rectangle of pixels: ``rows`` x ``cols`` from (top, left)."""

    top: int
    left: int
    rows: int
    cols: int

    @property
    def count(self) -> int:
        """Number of pixels, i.e. of steps when the region is walked pixel by pixel."""
        return self.rows * self.cols

    def cell(self, step: int) -> tuple[int, int]:
        """The pixel visited at ``step`` (0-based) in reading order: left to right, top to bottom."""
        if not 0 <= step < self.count:
            raise IndexError(f"Step {step} is outside 0..{self.count - 1}.")
        return self.top + step // self.cols, self.left + step % self.cols

    def slices(self) -> tuple[slice, slice]:
        """Index an array with ``array[region.slices()]``."""
        return slice(self.top, self.top + self.rows), slice(self.left, self.left + self.cols)


def whole(shape: tuple[int, ...]) -> Region:
    """The region covering a whole (H, W) grid."""
    return Region(0, 0, shape[0], shape[1])


def zoom_region(
    shape: tuple[int, ...], centre: tuple[int, int], size: int = ZOOM_SIZE, align: int = 1
) -> Region:
    """A ``size`` x ``size`` region around ``centre``, moved inside the grid and clipped to it.

    ``align=2`` puts the corner on even coordinates, so the region's 2x2
    pooling windows are the image's own.
    """
    rows, cols = shape[0], shape[1]

    def start(centre_index: int, extent: int) -> int:
        span = min(size, extent)
        first = min(max(centre_index - size // 2, 0), extent - span)
        return first - first % align

    top, left = start(centre[0], rows), start(centre[1], cols)
    height = min(size, rows - top)
    width = min(size, cols - left)
    if align > 1:
        height -= height % align
        width -= width % align
    return Region(top, left, height, width)


def stepping_region(
    shape: tuple[int, ...], centre: tuple[int, int], limit: int, align: int = 1, size: int = ZOOM_SIZE
) -> Region:
    """The whole grid when at most ``limit`` x ``limit``, else a ``size`` zoom region around ``centre``."""
    if shape[0] <= limit and shape[1] <= limit:
        return whole(shape)
    return zoom_region(shape, centre, size=size, align=align)


def input_region(output_region: Region, padding: str) -> Region:
    """The input pixels the filter touches while it walks ``output_region`` (a 1-pixel border more).

    With "same" padding the border may hang over the image edge; the caller
    clips it and shows the missing pixels as zero padding.
    """
    offset = 0 if padding == "valid" else -1
    return Region(
        output_region.top + offset,
        output_region.left + offset,
        output_region.rows + 2,
        output_region.cols + 2,
    )


def padded_crop(image: np.ndarray, region: Region) -> tuple[np.ndarray, np.ndarray]:
    """``image`` cut to ``region``, with zeros where the region hangs over the edge.

    Returns the values and a boolean mask that is True on padding.
    """
    rows, cols = image.shape[:2]
    values = np.zeros((region.rows, region.cols, *image.shape[2:]), dtype=np.float64)
    padded = np.ones((region.rows, region.cols), dtype=bool)
    top, left = max(region.top, 0), max(region.left, 0)
    bottom, right = min(region.top + region.rows, rows), min(region.left + region.cols, cols)
    if bottom > top and right > left:
        inner = (slice(top - region.top, bottom - region.top), slice(left - region.left, right - region.left))
        values[inner] = image[top:bottom, left:right]
        padded[inner] = False
    return values, padded


def strongest_pixel(output: np.ndarray) -> tuple[int, int]:
    """The output pixel with the largest response (largest absolute value, all channels together).

    A good first pixel to inspect: the filter clearly reacts there. This is the definition;
    ``apply_filter`` finds the same pixel band by band (``FilterResult.strongest``).
    """
    magnitude = np.abs(output) if output.ndim == 2 else np.abs(output).sum(axis=2)
    row, col = np.unravel_index(int(np.argmax(magnitude)), magnitude.shape)
    return int(row), int(col)


def pool_text(step: PoolStep, kind: str) -> str:
    """One pooling window written out: ``max(0, 64, 48, 192) = 192`` or the average."""
    texts = [format_value(value) for value in step.window.ravel()]
    if kind == "max":
        return f"max({', '.join(texts)}) = {format_value(step.value)}"
    return f"({' + '.join(texts)}) / {len(texts)} = {format_value(step.value)}"
