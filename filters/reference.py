"""The course lab's convolution loop in plain Python: the reference the fast path must equal.

Kept in the core so the tests check ``filters.convolve`` against it and the
benchmark measures how much faster ``scipy.signal.convolve2d`` is. It is the
lab's code with its names: ``x`` runs over rows and ``y`` over columns, so
``filter[0][0]`` multiplies the upper-left neighbour ``image[x - 1, y - 1]``;
the 1-pixel border keeps its original values and every sum is clipped to 0..255.
Like the lab, it reads the NumPy array one element at a time.
"""

from __future__ import annotations

import numpy as np


def lab_convolution(image: np.ndarray, kernel: list[list[float]], weight: float = 1.0) -> np.ndarray:
    """Filter ``image`` (H, W) with the lab's loop; returns a float64 array of the same shape."""
    size_x, size_y = image.shape
    transformed = np.array(image, dtype=np.float64)
    for x in range(1, size_x - 1):
        for y in range(1, size_y - 1):
            convolution = 0.0
            convolution = convolution + (image[x - 1, y - 1] * kernel[0][0])
            convolution = convolution + (image[x - 1, y] * kernel[0][1])
            convolution = convolution + (image[x - 1, y + 1] * kernel[0][2])
            convolution = convolution + (image[x, y - 1] * kernel[1][0])
            convolution = convolution + (image[x, y] * kernel[1][1])
            convolution = convolution + (image[x, y + 1] * kernel[1][2])
            convolution = convolution + (image[x + 1, y - 1] * kernel[2][0])
            convolution = convolution + (image[x + 1, y] * kernel[2][1])
            convolution = convolution + (image[x + 1, y + 1] * kernel[2][2])
            convolution = convolution * weight
            if convolution < 0:
                convolution = 0
            if convolution > 255:
                convolution = 255
            transformed[x, y] = convolution
    return transformed
