"""Output mappings: what happens to the raw weighted sums before they are shown and pooled.

The raw sums of an edge filter run from about -1020 to 1020. The lab clips
them to 0..255; a CNN layer applies an activation such as ReLU. Each mapping
is fitted once to a filtered image (stretching needs its minimum and maximum)
and can then map the whole image or explain a single pixel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from filters.numbers import format_value

MappingKey = Literal["clip", "relu", "abs", "stretch", "signed"]


@dataclass(frozen=True)
class OutputMapping:
    """One way to turn raw sums into output values: its label and what it is for."""

    key: MappingKey
    label: str
    description: str


MAPPINGS: dict[str, OutputMapping] = {
    mapping.key: mapping
    for mapping in (
        OutputMapping(
            "clip",
            "Clip to 0..255",
            "Below 0 becomes 0, above 255 becomes 255, as in the course lab.",
        ),
        OutputMapping(
            "relu",
            "ReLU",
            "Negative sums become 0, the rest are kept: the activation of a CNN layer.",
        ),
        OutputMapping(
            "abs",
            "Absolute value",
            "Negative sums lose their sign, so edges of both directions light up.",
        ),
        OutputMapping(
            "stretch",
            "Min-max stretch",
            "The smallest sum becomes 0 and the largest 255, rounded half up: nothing is lost to clipping.",
        ),
        OutputMapping(
            "signed",
            "Raw signed sums",
            "The sums as they are, on a colour scale with 0 as mid-grey.",
        ),
    )
}
DEFAULT_MAPPING: MappingKey = "clip"


@dataclass(frozen=True)
class FittedMapping:
    """A mapping fitted to one filtered image.

    Attributes
    ----------
    key : str
        A key of ``MAPPINGS``.
    raw_low, raw_high : float
        The smallest and largest raw sum of the image (used by "stretch").
    display_low, display_high : float
        The output values drawn as black and white (or, when ``diverging``,
        as the two ends of the colour scale with 0 in the middle).
    diverging : bool
        True for signed output, drawn on a diverging colour scale.
    """

    key: MappingKey
    raw_low: float
    raw_high: float
    display_low: float
    display_high: float
    diverging: bool

    def apply(self, raw: np.ndarray | float) -> np.ndarray:
        """Map raw sums (an array or one value) to output values.

        The result is one new float64 array: ``raw`` (float32 or float64) is widened
        into it exactly, then mapped in place, so no second temporary is made.
        """
        raw = np.asarray(raw)
        out = np.empty(raw.shape, dtype=np.float64)
        np.copyto(out, raw)
        if self.key == "clip":
            return np.clip(out, 0.0, 255.0, out=out)
        if self.key == "relu":
            return np.maximum(out, 0.0, out=out)
        if self.key == "abs":
            return np.abs(out, out=out)
        if self.key == "stretch":
            span = self.raw_high - self.raw_low
            if span == 0:
                out.fill(0.0)
                return out
            out -= self.raw_low
            out *= 255.0 / span
            # Half up, as format_value rounds everywhere else (np.rint would round 126.5 to 126).
            out += 0.5
            return np.floor(out, out=out)
        return out

    def explain(self, raw_value: float) -> str:
        """The mapping of one value written out, e.g. ``clip 1009 to 0..255 = 255``."""
        value = format_value(float(self.apply(raw_value)))
        return self.template().format(raw=format_value(raw_value), value=value)

    def template(self) -> str:
        """How ``explain`` writes a value, with ``{raw}`` and ``{value}`` to fill in.

        The browser explorer fills the same template, so both write the mapping alike.
        """
        if self.key == "clip":
            return "clip {raw} to 0..255 = {value}"
        if self.key == "relu":
            return "ReLU({raw}) = max({raw}, 0) = {value}"
        if self.key == "abs":
            return "|{raw}| = {value}"
        if self.key == "stretch":
            low, high = format_value(self.raw_low), format_value(self.raw_high)
            if self.raw_high == self.raw_low:
                return (
                    f"stretch {{raw}} from {low}..{high} to 0..255: every sum is {low}, so there is no "
                    "range to stretch, and every pixel is drawn as {value}"
                )
            return (
                f"stretch {{raw}} from {low}..{high} to 0..255: "
                f"({{raw}} - ({low})) x 255 / ({high} - ({low})) = {{value}}"
            )
        return "kept as it is: {value}"


def fit_mapping(raw: np.ndarray, key: MappingKey) -> FittedMapping:
    """Fit mapping ``key`` to the raw sums of one filtered image (any shape)."""
    raw = np.asarray(raw)
    low = float(raw.min()) if raw.size else 0.0
    high = float(raw.max()) if raw.size else 0.0
    return fit_mapping_to_range(low, high, key)


def fit_mapping_to_range(low: float, high: float, key: MappingKey) -> FittedMapping:
    """Fit mapping ``key`` to raw sums whose smallest is ``low`` and largest ``high``."""
    if key not in MAPPINGS:
        raise ValueError(f"Unknown output mapping {key!r}; choose one of {list(MAPPINGS)}.")
    largest_size = max(abs(low), abs(high))
    if key == "signed":
        extent = max(largest_size, 1.0)
        return FittedMapping(key, low, high, -extent, extent, diverging=True)
    if key == "relu":
        display_high = max(255.0, high)
    elif key == "abs":
        display_high = max(255.0, largest_size)
    else:
        display_high = 255.0
    return FittedMapping(key, low, high, 0.0, display_high, diverging=False)
