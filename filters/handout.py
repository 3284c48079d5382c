"""A one-page worksheet: image, filter, filtered and pooled grids, and one pixel worked out by hand.

An A4 portrait page, drawn with Matplotlib's object API (a `Figure` saved into memory, never
pyplot: the server runs its sessions in threads). Every grid is the app's own drawing
(`filters.drawing`) and every sum the core's own text (`filters.walkthrough`, `filters.stepping`),
so the sheet shows exactly the numbers the page shows. It ends with a neighbouring pixel for the
student to compute, its answer printed upside down at the foot of the page.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from matplotlib.figure import Figure

from filters.drawing import (
    PADDING_FILL,
    PIXEL_SHADING,
    Fill,
    Outline,
    Shading,
    output_shading,
    render_channels,
    render_grid,
    value_labels,
    wants_labels,
    with_outlines,
)
from filters.kernel import format_weight
from filters.mapping import MAPPINGS
from filters.numbers import format_value
from filters.pipeline import FilterResult
from filters.pooling import pool_steps, pooled_shape
from filters.prints import file_stem
from filters.stepping import pool_text
from filters.walkthrough import (
    VIEW_INSPECT,
    PixelWalkthrough,
    channel_note,
    channel_of,
    marks_for,
    walk_pixel,
)

HandoutFormat = Literal["png", "pdf"]

A4_MM = (210.0, 297.0)
"""Width and height of the page in millimetres (portrait)."""
HANDOUT_DPI = 150
"""Pixels per inch of the PNG (1240 x 1753 for A4), and of pictures the PDF cannot keep sharp."""
MIME_TYPES: dict[str, str] = {"png": "image/png", "pdf": "application/pdf"}

_MM_PER_INCH = 25.4
_PAGE_WIDTH, _PAGE_HEIGHT = (side / _MM_PER_INCH for side in A4_MM)
_MARGIN = 0.6
"""Inches of white around the content."""
_PANEL_TOP, _PANEL_HEIGHT, _ARROW_GAP = 1.5, 1.9, 0.38
_PANEL_WIDTHS = (1.9, 0.9, 1.9, 1.2)
"""Widths in inches of the image, filter, filtered and pooled panels."""
_BLANK = "_" * 14
_TITLE_LINE_CHARACTERS = 52
"""Characters of the 15 pt bold title that fit on a line; two lines fit above the grids."""
_SUM_CHARACTERS = 90
"""Characters of 9 pt monospace that fit between the margins: longer sums go on several lines."""


@dataclass(frozen=True)
class Handout:
    """A worksheet file ready to download."""

    data: bytes
    mime: str
    file_name: str
    page_size_mm: tuple[float, float]
    dpi: int


def handout(
    result: FilterResult,
    title: str,
    pixel: tuple[int, int],
    channel: int = 0,
    fmt: HandoutFormat = "pdf",
) -> Handout:
    """The worksheet for ``result`` with output ``pixel`` (row, col) worked out, as a PDF or PNG file.

    In the PDF the grids keep every drawn pixel (zoom in to read the values of a 28 x 28 grid);
    the PNG is the page at ``HANDOUT_DPI``.

    Raises
    ------
    IndexError
        If ``pixel`` is not a pixel of the filtered image.
    """
    if fmt not in MIME_TYPES:
        raise ValueError(f"fmt must be one of {list(MIME_TYPES)}; got {fmt!r}.")
    figure = handout_figure(result, title, pixel, channel, sharp_pictures=fmt == "pdf")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=HANDOUT_DPI, metadata={"Title": title})
    return Handout(
        data=buffer.getvalue(),
        mime=MIME_TYPES[fmt],
        file_name=f"{file_stem(title, 'worksheet')}.{fmt}",
        page_size_mm=A4_MM,
        dpi=HANDOUT_DPI,
    )


def handout_figure(
    result: FilterResult,
    title: str,
    pixel: tuple[int, int],
    channel: int = 0,
    *,
    sharp_pictures: bool = True,
) -> Figure:
    """The worksheet page as a Matplotlib `Figure` (A4 portrait); its texts are in ``figure.texts``.

    ``sharp_pictures`` hands the grids to the file unresampled (for PDF, where the viewer scales
    them); otherwise they are smoothed to the page's resolution (for PNG).
    """
    walk = walk_pixel(result, *pixel, channel)
    page = _Page(Figure(figsize=(_PAGE_WIDTH, _PAGE_HEIGHT), dpi=HANDOUT_DPI), sharp_pictures)
    page.text(0.3, "Name: " + _BLANK, x=_PAGE_WIDTH - _MARGIN, ha="right")
    title_lines = textwrap.wrap(title, _TITLE_LINE_CHARACTERS, max_lines=2, placeholder=" …")
    page.text(0.55, "\n".join(title_lines), size=15, weight="bold", wrap=False)
    _results_row(page, result, pixel, channel)
    _worked_pixel(page, result, walk, channel)
    _pooling(page, result, pixel, channel)
    _your_turn(page, result, pixel, channel)
    return page.figure


@dataclass(frozen=True)
class _Page:
    """A figure laid out in inches from the top-left corner, as one reads a page."""

    figure: Figure
    sharp_pictures: bool

    def text(self, top: float, words: str, *, x: float = _MARGIN, **style) -> None:
        """Write ``words`` with their first line's top ``top`` inches below the page's top edge."""
        style = {"size": 10, "va": "top", "wrap": True} | style
        # No mathtext: a file name such as "a $\\frac{ b.png" is text, not a formula to parse.
        self.figure.text(x / _PAGE_WIDTH, 1 - top / _PAGE_HEIGHT, words, parse_math=False, **style)

    def picture(self, left: float, top: float, width: float, height: float, image: np.ndarray) -> None:
        """Show a drawn grid in the box (inches), as large as fits, centred."""
        box = (
            left / _PAGE_WIDTH,
            1 - (top + height) / _PAGE_HEIGHT,
            width / _PAGE_WIDTH,
            height / _PAGE_HEIGHT,
        )
        axes = self.figure.add_axes(box)
        axes.imshow(image, interpolation="none" if self.sharp_pictures else "auto")
        axes.set_axis_off()


def _channels(array: np.ndarray) -> list[Callable[[], np.ndarray]]:
    """One function per channel returning its values (what ``render_channels`` takes)."""
    if array.ndim == 2:
        return [lambda: array]
    return [lambda channel=channel: array[..., channel] for channel in range(array.shape[2])]


def _grid(
    channels: list[Callable[[], np.ndarray]],
    shape: tuple[int, int],
    shading: Shading,
    label_channel: int,
    outlines: tuple[Outline, ...],
) -> np.ndarray:
    """A grid drawn as the page draws it: values written in small grids, big ones reduced."""
    if wants_labels(shape):
        values = channels[0]() if len(channels) == 1 else np.stack([get() for get in channels], axis=-1)
        picture = render_grid(values, shading, labels=value_labels(values, label_channel))
    else:
        picture = render_channels(channels, shape, shading)
    return with_outlines(picture, outlines).image


def _small_grid(values: np.ndarray, shading: Shading, fills: tuple[Fill, ...] = ()) -> np.ndarray:
    """A 3x3 grid with its values written (a filter, an input window)."""
    return render_grid(values, shading, labels=value_labels(values), fills=fills).image


def _filter_shading(kernel: np.ndarray) -> Shading:
    """Blue for negative filter values, orange for positive, grey for 0."""
    extent = max(float(np.abs(kernel).max()), 1e-9)
    return Shading(-extent, extent, diverging=True)


def _size(shape: tuple[int, ...]) -> str:
    rows, cols = shape[:2]
    return f"{cols} x {rows}"


def _results_row(page: _Page, result: FilterResult, pixel: tuple[int, int], channel: int) -> None:
    """Image -> filter -> filtered -> pooled, each with its title and size, the pixel outlined."""
    marks = marks_for(VIEW_INSPECT, result, pixel)
    shading = output_shading(result.mapping)
    pool_name = "Max" if result.pool_kind == "max" else "Average"
    panels = (
        (
            "Image" + ("\n(colour)" if result.is_colour else ""),
            _grid(_channels(result.image), result.image.shape[:2], PIXEL_SHADING, channel, marks.original),
            _size(result.image.shape),
        ),
        (
            "Filter",
            _small_grid(result.kernel, _filter_shading(result.kernel)),
            f"3 x 3, weight {format_weight(result.weight)}",
        ),
        (
            f"Filtered\n({MAPPINGS[result.mapping.key].label})",
            _grid(result.mapped_channels(), result.output_shape, shading, channel, marks.filtered),
            _size(result.output_shape),
        ),
        (
            f"{pool_name} pooled\n(2 x 2, stride 2)",
            _grid(_channels(result.pooled), result.pooled.shape[:2], shading, channel, marks.pooled),
            _size(result.pooled.shape),
        ),
    )
    left = _MARGIN
    for index, ((title, image, size), width) in enumerate(zip(panels, _PANEL_WIDTHS, strict=True)):
        page.text(
            _PANEL_TOP - 0.08, title, x=left + width / 2, ha="center", va="bottom", weight="bold", wrap=False
        )
        page.picture(left, _PANEL_TOP, width, _PANEL_HEIGHT, image)
        page.text(_PANEL_TOP + _PANEL_HEIGHT + 0.08, size, x=left + width / 2, ha="center", wrap=False)
        left += width
        if index < len(panels) - 1:
            page.text(
                _PANEL_TOP + _PANEL_HEIGHT / 2 - 0.2, "→", x=left + _ARROW_GAP / 2, size=20, ha="center"
            )
            left += _ARROW_GAP
    outlined = "Amber: the pixel worked out below and its 3 x 3 window; cyan: the pooled value it feeds."
    page.text(_PANEL_TOP + _PANEL_HEIGHT + 0.4, outlined, size=9, style="italic")


def _product_rows(walk: PixelWalkthrough) -> list[str]:
    """The nine products, one line per filter row: ``64 × -1 = -64    ...``."""
    explanation = walk.explanation
    return [
        "   ".join(
            f"{format_value(value)} × {format_value(weight)} = {format_value(product)}"
            for value, weight, product in zip(
                explanation.window[row], explanation.kernel[row], explanation.products[row], strict=True
            )
        )
        for row in range(3)
    ]


def _broken_at_plus(line: str) -> str:
    """``line`` on as many lines as it needs, broken after a ``+``: joined with spaces, ``line`` again."""
    lines = [""]
    for term in line.split(" + "):
        if lines[-1] and len(lines[-1]) + len(term) + 3 > _SUM_CHARACTERS:
            lines[-1] += " +"
            lines.append(term)
        else:
            lines[-1] = f"{lines[-1]} + {term}" if lines[-1] else term
    return "\n".join(lines)


def _window_picture(walk: PixelWalkthrough) -> np.ndarray:
    """The input window under the filter, zero padding in pale blue."""
    explanation = walk.explanation
    return _small_grid(explanation.window, PIXEL_SHADING, (Fill(explanation.padded, PADDING_FILL),))


def _window_words(walk: PixelWalkthrough) -> str:
    (top, bottom), (left, right) = walk.window_rows, walk.window_cols
    padding = " (pale blue: zero padding)" if walk.explanation.padded.any() else ""
    return f"Input rows {top} to {bottom},\ncolumns {left} to {right}{padding}"


def _worked_pixel(page: _Page, result: FilterResult, walk: PixelWalkthrough, channel: int) -> None:
    """The pinned pixel: its window, the nine products, the sum, the weight and the mapping."""
    top = 4.3
    heading = (
        f"Worked example: output pixel (row {walk.row}, column {walk.col}){channel_note(result, channel)}"
    )
    page.text(top, heading, size=12, weight="bold")
    page.picture(_MARGIN, top + 0.35, 1.4, 1.4, _window_picture(walk))
    page.text(top + 1.8, _window_words(walk), size=8)
    right = _MARGIN + 1.7
    page.text(top + 0.4, "The nine products, input × filter, row by row:", x=right)
    for index, line in enumerate(_product_rows(walk)):
        page.text(top + 0.7 + 0.25 * index, line, x=right, family="monospace", size=9)
    page.text(top + 1.55, "Their sum, times the weight, then the output mapping:", x=right)
    page.text(top + 2.2, _broken_at_plus(walk.sum_line), size=9, family="monospace", wrap=False)
    page.text(top + 2.75, walk.weight_line, size=9, family="monospace")
    page.text(top + 3.05, walk.mapping_line, size=9, family="monospace")
    page.text(
        top + 3.45,
        f"The filtered grid shows {walk.final_text} at row {walk.row}, column {walk.col}.",
        weight="bold",
    )


def _pooling(page: _Page, result: FilterResult, pixel: tuple[int, int], channel: int) -> None:
    """The 2x2 pooling block that holds the pixel, written out (or why pooling drops the pixel)."""
    top = 8.25
    row, col = pixel
    block_row, block_col = row // 2, col // 2
    page.text(top, "Pooling: the 2 x 2 block holding this pixel", size=12, weight="bold")
    pool_rows, pool_cols = pooled_shape(result.output_shape)
    if block_row >= pool_rows or block_col >= pool_cols:
        words = "This pixel is in an odd last row or column: no whole 2 x 2 block, so pooling drops it."
        page.text(top + 0.35, words)
        return
    rows, cols = slice(2 * block_row, 2 * block_row + 2), slice(2 * block_col, 2 * block_col + 2)
    (step,) = pool_steps(channel_of(result.mapped((rows, cols)), channel), kind=result.pool_kind)
    where = (
        f"Rows {rows.start} to {rows.stop - 1}, columns {cols.start} to {cols.stop - 1} of the filtered grid:"
    )
    page.text(top + 0.35, where)
    page.text(top + 0.62, pool_text(step, result.pool_kind), family="monospace", size=9)
    page.text(top + 0.9, f"This is the pooled grid's value at row {block_row}, column {block_col}.")


def _neighbour(shape: tuple[int, int], pixel: tuple[int, int]) -> tuple[int, int] | None:
    """A pixel next to ``pixel`` (right, left, below or above), or None for a 1 x 1 output."""
    row, col = pixel
    for candidate in ((row, col + 1), (row, col - 1), (row + 1, col), (row - 1, col)):
        if 0 <= candidate[0] < shape[0] and 0 <= candidate[1] < shape[1]:
            return candidate
    return None


def _your_turn(page: _Page, result: FilterResult, pixel: tuple[int, int], channel: int) -> None:
    """A neighbouring pixel to compute by hand, with blanks, and its answer upside down at the foot."""
    top = 9.55
    neighbour = _neighbour(result.output_shape, pixel)
    if neighbour is None:
        return
    walk = walk_pixel(result, *neighbour, channel)
    heading = f"Your turn: output pixel (row {walk.row}, column {walk.col}){channel_note(result, channel)}"
    page.text(top, heading, size=12, weight="bold")
    page.picture(_MARGIN, top + 0.35, 1.0, 1.0, _window_picture(walk))
    right = _MARGIN + 1.3
    lines = (
        "Its input window is on the left; the filter is the one above.",
        f"Nine products: {_BLANK} {_BLANK} {_BLANK}",
        f"Sum: {_BLANK}   × weight {format_weight(result.weight)} = {_BLANK}",
        f"After the mapping ({MAPPINGS[result.mapping.key].label}): {_BLANK}",
    )
    for index, line in enumerate(lines):
        page.text(top + 0.4 + 0.3 * index, line, x=right)
    answer = f"Answer: sum × weight = {format_value(walk.raw_value)}; after the mapping: {walk.final_text}"
    page.text(_PAGE_HEIGHT - 0.3, answer, x=_PAGE_WIDTH - _MARGIN, size=8, color="0.4", rotation=180)
