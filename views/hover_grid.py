"""The hover grid: a browser component (Streamlit Components v2) that explains a pixel as the pointer moves.

For filtered grids up to 32 x 32 (the fashion items, the lecture's grids) the core
sends every pixel's walkthrough once per result (``filters.hover``); hovering,
touching or moving with the arrow keys then answers in the browser, with no server
round trip. Clicking a cell or pressing Enter pins it: the server-side inspector,
the outlines and the steppers follow. If the component cannot load, the pictures
and the server-side inspector below it still work.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from filters.hover import hover_payload, wants_hover
from filters.pipeline import FilterResult
from filters.recipe import FilterRecipe
from views import state
from views.loading import HOVER_PAYLOADS

_ASSETS = Path(__file__).resolve().parent / "components"
HOVER_GRID = st.components.v2.component(
    "convolution_hover_grid",
    css=(_ASSETS / "hover_grid.css").read_text(),
    js=(_ASSETS / "hover_grid.js").read_text(),
)


@dataclass(frozen=True, eq=False)
class HoverData:
    """A payload and its size: what the component receives, kept once per result and channel."""

    payload: dict
    nbytes: int


def _payload(recipe: FilterRecipe, result: FilterResult, channel: int) -> dict:
    def build() -> HoverData:
        payload = hover_payload(result, channel)
        text = json.dumps(payload, separators=(",", ":"))
        payload["key"] = hashlib.sha256(text.encode()).hexdigest()[:16]
        return HoverData(payload, len(text))

    return HOVER_PAYLOADS.get_or_compute((recipe, channel), build).payload


def _pin() -> None:
    """A cell clicked or Entered in the browser becomes the inspected pixel."""
    pinned = st.session_state[state.HOVER_GRID].get("pinned")
    if isinstance(pinned, list) and len(pinned) == 2 and all(type(value) is int for value in pinned):
        st.session_state[state.INSPECT_ROW], st.session_state[state.INSPECT_COL] = pinned


def hover_grid_ui(recipe: FilterRecipe, result: FilterResult, channel: int, pixel: tuple[int, int]) -> None:
    """The hover grid for small results; an empty place for big ones (their pictures are clickable).

    The place is always there, so the inspector after it keeps its position on the page
    when the image changes size (else Streamlit would briefly show both inspectors).
    """
    place = st.container()
    if not wants_hover(result):
        return
    data = {**_payload(recipe, result, channel), "pinned": list(pixel)}
    with place:
        HOVER_GRID(key=state.HOVER_GRID, data=data, on_pinned_change=_pin)
