"""Phone-photo-like test files, made in memory: a 12-megapixel JPEG and HEIC."""

from __future__ import annotations

import io
from functools import cache

import numpy as np
import pillow_heif
from PIL import Image

from filters.samples import SAMPLE_DIR

pillow_heif.register_heif_opener()
PHONE_SIZE = (4032, 3024)


@cache
def phone_photo(seed: int = 0) -> Image.Image:
    """A 4032 x 3024 RGB picture with photo-like detail (an enlarged sample plus sensor noise)."""
    base = (
        Image.open(SAMPLE_DIR / "photos" / "coffee.png")
        .convert("RGB")
        .resize(PHONE_SIZE, Image.Resampling.BICUBIC)
    )
    noise = np.random.default_rng(seed).normal(0, 6, size=(PHONE_SIZE[1], PHONE_SIZE[0], 1))
    pixels = np.clip(np.asarray(base, dtype=np.float64) + noise, 0, 255).astype(np.uint8)
    return Image.fromarray(pixels)


QUALITY = {"JPEG": 90, "HEIF": 50}
"""Chosen so the files are as big as a phone's: about 3.6 MB of JPEG and 2.5 MB of HEIC for 12 MP."""


def encoded(file_format: str, seed: int = 0) -> bytes:
    """The phone photo saved as "JPEG" or "HEIF" at the quality above."""
    buffer = io.BytesIO()
    phone_photo(seed).save(buffer, format=file_format, quality=QUALITY[file_format])
    return buffer.getvalue()
