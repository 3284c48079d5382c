"""One pass of the lecture's pipeline: image -> filter -> output mapping -> pooling.

``apply_filter`` is the single source of every number the results show; the
app draws exactly these arrays and the tests check them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from filters.convolution import Padding, convolve_channels
from filters.mapping import FittedMapping, MappingKey, fit_mapping
from filters.pooling import PoolKind, pool


@dataclass(frozen=True)
class FilterResult:
    """Everything computed from one image and one filter.

    Attributes
    ----------
    image : ndarray of float64, shape (H, W) or (H, W, 3)
        The input pixels (0..255).
    raw : ndarray of float64
        Weighted sums, before mapping: (H-2, W-2) with "valid" padding, (H, W) with "same".
    mapping : FittedMapping
        The output mapping fitted to ``raw``.
    output : ndarray of float64
        ``mapping.apply(raw)``: the filtered image as shown.
    pooled : ndarray of float64
        ``output`` pooled with 2x2 windows, stride 2.
    """

    image: np.ndarray = field(compare=False)
    kernel: np.ndarray = field(compare=False)
    weight: float
    padding: Padding
    pool_kind: PoolKind
    raw: np.ndarray = field(compare=False)
    mapping: FittedMapping
    output: np.ndarray = field(compare=False)
    pooled: np.ndarray = field(compare=False)


def apply_filter(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    weight: float = 1.0,
    padding: Padding = "valid",
    mapping: MappingKey = "clip",
    pool_kind: PoolKind = "max",
) -> FilterResult:
    """Filter ``image`` (gray or per colour channel), map the sums, and pool the result.

    Raises
    ------
    filters.convolution.ImageTooSmall
        When the filter leaves no output pixel.
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)
    raw = convolve_channels(image, kernel, weight=weight, padding=padding)
    fitted = fit_mapping(raw, mapping)
    output = fitted.apply(raw)
    return FilterResult(
        image=image,
        kernel=kernel,
        weight=weight,
        padding=padding,
        pool_kind=pool_kind,
        raw=raw,
        mapping=fitted,
        output=output,
        pooled=pool(output, pool_kind),
    )
