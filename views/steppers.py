"""Views "Slide the filter" and "Pool step by step": the computation replayed one step at a time.

Both play in the browser (``views/explorer.py``): start, back, play / pause,
next, end, a speed of 1 to 20 steps a second, a scrub slider and keys. The
server sends the region's numbers once; stepping makes no round trip.
"""

from __future__ import annotations

import streamlit as st

from filters.pipeline import FilterResult
from filters.recipe import FilterRecipe
from filters.stepping import whole
from filters.walkthrough import VIEW_POOL, VIEW_SLIDE, convolution_region, pooling_region
from views import state
from views.explorer import convolution_explorer_ui, lecture_pooling_ui, pooling_explorer_ui
from views.exports import animation_downloads_ui
from views.options import Options

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
    row.markdown(
        f"Pooling turns **H x W into H/2 x W/2**: a quarter of the pixels. Here {cols} x {rows} → "
        f"{cols // 2} x {rows // 2}, so {rows * cols:,} values become {(rows // 2) * (cols // 2):,}."
    )
    if st.session_state[state.POOL_SOURCE] == "lecture":
        lecture_pooling_ui(result.pool_kind)
        return
    if rows < 2 or cols < 2:
        st.info("The filtered image is too small for 2 x 2 pooling.")
        return
    region = pooling_region(result, pixel, bool(st.session_state[state.PROJECTOR]))
    if region != whole(result.output_shape):
        st.caption(_ZOOM_NOTE.format(cols=region.cols, rows=region.rows))
    pooling_explorer_ui(recipe, result, options.label_channel, region)
    animation_downloads_ui(VIEW_POOL, recipe, region, options.label_channel)
