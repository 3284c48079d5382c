"""The clickable filtered grid: a click picks the output pixel the inspector and the steppers explain.

A small Components v2 element (``components/pick_image.js``) in the page itself, with alt text:
the picture says what it shows to a screen reader, and a click comes back as a trigger that
selects the cell under it before the page is drawn again.
"""

from __future__ import annotations

import base64
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
    """Select the pixel under the click (a click the picture could not have sent is ignored)."""
    click = st.session_state[state.PICK].get("click")
    geometry = st.session_state.get(state.PICK_GEOMETRY)
    if not isinstance(click, dict) or geometry is None:
        return
    try:
        x, y, width, height = (float(click[name]) for name in ("x", "y", "width", "height"))
    except (KeyError, TypeError, ValueError):
        return
    cell = cell_at(geometry, x, y, width, height)
    if cell is not None:
        st.session_state[state.INSPECT_ROW], st.session_state[state.INSPECT_COL] = cell
        state.rerun_pixel_sections(moved=True)


def picture_url(png: bytes) -> str:
    """Where the browser fetches the picture: a media URL, as ``st.image``'s, served by the server once
    and kept by the page while the picture stays the same (a data URL would travel in every run's
    message); a data URL only where no server runs (the app's tests)."""
    if not runtime.exists():
        return "data:image/png;base64," + base64.b64encode(png).decode()
    return runtime.get_instance().media_file_mgr.add(png, "image/png", f"pick_image.{state.PICK}")


def pick_image(png: bytes, geometry: Geometry, alt: str) -> None:
    """Show the filtered grid; a click on it selects the pixel under the pointer."""
    st.session_state[state.PICK_GEOMETRY] = geometry
    PICK_IMAGE(key=state.PICK, data={"src": picture_url(png), "alt": alt}, on_click_change=_take_click)
