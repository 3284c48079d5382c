"""The preset 3x3 filters, kept as one table of data.

Each preset is named by what it makes visible. Edge filters come in pairs
whose names say which edges they find and which side of the edge turns bright.
To add a preset, add one line to ``_TABLE``: nothing else needs to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Preset:
    """A named 3x3 filter with the weight that scales its sum.

    Attributes
    ----------
    name : str
        What the filter detects or does, as shown in the app.
    values : ndarray of float64, shape (3, 3)
        The filter, row by row as it lies over the image (read-only).
    weight : float
        The lab's ``weight``: the weighted sum is multiplied by it.
    description : str
        One sentence on what the filter emphasizes.
    """

    name: str
    values: np.ndarray = field(compare=False)
    weight: float
    description: str


def _preset(name: str, rows: list[list[float]], weight: float, description: str) -> Preset:
    values = np.array(rows, dtype=np.float64)
    values.flags.writeable = False
    return Preset(name=name, values=values, weight=weight, description=description)


# key: (name, values, weight, description). Vertical and horizontal edges come first:
# they are the lecture's first examples.
_TABLE: dict[str, tuple[str, list[list[float]], float, str]] = {
    "vertical_edges": (
        "Vertical edges (Sobel, dark to bright)",
        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        1.0,
        "Vertical lines pop out: bright where the image gets brighter from left to right.",
    ),
    "horizontal_edges": (
        "Horizontal edges (Sobel, dark to bright)",
        [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        1.0,
        "Horizontal lines pop out: bright where the image gets brighter from top to bottom "
        "(the lab's first filter).",
    ),
    "vertical_edges_reversed": (
        "Vertical edges (Sobel, bright to dark)",
        [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
        1.0,
        "Vertical lines pop out: bright where the image gets darker from left to right.",
    ),
    "horizontal_edges_reversed": (
        "Horizontal edges (Sobel, bright to dark)",
        [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
        1.0,
        "Horizontal lines pop out: bright where the image gets darker from top to bottom.",
    ),
    "vertical_edges_prewitt": (
        "Vertical edges (Prewitt)",
        [[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]],
        1.0,
        "Like Sobel's vertical edges, but all three rows count equally.",
    ),
    "horizontal_edges_prewitt": (
        "Horizontal edges (Prewitt)",
        [[-1, -1, -1], [0, 0, 0], [1, 1, 1]],
        1.0,
        "Like Sobel's horizontal edges, but all three columns count equally.",
    ),
    "vertical_edges_scharr": (
        "Vertical edges (Scharr)",
        [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]],
        1.0,
        "Vertical edges with a strong centre row: steeper response, same direction as Sobel.",
    ),
    "horizontal_edges_scharr": (
        "Horizontal edges (Scharr)",
        [[-3, -10, -3], [0, 0, 0], [3, 10, 3]],
        1.0,
        "Horizontal edges with a strong centre column: steeper response, same direction as Sobel.",
    ),
    "outline": (
        "Outline (Laplacian)",
        [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
        1.0,
        "Outlines in every direction: the lab's filter, comparing each pixel with its four "
        "neighbours; flat areas become 0.",
    ),
    "box_blur": (
        "Box blur",
        [[1, 1, 1], [1, 1, 1], [1, 1, 1]],
        1 / 9,
        "Each pixel becomes the average of its 3x3 neighbourhood: details soften.",
    ),
    "gaussian_blur": (
        "Gaussian blur",
        [[1, 2, 1], [2, 4, 2], [1, 2, 1]],
        1 / 16,
        "A gentler blur: near neighbours count more than the corners.",
    ),
    "sharpen": (
        "Sharpen",
        [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        1.0,
        "Each pixel is pushed away from its neighbours: edges and texture stand out.",
    ),
    "emboss": (
        "Emboss",
        [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
        1.0,
        "Lights the image from the upper left: edges look raised or carved.",
    ),
    "identity": (
        "Identity (no change)",
        [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
        1.0,
        "Keeps each pixel as it is: the output equals the input (minus the border).",
    ),
    "lecture_example": (
        "The lecture's example filter",
        [[-1, 0, -2], [0.5, 4.5, 1.5], [1.5, 2, -3]],
        1.0,
        "The filter of the lecture's worked pixel: its centre 192 becomes 1009.",
    ),
}

PRESETS: dict[str, Preset] = {key: _preset(*row) for key, row in _TABLE.items()}
"""Preset key -> Preset, in the order the app lists them."""

DEFAULT_PRESET = "vertical_edges"


LECTURE_POOLING_GRID = np.array(
    [[0, 64, 128, 128], [48, 192, 144, 144], [142, 226, 168, 0], [255, 0, 0, 64]], dtype=np.float64
)
"""The lecture's block of 16 pixels that 2x2 max pooling turns into 4 (192, 144, 255, 168)."""
