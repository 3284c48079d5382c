"""Section "The filter": choose a preset, edit its nine values and weight, see it as a heatmap.

Returns the filter in force. A cell or weight that cannot be used gets a
message, and the last valid filter stays in force until it is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from filters.kernel import (
    COLUMN_NAMES,
    ROW_NAMES,
    KernelError,
    format_weight,
    normalizing_weight,
    parse_kernel,
    parse_weight,
    tidy_number_text,
)
from filters.link import exact_number_text
from filters.numbers import format_value
from filters.presets import PRESETS
from views import state
from views.filter_pad import filter_pad_ui
from views.text import plain


@dataclass(frozen=True)
class KernelChoice:
    """The filter in force: its nine values and the weight that multiplies their sum."""

    values: np.ndarray
    weight: float


def _load_preset(preset_key: str | None = None) -> None:
    """Put the chosen preset (or ``preset_key``) into the editor, discarding edits."""
    chosen = preset_key or st.session_state.get(state.PRESET)
    if chosen in PRESETS:  # else nothing to load (sanitize puts an unknown value back)
        state.seed_kernel_from_preset(chosen)


def _normalize() -> None:
    weight = normalizing_weight(np.array(st.session_state[state.LAST_VALID_KERNEL]))
    if weight is not None:
        state.mark_filter_edited()
        st.session_state[state.WEIGHT_TEXT] = format_weight(weight)


def _weight_typed() -> None:
    """A typed weight stops naming the preset and is shown as read (``-0`` as ``0``, ``1,5`` as ``1.5``)."""
    state.mark_filter_edited()
    st.session_state[state.WEIGHT_TEXT] = tidy_number_text(st.session_state[state.WEIGHT_TEXT])


def _editor_frame(values: list[list[float]]) -> pd.DataFrame:
    """The seed values as text cells, so users may type 1/9 or -0.5; each written exactly (``1/9``, not
    ``0.11``), so that seeding the editor again never changes a value."""
    texts = [[exact_number_text(value) for value in row] for row in values]
    return pd.DataFrame(texts, index=list(ROW_NAMES), columns=list(COLUMN_NAMES))


def _table(place: DeltaGenerator) -> pd.DataFrame:
    """The editor's table in ``place``, seeded with the editor's seed; returns the cells as typed."""
    return place.data_editor(
        _editor_frame(st.session_state[state.KERNEL_SEED]),
        key=state.kernel_editor_key(),
        column_config={
            name: st.column_config.TextColumn(name, required=True, max_chars=24, width=62)
            for name in COLUMN_NAMES
        },
        width="stretch",
        on_change=state.mark_filter_edited,
    )


def _typed_table(place: DeltaGenerator) -> pd.DataFrame:
    """The table; a filter typed with ``-0`` or ``1,5`` is put back as read (``0``, ``1.5``), so that the
    table and the pad agree: the editor is seeded again and drawn anew in ``place``."""
    edited = _table(place)
    texts = edited.to_numpy()
    if all(tidy_number_text(text) == text for text in texts.ravel()):
        return edited
    try:
        values = parse_kernel(texts)
    except KernelError:
        return edited  # another cell is refused: its message shows, and the texts wait as typed
    state.seed_kernel(values.tolist())
    return _table(place)


def kernel_editor_ui(place: DeltaGenerator, pad_place: DeltaGenerator) -> KernelChoice:
    """Draw the filter's preset and editor in ``place``, its pad in ``pad_place`` (beside the pictures,
    or in ``place`` itself), and return the filter in force."""
    if pad_place is place:
        choose, edit, picture = place.columns([1.05, 1.2, 0.9], gap="medium")
    else:
        (choose, edit), picture = place.columns([1.05, 1.2], gap="medium"), pad_place
    with choose:
        st.selectbox(
            "Preset",
            list(PRESETS),
            format_func=lambda key: PRESETS[key].name,
            key=state.PRESET,
            on_change=_load_preset,
            placeholder="Your own filter (edited)",
            help="Each output pixel = weight x (sum of the 9 neighbours, each times the filter value "
            "in the same position). No flipping: the arithmetic of a CNN layer.",
        )
        preset_key = st.session_state[state.PRESET]
        edited_from = st.session_state.get(state.EDITED_FROM)
        if preset_key is not None:
            st.caption(PRESETS[preset_key].description)
        elif edited_from in PRESETS:
            st.caption(f"Your own values, edited from **{PRESETS[edited_from].name}**.")
            st.button(f"Reset to {PRESETS[edited_from].name}", on_click=_load_preset, args=(edited_from,))
    with edit:
        values = _kernel_in_force(_typed_table(st.empty()))
    with choose:
        weight_column, button_column = st.columns([1, 1], vertical_alignment="bottom")
        weight_column.text_input(
            "Weight",
            key=state.WEIGHT_TEXT,
            on_change=_weight_typed,
            help="Multiplies every sum: 1/9 turns the box blur's sum into an average.",
        )
        weight = _weight_in_force()
        normal = normalizing_weight(values)
        button_column.button(
            "Normalize",
            on_click=_normalize,
            disabled=normal is None,
            help="Set the weight to 1 / (sum of the values) so that they add up to 1."
            if normal is not None
            else "The values add up to 0, so there is nothing to normalize (edge filters keep weight 1).",
        )
    with picture:
        _kernel_picture(values, weight)
    return KernelChoice(values, weight)


def _kernel_in_force(edited: pd.DataFrame) -> np.ndarray:
    """Parse the editor; on a bad cell, warn and keep the last valid filter."""
    try:
        values = parse_kernel(edited.to_numpy())
    except KernelError as problem:
        st.warning(plain(f"{problem} The last valid filter stays in force."), icon=":material/warning:")
        return np.array(st.session_state[state.LAST_VALID_KERNEL])
    st.session_state[state.LAST_VALID_KERNEL] = values.tolist()
    return values


def _weight_in_force() -> float:
    """Parse the weight; on a bad one, warn and keep the last valid weight."""
    try:
        weight = parse_weight(st.session_state[state.WEIGHT_TEXT])
    except KernelError as problem:
        st.warning(plain(f"{problem} The last valid weight stays in force."), icon=":material/warning:")
        return float(st.session_state[state.LAST_VALID_WEIGHT])
    st.session_state[state.LAST_VALID_WEIGHT] = weight
    return weight


def _kernel_picture(values: np.ndarray, weight: float) -> None:
    """The filter as big cells on its signed colour scale, changed by click, scroll, drag or typing."""
    filter_pad_ui(values)
    st.caption(f"Sum of values: **{format_value(values.sum())}** · weight **{format_weight(weight)}**")
