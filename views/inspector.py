"""View "Inspect a pixel": the lecture's walkthrough of one output pixel, term by term.

Shows the 3x3 input window, the filter and their nine products as grids, the
sum written out, the weight, the output mapping and the final value: the very
value drawn in the filtered grid at that pixel.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from filters.convolution import PixelExplanation, explain_pixel
from filters.drawing import PADDING_FILL, PIXEL_SHADING, Fill, Shading, render_grid, value_labels
from filters.kernel import format_weight
from filters.mapping import FittedMapping
from filters.numbers import format_value
from filters.pipeline import FilterResult
from filters.stepping import sum_text
from views import state
from views.options import CHANNELS, Options
from views.selection import move_pixel

SMALL_CELL_PX = 56
MOVES = (("↑", "Up", (-1, 0)), ("←", "Left", (0, -1)), ("↓", "Down", (1, 0)), ("→", "Right", (0, 1)))
"""Arrow buttons: label, keyboard shortcut, (rows, columns) to move."""


def channel_of(array: np.ndarray, options: Options) -> np.ndarray:
    """The 2-D values a view explains: the gray image, or the colour channel whose values are written."""
    return array if array.ndim == 2 else array[..., options.label_channel]


def channel_note(result: FilterResult, options: Options) -> str:
    """' (red channel)' in colour mode, else nothing."""
    return f" ({CHANNELS[options.label_channel].lower()} channel)" if result.image.ndim == 3 else ""


def explain(result: FilterResult, options: Options, row: int, col: int) -> PixelExplanation:
    """``explain_pixel`` for the image, filter and padding that produced ``result``."""
    return explain_pixel(
        channel_of(result.image, options),
        result.kernel,
        row,
        col,
        weight=result.weight,
        padding=result.padding,
    )


def final_value(explanation: PixelExplanation, mapping: FittedMapping) -> str:
    """The output value of the explained pixel, written as the filtered grid writes it."""
    return format_value(float(mapping.apply(explanation.total)))


def arithmetic_markdown(explanation: PixelExplanation, mapping: FittedMapping) -> str:
    """Sum, weight, mapping and result as markdown lines, the lecture's way."""
    padded = " (pale blue cells are zero padding)" if explanation.padded.any() else ""
    return "\n\n".join(
        [
            f"**Sum of the nine products**{padded}:  \n`{sum_text(explanation)}`",
            f"**× weight** {format_weight(explanation.weight)}: "
            f"`{format_value(explanation.weighted_sum)} × {format_weight(explanation.weight)} = "
            f"{format_value(explanation.total)}`",
            f"**Output mapping**: `{mapping.explain(explanation.total)}`",
        ]
    )


def window_grids(explanation: PixelExplanation) -> list[tuple[str, np.ndarray]]:
    """The three small grids of the walkthrough, drawn as PNG: input window, filter, products."""
    window_fill = (Fill(explanation.padded, PADDING_FILL),)
    kernel_extent = max(float(np.abs(explanation.kernel).max()), 1e-9)
    product_extent = max(float(np.abs(explanation.products).max()), 1e-9)
    pictures = [
        render_grid(
            explanation.window,
            PIXEL_SHADING,
            labels=value_labels(explanation.window),
            cell_px=SMALL_CELL_PX,
            fills=window_fill,
        ),
        render_grid(
            explanation.kernel,
            Shading(-kernel_extent, kernel_extent, diverging=True),
            labels=value_labels(explanation.kernel),
            cell_px=SMALL_CELL_PX,
        ),
        render_grid(
            explanation.products,
            Shading(-product_extent, product_extent, diverging=True),
            labels=value_labels(explanation.products),
            cell_px=SMALL_CELL_PX,
        ),
    ]
    top, left = explanation.centre[0] - 1, explanation.centre[1] - 1
    titles = [
        f"Input window: rows {top} to {top + 2}, columns {left} to {left + 2}",
        "× the filter",
        "= the nine products",
    ]
    return [(title, picture.image) for title, picture in zip(titles, pictures, strict=True)]


def inspector_ui(result: FilterResult, options: Options, pixel: tuple[int, int]) -> None:
    """Draw the pixel picker and the walkthrough of the selected ``pixel``."""
    rows, cols = result.output.shape[:2]
    controls, walkthrough = st.columns([1, 3], gap="large")
    with controls:
        st.markdown("**Which output pixel?** Click the filtered image, or:")
        st.number_input("Row (0 = top)", min_value=0, max_value=rows - 1, step=1, key=state.INSPECT_ROW)
        st.number_input("Column (0 = left)", min_value=0, max_value=cols - 1, step=1, key=state.INSPECT_COL)
        row, col = pixel
        for column, (arrow, key_name, delta) in zip(st.columns(4), MOVES, strict=True):
            column.button(
                arrow,
                key=f"move_{key_name.lower()}",
                help=f"{key_name} one pixel ({arrow} key)",
                on_click=move_pixel,
                args=delta,
                shortcut=key_name,
            )
    explanation = explain(result, options, row, col)
    with walkthrough:
        st.markdown(
            f"#### Output pixel (row {row}, column {col}){channel_note(result, options)} = "
            f"**{final_value(explanation, result.mapping)}**"
        )
        for column, (title, picture) in zip(st.columns(3), window_grids(explanation), strict=True):
            column.image(picture, caption=title, width=3 * SMALL_CELL_PX)
        st.markdown(arithmetic_markdown(explanation, result.mapping))
        st.caption(
            f"The same value, {final_value(explanation, result.mapping)}, is written in the filtered grid "
            f"at row {row}, column {col} (outlined in amber; its 3 x 3 window is outlined on the original)."
        )
