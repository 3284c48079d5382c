"""The pixels the app filters, computed by the core: shared by the fast tests and the browser tests.

No browser import here (tests/e2e/helpers.py re-exports these for the browser tests), so that
``python -m pytest -m "not e2e"`` collects without Playwright installed.
"""

from __future__ import annotations

import numpy as np

from filters.images import decode_image, to_grayscale
from filters.samples import DEFAULT_SAMPLE, SAMPLE_DIR


def sample_pixels(key: str = DEFAULT_SAMPLE, max_side: int | None = 512, colour: bool = False) -> np.ndarray:
    """The pixels the app filters for a bundled sample, computed by the core."""
    path = SAMPLE_DIR / key
    return upload_pixels(path.read_bytes(), path.name, max_side, colour)


def upload_pixels(data: bytes, name: str, max_side: int | None = 512, colour: bool = False) -> np.ndarray:
    """The pixels the app filters for a file's bytes: decoded, gray by ITU-R 601 luma unless colour."""
    rgb = decode_image(data, name, max_side=max_side).rgb
    return rgb.astype(np.float64) if colour else to_grayscale(rgb)
