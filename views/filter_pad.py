"""The filter pad: the 3x3 filter drawn as big cells you change in the browser (Components v2).

Click, scroll, drag or type to change a value; once the edit is committed the
browser sends the nine values and this module puts them into the filter editor,
exactly as if they had been typed there (one rerun per edit). A typed value is
sent as its text, for the core to read as a cell typed into the table (``1/9``,
``1,5``; ``1_000`` refused with the same message). The pad's colours and labels
are the core's (``shade``, ``format_value``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from filters.drawing import Shading, label_inks, shade
from filters.kernel import KernelError, parse_kernel, with_typed_value
from filters.numbers import format_values
from views import state
from views.text import plain

_ASSETS = Path(__file__).resolve().parent / "components"
FILTER_PAD = st.components.v2.component(
    "convolution_filter_pad",
    css=(_ASSETS / "filter_pad.css").read_text(),
    js="\n".join((_ASSETS / name).read_text() for name in ("dom.js", "format.js", "filter_pad.js")),
)


def _hex(colours: np.ndarray) -> list[str]:
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in colours.reshape(-1, 3).tolist()]


def pad_data(values: np.ndarray) -> dict:
    """What the pad shows: the values, their labels, and their colours on the filter's signed scale."""
    extent = max(float(np.abs(values).max()), 1e-9)
    colours = shade(values, Shading(-extent, extent, diverging=True))
    return {
        "values": values.ravel().tolist(),
        "labels": format_values(values).ravel().tolist(),
        "colours": _hex(colours),
        "inks": _hex(label_inks(colours)),
    }


def _drawn() -> None:
    """An edit committed in the browser becomes the filter in force (checked like a typed one)."""
    edit = st.session_state[state.FILTER_PAD].get("edit")
    values = edit.get("values") if isinstance(edit, dict) else None
    numbers = isinstance(values, list) and all(type(value) in (int, float) for value in values)
    if not numbers or len(values) != 9:
        return  # a forged or broken message: the filter in force stays
    try:
        kernel = parse_kernel(np.array(values, dtype=object).reshape(3, 3))
    except KernelError:
        return
    state.mark_filter_edited()
    state.seed_kernel(kernel.tolist())


def _typed_cell() -> tuple[int, str] | None:
    """The pad cell (0 to 8) and the text typed into it in this run, or None (nothing typed, or a
    message the pad cannot send)."""
    typed = st.session_state[state.FILTER_PAD].get("typed")
    index, text = (typed.get("index"), typed.get("text")) if isinstance(typed, dict) else (None, None)
    if type(index) is not int or not 0 <= index < 9 or not isinstance(text, str):
        return None
    return index, text


def _typed() -> None:
    """A value typed into a pad cell becomes the filter in force if the core reads it; refused text
    changes nothing (``filter_pad_ui`` says why)."""
    typed = _typed_cell()
    if typed is None:
        return
    try:
        kernel = with_typed_value(np.array(st.session_state[state.LAST_VALID_KERNEL]), *typed)
    except KernelError:
        return
    state.mark_filter_edited()
    state.seed_kernel(kernel.tolist())


def filter_pad_ui(values: np.ndarray) -> None:
    """Draw the pad for the filter in force, and say why a value just typed into it was refused."""
    FILTER_PAD(key=state.FILTER_PAD, data=pad_data(values), on_edit_change=_drawn, on_typed_change=_typed)
    typed = _typed_cell()
    if typed is None:
        return
    try:
        with_typed_value(values, *typed)
    except KernelError as problem:
        st.warning(plain(f"{problem} The last valid filter stays in force."), icon=":material/warning:")
