"""The output pixel the user is looking at, and what the results row outlines because of it.

The pixel is chosen by clicking the filtered image, by typing its row and
column, or with the arrow buttons (and arrow keys). On big images it is also
the centre of the steppers' zoom region.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from filters.drawing import CHOSEN, Outline, cell_at
from filters.pipeline import FilterResult
from filters.pooling import pooled_shape
from filters.stepping import Region, input_region, stepping_region, strongest_pixel, whole
from views import state

STEPPER_LIMIT = 32
"""Images whose filtered output is at most this size are stepped through whole."""


@dataclass(frozen=True)
class Marks:
    """Outlines to draw on the original, filtered and pooled grids of the results row."""

    original: tuple[Outline, ...] = ()
    filtered: tuple[Outline, ...] = ()
    pooled: tuple[Outline, ...] = ()


def selected_pixel(result: FilterResult) -> tuple[int, int]:
    """The output pixel in force: reset to the strongest response when the image changes."""
    rows, cols = result.output.shape[:2]
    _take_new_click()
    first_row, first_col = strongest_pixel(result.output)
    state.reset_when_changed(
        state.INSPECT_CONTEXT,
        (st.session_state[state.SHOWN_IMAGE], st.session_state[state.WORKING_SIZE], (rows, cols)),
        {state.INSPECT_ROW: first_row, state.INSPECT_COL: first_col},
    )
    row = min(max(int(st.session_state[state.INSPECT_ROW]), 0), rows - 1)
    col = min(max(int(st.session_state[state.INSPECT_COL]), 0), cols - 1)
    st.session_state[state.INSPECT_ROW], st.session_state[state.INSPECT_COL] = row, col
    return row, col


def _take_new_click() -> None:
    """Select the pixel under a new click on the filtered image (each click is taken once)."""
    click = st.session_state.get(state.PICK)
    geometry = st.session_state.get(state.PICK_GEOMETRY)
    if not click or geometry is None or click.get("unix_time") == st.session_state.get(state.LAST_CLICK):
        return
    st.session_state[state.LAST_CLICK] = click.get("unix_time")
    cell = cell_at(geometry, click["x"], click["y"], click["width"], click["height"])
    if cell is not None:
        st.session_state[state.INSPECT_ROW], st.session_state[state.INSPECT_COL] = cell


def move_pixel(d_row: int, d_col: int) -> None:
    """Callback of the arrow buttons: move the selection by one pixel (clamped on the next run)."""
    st.session_state[state.INSPECT_ROW] = max(0, int(st.session_state[state.INSPECT_ROW]) + d_row)
    st.session_state[state.INSPECT_COL] = max(0, int(st.session_state[state.INSPECT_COL]) + d_col)


def convolution_region(result: FilterResult, pixel: tuple[int, int]) -> Region:
    """The output region the convolution stepper walks: all of a small image, else 16x16 around ``pixel``."""
    return stepping_region(result.output.shape, pixel, STEPPER_LIMIT)


def pooling_region(result: FilterResult, pixel: tuple[int, int]) -> Region:
    """The part of the filtered image the pooling stepper walks, aligned to whole 2x2 blocks."""
    return stepping_region(result.output.shape, pixel, STEPPER_LIMIT, align=2)


def marks_for(view: str, result: FilterResult, pixel: tuple[int, int]) -> Marks:
    """What the results row outlines for the step-by-step view in use."""
    row, col = pixel
    if view == state.VIEW_INSPECT:
        centre_row, centre_col = (row + 1, col + 1) if result.padding == "valid" else (row, col)
        pool_rows, pool_cols = pooled_shape(result.output.shape)
        lands_in_pooled = row // 2 < pool_rows and col // 2 < pool_cols
        pooled = (Outline(row // 2, col // 2, colour=CHOSEN),) if lands_in_pooled else ()
        return Marks(
            original=(Outline(centre_row - 1, centre_col - 1, 3, 3),),
            filtered=(Outline(row, col),),
            pooled=pooled,
        )
    if view == state.VIEW_SLIDE:
        region = convolution_region(result, pixel)
        if region == whole(result.output.shape):
            return Marks()
        inputs = input_region(region, result.padding)
        return Marks(original=(_outline(inputs),), filtered=(_outline(region),))
    region = pooling_region(result, pixel)
    if convolution_region(result, pixel) == whole(result.output.shape):
        return Marks()
    halved = Region(region.top // 2, region.left // 2, region.rows // 2, region.cols // 2)
    return Marks(filtered=(_outline(region),), pooled=(_outline(halved),))


def _outline(region: Region) -> Outline:
    return Outline(region.top, region.left, region.rows, region.cols)
