"""An image crafted to collide with the Ascent sample under Streamlit's cache hasher.

``st.cache_data`` hashes a NumPy array of 500,000 or more elements from 100,000
positions drawn with a fixed seed. A 512x512 gray picture decodes to 786,432 RGB
values, so only the sampled positions count: this picture equals Ascent there and
is Ascent's negative everywhere else (about two thirds of its pixels). Before the
caches were keyed by full digests, a visitor who uploaded it made the next visitor
who chose Ascent see it.
"""

from __future__ import annotations

import hashlib
import io

import numpy as np
from PIL import Image
from streamlit.runtime.caching import hashing
from streamlit.runtime.caching.cache_type import CacheType

from filters.images import DecodedImage, decode_image
from filters.samples import SAMPLE_DIR

ASCENT_KEY = "photos/ascent.png"
_SAMPLE_SIZE = 100_000  # streamlit.runtime.caching.hashing._NP_SAMPLE_SIZE
_SEED = 0  # runner.cacheHashSeed's default


def ascent() -> DecodedImage:
    path = SAMPLE_DIR / ASCENT_KEY
    return decode_image(path.read_bytes(), path.name)


def sampled_pixels(shape: tuple[int, int, int]) -> np.ndarray:
    """True on every pixel one of whose RGB values Streamlit's hasher samples."""
    size = int(np.prod(shape))
    flat = np.random.RandomState(_SEED).randint(0, size, size=_SAMPLE_SIZE)  # what choice(a.flat) draws
    touched = np.zeros(size, dtype=bool)
    touched[flat] = True
    return touched.reshape(shape).any(axis=2)


def crafted_png() -> bytes:
    """A gray PNG equal to Ascent where Streamlit samples, its negative elsewhere."""
    gray = ascent().rgb[..., 0]
    crafted = np.where(sampled_pixels(ascent().rgb.shape), gray, 255 - gray).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(crafted, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def streamlit_hash(value: object) -> str:
    """The key ``st.cache_data`` would give ``value``."""
    hasher = hashlib.new("md5")
    hashing.update_hash(value, hasher, CacheType.DATA)
    return hasher.hexdigest()
