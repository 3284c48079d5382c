"""The lecture's convolution: each pixel's neighbours times the filter values, summed.

CNN layers (and the lecture) do not flip the filter: the filter value in the
upper-left corner multiplies the upper-left neighbour. Mathematically that is a
cross-correlation. ``scipy.signal.convolve2d`` computes a true convolution,
which flips the kernel, so we hand it the kernel already flipped:

    out[r, c] = weight * sum_ij kernel[i, j] * image[r + i - 1, c + j - 1]

(with the indices of the centre pixel; "valid" shifts them by one). All
arithmetic is in float64: in uint8, -330 would wrap around to 182.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.signal import convolve2d

from filters.channels import per_channel

Padding = Literal["valid", "same"]
PADDINGS: tuple[Padding, ...] = ("valid", "same")


class ImageTooSmall(ValueError):
    """The image has no output pixel for this filter and padding; ``str()`` says why."""


def output_shape(image_shape: tuple[int, ...], padding: Padding) -> tuple[int, int]:
    """Rows and columns of the filtered image: 28x28 -> 26x26 with "valid", 28x28 with "same"."""
    rows, cols = image_shape[:2]
    if padding == "same":
        return rows, cols
    return max(rows - 2, 0), max(cols - 2, 0)


def check_fits(image_shape: tuple[int, ...], padding: Padding) -> None:
    """Raise ImageTooSmall when a 3x3 filter with this padding leaves no output pixel."""
    _check_padding(padding)
    rows, cols = image_shape[:2]
    if 0 in output_shape(image_shape, padding):
        raise ImageTooSmall(
            f"The image is {cols} x {rows} pixels, but a 3 x 3 filter with 'valid' padding "
            "needs at least 3 x 3. Choose 'same' padding or a larger image."
        )


def convolve(
    image: np.ndarray, kernel: np.ndarray, *, weight: float = 1.0, padding: Padding = "valid"
) -> np.ndarray:
    """Filter a 2-D image the way a CNN layer does, before any clipping or activation.

    Parameters
    ----------
    image : ndarray, shape (H, W)
        Pixel values (any real dtype; computed in float64).
    kernel : ndarray, shape (3, 3)
        Filter values, as they lie over the image (not flipped).
    weight : float
        Multiplies every weighted sum (the lab's ``weight``).
    padding : {"valid", "same"}
        "valid" keeps only pixels whose whole window lies inside the image
        (H-2, W-2, like Keras); "same" pads with zeros and keeps H, W.

    Returns
    -------
    ndarray of float64
        The raw weighted sums: shape (H-2, W-2) for "valid", (H, W) for "same".
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"convolve takes a 2-D image; got shape {image.shape}.")
    if kernel.shape != (3, 3):
        raise ValueError(f"The filter must be 3 x 3; got shape {kernel.shape}.")
    check_fits(image.shape, padding)
    sums = convolve2d(image, kernel[::-1, ::-1], mode=padding, boundary="fill", fillvalue=0)
    if weight != 1:
        sums *= weight  # in place: a 12-megapixel image needs no second array
    return sums


def convolve_channels(
    pixels: np.ndarray, kernel: np.ndarray, *, weight: float = 1.0, padding: Padding = "valid"
) -> np.ndarray:
    """``convolve`` a gray (H, W) image, or each channel of a colour (H, W, C) image on its own."""
    return per_channel(pixels, lambda channel: convolve(channel, kernel, weight=weight, padding=padding))


@dataclass(frozen=True)
class PixelExplanation:
    """The arithmetic behind one output pixel, term by term.

    Attributes
    ----------
    row, col : int
        The output pixel.
    centre : tuple of int
        The input pixel under the filter's centre (row, col).
    window : ndarray, shape (3, 3)
        The input values under the filter; 0 where the window hangs over the
        border with "same" padding.
    padded : ndarray of bool, shape (3, 3)
        True where ``window`` holds padding rather than a real pixel.
    kernel : ndarray, shape (3, 3)
    products : ndarray, shape (3, 3)
        ``window * kernel``, the nine terms of the sum.
    weight : float
    total : float
        ``weight * products.sum()``: equals ``convolve(...)[row, col]``.
    """

    row: int
    col: int
    centre: tuple[int, int]
    window: np.ndarray = field(compare=False)
    padded: np.ndarray = field(compare=False)
    kernel: np.ndarray = field(compare=False)
    products: np.ndarray = field(compare=False)
    weight: float
    total: float

    @property
    def weighted_sum(self) -> float:
        """The sum of the nine products, before the weight."""
        return float(self.products.sum())


def explain_pixel(
    image: np.ndarray,
    kernel: np.ndarray,
    row: int,
    col: int,
    *,
    weight: float = 1.0,
    padding: Padding = "valid",
) -> PixelExplanation:
    """Spell out how ``convolve(image, kernel, weight=weight, padding=padding)[row, col]`` arises.

    Raises
    ------
    IndexError
        If (row, col) is not a pixel of the output.
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    out_rows, out_cols = output_shape(image.shape, padding)
    if not (0 <= row < out_rows and 0 <= col < out_cols):
        raise IndexError(f"Pixel ({row}, {col}) is outside the {out_rows} x {out_cols} output.")
    offset = 1 if padding == "valid" else 0
    centre = (row + offset, col + offset)
    window = np.zeros((3, 3))
    padded = np.ones((3, 3), dtype=bool)
    for i in range(3):
        for j in range(3):
            r, c = centre[0] + i - 1, centre[1] + j - 1
            if 0 <= r < image.shape[0] and 0 <= c < image.shape[1]:
                window[i, j] = image[r, c]
                padded[i, j] = False
    products = window * kernel
    return PixelExplanation(
        row=row,
        col=col,
        centre=centre,
        window=window,
        padded=padded,
        kernel=kernel,
        products=products,
        weight=weight,
        total=weight * float(products.sum()),
    )


def _check_padding(padding: str) -> None:
    if padding not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}; got {padding!r}.")
