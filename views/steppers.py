"""Views "Slide the filter" and "Pool step by step": the computation replayed one step at a time.

Both play in the browser (``views/explorer.py``): start, back, play / pause,
next, end, a speed of 1 to 20 steps a second, a scrub slider and keys. The
server sends the region's numbers once; stepping makes no round trip.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from filters.describe import rows_words
from filters.drawing import PIXEL_SHADING, Shading, output_shading, render_grid, to_png, value_labels
from filters.pipeline import FilterResult
from filters.pooling import PoolKind, pooled_shape
from filters.predict import pool_question
from filters.presets import LECTURE_POOLING_GRID
from filters.recipe import FilterRecipe
from filters.stepping import whole
from filters.walkthrough import (
    VIEW_POOL,
    VIEW_SLIDE,
    channel_of,
    convolution_region,
    first_telling_window,
    pooling_region,
)
from views import state
from views.explorer import convolution_explorer_ui, lecture_pooling_ui, pooling_explorer_ui
from views.exports import animation_downloads_ui
from views.options import Options
from views.predict import guess_ui, held_back, predicting, sizes_held_back, verdict_ui

_ZOOM_NOTE = (
    "A {cols} x {rows} zoom region of the filtered image around the selected pixel "
    "(outlined above; click the filtered image to move it)."
)


def convolution_stepper_ui(
    recipe: FilterRecipe, result: FilterResult, options: Options, pixel: tuple[int, int]
) -> None:
    """The filter slides over the region in reading order; the output fills in cell by cell."""
    region = convolution_region(result, pixel, bool(st.session_state[state.PROJECTOR]))
    if region != whole(result.output_shape):
        st.caption(_ZOOM_NOTE.format(cols=region.cols, rows=region.rows))
    convolution_explorer_ui(recipe, result, options.label_channel, region, "slide", pixel)
    animation_downloads_ui(VIEW_SLIDE, recipe, region, options.label_channel)


def _use_lecture_example(use: bool) -> None:
    st.session_state[state.POOL_SOURCE] = "lecture" if use else "image"
    st.session_state[state.STEP] = 0
    st.session_state[state.REVEAL] = True
    state.rerun_pixel_sections()


def pooling_stepper_ui(
    recipe: FilterRecipe, result: FilterResult, options: Options, pixel: tuple[int, int]
) -> None:
    """2x2 windows of the filtered image in reading order; the pooled grid fills in with each maximum."""
    row = st.container(horizontal=True, vertical_alignment="center")
    if st.session_state[state.POOL_SOURCE] == "lecture":
        rows, cols = 4, 4
        row.button("Back to the filtered image", on_click=_use_lecture_example, args=(False,))
    else:
        rows, cols = result.output_shape
        row.button(
            "Lecture example: 16 pixels into 4",
            on_click=_use_lecture_example,
            args=(True,),
            help="Load the lecture's 4 x 4 grid and pool it step by step.",
        )
    lecture = st.session_state[state.POOL_SOURCE] == "lecture"
    if lecture or not sizes_held_back(result):
        row.markdown(
            f"Pooling turns **H x W into H/2 x W/2**: a quarter of the pixels. Here {cols} x {rows} → "
            f"{cols // 2} x {rows // 2}, so {rows * cols:,} values become {(rows // 2) * (cols // 2):,}."
        )
    else:  # the sizes are being guessed above
        row.markdown("Pooling keeps one value of every 2 x 2 block.")
    if lecture:
        if pool_guess_ui(LECTURE_POOLING_GRID, result.pool_kind, PIXEL_SHADING):
            lecture_pooling_ui(result.pool_kind)
        return
    if rows < 2 or cols < 2:
        st.info("The filtered image is too small for 2 x 2 pooling.")
        return
    region = pooling_region(result, pixel, bool(st.session_state[state.PROJECTOR]))
    if region != whole(result.output_shape):
        st.caption(_ZOOM_NOTE.format(cols=region.cols, rows=region.rows))
    values = channel_of(result.mapped(region.slices()), options.label_channel)
    shading, origin = output_shading(result.mapping), (region.top, region.left)
    if pool_guess_ui(values, result.pool_kind, shading, origin, sizes=not sizes_held_back(result)):
        pooling_explorer_ui(recipe, result, options.label_channel, region)
        animation_downloads_ui(VIEW_POOL, recipe, region, options.label_channel)


def pool_guess_ui(
    values: np.ndarray, kind: PoolKind, shading: Shading, origin: tuple[int, int] = (0, 0), sizes: bool = True
) -> bool:
    """Predict first: the window at the stepper's step asked before the stepper shows its value
    (``values`` start at ``origin`` of the filtered image; ``sizes``: the count of windows may be
    said, it is not being guessed). Returns whether the stepper may be shown (not predicting, or
    this window's guess was made)."""
    if not predicting("pooled"):
        return True
    rows, cols = pooled_shape(values.shape)
    index, step = first_telling_window(values, kind, min(int(st.session_state[state.STEP]), rows * cols - 1))
    st.session_state[state.STEP] = index  # the stepper and the link start where the question is
    question = pool_question(step, kind)
    if held_back(question):
        top, left = origin[0] + step.top, origin[1] + step.left
        count = f" of {rows * cols}" if sizes else ""
        st.markdown(f"**Window {index + 1}{count}** (rows {top} to {top + 1}, columns {left} to {left + 1}):")
        st.image(
            window_png(step.window, shading),
            width=2 * WINDOW_CELL_PX,
            output_format="PNG",
            alt=f"The window: {rows_words(step.window)}",
        )
        guess_ui(question, "pool")
        return False
    verdict_ui(question)
    if index + 1 < rows * cols:
        st.button(
            "Next window: guess first", icon=":material/skip_next:", on_click=_guess_next, args=(index + 1,)
        )
    return True


WINDOW_CELL_PX = 56


def window_png(window: np.ndarray, shading: Shading) -> bytes:
    """A pooling window drawn with its values, shaded as the grid it comes from."""
    labels = value_labels(window)
    return to_png(render_grid(window, shading, labels=labels, cell_px=WINDOW_CELL_PX).image)


def _guess_next(step: int) -> None:
    st.session_state[state.STEP] = step
    state.rerun_pixel_sections()
