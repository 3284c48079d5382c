"""Grids drawn for paper and slides: every value written in cells big enough to print, at 300 dpi.

The screen's grids are sized for a browser column; a worksheet needs more pixels per cell. The
same drawing (``filters.drawing.render_grid``) makes both, so a print shows the screen's numbers.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import numpy as np
from PIL import Image

from filters.drawing import (
    Fill,
    GridPicture,
    Outline,
    Shading,
    render_channels,
    render_grid,
    value_labels,
    wants_labels,
    with_outlines,
)

PRINT_DPI = 300
PRINT_CELL_PX = 96
"""A labelled cell 8 mm wide at 300 dpi: a 28 x 28 grid is 22 cm, a page's width in landscape."""
PRINT_SIDE_PX = 3000
"""Longest side of an unlabelled grid on paper (25 cm at 300 dpi); photos larger are reduced."""


def print_grid(
    values: np.ndarray,
    shading: Shading,
    *,
    label_channel: int = 0,
    outlines: tuple[Outline, ...] = (),
    fills: tuple[Fill, ...] = (),
) -> GridPicture:
    """``values`` drawn for print: the values written when the grid is small enough to read them
    (as on screen), otherwise each value a square of whole pixels up to ``PRINT_SIDE_PX``."""
    values = np.asarray(values)
    if wants_labels(values.shape):
        return render_grid(
            values,
            shading,
            labels=value_labels(values, label_channel),
            cell_px=PRINT_CELL_PX,
            outlines=outlines,
            fills=fills,
        )
    return render_grid(values, shading, cell_px=_photo_cell_px(values.shape), outlines=outlines, fills=fills)


def print_channels(
    channels: Sequence[Callable[[], np.ndarray]],
    shape: tuple[int, int],
    shading: Shading,
    *,
    outlines: tuple[Outline, ...] = (),
) -> GridPicture:
    """A grid too big for its values written (a photo), drawn for print from one function per
    colour channel: a 12-megapixel result is reduced one channel at a time, as on screen, so that
    a download never holds the whole image's values at once."""
    return with_outlines(render_channels(channels, shape, shading, cell_px=_photo_cell_px(shape)), outlines)


def _photo_cell_px(shape: tuple[int, ...]) -> float:
    """Whole pixels per value up to ``PRINT_SIDE_PX`` a side; larger images reduced to it."""
    longest = max(shape[:2])
    return float(max(1, PRINT_SIDE_PX // longest)) if longest <= PRINT_SIDE_PX else PRINT_SIDE_PX / longest


def print_png(picture: GridPicture) -> bytes:
    """The picture as a PNG file that says it is 300 dpi (so it prints at the intended size)."""
    buffer = io.BytesIO()
    Image.fromarray(picture.image).save(buffer, format="PNG", dpi=(PRINT_DPI, PRINT_DPI), optimize=False)
    return buffer.getvalue()


def file_stem(*parts: str) -> str:
    """A safe, readable file name from its parts: ("Ankle boot 1", "filtered") -> "ankle-boot-1_filtered"."""
    words = ("".join(ch if ch.isalnum() else " " for ch in part.lower()).split() for part in parts)
    return "_".join("-".join(part)[:60] for part in words if part) or "grid"
