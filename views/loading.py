"""Cached decoding and filtering: the slow steps, run once per content and shared by reruns.

``st.cache_data`` keys each call by its arguments (file bytes are hashed), so a
rerun that changes nothing recomputes nothing and two sessions uploading the
same photo share one decode. Cached values are copies per caller: no session
sees another's objects.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from filters.channels import channels_first_copy
from filters.convolution import Padding
from filters.images import DecodedImage, ImageRejected, decode_image, to_grayscale
from filters.mapping import MappingKey
from filters.pipeline import FilterResult, apply_filter
from filters.pooling import PoolKind
from filters.samples import SAMPLE_DIR

_CACHE_SIZE = 32


@st.cache_data(max_entries=_CACHE_SIZE, show_spinner=False)
def decode_sample(key: str, max_side: int | None) -> DecodedImage:
    """Decode a bundled sample (``key`` is "<folder>/<file>") at the working size."""
    path = SAMPLE_DIR / key
    return decode_image(path.read_bytes(), path.name, max_side=max_side)


@st.cache_data(max_entries=_CACHE_SIZE, show_spinner="Decoding your image...")
def decode_upload(data: bytes, name: str, max_side: int | None) -> DecodedImage | str:
    """Decode an upload; a refused file gives its message (a str) so the refusal is cached too."""
    try:
        return decode_image(data, name, max_side=max_side)
    except ImageRejected as rejection:
        return str(rejection)


@st.cache_data(max_entries=_CACHE_SIZE, show_spinner=False)
def working_pixels(decoded: DecodedImage, colour: bool) -> np.ndarray:
    """The pixels the filter runs on: gray (H, W) by ITU-R 601 luma, or colour (H, W, 3)."""
    if colour:
        return channels_first_copy(decoded.rgb)
    return to_grayscale(decoded.rgb)


@st.cache_data(max_entries=_CACHE_SIZE, show_spinner=False)
def filter_image(
    pixels: np.ndarray,
    kernel: tuple[tuple[float, ...], ...],
    weight: float,
    padding: Padding,
    mapping: MappingKey,
    pool_kind: PoolKind,
) -> FilterResult:
    """``apply_filter`` cached by image content and settings."""
    return apply_filter(
        pixels,
        np.array(kernel),
        weight=weight,
        padding=padding,
        mapping=mapping,
        pool_kind=pool_kind,
    )
