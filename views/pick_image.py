"""The clickable filtered grid: a click picks the output pixel the inspector and the steppers explain.

A small Components v2 element (``components/pick_image.js``) in the page itself, with alt text:
the picture says what it shows to a screen reader, and a click comes back as a trigger that
selects the cell under it before the page is drawn again.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit import runtime

from filters.drawing import Geometry, cell_at
from views import state

_ASSETS = Path(__file__).resolve().parent / "components"
PICK_IMAGE = st.components.v2.component(
    "pick_image",
    css=(_ASSETS / "pick_image.css").read_text(),
    js="\n".join((_ASSETS / name).read_text() for name in ("dom.js", "pick_image.js")),
)


def _take_click() -> None:
    """Select the pixel under the click for the inspector and the steppers."""

    def select(row: int, col: int) -> None:
        st.session_state[state.INSPECT_ROW], st.session_state[state.INSPECT_COL] = row, col
        state.rerun_pixel_sections(moved=True)

    take_cell_click(state.PICK, state.PICK_GEOMETRY, select)


def take_cell_click(key: str, geometry_key: str, on_cell: Callable[[int, int], None]) -> None:
    """Call ``on_cell(row, col)`` with the cell under the click (a click the picture could not have sent
    is ignored)."""
    click = st.session_state[key].get("click")
    geometry = st.session_state.get(geometry_key)
    if not isinstance(click, dict) or geometry is None:
        return
    try:
        x, y, width, height = (float(click[name]) for name in ("x", "y", "width", "height"))
    except (KeyError, TypeError, ValueError):
        return
    cell = cell_at(geometry, x, y, width, height)
    if cell is not None:
        on_cell(*cell)


def picture_url(png: bytes, key: str) -> str:
    """Where the browser fetches the picture: a media URL, as ``st.image``'s, served by the server once
    and kept by the page while the picture stays the same (a data URL would travel in every run's
    message); a data URL only where no server runs (the app's tests)."""
    if not runtime.exists():
        return "data:image/png;base64," + base64.b64encode(png).decode()
    return runtime.get_instance().media_file_mgr.add(png, "image/png", f"pick_image.{key}")


def pick_image(png: bytes, geometry: Geometry, alt: str) -> None:
    """Show the filtered grid; a click on it selects the pixel under the pointer."""
    st.session_state[state.PICK_GEOMETRY] = geometry
    PICK_IMAGE(
        key=state.PICK, data={"src": picture_url(png, state.PICK), "alt": alt}, on_click_change=_take_click
    )


def pick_cell(
    key: str, png: bytes, geometry: Geometry, alt: str, on_cell: Callable[[int, int], None]
) -> None:
    """Show a grid whose click calls ``on_cell(row, col)`` (another page's clickable grid)."""
    geometry_key = f"{key}_geometry"
    st.session_state[geometry_key] = geometry
    PICK_IMAGE(
        key=key,
        data={"src": picture_url(png, key), "alt": alt},
        on_click_change=functools.partial(take_cell_click, key, geometry_key, on_cell),
    )
