"""Alt text for the pictures: what each grid shows, in words a screen reader reads out.

Each text names the grid, its size, the filter that made it and the pinned pixel with its value,
taken from the same arrays the grids are drawn from.
"""

from __future__ import annotations

import numpy as np

from filters.drawing import Outline
from filters.kernel import format_weight
from filters.mapping import MAPPINGS, FittedMapping
from filters.numbers import format_value
from filters.pipeline import FilterResult
from filters.pooling import pooled_shape
from filters.walkthrough import CHANNEL_NAMES, Marks, channel_of


def rows_words(values: np.ndarray) -> str:
    """A small grid read row by row: "rows -1 0 1; -2 0 2; -1 0 1"."""
    return "rows " + "; ".join(" ".join(format_value(value) for value in row) for row in np.asarray(values))


def kernel_words(kernel: np.ndarray, weight: float = 1.0) -> str:
    """A 3x3 filter read row by row, and its weight if it is not 1."""
    return rows_words(kernel) + ("" if weight == 1 else f", times {format_weight(weight)}")


def size_words(shape: tuple[int, ...]) -> str:
    """ "28 x 28" (columns x rows, as the page writes sizes), with "colour" for three channels."""
    rows, cols = shape[:2]
    return f"{cols} x {rows}" + (" colour" if len(shape) == 3 else "")


def _range_words(values: np.ndarray) -> str:
    if values.size == 0:
        return "no values"
    return f"values from {format_value(float(values.min()))} to {format_value(float(values.max()))}"


def mapping_in_text(key: str) -> str:
    """A mapping's label inside a sentence: "clip to 0..255", but "ReLU" keeps its capitals."""
    label = MAPPINGS[key].label
    return label if any(letter.isupper() for letter in label[1:]) else label[0].lower() + label[1:]


def mapped_range(mapping: FittedMapping, nearest_zero: float = 0.0) -> tuple[float, float]:
    """The smallest and largest output value of the sums the mapping was fitted to.

    Every mapping keeps the order of the sums, so the ends come from the fitted range, except the
    absolute value of sums on both sides of 0: its smallest output is ``nearest_zero``, the
    smallest magnitude of a sum (``FilterResult.nearest_zero``).
    """
    low, high = (float(value) for value in mapping.apply(np.array([mapping.raw_low, mapping.raw_high])))
    if mapping.key == "abs" and mapping.raw_low < 0 < mapping.raw_high:
        return nearest_zero, max(low, high)
    return min(low, high), max(low, high)


def grid_words(title: str, values: np.ndarray) -> str:
    """A grid in words: its title, size and the range of its values."""
    return f"{title}: a {size_words(np.shape(values))} grid, {_range_words(np.asarray(values))}."


def filtered_words(result: FilterResult, title: str, size: bool = True) -> str:
    """A filtered image in words: its size (unless ``size`` is False: it is being guessed), the
    filter and mapping that made it, its range."""
    low, high = mapped_range(result.mapping, result.nearest_zero)
    return (
        f"{title}{f', {size_words(result.raw.shape)}' if size else ''}, made by the filter "
        f"{kernel_words(result.kernel, result.weight)}, then {mapping_in_text(result.mapping.key)}; "
        f"values from {format_value(low)} to {format_value(high)}."
    )


def outlined_words(outlines: tuple[Outline, ...]) -> str:
    """What a grid outlines, in words (empty when nothing is)."""
    places = [
        f"row {box.top}, column {box.left}"
        if box.rows == box.cols == 1
        else f"rows {box.top} to {box.top + box.rows - 1}, columns {box.left} to {box.left + box.cols - 1}"
        for box in outlines
    ]
    return f" Outlined: {'; '.join(places)}." if places else ""


HELD_BACK_PIXEL, HELD_BACK_POOLED, HELD_BACK_SIZES = "pixel", "pooled", "sizes"
"""What a page may hold back while the learner predicts it: the pinned pixel's value, the pooled
values, the sizes."""


def results_alts(
    result: FilterResult,
    pixel: tuple[int, int],
    marks: Marks,
    channel: int = 0,
    held_back: frozenset[str] = frozenset(),
) -> tuple[str, str, str]:
    """Alt texts of the original, filtered and pooled grids: the pinned output ``pixel`` with its
    value, and what ``marks`` outlines on each grid; without what ``held_back`` names (the pinned
    value, the filtered and pooled sizes) while the learner is asked for it."""
    row, col = pixel
    channel_words = f" ({CHANNEL_NAMES[channel].lower()} channel)" if result.is_colour else ""
    mapped = result.mapped((row, col))
    value = float(mapped if mapped.ndim == 0 else mapped[channel])
    sizes = HELD_BACK_SIZES not in held_back
    original = (
        f"Original image, {size_words(result.image.shape)} pixels, {_range_words(result.image)}."
        + outlined_words(marks.original)
    )
    value_words = "covered until you guess it" if HELD_BACK_PIXEL in held_back else format_value(value)
    filtered = (
        f"{filtered_words(result, 'Filtered image', size=sizes)} "
        f"Pinned pixel: row {row}, column {col} = {value_words}{channel_words}."
        + outlined_words(marks.filtered)
    )
    pooled_rows, pooled_cols = pooled_shape(result.output_shape)
    kind = "Max" if result.pool_kind == "max" else "Average"
    pooled_size = f", {pooled_cols} x {pooled_rows}" if sizes else ""
    pooled = f"{kind} pooled 2 x 2{pooled_size}, {_range_words(result.pooled)}."
    if row // 2 < pooled_rows and col // 2 < pooled_cols:
        kept = channel_of(result.pooled, channel)[row // 2, col // 2]
        # Max pooling keeps the pinned pixel's own value when it is its block's largest: held back too.
        hidden = HELD_BACK_PIXEL in held_back or HELD_BACK_POOLED in held_back
        kept_words = "covered until you guess" if hidden else format_value(float(kept))
        pooled += (
            f" The pinned pixel's block is row {row // 2}, column {col // 2} = {kept_words}{channel_words}."
        )
    return original, filtered, pooled + outlined_words(marks.pooled)


def legend_words(mapping: FittedMapping) -> str:
    """The signed colour scale in words."""
    return (
        f"Colour scale: blue for negative sums down to {format_value(mapping.display_low)}, "
        f"mid-grey at 0, orange for positive sums up to {format_value(mapping.display_high)}."
    )
