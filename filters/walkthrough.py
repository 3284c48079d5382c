"""What the step-by-step views show, computed without Streamlit: frozen dataclasses the views lay out.

- `walk_pixel`: one output pixel explained term by term (the inspector, and each
  step of the sliding filter). Every number it prints that also stands in a grid
  is read from the result's own arrays: the sum from ``raw``, the final value
  from ``mapped()``, so "the same value as in the grid" holds by construction.
- `pooling_steps`: the pooling stepper's windows.
- `marks_for`: what the results row outlines for the view in use.
- `size_story`: the sizes and what changed them, the lecture's way.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from filters.convolution import PixelExplanation, explain_pixel
from filters.drawing import CHOSEN, Outline
from filters.kernel import format_weight
from filters.numbers import format_value
from filters.pipeline import FilterResult
from filters.pooling import PoolKind, PoolStep, pool_steps, pooled_shape
from filters.stepping import Region, input_region, stepping_region, whole

CHANNEL_NAMES = ("Red", "Green", "Blue")
STEPPER_LIMIT = 32
"""Images whose filtered output is at most this size are stepped through whole."""
PROJECTOR_ZOOM = 6
"""Projector mode: at most 6 x 6 output cells, so that numbers 24 px tall fit beside their explanation."""
VIEW_INSPECT, VIEW_SLIDE, VIEW_POOL = "Inspect a pixel", "Slide the filter", "Pool step by step"
VIEW_EDGES = "Vertical vs horizontal edges"
STEP_VIEWS = (VIEW_INSPECT, VIEW_SLIDE, VIEW_POOL, VIEW_EDGES)


def channel_of(array: np.ndarray, channel: int) -> np.ndarray:
    """The 2-D values a view explains: the gray image itself, or one colour channel."""
    return array if array.ndim == 2 else array[..., channel]


def channel_note(result: FilterResult, channel: int) -> str:
    """' (red channel)' in colour mode, else nothing."""
    return f" ({CHANNEL_NAMES[channel].lower()} channel)" if result.is_colour else ""


# ---- One pixel, term by term -------------------------------------------------------------------------


@dataclass(frozen=True)
class PixelWalkthrough:
    """One output pixel explained: the window, the nine products, the sum, the weight, the mapping.

    Attributes
    ----------
    explanation : PixelExplanation
        The window, the filter and the nine products.
    raw_value : float
        The weighted sum, read from ``result.raw`` (what the grid's value was mapped from).
    output_value : float
        The final value, read from ``result.mapped()``: the number written in the filtered grid.
    sum_line, weight_line, mapping_line : str
        The arithmetic written out (``0 × -1 + 64 × 0 + ... = 1009``; ``1009 × 1 = 1009``;
        ``clip 1009 to 0..255 = 255``).
    """

    row: int
    col: int
    explanation: PixelExplanation = field(repr=False)
    raw_value: float
    output_value: float
    sum_line: str
    weight_line: str
    mapping_line: str

    @property
    def final_text(self) -> str:
        """The final value as the filtered grid writes it."""
        return format_value(self.output_value)

    @property
    def window_rows(self) -> tuple[int, int]:
        """First and last input row under the filter."""
        top = self.explanation.centre[0] - 1
        return top, top + 2

    @property
    def window_cols(self) -> tuple[int, int]:
        """First and last input column under the filter."""
        left = self.explanation.centre[1] - 1
        return left, left + 2


def walk_pixel(result: FilterResult, row: int, col: int, channel: int = 0) -> PixelWalkthrough:
    """Explain output pixel (row, col) of ``result`` (of one colour channel in colour mode).

    Raises
    ------
    IndexError
        If (row, col) is not a pixel of the output.
    """
    explanation = explain_pixel(
        channel_of(result.image, channel),
        result.kernel,
        row,
        col,
        weight=result.weight,
        padding=result.padding,
    )
    raw_value = float(channel_of(result.raw, channel)[row, col])
    mapped = result.mapped((row, col))  # one value, or one per colour channel
    output_value = float(mapped if mapped.ndim == 0 else mapped[channel])
    # The sum of the nine products is the grid's own sum when the weight is 1; with another
    # weight it is the products' sum, and the weighted result again the grid's.
    products_sum = raw_value if result.weight == 1 else explanation.weighted_sum
    terms = " + ".join(
        f"{format_value(value)} × {format_value(weight)}"
        for value, weight in zip(explanation.window.ravel(), explanation.kernel.ravel(), strict=True)
    )
    weight = format_weight(result.weight)
    return PixelWalkthrough(
        row=row,
        col=col,
        explanation=explanation,
        raw_value=raw_value,
        output_value=output_value,
        sum_line=f"{terms} = {format_value(products_sum)}",
        weight_line=f"{format_value(products_sum)} × {weight} = {format_value(raw_value)}",
        mapping_line=result.mapping.explain(raw_value),
    )


# ---- Regions the steppers walk, and what the results row outlines --------------------------------------


def convolution_region(result: FilterResult, pixel: tuple[int, int], projector: bool = False) -> Region:
    """The output region the explorer shows: all of a small image, else a zoom region around ``pixel``.

    On a projector every number is written large, so the region is at most ``PROJECTOR_ZOOM`` wide.
    """
    if projector:
        return stepping_region(result.output_shape, pixel, PROJECTOR_ZOOM, size=PROJECTOR_ZOOM)
    return stepping_region(result.output_shape, pixel, STEPPER_LIMIT)


def pooling_region(result: FilterResult, pixel: tuple[int, int], projector: bool = False) -> Region:
    """The part of the filtered image the pooling stepper walks, aligned to whole 2x2 blocks."""
    if projector:
        return stepping_region(result.output_shape, pixel, PROJECTOR_ZOOM, align=2, size=PROJECTOR_ZOOM)
    return stepping_region(result.output_shape, pixel, STEPPER_LIMIT, align=2)


@dataclass(frozen=True)
class Marks:
    """Outlines to draw on the original, filtered and pooled grids of the results row."""

    original: tuple[Outline, ...] = ()
    filtered: tuple[Outline, ...] = ()
    pooled: tuple[Outline, ...] = ()


def marks_for(view: str, result: FilterResult, pixel: tuple[int, int], projector: bool = False) -> Marks:
    """What the results row outlines for the step-by-step view in use."""
    row, col = pixel
    if view == VIEW_INSPECT:
        centre_row, centre_col = (row + 1, col + 1) if result.padding == "valid" else (row, col)
        pool_rows, pool_cols = pooled_shape(result.output_shape)
        lands_in_pooled = row // 2 < pool_rows and col // 2 < pool_cols
        pooled = (Outline(row // 2, col // 2, colour=CHOSEN),) if lands_in_pooled else ()
        return Marks(
            original=(Outline(centre_row - 1, centre_col - 1, 3, 3),),
            filtered=(Outline(row, col),),
            pooled=pooled,
        )
    if view == VIEW_EDGES or convolution_region(result, pixel, projector) == whole(result.output_shape):
        return Marks()
    if view == VIEW_SLIDE:
        region = convolution_region(result, pixel, projector)
        return Marks(original=(_outline(input_region(region, result.padding)),), filtered=(_outline(region),))
    region = pooling_region(result, pixel, projector)
    halved = Region(region.top // 2, region.left // 2, region.rows // 2, region.cols // 2)
    return Marks(filtered=(_outline(region),), pooled=(_outline(halved),))


def _outline(region: Region) -> Outline:
    return Outline(region.top, region.left, region.rows, region.cols)


# ---- Pooling windows --------------------------------------------------------------------------------


def pooling_steps(values: np.ndarray, kind: PoolKind) -> tuple[PoolStep, ...]:
    """Every 2x2 window of ``values`` in reading order (empty when it is smaller than 2x2)."""
    return tuple(pool_steps(values, kind=kind))


def first_telling_window(values: np.ndarray, kind: PoolKind, start: int) -> tuple[int, PoolStep]:
    """The first 2x2 window from step ``start`` on whose four values are not all the same (one of
    four equal values asks nothing), with its step; the window at ``start`` when every one is flat."""
    steps = itertools.islice(pool_steps(values, kind=kind), start, None)
    first = None
    for index, step in enumerate(steps, start):
        first = first or (index, step)
        if np.ptp(step.window) > 0:
            return index, step
    if first is None:
        raise ValueError(f"no pooling window at step {start} of a {values.shape} grid")
    return first


# ---- The sizes -------------------------------------------------------------------------------------------


def _pixels(count: int) -> str:
    return f"{count:,} pixel" if count == 1 else f"{count:,} pixels"


def size_story(result: FilterResult) -> str:
    """The sizes and what changed them: ``28 x 28 → 26 x 26 → 13 x 13: ...`` (Markdown)."""
    (rows, cols), (out_rows, out_cols) = result.image.shape[:2], result.output_shape
    pool_rows, pool_cols = result.pooled.shape[:2]
    border = (
        "the filter needs all 9 neighbours, so the 1-pixel border is lost ('valid' padding)"
        if result.padding == "valid"
        else "zero padding keeps the size ('same' padding)"
    )
    if pool_rows == 0 or pool_cols == 0:
        return (
            f"**{cols} x {rows} → {out_cols} x {out_rows}**: {border}; the filtered image is too small "
            "for 2 x 2 pooling, which needs at least 2 x 2 pixels."
        )
    before, after = out_rows * out_cols, pool_rows * pool_cols
    verb = "becomes" if before == 1 else "become"
    share = "a quarter" if before == 4 * after else "about a quarter: an odd last row or column is dropped"
    return (
        f"**{cols} x {rows} → {out_cols} x {out_rows} → {pool_cols} x {pool_rows}**: {border}; "
        f"pooling keeps 1 value of every 2 x 2 block, so {_pixels(before)} {verb} {_pixels(after)} ({share})."
    )
