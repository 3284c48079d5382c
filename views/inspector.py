"""View "Inspect a pixel": the lecture's walkthrough of one output pixel, term by term.

Shows the 3x3 input window, the filter and their nine products as grids, the
sum written out, the weight, the output mapping and the final value: the very
value drawn in the filtered grid at that pixel (``filters.walkthrough`` reads it
from the same array).
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import streamlit as st

from filters.describe import rows_words
from filters.drawing import PADDING_FILL, PIXEL_SHADING, Fill, Shading, render_grid, to_png, value_labels
from filters.kernel import format_weight
from filters.pipeline import FilterResult
from filters.predict import Question
from filters.walkthrough import PixelWalkthrough, channel_note, walk_pixel
from views import state
from views.loading import PNGS
from views.options import Options
from views.predict import guess_ui
from views.selection import move_pixel

SMALL_CELL_PX = 56
MOVES = (("↑", "up", (-1, 0)), ("←", "left", (0, -1)), ("↓", "down", (1, 0)), ("→", "right", (0, 1)))
"""Arrow buttons: label, direction, (rows, columns) to move. They have no keyboard shortcut: arrow
keys move the pixel only in the explorer's grid, when it has focus (a clicker's keys step the steppers)."""


def arithmetic_markdown(walk: PixelWalkthrough) -> str:
    """Sum, weight, mapping and result as markdown lines, the lecture's way."""
    padded = " (pale blue cells are zero padding)" if walk.explanation.padded.any() else ""
    return "\n\n".join(
        [
            f"**Sum of the nine products**{padded}:  \n`{walk.sum_line}`",
            f"**× weight**: `{walk.weight_line}`",
            f"**Output mapping**: `{walk.mapping_line}`",
        ]
    )


def window_pngs(walk: PixelWalkthrough) -> list[tuple[str, bytes, str]]:
    """``window_grids`` as PNGs, drawn once per content: keyed by the full digest of the numbers they
    show, so a rerun that changed nothing in the walkthrough draws and encodes nothing."""
    explanation = walk.explanation
    digest = hashlib.sha256()
    for array in (explanation.window, explanation.kernel, explanation.products, explanation.padded):
        digest.update(np.ascontiguousarray(array, dtype=float).tobytes())
    digest.update(repr((walk.window_rows, walk.window_cols)).encode())
    key = ("inspector", digest.hexdigest())
    grids = functools.cache(lambda: window_grids(walk))  # drawn only if a PNG is not cached
    return [
        (title, PNGS.get_or_compute((*key, index), lambda index=index: to_png(grids()[index][1])), alt)
        for index, (title, alt) in enumerate(window_titles(walk))
    ]


def window_titles(walk: PixelWalkthrough) -> list[tuple[str, str]]:
    """The titles and alt texts of ``window_grids``, without drawing them."""
    return [(title, alt) for title, _, alt in window_grids(walk, draw=False)]


def window_grids(walk: PixelWalkthrough, draw: bool = True) -> list[tuple[str, np.ndarray | None, str]]:
    """The three small grids of the walkthrough (input window, filter, products): title, picture
    (None unless ``draw``), alt."""
    explanation = walk.explanation
    kernel_extent = max(float(np.abs(explanation.kernel).max()), 1e-9)
    product_extent = max(float(np.abs(explanation.products).max()), 1e-9)
    grids = (
        (explanation.window, PIXEL_SHADING, (Fill(explanation.padded, PADDING_FILL),)),
        (explanation.kernel, Shading(-kernel_extent, kernel_extent, diverging=True), ()),
        (explanation.products, Shading(-product_extent, product_extent, diverging=True), ()),
    )
    (top, bottom), (left, right) = walk.window_rows, walk.window_cols
    titles = (
        f"Input window: rows {top} to {bottom}, columns {left} to {right}",
        "× the filter",
        "= the nine products",
    )
    return [
        (
            title,
            _draw(values, shading, fills) if draw else None,
            f"{title}: {rows_words(values)}",
        )
        for title, (values, shading, fills) in zip(titles, grids, strict=True)
    ]


def _draw(values: np.ndarray, shading: Shading, fills: tuple[Fill, ...]) -> np.ndarray:
    return render_grid(values, shading, labels=value_labels(values), cell_px=SMALL_CELL_PX, fills=fills).image


def inspector_ui(
    result: FilterResult, options: Options, pixel: tuple[int, int], question: Question | None = None
) -> None:
    """Draw the pixel picker and the walkthrough of the selected ``pixel``; while ``question`` (its
    sum, asked first) is unanswered, the window and the filter with a guess box instead."""
    rows, cols = result.output_shape
    controls, walkthrough = st.columns([1, 3], gap="large")
    with controls:
        state.send_moved_pixel()
        st.markdown("**Which output pixel?** Click the filtered image, or:")
        for label, key, most in (
            ("Row (0 = top)", state.INSPECT_ROW, rows),
            ("Column (0 = left)", state.INSPECT_COL, cols),
        ):
            st.number_input(
                label, min_value=0, max_value=most - 1, step=1, key=key, on_change=state.rerun_pixel_sections
            )
        for column, (arrow, direction, delta) in zip(st.columns(4), MOVES, strict=True):
            column.button(
                arrow, key=f"move_{direction}", help=f"One pixel {direction}", on_click=move_pixel, args=delta
            )
    row, col = pixel
    walk = walk_pixel(result, row, col, options.label_channel)
    with walkthrough:
        if question is not None:
            pixel_question_ui(result, walk, question, options.label_channel)
            return
        st.markdown(
            f"#### Output pixel (row {row}, column {col}){channel_note(result, options.label_channel)} = "
            f"**{walk.final_text}** (pinned)"
        )
        for column, (title, png, alt) in zip(st.columns(3), window_pngs(walk), strict=True):
            column.image(png, caption=title, width=3 * SMALL_CELL_PX, output_format="PNG", alt=alt)
        st.markdown(arithmetic_markdown(walk))
        st.caption(
            f"The same value, {walk.final_text}, is written in the filtered grid "
            f"at row {row}, column {col} (outlined in amber; its 3 x 3 window is outlined on the original)."
        )


def pixel_question_ui(result: FilterResult, walk: PixelWalkthrough, question: Question, channel: int) -> None:
    """Predict first: the pixel's window and the filter, its sum asked before the products, the sum
    and the value are shown (the filtered grid covers the pixel until then)."""
    st.markdown(f"#### Output pixel (row {walk.row}, column {walk.col}){channel_note(result, channel)} = ?")
    window, kernel, _ = window_pngs(walk)
    for column, (title, png, alt) in zip(st.columns(3), (window, kernel), strict=False):
        column.image(png, caption=title, width=3 * SMALL_CELL_PX, output_format="PNG", alt=alt)
    if walk.explanation.weight != 1:
        st.markdown(f"Then × the weight **{format_weight(walk.explanation.weight)}**.")
    guess_ui(question, "pixel")
