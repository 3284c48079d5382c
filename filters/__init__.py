"""The pure core of the visualizer: filters, convolution, mappings, pooling, decoding, drawing.

Nothing here imports Streamlit; the app, the tests and the benchmark all call
these functions. Data flows one way:

    bytes -> decode_image -> pixels -> convolve -> mapping -> pool -> explain / draw
"""

from filters.convolution import (
    ImageTooSmall,
    Padding,
    PixelExplanation,
    convolve,
    convolve_channels,
    explain_pixel,
    output_shape,
)
from filters.kernel import KernelError, format_weight, normalizing_weight, parse_kernel, parse_weight
from filters.mapping import MAPPINGS, FittedMapping, fit_mapping
from filters.numbers import format_value, format_values
from filters.pipeline import FilterResult, apply_filter
from filters.pooling import PoolStep, max_pool, pool, pool_steps, pooled_shape
from filters.presets import DEFAULT_PRESET, PRESETS, Preset

__all__ = [
    "DEFAULT_PRESET",
    "MAPPINGS",
    "PRESETS",
    "FilterResult",
    "FittedMapping",
    "ImageTooSmall",
    "KernelError",
    "Padding",
    "PixelExplanation",
    "PoolStep",
    "Preset",
    "apply_filter",
    "convolve",
    "convolve_channels",
    "explain_pixel",
    "fit_mapping",
    "format_value",
    "format_values",
    "format_weight",
    "max_pool",
    "normalizing_weight",
    "output_shape",
    "parse_kernel",
    "parse_weight",
    "pool",
    "pool_steps",
    "pooled_shape",
]
