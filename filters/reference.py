"""The course lab's convolution and pooling loops in plain Python: the oracle the app is checked against.

Kept in the core so the tests compare ``filters`` with it and the benchmark
measures how much faster ``scipy.signal.convolve2d`` is. It is the lab's code
with its names and its habits:

- ``x`` runs over rows and ``y`` over columns, so ``filter[0][0]`` multiplies the
  upper-left neighbour ``image[x - 1, y - 1]`` (no flip, like the app);
- the lab's image (``misc.ascent()``) is an array of integers, and the result is
  written into a copy of it (``np.copy``), so every clipped sum is truncated to a
  whole number when stored; the 1-pixel border keeps its original values;
- pooling walks the whole transformed image (border included) in 2x2 blocks from
  (0, 0) and keeps the largest of the four.

Images are read as 64-bit integers, as ``misc.ascent()`` gives them: with the
uint8 array ``Image.open`` gives, the lab's ``pixel * -1`` would overflow.

Where the app differs, and why: it keeps the fractions (a blur's 85.33 stays
85.33, the lab stores 85), it drops the border instead of keeping it ("valid"
padding, as Keras does), and its pooling blocks start at the first filtered
pixel, one row and column in from the lab's.
"""

from __future__ import annotations

import numpy as np


def lab_image(image: np.ndarray) -> np.ndarray:
    """The image as the lab holds it: a 2-D array of 64-bit integers (refuses fractional pixels)."""
    pixels = np.asarray(image)
    as_integers = pixels.astype(np.int64)
    if not np.array_equal(as_integers, pixels):
        raise ValueError("The lab's loop takes whole-number pixels, as misc.ascent() gives.")
    return as_integers


def lab_convolution(image: np.ndarray, kernel: list[list[float]], weight: float = 1.0) -> np.ndarray:
    """Filter ``image`` (H, W) with the lab's loop; returns its integer ``image_transformed``."""
    ascent_image = lab_image(image)
    image_transformed = np.copy(ascent_image)
    size_x, size_y = image_transformed.shape
    for x in range(1, size_x - 1):
        for y in range(1, size_y - 1):
            convolution = 0.0
            convolution = convolution + (ascent_image[x - 1, y - 1] * kernel[0][0])
            convolution = convolution + (ascent_image[x - 1, y] * kernel[0][1])
            convolution = convolution + (ascent_image[x - 1, y + 1] * kernel[0][2])
            convolution = convolution + (ascent_image[x, y - 1] * kernel[1][0])
            convolution = convolution + (ascent_image[x, y] * kernel[1][1])
            convolution = convolution + (ascent_image[x, y + 1] * kernel[1][2])
            convolution = convolution + (ascent_image[x + 1, y - 1] * kernel[2][0])
            convolution = convolution + (ascent_image[x + 1, y] * kernel[2][1])
            convolution = convolution + (ascent_image[x + 1, y + 1] * kernel[2][2])
            convolution = convolution * weight
            if convolution < 0:
                convolution = 0
            if convolution > 255:
                convolution = 255
            image_transformed[x, y] = convolution
    return image_transformed


def lab_pooling(image_transformed: np.ndarray) -> np.ndarray:
    """The lab's 2x2 max pooling loop over the whole image, from (0, 0); even sizes, as the lab assumes."""
    size_x, size_y = image_transformed.shape
    new_x, new_y = int(size_x / 2), int(size_y / 2)
    new_image = np.zeros((new_x, new_y))
    for x in range(0, size_x, 2):
        for y in range(0, size_y, 2):
            pixels = []
            pixels.append(image_transformed[x, y])
            pixels.append(image_transformed[x + 1, y])
            pixels.append(image_transformed[x, y + 1])
            pixels.append(image_transformed[x + 1, y + 1])
            pixels.sort(reverse=True)
            new_image[int(x / 2), int(y / 2)] = pixels[0]
    return new_image
