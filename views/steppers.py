"""Views "Slide the filter" and "Pool step by step": the computation replayed one step at a time.

Both play in the browser (``views/explorer.py``): start, back, play / pause,
next, end, a speed of 1 to 20 steps a second, a scrub slider and keys. The
server sends the region's numbers once; stepping makes no round trip.
"""

from __future__ import annotations

import streamlit as st

from filters.describe import rows_words
from filters.drawing import PIXEL_SHADING, Shading, output_shading, render_grid, value_labels
from filters.pipeline import FilterResult
from filters.presets import LECTURE_POOLING_GRID
from filters.recipe import FilterRecipe
from filters.stepping import whole
from filters.walkthrough import (
    VIEW_POOL,
    VIEW_SLIDE,
    channel_of,
    convolution_region,
    pooling_region,
)
from views import state
from views.explorer import convolution_explorer_ui, lecture_pooling_ui, pooling_explorer_ui
from views.exports import animation_downloads_ui
from views.options import Options
from views.predict import PoolWindowAsked, guess_ui, held_back, pool_window_asked, sizes_held_back, verdict_ui

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
    st.session_state.pop(state.POOL_ASKED, None)
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
        if pool_guess_ui(pool_window_asked(LECTURE_POOLING_GRID, result.pool_kind), PIXEL_SHADING):
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
    if pool_guess_ui(
        pool_window_asked(values, result.pool_kind), shading, origin, not sizes_held_back(result)
    ):
        pooling_explorer_ui(recipe, result, options.label_channel, region)
        animation_downloads_ui(VIEW_POOL, recipe, region, options.label_channel)


def pool_guess_ui(
    asked: PoolWindowAsked | None, shading: Shading, origin: tuple[int, int] = (0, 0), sizes: bool = True
) -> bool:
    """Predict first: the window asked shown with its four values and a guess box, before the stepper
    shows what it keeps (``origin``: where the stepper's values start in the filtered image; ``sizes``:
    the count of windows may be said, it is not being guessed). The stepper then plays freely: the
    question moves on only with "Next window: guess first". Returns whether the stepper may be shown."""
    if asked is None:
        return True
    step, question = asked.step, asked.question
    if held_back(question):
        top, left = origin[0] + step.top, origin[1] + step.left
        count = f" of {asked.count}" if sizes else ""
        st.markdown(
            f"**Window {asked.index + 1}{count}** (rows {top} to {top + 1}, columns {left} to {left + 1}):"
        )
        st.image(
            render_grid(step.window, shading, labels=value_labels(step.window), cell_px=WINDOW_CELL_PX).png(),
            width=2 * WINDOW_CELL_PX,
            output_format="PNG",
            alt=f"The window: {rows_words(step.window)}",
        )
        guess_ui(question, "pool")
        return False
    verdict_ui(question)
    if asked.index + 1 < asked.count:
        st.button(
            "Next window: guess first",
            icon=":material/skip_next:",
            on_click=_guess_next,
            args=(asked.index + 1,),
        )
    return True


WINDOW_CELL_PX = 56
"""The window asked is drawn with the inspector's cell size."""


def _guess_next(index: int) -> None:
    """Ask the next window that is not flat; the stepper starts there."""
    st.session_state[state.POOL_ASKED] = st.session_state[state.STEP] = index
    state.rerun_pixel_sections()
