"""What the in-browser hover grid shows: every number of every pixel's walkthrough, computed here.

The browser component (``views/hover_grid.py``) only looks these texts up when the
pointer or the keyboard moves over a cell: it does no arithmetic and formats no
number, so everything it shows is the core's (``walk_pixel``), by construction.
Sent only for grids small enough to read (``HOVER_LIMIT``), where the whole
output's walkthroughs stay well under 1 MB.
"""

from __future__ import annotations

import numpy as np

from filters.drawing import label_inks, output_shading, shade
from filters.numbers import format_values
from filters.pipeline import FilterResult
from filters.walkthrough import channel_note, channel_of, walk_pixel

HOVER_LIMIT = 32
"""Largest filtered grid (rows and columns) the hover grid is offered for."""


def wants_hover(result: FilterResult) -> bool:
    """Whether the filtered grid is small enough to hover cell by cell."""
    rows, cols = result.output_shape
    return 0 < rows <= HOVER_LIMIT and 0 < cols <= HOVER_LIMIT


def _hex(colours: np.ndarray) -> list[str]:
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in colours.reshape(-1, 3).tolist()]


def hover_payload(result: FilterResult, channel: int = 0) -> dict:
    """Everything the hover grid shows, as JSON-ready lists in reading order.

    Keys: ``rows``, ``cols`` (output), ``note`` (' (red channel)' or ''), ``kernel``
    (9 labels), ``cells`` (per output pixel: label, colour, ink), and ``walks`` (per
    output pixel: window labels, padded flags, product labels, the three lines of
    arithmetic, and the window's first input row and column).
    """
    rows, cols = result.output_shape
    output = channel_of(result.mapped(), channel)
    colours = shade(output, output_shading(result.mapping))
    walks = []
    for row in range(rows):
        for col in range(cols):
            walk = walk_pixel(result, row, col, channel)
            explanation = walk.explanation
            walks.append(
                {
                    "window": format_values(explanation.window).ravel().tolist(),
                    "padded": explanation.padded.ravel().tolist(),
                    "products": format_values(explanation.products).ravel().tolist(),
                    "sum": walk.sum_line,
                    "weight": walk.weight_line,
                    "mapping": walk.mapping_line,
                    "final": walk.final_text,
                    "top": walk.window_rows[0],
                    "left": walk.window_cols[0],
                }
            )
    return {
        "rows": rows,
        "cols": cols,
        "note": channel_note(result, channel),
        "kernel": format_values(result.kernel).ravel().tolist(),
        "labels": format_values(output).ravel().tolist(),
        "colours": _hex(colours),
        "inks": _hex(label_inks(colours)),
        "walks": walks,
    }
