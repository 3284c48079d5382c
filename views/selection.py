"""The output pixel the user is looking at.

The pixel is chosen by clicking the filtered image, by typing its row and
column, or with the arrow buttons (and arrow keys). On big images it is also
the centre of the steppers' zoom region.
"""

from __future__ import annotations

import streamlit as st

from filters.pipeline import FilterResult
from views import state


def selected_pixel(result: FilterResult) -> tuple[int, int]:
    """The output pixel in force: reset to the strongest response when the image changes."""
    rows, cols = result.output_shape
    first_row, first_col = result.strongest
    state.reset_when_changed(
        state.INSPECT_CONTEXT,
        (st.session_state[state.SHOWN_IMAGE], st.session_state[state.WORKING_SIZE], (rows, cols)),
        {state.INSPECT_ROW: first_row, state.INSPECT_COL: first_col},
    )
    linked = st.session_state.pop(state.LINKED_PIXEL, None)
    if linked is not None:  # a pixel read from the page's link, clamped below like any other
        st.session_state[state.INSPECT_ROW], st.session_state[state.INSPECT_COL] = linked
    current = int(st.session_state[state.INSPECT_ROW]), int(st.session_state[state.INSPECT_COL])
    row, col = min(max(current[0], 0), rows - 1), min(max(current[1], 0), cols - 1)
    if (row, col) != current:
        # Only when clamping changed it: writing a widget's state sends the value to the browser,
        # and a run still in flight would then overwrite a number the user has just typed.
        st.session_state[state.INSPECT_ROW], st.session_state[state.INSPECT_COL] = row, col
    st.session_state[state.PIXEL] = (row, col)
    return row, col


def move_pixel(d_row: int, d_col: int) -> None:
    """Callback of the arrow buttons: move the selection by one pixel (clamped on the next run)."""
    st.session_state[state.INSPECT_ROW] = max(0, int(st.session_state[state.INSPECT_ROW]) + d_row)
    st.session_state[state.INSPECT_COL] = max(0, int(st.session_state[state.INSPECT_COL]) + d_col)
    state.rerun_pixel_sections(moved=True)
